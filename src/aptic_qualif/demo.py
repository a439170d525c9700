"""What ``make demo`` writes, and the check that all of it is there.

The last step of the demo runs ``python -m aptic_qualif.demo build``: every file the demo
writes must exist and hold something, or the check names each missing or empty one
(``file: error[IO001]: …``) and exits 1. The site must hold its home page and one page per
active service of the project's référentiel. On success it says where to look.

``tests/test_demo.py`` runs the demo recipe of the Makefile in a fresh folder and then
this same check, so that the two cannot disagree.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from aptic_qualif.diagnostics import Diagnostic, Report, Span
from aptic_qualif.i18n import _

if TYPE_CHECKING:
    from aptic_qualif.referentiel.load import Catalogue

BUILD_DIR = "build"
"""Where ``make demo`` writes, from the project folder."""
SITE_DIR = "site"
REPORT = "evaluations.html"
PUBLICATION_DIR = "publication"
IMPORTED_DIR = "lieux-importes"
DATA_INCLUSION_DIR = "data-inclusion"
"""A folder: it must hold at least one file (one application per imported venue)."""


def built_page(page: str) -> str:
    """The HTML file MkDocs builds from the Markdown ``page`` (directory URLs):
    ``index.md`` → ``index.html``, ``a/b.md`` → ``a/b/index.html``."""
    stem = page.removesuffix(".md")
    if stem == "index" or stem.endswith("/index"):
        return stem + ".html"
    return stem + "/index.html"


def site_pages(catalogue: Catalogue) -> list[str]:
    """The pages the site must hold, under its folder: the home page, then one page per
    active service of ``catalogue``."""
    from aptic_qualif.publish.site import service_page

    services = sorted(
        (s for s in catalogue.services.values() if s.active), key=lambda s: (s.level, s.id)
    )
    return [built_page("index.md"), *(built_page(service_page(s)) for s in services)]


def demo_outputs(catalogue: Catalogue) -> list[str]:
    """Every output of ``make demo``, relative to its build folder; a name ending with
    ``/`` is a folder that must hold at least one file."""
    from aptic_qualif.publish import exports

    publication = (
        exports.JSONLD_FILE,
        exports.CONTEXT_FILE,
        exports.TURTLE_FILE,
        exports.QUESTIONNAIRE_FILE,
        exports.SCHEMA_FILE,
        exports.CSV_FILE,
    )
    return [
        "application.schema.json",
        "referentiel.jsonld",
        "referentiel.ttl",
        *(f"{PUBLICATION_DIR}/{name}" for name in publication),
        "candidature-modele.yaml",
        REPORT,
        "couverture-communes.csv",
        "lieux.csv",
        f"{IMPORTED_DIR}/",
        f"{DATA_INCLUSION_DIR}/structures.json",
        f"{DATA_INCLUSION_DIR}/services.json",
        "usages.csv",
        "usages-13.md",
        *(f"{SITE_DIR}/{page}" for page in site_pages(catalogue)),
        f"{SITE_DIR}/usages/index.html",
        f"{SITE_DIR}/usages/13/index.html",
        f"{SITE_DIR}/telechargements/usages-agregats.csv",
    ]


def check_outputs(build: Path, outputs: Iterable[str]) -> Report:
    """An ``IO001`` error for each of ``outputs`` (relative to ``build``) that is missing or
    empty."""
    from aptic_qualif.project import display_path

    report = Report()
    for name in outputs:
        path = build / name
        shown = display_path(path)
        if name.endswith("/"):
            if not path.is_dir():
                message = _("missing folder: the demo should have written it")
            elif not any(p.is_file() and p.stat().st_size for p in path.iterdir()):
                message = _("empty folder: the demo should have written files into it")
            else:
                continue
            report.add(Diagnostic.error("IO001", Span(shown.rstrip("/") + "/", 0, 0), message))
            continue
        if not path.is_file():
            message = _("missing file: the demo should have written it")
        elif path.stat().st_size == 0:
            message = _("empty file: the demo wrote it but it holds nothing")
        else:
            continue
        report.add(Diagnostic.error("IO001", Span(shown, 0, 0), message))
    return report


def check_demo(build: Path, root: Path | None = None) -> Report:
    """Check every output of the demo in ``build``, for the project ``root`` (found from
    the current folder by default); raises :class:`CommandError` without a valid
    référentiel."""
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.project import project_root

    catalogue = load_catalogue_or_fail(project_root(root))
    return check_outputs(build, demo_outputs(catalogue))


def where_to_look(build: Path) -> list[str]:
    """The lines that tell where the demo's results are, and how to open them."""
    from aptic_qualif.project import display_path

    def at(*names: str) -> str:
        return ", ".join(display_path(build / name) for name in names)

    site = display_path(build / SITE_DIR)
    return [
        _("Where to look:"),
        "  - "
        + _("the assessment report of the examples, in a browser: {path}").format(path=at(REPORT)),
        "  - "
        + _("the documentation site: {python} -m http.server -d {path}, then {url}").format(
            python=display_path(Path(sys.executable)), path=site, url="http://localhost:8000"
        ),
        "  - "
        + _("the référentiel in JSON-LD and Turtle: {paths}").format(
            paths=at("referentiel.jsonld", "referentiel.ttl")
        ),
        "  - " + _("every download: {path}/").format(path=at(PUBLICATION_DIR)),
        "  - "
        + _("the venues in the national schema: {path}; imported back: {folder}/").format(
            path=at("lieux.csv"), folder=at(IMPORTED_DIR)
        ),
        "  - "
        + _("the venues and their services in the data·inclusion schema: {path}/").format(
            path=at(DATA_INCLUSION_DIR)
        ),
        "  - " + _("the coverage per commune: {path}").format(path=at("couverture-communes.csv")),
    ]


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m aptic_qualif.demo [BUILD]``, from the project folder: 0 when every
    output is there, 1 when one is missing or empty, 2 when the check cannot run."""
    from aptic_qualif.context import load_catalogue_or_fail
    from aptic_qualif.errors import CommandError
    from aptic_qualif.i18n import set_language
    from aptic_qualif.project import project_root

    set_language(None)
    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) > 1 or any(arg.startswith("-") for arg in args):
        print(_("usage: python -m aptic_qualif.demo [BUILD_FOLDER]"), file=sys.stderr)
        return 2
    build = Path(args[0] if args else BUILD_DIR).absolute()
    try:
        outputs = demo_outputs(load_catalogue_or_fail(project_root(None)))
    except CommandError as error:
        print(_("error: {message}").format(message=error), file=sys.stderr)
        return 2
    report = check_outputs(build, outputs)
    if not report.ok:
        print(report.render_text(), file=sys.stderr)
        print(
            _(
                "The demo is incomplete: the files above are missing or empty, although "
                "every command before succeeded."
            ),
            file=sys.stderr,
        )
        return 1
    print(_("Demo checked: its {n} outputs are all there, none empty.").format(n=len(outputs)))
    print("\n".join(where_to_look(build)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
