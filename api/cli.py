"""The ``qkg`` command line: verbs that follow the data's life.

    qkg build      load the data, check it, infer, publish atomically (--publish URL: to a SPARQL store too)
    qkg publish    copy the current build to a SPARQL 1.1 store and switch it there atomically
    qkg query      run SPARQL (a string, a .rq file or a canned query by name)
    qkg check      ontology, shapes, canned queries, HermiT consistency
    qkg stats      triples, graphs, entities by class
    qkg audit      the report's headline figures against its details
    qkg export     dump the graph (Turtle, TriG, JSON-LD, N-Triples, N-Quads)
    qkg serve      the web app and SPARQL endpoint on 127.0.0.1

Every error is one clear message with the fix, and a non-zero exit code.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import click
from qkg.api.config import Settings
from qkg.api.i18n import filled as _
from qkg.graph.errors import N_, NP_, Message, QKGError, format_number
from qkg.graph.serving.store import open_store

__all__ = ["main", "cli"]


class _Group(click.Group):
    """Speak the reader's language (``QKG_LANG``, else the locale: :func:`qkg.api.i18n.cli_lang`), and turn every
    qkg error into a one-paragraph message with its fix, and exit 1."""

    def main(self, *args, **kwargs):
        from qkg.api.i18n import cli_lang, use_lang

        with use_lang(cli_lang()), _click_speaks():
            _speak(self)
            return super().main(*args, **kwargs)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except QKGError as exc:
            from qkg.api.i18n import N_, cli_lang, gettext, use_lang

            lang = cli_lang()  # QKG_LANG, else the locale: French for a French-speaking user
            with use_lang(lang):
                message, hint = exc.localized(gettext, lang)
                fix, error = gettext(N_("Fix:")), gettext(N_("Error:"))
            raise _Failure(message + (f"\n{fix} {hint}" if hint else ""), error) from None


class _Formatter(click.HelpFormatter):
    """click's help formatter, its section headings through the catalogue (``Options :`` in French)."""

    def write_heading(self, heading: str) -> None:
        said = _("{heading}:", heading=heading)
        self.write(f"{'':>{self.current_indent}}{said}\n")


class _Context(click.Context):
    """A context whose help is written by :class:`_Formatter` (every command's, see :func:`_speak`)."""

    formatter_class = _Formatter


class _Failure(click.ClickException):
    """A qkg error on the command line: its message and fix under a heading in the reader's language."""

    def __init__(self, message: str, heading: str) -> None:
        super().__init__(message)
        self.heading = heading

    def show(self, file=None) -> None:
        click.echo(f"{self.heading} {self.format_message()}", err=True, file=file)


#: The build's SHACL states, in its last line.
_SHACL_STATES = (N_("conforms"), N_("skipped"), N_("unknown"))
#: The texts of a command or parameter that a reader sees in its help (and its usage line).
_HELP_TEXTS = ("help", "short_help", "epilog", "options_metavar")
#: The metavariables click writes in usage lines and help (from a type's name or an argument's name; a declared
#: ``metavar=`` is marked where it is declared), so that they are the reader's words too.
_METAVARS = (
    N_("[OPTIONS]"),
    N_("COMMAND [ARGS]..."),
    N_("PATH"),
    N_("FILE"),
    N_("DIRECTORY"),
    N_("TEXT"),
    N_("INTEGER"),
    N_("INTEGER RANGE"),
    N_("FLOAT"),
    N_("SIZE"),  # qkg synth's SizeType
    N_("QUERY"),
    N_("REPORT"),
    N_("NODE"),
)
#: click's words that its catalogue does not mark (it looks them up by a variable): "[required]" in an option's help.
_CLICK_WORDS = (N_("required"),)


@contextlib.contextmanager
def _click_speaks() -> Iterator[None]:
    """Inside the block, click's own words (``Usage:``, ``Options``, its usage errors) come from the interface's
    catalogue, in the current language.

    click looks its messages up at each call through its modules' ``_`` and ``ngettext`` (``gettext.gettext``,
    which reads ``.mo`` files this project does not ship): the block points them to the catalogue's
    (:data:`qkg.api.i18n.CLICK_MODULES`, whose messages ``scripts/i18n.py`` extracts), then puts them back.
    """
    import importlib

    from qkg.api.i18n import CLICK_MODULES, gettext, ngettext

    saved = []
    for name in CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        for attr, ours in (("_", gettext), ("ngettext", ngettext)):
            if hasattr(module, attr):
                saved.append((module, attr, getattr(module, attr)))
                setattr(module, attr, ours)
    try:
        yield
    finally:
        for module, attr, theirs in saved:
            setattr(module, attr, theirs)


