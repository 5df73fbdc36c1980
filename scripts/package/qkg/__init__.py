"""qkg: the knowledge graph of the City of Québec's international relations.

One installed name, ``qkg``, holds the layers, which sit at the top of the repository:
``qkg.ontology`` <- ``qkg.graph`` <- (``qkg.loaders``, ``qkg.viz``) <- ``qkg.api``.

This file is the package's ``__init__``. In a wheel it lands at ``qkg/__init__.py`` beside the layers (see
pyproject's ``sources`` mapping). In a development install (``pip install -e .``) the ``.pth`` file puts
``scripts/package`` on ``sys.path`` and the lines below add the repository root to the package's search
path, so ``qkg.graph`` is the repository's ``graph/`` folder and source edits apply at once.

For notebooks, :func:`open` opens a built graph, local or remote, in one line (see :mod:`qkg.api.notebook`)::

    import qkg
    g = qkg.open(".qkg")                     # or "http://host:8890/sparql", a published build
    g.query("SELECT ?m WHERE { ?m a qkg:Mission }")           # a pandas DataFrame when pandas is installed
    g.canned("missions-to-country", country="qkgd:suisse")    # a canned query by name, with its parameters
    g.network("actors")                                        # the networkx graph of the analysis

Nothing heavy is imported until :func:`open` is called.
"""

from __future__ import annotations

from pathlib import Path as _Path

if not (_Path(__file__).parent / "graph").is_dir():  # development install: the layers are at the repository root
    __path__.append(str(_Path(__file__).resolve().parents[3]))

__version__ = "0.1.0"
__all__ = ["open"]


def open(spec=None, **options):
    """Open a built graph: a data folder (default ``.qkg``), a build folder or a SPARQL endpoint URL.

    Returns a :class:`qkg.api.notebook.Graph`; ``options`` go to a remote store (``user=``, ``password_file=``).
    """
    from qkg.api.notebook import open_graph

    return open_graph(spec, **options)
