"""One self-contained HTML file for a network view (``qkg viz --out FILE.html``): opens from disk, offline.

Everything is inlined: the vendored vis-network, our ``network.js`` and ``viz.css``, and the data as a
``<script type="application/json">`` block (:func:`qkg.viz.escape.script_json`). The page is rendered by a Jinja2
environment with autoescaping, the only data outside the JSON block being the escaped title. Inlined code is
made inert for the HTML parser: ``</script`` and ``<!--`` inside a script, ``</style`` inside a style, can never
close the element early (:func:`inline_script`, :func:`inline_style`).

The file has no Content-Security-Policy of ours (it is for sharing, opened from disk); it makes no request.

>>> html = standalone_html({"nodes": [{"id": "a", "label": "</script><script>alert(1)</script>"}]},
...                        scripts=["window.ok = 1;"], styles=["body{margin:0}"], title="<Réseau>")
>>> "<script>alert(1)" in html, "&lt;Réseau&gt;" in html
(False, True)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from jinja2 import Environment
from markupsafe import Markup
from qkg.viz.escape import script_json

__all__ = ["DATA_ELEMENT_ID", "standalone_html", "inline_script", "inline_style"]

#: The id of the JSON block the page's script reads (``network.js`` looks for it before calling the API).
DATA_ELEMENT_ID = "qkg-data"

_TEMPLATE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>{{ title }}</title>
<link rel="icon" href="data:,">
{% for css in styles %}<style>{{ css }}</style>
{% endfor %}</head>
<body class="viz-standalone">
<header class="viz-standalone-head"><h1>{{ title }}</h1>{% if subtitle %}<p>{{ subtitle }}</p>{% endif %}</header>
<main>
<div id="qkg-network" class="viz-root" data-mode="standalone" data-source="{{ data_id }}"></div>
</main>
<script type="application/json" id="{{ data_id }}">{{ data }}</script>
{% for js in scripts %}<script>{{ js }}</script>
{% endfor %}</body>
</html>
"""

_SCRIPT_END = re.compile(r"</(script)", re.IGNORECASE)
_STYLE_END = re.compile(r"</(style)", re.IGNORECASE)


def inline_script(source: str) -> Markup:
    """JavaScript source made safe to sit inside ``<script>...</script>``.

    ``</script`` becomes ``<\\/script`` and ``<!--`` becomes ``<\\!--``: inside strings, regular expressions
    (non-unicode) and comments, where alone they can appear, both mean the same to JavaScript.

    Examples
    --------
    >>> str(inline_script('var s = "</SCRIPT><!--";'))
    'var s = "<\\\\/SCRIPT><\\\\!--";'
    """
    return Markup(_SCRIPT_END.sub(r"<\\/\1", source).replace("<!--", "<\\!--"))


def inline_style(source: str) -> Markup:
    """CSS made safe to sit inside ``<style>...</style>`` (``</style`` becomes ``<\\/style``).

    >>> str(inline_style("a::after{content:'</style>'}"))
    "a::after{content:'<\\\\/style>'}"
    """
    return Markup(_STYLE_END.sub(r"<\\/\1", source))


def standalone_html(
    payload: dict,
    *,
    scripts: Sequence[str],
    styles: Sequence[str] = (),
    title: str = "qkg",
    subtitle: str = "",
    lang: str = "fr",
) -> str:
    """Render the standalone page.

    Parameters
    ----------
    payload : dict
        The view's data (for the network: :func:`qkg.viz.network.network_payload`, plus ``facts``).
    scripts : sequence of str
        JavaScript sources, inlined in order after the data block (vendor libraries first).
    styles : sequence of str
        CSS sources, inlined in the head.
    title, subtitle : str
        Page title and a line under it; escaped.
    lang : {"fr", "en"}
        The page's language.

    Returns
    -------
    str
        The whole HTML document.

    Examples
    --------
    >>> page = standalone_html({"x": "\\u2028"}, scripts=[], title="t")
    >>> '<script type="application/json" id="qkg-data">{"x":"\\\\u2028"}</script>' in page
    True
    """
    env = Environment(autoescape=True, keep_trailing_newline=True)
    template = env.from_string(_TEMPLATE)
    return template.render(
        lang="en" if lang == "en" else "fr",
        title=title,
        subtitle=subtitle,
        data_id=DATA_ELEMENT_ID,
        data=Markup(script_json(payload)),
        scripts=[inline_script(s) for s in scripts],
        styles=[inline_style(s) for s in styles],
    )