def _speak(command: click.Command) -> None:
    """``command``, its parameters and its subcommands with their help in the current language: the texts are
    marked ``N_`` where they are declared, and their English (the message's id) is kept on first use."""
    from qkg.api.i18n import gettext

    todo: list[click.Command] = [command]
    while todo:
        current = todo.pop()
        texts = (*_HELP_TEXTS, "subcommand_metavar") if isinstance(current, click.Group) else _HELP_TEXTS
        for item, names in ((current, texts), *((p, ("help", "metavar")) for p in current.params)):
            english = item.__dict__.setdefault("_qkg_english", {n: getattr(item, n, None) for n in names})
            for name, text in english.items():
                setattr(item, name, gettext(text) if text else text)
        current.context_class = _Context
        ctx = click.Context(current, info_name=current.name)
        for param in current.params:
            param.metavar = _metavar(param, ctx, gettext)
        if isinstance(current, click.Group):
            todo += current.commands.values()


def _metavar(param: click.Parameter, ctx: click.Context, gettext) -> str | None:
    """``param``'s metavariable through ``gettext`` (``PATH``: ``CHEMIN``), click's brackets and dots kept
    (``[QUERY]``); a declared one (already through ``gettext``), or None where click's own is kept: a flag, a list
    of choices (values, typed as they are), or a word the same in the current language."""
    if param.metavar is not None or (isinstance(param, click.Option) and (param.is_flag or param.count)):
        return param.metavar
    if param.type.get_metavar(param=param, ctx=ctx) is not None:
        return None
    english = param.make_metavar(ctx)
    word = param.name.upper() if isinstance(param, click.Argument) and param.name else param.type.name.upper()
    said = english.replace(word, gettext(word), 1)
    return said if said != english else None


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj


def _progress(quiet: bool):
    """The build's progress lines on stderr, each with its time; a :class:`~qkg.graph.errors.Message` (the build's
    own lines) in the reader's language, its numbers written as that language writes them."""
    from qkg.api.i18n import current_lang, gettext

    start = time.perf_counter()

    def say(msg: str) -> None:
        if not quiet:
            lang = current_lang()
            text = msg.localized(gettext, lang) if isinstance(msg, Message) else msg
            click.echo(f"[{format_number(time.perf_counter() - start, '6.2f', lang)}s] {text}", err=True)

    return say


@click.group(cls=_Group, help=N_("qkg: the knowledge graph of the City of Québec's international relations."))
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Where builds live (default .qkg, or $QKG_DATA_DIR)."),
)
@click.version_option(package_name="qkg")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    settings = Settings()
    if data_dir is not None:
        settings = settings.model_copy(update={"data_dir": data_dir})
    ctx.obj = settings


