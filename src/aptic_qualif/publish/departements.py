"""The page of each département, by commune (``publish site --by commune``).

Each département of the coverage page gets ``couverture/<code>.md``: every current commune of
the commune reference in that département, in alphabetical order
(:func:`~aptic_qualif.network.coverage.communes_by_name`), with or without a qualified venue,
its venues (travelling ones included), its venues per 10,000 inhabitants and per level, then
the levels and the services that no venue of the département offers. Every number comes from
:mod:`aptic_qualif.network.coverage` (the coverage by commune and by département, counted in
one pass by :func:`~aptic_qualif.publish.network.read_network`): nothing is counted here.

The pages are linked from the table of the coverage page, not from the navigation: 109
entries would bury the rest of the menu (and be repeated in every page of the site), while
a reader looking for a commune starts from the map and the table of départements. They are
left out of the search index too (``search: exclude`` in their front matter): their tables
of some 35,000 communes would make it three to four times larger, for every reader who
searches, and a result would show a whole table as its extract.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from aptic_qualif.publish.network import NetworkView

PAGES_DIR = "couverture"
"""The folder of the départements' pages, beside the coverage page (``couverture.md``)."""
TEMPLATE = "coverage-departement.md.j2"
NOT_IN_NAV = f"not_in_nav: |\n  /{PAGES_DIR}/\n"
"""Added to the staged ``mkdocs.yml`` (unless it has a ``not_in_nav`` of its own): these pages
are outside the navigation on purpose (MkDocs, strict, would refuse pages in no menu)."""


def departement_page(code: str) -> str:
    """The page (under docs/) of the département ``code``: ``couverture/2B.md``."""
    return f"{PAGES_DIR}/{code}.md"


def departement_pages(view: NetworkView | None) -> dict[str, str]:
    """The page of each département of the coverage, when ``view`` was read by commune;
    empty otherwise (the coverage page then links to none)."""
    if view is None or view.communes is None:
        return {}
    return {row.territory: departement_page(row.territory) for row in view.coverage.territories}


def render_pages(
    render: Callable[..., str], view: NetworkView | None, values: dict[str, Any]
) -> Iterator[tuple[str, str]]:
    """(page, Markdown) of every département, in the coverage's order; nothing unless
    ``view`` was read by commune. ``values`` are those of the coverage page (its coverage
    with the levels named in the page's language, the names of the départements, the
    examples banner); ``render(template, page, **values)`` renders a template."""
    if view is None or view.communes is None:
        return
    from aptic_qualif.network.coverage import by_departement, communes_by_name, every_commune

    coverage = values["coverage"]
    groups = by_departement(view.communes)
    listed = frozenset(every_commune())
    active = [s for s in coverage.services if s.active]
    for row in coverage.territories:
        page = departement_page(row.territory)
        communes = communes_by_name(groups.get(row.territory, []))
        yield (
            page,
            render(
                TEMPLATE,
                page,
                **values,
                departement=row,
                communes=communes,
                communes_with_venues=sum(1 for c in communes if c.venues),
                # a venue given the code of an arrondissement (Paris, Lyon, Marseille)
                arrondissements=any(c.territory not in listed for c in communes),
                absent_services=[s for s in active if s.service not in row.services],
            ),
        )