@cli.command(
    help=N_(
        "Load the data, check it, run SHACL and OWL 2 RL inference, then publish it atomically.\n"
        "\n"
        "A failed or interrupted build publishes nothing: the previous graph keeps serving. With --publish, the build\n"
        "is then copied to a remote store; a failed or interrupted copy leaves the store serving its previous build."
    )
)
@click.option(
    "--data",
    "data_root",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("Folder of data files: .ttl, .nt, .trig, .nq, .csv, .yaml (default: the repository's data/)."),
)
@click.option(
    "--add",
    "extra",
    multiple=True,
    type=click.Path(path_type=Path),
    help=N_(
        "Extra file to include: RDF (.ttl, .nt, .trig, .nq), a CSV sheet or YAML records (see loaders/tabular.py); repeatable."
    ),
)
@click.option("--shacl/--no-shacl", default=None, help=N_("Run or skip SHACL validation (default: on, at any size)."))
@click.option(
    "--diff/--no-diff",
    default=None,
    help=N_(
        "Record what changed since the previous build, for /changes (default: on up to 250k asserted "
        "triples; `qkg diff previous current` compares larger builds on demand)."
    ),
)
@click.option(
    "--publish",
    "publish_url",
    default=None,
    envvar="QKG_PUBLISH_URL",
    metavar="URL",
    help=N_(
        "Then copy the build to this SPARQL 1.1 store (e.g. http://127.0.0.1:8890/sparql) and switch it "
        "to the new build atomically; credentials from QKG_STORE_USER and QKG_STORE_PASSWORD(_FILE)."
    ),
)
@click.option("-q", "--quiet", is_flag=True, help=N_("No progress lines."))
@click.pass_context
def build(ctx, data_root, extra, shacl, diff, publish_url, quiet):
    import time

    from qkg.api.prepared import ARTEFACTS
    from qkg.graph.building.diff import DIFF_MAX_TRIPLES, record_build_changes
    from qkg.graph.building.pipeline import build as run_build
    from qkg.graph.serving.store import StoreLayout
    from qkg.loaders.sources import default_data_root, discover

    settings = _settings(ctx)
    say = _progress(quiet)
    sources = discover(data_root or default_data_root(), extra=list(extra))
    say(
        _(
            NP_("building from {files} file into {folder}/", "building from {files} files into {folder}/", "files"),
            files=len(sources),
            folder=settings.data_dir,
        )
    )
    before = StoreLayout(settings.data_dir).current()
    result = run_build(sources, data_dir=settings.data_dir, shacl=shacl, progress=say, artefacts=ARTEFACTS)
    # a counted part first: Babel does not find a message marked inside another's call
    graphs = Message(NP_("{n} graph", "{n} graphs"), n=result.graphs)
    click.echo(
        _(
            NP_(  # "inferred" agrees with its count in French (1 inféré, 2 inférés); English says "triples"
                "built {asserted} asserted + {inferred} inferred triples in {graphs} ({seconds:.1f} s, SHACL {shacl}) "
                "-> {path}",
                "built {asserted} asserted + {inferred} inferred triples in {graphs} ({seconds:.1f} s, SHACL {shacl}) "
                "-> {path}",
                "inferred",
            ),
            asserted=result.asserted,
            inferred=result.inferred,
            graphs=graphs,
            seconds=result.seconds,
            shacl=_(result.shacl),
            path=result.path,
        )
    )
    if diff is None:
        diff = result.asserted <= DIFF_MAX_TRIPLES
        if not diff and before is not None:
            say(
                _(
                    "changes not recorded ({asserted} asserted triples > {most}): "
                    "run `qkg diff previous current`, or build with --diff",
                    asserted=result.asserted,
                    most=DIFF_MAX_TRIPLES,
                )
            )
    if before is not None and before.is_dir() and diff:
        start = time.monotonic()
        changes = record_build_changes(before, Path(result.path))
        added = Message(NP_("{n} fact added", "{n} facts added"), n=changes.counts["facts_added"])
        removed = Message(NP_("{n} removed", "{n} removed"), n=changes.counts["facts_removed"])
        say(
            _(
                "changes since the previous build: {added}, {removed} ({seconds:.1f} s; see /changes, `qkg diff`)",
                added=added,
                removed=removed,
                seconds=time.monotonic() - start,
            )
        )
    if publish_url:
        _publish(publish_url, Path(result.path), say)


def _publish(url: str, build_dir: Path, say) -> None:
    from qkg.graph.serving.backends.remote import RemoteStore, publish_build

    with RemoteStore(url) as store:
        say(_("publishing {build} to {store}", build=build_dir.name, store=store.name))
        done = publish_build(build_dir, store, progress=say)
    # the counted parts first: Babel does not find a message marked inside another's call
    triples = Message(NP_("{n} triple", "{n} triples"), n=done["triples"])
    graphs = Message(NP_("{n} graph", "{n} graphs"), n=done["graphs"])
    leftovers = Message(NP_("{n} leftover graph", "{n} leftover graphs"), n=done["leftovers"])
    click.echo(
        _(
            "published {triples} in {graphs} to {store} as build {build} ({seconds:.1f} s; the previous build and "
            "{leftovers} removed)",
            triples=triples,
            graphs=graphs,
            store=store.name,
            build=done["build"],
            seconds=done["seconds"],
            leftovers=leftovers,
        )
    )


@cli.command(
    help=N_(
        "Copy the current build to the SPARQL 1.1 store at URL and serve it there (atomic switch).\n"
        "\n"
        "Same as `qkg build --publish URL` without rebuilding. Credentials: QKG_STORE_USER with QKG_STORE_PASSWORD\n"
        "or QKG_STORE_PASSWORD_FILE."
    )
)
@click.argument("url")
@click.option("-q", "--quiet", is_flag=True, help=N_("No progress lines."))
@click.pass_context
def publish(ctx, url, quiet):
    from qkg.graph.serving.store import StoreLayout

    _publish(url, StoreLayout(_settings(ctx).data_dir).require_current(), _progress(quiet))


@cli.command(
    help=N_(
        "Run QUERY: a SPARQL string, a .rq file, or the name of a canned query.\n"
        "\n"
        "\b\n"
        "Examples:\n"
        "  qkg query receptions-by-category\n"
        "  qkg query missions-to-country -p country=qkgd:suisse --format csv\n"
        "  qkg query 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'\n"
        "  qkg query my-question.rq --format json"
    )
)
@click.argument("query", required=False)
@click.option(
    "-p",
    "--param",
    "params",
    multiple=True,
    metavar=N_("NAME=VALUE"),
    help=N_("A canned query's parameter; repeatable."),
)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="table",
    type=click.Choice(["table", "json", "xml", "csv", "tsv", "turtle", "ntriples", "jsonld"]),
    help=N_("Output format (SPARQL results formats for SELECT/ASK, RDF for CONSTRUCT/DESCRIBE)."),
)
@click.option("--list", "list_", is_flag=True, help=N_("List the canned queries and exit."))
@click.option("--show", is_flag=True, help=N_("Print the SPARQL of the canned query instead of running it."))
@click.pass_context
def query(ctx, query, params, fmt, list_, show):
    from qkg.graph.errors import ParameterError
    from qkg.graph.pages.catalog import bind, get_query, load_catalog
    from qkg.graph.serving.guard import inspect_query
    from qkg.graph.serving.results import render

    if list_:
        from qkg.api.i18n import current_lang

        lang = current_lang()
        for q in load_catalog().values():
            names = ", ".join(f"{p.name}={'*' if p.optional else p.default or '…'}" for p in q.params)
            click.echo(f"{q.name:34} {q.title.get(lang) or q.title['en']}" + (f"  [{names}]" if names else ""))
        return
    if not query:
        raise ParameterError(
            N_("no query given"),
            hint=N_("pass a SPARQL string, a .rq file or a canned query name (`qkg query --list`)"),
        )
    values = {}
    for item in params:
        if "=" not in item:
            raise ParameterError(
                N_("bad --param {item!r}"),
                hint=N_("write NAME=VALUE, e.g. -p country=qkgd:suisse"),
                fields={"item": item},
            )
        k, v = item.split("=", 1)
        values[k] = v
    substitutions = {}
    canned = None
    if Path(query).suffix == ".rq" and Path(query).is_file():
        text = Path(query).read_text(encoding="utf-8")
    elif "{" not in query and " " not in query.strip():
        canned = get_query(query)
        text = canned.sparql
        substitutions = bind(canned, values)
    else:
        text = query
    if show:
        click.echo(text)
        return
    from qkg.graph.errors import QueryError, QuerySyntaxError
    from qkg.ontology import sparql_prefixes

    # The project's prefixes are pre-declared (a query may redeclare them); error lines refer to the user's text.
    header = sparql_prefixes() + "\n"
    try:
        inspect_query(header + text)
    except QuerySyntaxError as exc:
        shift = header.count("\n")
        line = exc.line - shift if exc.line and exc.line > shift else exc.line
        message = exc.message.replace(f"line {exc.line}", f"line {line}") if exc.line else exc.message
        raise QuerySyntaxError(message, line=line, column=exc.column, hint=exc.hint) from None
    store = open_store(_settings(ctx).data_dir)
    if canned is not None and "year" in values:  # a year the build holds
        from qkg.graph.pages.years import build_years

        substitutions = bind(canned, values, years=build_years(store))

    try:
        results = store.query(header + text, bindings=substitutions or None)
        headers = None
        if canned is not None and fmt == "table":  # its columns as its page names them, in the reader's language
            from qkg.api.i18n import current_lang

            headers = {v: canned.var_label(v, current_lang()) for v in getattr(results, "variables", ())}
        out = render(results, fmt, headers=headers)
        if isinstance(out, Message):  # a table's count line, in the reader's language
            from qkg.api.i18n import current_lang, gettext

            out = out.localized(gettext, current_lang())
        click.echo(out, nl=not out.endswith("\n"))
    except SyntaxError as exc:
        raise QuerySyntaxError(
            N_("the query does not parse: {problem}"), hint=N_("check the SPARQL syntax"), fields={"problem": exc}
        ) from None
    except (RuntimeError, OSError) as exc:
        raise QueryError(
            N_("the query failed: {problem}"), hint=N_("check the query against the data"), fields={"problem": exc}
        ) from None


@cli.command(help=N_("Check the ontology, shapes and canned queries; run HermiT on the ontology plus the built data."))
@click.option("--hermit/--no-hermit", default=True, help=N_("Run the HermiT consistency check (needs Java)."))
@click.pass_context
def check(ctx, hermit):
    from qkg.graph.named_graphs import BUILD_GRAPH
    from qkg.graph.pages.catalog import load_catalog
    from qkg.graph.serving.guard import inspect_query
    from qkg.ontology import SHAPES_FILE, load_ontology, ontology_paths
    from qkg.ontology.owl import hermit_check, java_available
    from rdflib import Graph

    failures = 0

    def report(ok: bool, what: str) -> None:
        nonlocal failures
        failures += 0 if ok else 1
        verdict = _("ok") if ok else _("FAIL")
        click.echo(f"{verdict:4}  {what}")

    onto = load_ontology()
    report(
        True,
        _(
            NP_(
                "ontology parses: {triples} triples in {files} file",
                "ontology parses: {triples} triples in {files} files",
                "files",
            ),
            triples=len(onto),
            files=len(ontology_paths()),
        ),
    )
    shapes = Graph().parse(ontology_paths()[0].parent / SHAPES_FILE)
    report(True, _("SHACL shapes parse: {triples} triples", triples=len(shapes)))
    for q in load_catalog().values():
        try:
            inspect_query(q.sparql)
            report(True, _("canned query {name} parses", name=q.name))
        except QKGError as exc:
            report(False, _("canned query {name}: {problem}", name=q.name, problem=exc.message))
    settings = _settings(ctx)
    store = open_store(settings.data_dir)
    build_info = {
        r["p"].value.rsplit("#", 1)[-1]: r["o"].value
        for r in store.select(f"SELECT ?p ?o WHERE {{ GRAPH <{BUILD_GRAPH}> {{ ?b ?p ?o }} }}", union=False)
    }
    report(
        build_info.get("shaclStatus") == "conforms",
        _("SHACL on the built data: {status}", status=_(build_info.get("shaclStatus", "unknown"))),
    )
    if hermit:
        if not java_available():
            report(False, _("HermiT: no `java` on the PATH (install a JRE 17, or pass --no-hermit)"))
        else:
            from qkg.graph.building.export import to_rdflib

            data = to_rdflib(store)
            result = hermit_check(data)
            report(
                result.consistent,
                _(
                    "HermiT: {verdict} ({triples} triples, {seconds:.1f} s) {detail}",
                    verdict=_("consistent") if result.consistent else _("INCONSISTENT"),
                    triples=result.triples,
                    seconds=result.seconds,
                    detail=result.detail,
                ),
            )
    if failures:
        raise click.ClickException(_(NP_("{n} check failed", "{n} checks failed"), n=failures))
    click.echo(_("all checks passed"))


@cli.command(help=N_("Triples (asserted and inferred), named graphs and entities by class."))
@click.option("-f", "--format", "fmt", default="table", type=click.Choice(["table", "json"]))
@click.pass_context
def stats(ctx, fmt):
    from qkg.api.i18n import current_lang
    from qkg.graph.building.stats import graph_stats

    data = graph_stats(open_store(_settings(ctx).data_dir))
    lang = current_lang()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(
        _(
            "triples: {triples} ({asserted} asserted, {inferred} inferred)",
            triples=data["triples"],
            asserted=data["asserted"],
            inferred=data["inferred"],
        )
    )
    click.echo(_("graphs:"))
    for g, n in data["graphs"].items():
        click.echo(f"  {format_number(n, '>9', lang)}  {g}")
    click.echo(_("entities by class:"))
    for c, n in data["classes"].items():
        click.echo(f"  {format_number(n, '>9', lang)}  {c}")


@cli.command(
    help=N_(
        "Check each headline figure of the report against the detailed facts.\n"
        "\n"
        "With --report, also check the curated graph against the report's own annexes (same numbered items in each\n"
        "list, every mission's cities and every partner named in the item's text); exit 1 on any mismatch.\n"
        "\n"
        "With --facts, list the facts of the report graphs that carry no section or item, and those whose subject\n"
        "only the background graph describes; exit 1 if there is any."
    )
)
@click.option("-f", "--format", "fmt", default="table", type=click.Choice(["table", "json"]))
@click.option(
    "--report",
    type=click.Path(path_type=Path),
    default=None,
    help=N_("The report's text file: also check the graph against its annex lists."),
)
@click.option(
    "--facts",
    is_flag=True,
    default=False,
    help=N_(
        "Audit the facts of the report graphs instead: each has a section, none is about a background-only "
        "entity; exit 1 on any problem."
    ),
)
@click.option(
    "--year", default=None, help=N_("Only the figures of this report year (default: every year, each on its own).")
)
@click.pass_context
def audit(ctx, fmt, report, facts, year):
    from qkg.graph.building.audit import audit as run_audit
    from qkg.graph.building.audit import findings_as_json

    store = open_store(_settings(ctx).data_dir)
    if facts:
        _audit_facts(store, fmt)
        return
    if year:
        from qkg.graph.pages.years import build_years, check_year

        year = check_year(year, build_years(store))
    findings = run_audit(store, year=year)
    from qkg.api.i18n import audit_reason, current_lang

    lang = current_lang()
    mismatches = None
    if report is not None:
        from qkg.loaders.report import compare, read_report

        mismatches = [str(m) for m in compare(read_report(report), store)]
    if fmt == "json":
        figures = findings_as_json(findings)
        payload: object = figures
        if mismatches is not None:
            payload = {"figures": figures, "annexes": {"report": str(report), "mismatches": mismatches}}
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
    else:
        width = max((len(_(f.verdict)) for f in findings), default=0)
        # each figure's report year after its verdict (a build whose figures have no year: no column)
        years = any(f.year for f in findings)
        for f in findings:
            measured = "-" if f.measured is None else format_number(f.measured, "g", lang)
            verdict, label = _(f.verdict).upper(), f.labels.get(lang) or f.label
            reason = audit_reason({"reason": f.reason, "message": f.message, "params": f.params})
            said = _("{label}: stated {stated:g}, measured {measured}", label=label, stated=f.stated, measured=measured)
            year_cell = f"{f.year or '-':4} " if years else ""
            click.echo(f"{verdict:{width}} {year_cell}{said}\n{'':{width + 1 + len(year_cell)}}{reason}")
        if mismatches is not None:
            click.echo(
                "\n"
                + _("annexes of {report}:", report=report)
                + ("" if mismatches else " " + _("the graph matches every item"))
            )
            for m in mismatches:
                click.echo(f"  {_('MISMATCH')} {m}")
    if mismatches:
        raise click.ClickException(
            _(
                NP_(
                    "{n} annex item differs between the graph and the report",
                    "{n} annex items differ between the graph and the report",
                ),
                n=len(mismatches),
            )
        )


def _audit_facts(store, fmt: str) -> None:
    from dataclasses import asdict

    from qkg.api.i18n import current_lang
    from qkg.graph.building.audit import audit_facts

    result = audit_facts(store)
    if fmt == "json":
        click.echo(
            json.dumps(
                {
                    "report_graphs": result.report_graphs,
                    "counts": result.counts,
                    "problems": [asdict(p) for p in result.problems],
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        click.echo(_(NP_("{n} report graph audited", "{n} report graphs audited"), n=len(result.report_graphs)))
        labels = {
            "no-section": _("facts with no section"),
            "background-subject": _("facts about a background-only entity"),
        }
        for check, n in result.counts.items():
            click.echo(f"  {format_number(n, '>6', current_lang())}  {labels[check]}")
        for p in result.problems:
            click.echo(f"  {p.check:18} {p.graph}: {p.subject} {p.predicate} {p.object}")
        shown = len(result.problems)
        if shown < sum(result.counts.values()):
            click.echo(
                "  " + _(NP_("... {n} more not shown", "... {n} more not shown"), n=sum(result.counts.values()) - shown)
            )
    if not result.ok:
        raise click.ClickException(
            _(
                NP_(
                    "{n} fact fails the audit: add prov:wasDerivedFrom <section> to the subject in the same file, or "
                    "move the fact to data/background/",
                    "{n} facts fail the audit: add prov:wasDerivedFrom <section> to the subject in the same file, or "
                    "move the fact to data/background/",
                ),
                n=sum(result.counts.values()),
            )
        )


@cli.command(
    help=N_(
        "Dump the graph (RDF) or one of its network projections (GEXF, GraphML, CSV edge list).\n"
        "\n"
        "Files are written to a temporary name then renamed, so a reader never sees half a file."
    )
)
@click.option(
    "-f",
    "--format",
    "fmt",
    default="turtle",
    type=click.Choice(["turtle", "trig", "jsonld", "ntriples", "nquads", "gexf", "graphml", "csv"]),
    help=N_("RDF formats dump the graph; gexf (Gephi), graphml and csv (edge list) export a network projection."),
)
@click.option("-o", "--out", type=click.Path(path_type=Path), default=None, help=N_("Output file (default: stdout)."))
@click.option("--inferred/--asserted", default=True, help=N_("RDF: include the inferred graph (default) or not."))
@click.option(
    "--projection",
    default="actors",
    type=click.Choice(["actors", "actor-theme", "actor-place", "typed"]),
    help=N_("gexf/graphml/csv: which projection of the graph (see `qkg analyse --help`)."),
)
@click.pass_context
def export(ctx, fmt, out, inferred, projection):
    from qkg.graph.building.export import export_rdf

    store = open_store(_settings(ctx).data_dir)
    if fmt in ("gexf", "graphml", "csv"):
        from qkg.graph.analysis.projection import export_projection, project

        data = export_projection(project(store, projection), fmt)
    else:
        data = export_rdf(store, fmt, inferred=inferred)
    if out is None:
        sys.stdout.buffer.write(data)
        return
    from qkg.graph.building.export import atomic_write

    atomic_write(out, data)
    click.echo(_(NP_("wrote {n} byte to {out}", "wrote {n} bytes to {out}"), n=len(data), out=out), err=True)


@cli.command(help=N_("Serve the web app, the SPARQL endpoint and the REST API."))
@click.option("--host", default=None, help=N_("Interface (default 127.0.0.1: this machine only)."))
@click.option("--port", default=None, type=int, help=N_("Port (default 8000)."))
@click.option(
    "--store",
    default=None,
    metavar="URL",
    help=N_(
        "Serve the build published to this SPARQL 1.1 store (see `qkg build --publish`) instead of the "
        "local one; credentials from QKG_STORE_USER and QKG_STORE_PASSWORD or QKG_STORE_PASSWORD_FILE."
    ),
)
@click.pass_context
def serve(ctx, host, port, store):
    import math

    import uvicorn
    from qkg.api.app import create_app

    settings = _settings(ctx)
    update = {k: v for k, v in {"host": host, "port": port, "store": store}.items() if v is not None}
    settings = settings.model_copy(update=update)
    from qkg.graph.serving.store import StoreLayout

    if settings.store:
        from qkg.graph.serving.backends.remote import open_published

        remote, _manifest = open_published(settings.store)  # fail now, in one message, if nothing is published there
        remote.close()
    else:
        StoreLayout(settings.data_dir).require_current()
    from qkg.api.app import STATIC_DIR

    if not (STATIC_DIR / "vendor" / "manifest.json").is_file():  # scripts/assets.py writes it last
        click.echo(
            _(
                "warning: the front-end libraries are missing from {path}: the network, the map, the charts, the "
                "SPARQL editor and /docs will draw nothing. Fix: python3 scripts/dev.py run (or python3 "
                "scripts/assets.py), which fetches them from the npm registry",
                path=STATIC_DIR / "vendor",
            ),
            err=True,
        )
    click.echo(
        _(
            "qkg serving http://{host}:{port}/  (SPARQL: /sparql, API docs: /docs)",
            host=settings.host,
            port=settings.port,
        ),
        err=True,
    )
    from qkg.api.hardening import limited_http

    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        http=limited_http(max_bytes=settings.max_header_bytes, max_count=settings.max_headers),
        # SIGTERM: requests in flight get this long, then their work is cancelled (see qkg.api.app.RequestWork)
        timeout_graceful_shutdown=max(1, math.ceil(settings.shutdown_grace)),
    )


#: Commands that live in their own modules (``api/commands/<name>.py`` exposing a click command ``command``).
COMMAND_MODULES = ("synth", "analyse", "viz", "diff", "template", "ingest")


def _register_commands() -> None:
    import importlib

    for name in COMMAND_MODULES:
        cli.add_command(importlib.import_module(f"qkg.api.commands.{name}").command)


_register_commands()


def main() -> None:
    """Entry point of the ``qkg`` script."""
    cli(prog_name="qkg")


if __name__ == "__main__":  # pragma: no cover
    main()
