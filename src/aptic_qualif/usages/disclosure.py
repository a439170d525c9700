"""Disclosure control: every count the observatory publishes comes out of :func:`protect`.

A table of counts is published with its margins (row totals, column totals, the grand
total). :func:`protect` hides:

* **primary** cells: a count from 1 to ``threshold - 1`` (default 11, the usual French rule
  for sensitive counts), margins included; a zero is published (it discloses no one);
* **secondary** cells: enough others that no hidden cell can be computed back from what is
  published. In a table with its margins, the published cells fix the hidden ones through
  the row and column sums; a hidden cell is determined exactly when it is a *bridge* of the
  graph whose nodes are the rows and columns (margins included) and whose edges are the
  hidden cells; when it lies on a cycle of hidden cells, all positive, its value can move by
  ±1 along the cycle without changing any published number. So, while a hidden cell is a
  bridge, the cheapest path of other positive cells that closes a cycle through it is hidden
  too (Dijkstra, the cost of a cell being its count: hide little), which ends in a pattern
  without bridges. Margins that are not published (a table whose categories overlap, such as
  publics) are unknowns from the start;
* with a **safety range** of p % (Tau-Argus' protection interval), a primary count ``x`` lies
  on a cycle of hidden counts each at least ``ceil(x × p / 100)``, so that it can move that
  far each way: it cannot be narrowed down within ±p % from what is published.

Subtotals of groups of columns (a level's services) are published beside a protected table
only where they leave every hidden count as uncertain (:func:`publishable_subtotals`).

Tau-Argus (``pytauargus`` on PyPI) does the same with an optimal MIP; see CONTRIBUTING.md for
why this module does not call it. ``tests/test_usages_disclosure.py`` audits random tables
with a linear programme (scipy's HiGHS): every hidden cell keeps an interval of at least 1,
published subtotals included, and every primary count its safety range.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 11
DEFAULT_SAFETY_RANGE = 10.0
"""Per cent of a hidden count by which it must stay uncertain each way (Tau-Argus' safety
range, or protection interval; 10 % is the default of INSEE's ``rtauargus``). With the
default threshold every primary count is at most 10, so 10 % asks for ±1, which the
secondary suppression gives anyway; a wider range asks for more."""

Status = Literal["published", "primary", "secondary", "unpublished"]


@dataclass(frozen=True)
class ProtectedTable:
    """A table of counts after disclosure control: ``value`` is None where hidden.

    Index 0 of ``rows``/``cols`` is the margin: ``value(0, 0)`` is the grand total,
    ``value(i, 0)`` the total of row ``i``, ``value(0, j)`` the total of column ``j``."""

    name: str
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    counts: tuple[tuple[int, ...], ...]
    status: tuple[tuple[Status, ...], ...]
    threshold: int
    safety_range: float = DEFAULT_SAFETY_RANGE

    def value(self, i: int, j: int) -> int | None:
        return self.counts[i][j] if self.status[i][j] == "published" else None

    def row(self, label: str) -> int:
        return self.row_labels.index(label) + 1

    def col(self, label: str) -> int:
        return self.col_labels.index(label) + 1

    @property
    def hidden(self) -> int:
        return sum(s != "published" for line in self.status for s in line)


def _extended(cells: Sequence[Sequence[int]], n_cols: int) -> list[list[int]]:
    """The table with its margins at index 0 of rows and columns."""
    n_rows = len(cells)
    grid = [[0] * (n_cols + 1) for _ in range(n_rows + 1)]
    for i in range(n_rows):
        for j in range(n_cols):
            value = int(cells[i][j])
            if value < 0:
                raise ValueError("counts are never negative")
            grid[i + 1][j + 1] = value
            grid[i + 1][0] += value
            grid[0][j + 1] += value
            grid[0][0] += value
    return grid


def _bridges(
    edges: set[tuple[int, int]],
    n_rows: int,
    n_cols: int,
    split: dict[tuple[int, int], int] | None = None,
) -> list[tuple[int, int]]:
    """The edges of the bipartite graph (row i, column j) that lie on no cycle.

    ``split`` moves a cell's row end to another node (a group of the row whose subtotal is
    published: :func:`publishable_subtotals`); nodes are numbered rows, then columns, then
    these groups."""
    cells = sorted(edges)
    # node of each end: a row (or a group of it), n_rows + the column
    adjacency: dict[int, list[tuple[int, int]]] = {}
    for e, (i, j) in enumerate(cells):
        r = split.get((i, j), i) if split else i
        c = n_rows + j
        adjacency.setdefault(r, []).append((c, e))
        adjacency.setdefault(c, []).append((r, e))
    order: dict[int, int] = {}
    low: dict[int, int] = {}
    found: list[tuple[int, int]] = []
    counter = 0
    for root in sorted(adjacency):
        if root in order:
            continue
        # iterative depth-first search (tables can be long)
        order[root] = low[root] = counter
        counter += 1
        stack: list[tuple[int, int, Iterator[tuple[int, int]]]] = [
            (root, -1, iter(adjacency[root]))
        ]
        while stack:
            node, via, neighbours = stack[-1]
            for nxt, e in neighbours:
                if e == via:
                    continue
                seen = order.get(nxt)
                if seen is not None:
                    if seen < low[node]:
                        low[node] = seen
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, e, iter(adjacency[nxt])))
                    break
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    if low[node] < low[parent]:
                        low[parent] = low[node]
                    if low[node] > order[parent]:
                        found.append(cells[via])
    return sorted(found)


def _cheapest_cycle(
    grid: list[list[int]],
    hidden: set[tuple[int, int]],
    bridge: tuple[int, int],
    least: int = 1,
) -> list[tuple[int, int]] | None:
    """The cells of the cheapest path from the bridge's row to its column that does not use
    the bridge, over cells of at least ``least`` (hidden ones cost nothing), or None."""
    n_rows, n_cols = len(grid), len(grid[0])
    start, goal = bridge[0], n_rows + bridge[1]
    distance = {start: 0}
    previous: dict[int, tuple[int, tuple[int, int]]] = {}
    heap = [(0, start)]
    while heap:
        cost, node = heapq.heappop(heap)
        if node == goal:
            break
        if cost > distance.get(node, 1 << 62):
            continue
        if node < n_rows:
            steps = [((node, j), n_rows + j) for j in range(n_cols)]
        else:
            j = node - n_rows
            steps = [((i, j), i) for i in range(n_rows)]
        for cell, nxt in steps:
            if cell == bridge:
                continue
            value = grid[cell[0]][cell[1]]
            if value < least or value <= 0:
                continue
            # a hidden cell is free; a margin costs more than a cell of the same count
            weight = 0 if cell in hidden else value * (2 if 0 in cell else 1) + 1
            total = cost + weight
            if total < distance.get(nxt, 1 << 62):
                distance[nxt] = total
                previous[nxt] = (node, cell)
                heapq.heappush(heap, (total, nxt))
    if goal not in previous:
        return None
    path: list[tuple[int, int]] = []
    node = goal
    while node != start:
        node, cell = previous[node]
        path.append(cell)
    return path


def protect(
    name: str,
    row_labels: Sequence[str],
    col_labels: Sequence[str],
    cells: Sequence[Sequence[int]],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    row_totals: bool = True,
    safety_range: float = DEFAULT_SAFETY_RANGE,
) -> ProtectedTable:
    """Apply primary and secondary suppression to a table of counts with its margins.

    ``cells[i][j]`` counts row ``i`` and column ``j``. With ``row_totals=False`` the rows'
    totals and the grand total are not published (the columns' categories overlap, so a
    row's total is not the sum of its cells): they are unknowns of the attacker's system.

    ``safety_range`` (per cent, 0 to 100): a primary count ``x`` must be able to move by
    :func:`required_protection` each way without changing anything published, so it lies on
    a cycle of hidden counts each at least that large (the cycle moves them all by as much).
    """
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
    if not 0 <= safety_range <= 100:
        raise ValueError("the safety range is a percentage from 0 to 100")
    if len(cells) != len(row_labels) or any(len(line) != len(col_labels) for line in cells):
        raise ValueError("cells do not match the labels")
    grid = _extended(cells, len(col_labels))
    n_rows, n_cols = len(grid), len(grid[0])
    primary = {(i, j) for i in range(n_rows) for j in range(n_cols) if 0 < grid[i][j] < threshold}
    unpublished: set[tuple[int, int]] = set()
    if not row_totals:
        unpublished = {(i, 0) for i in range(n_rows)}
        primary -= unpublished
    hidden = primary | {cell for cell in unpublished if grid[cell[0]][cell[1]] > 0}
    # first a cycle of large enough counts around every primary count that needs more than 1
    given_up: set[tuple[int, int]] = set()
    needs = _needs(grid, primary, safety_range)
    while needs:
        missing = [cell for cell in _unprotected(grid, hidden, needs) if cell not in given_up]
        if not missing:
            break
        cell = missing[0]
        least = required_protection(grid[cell[0]][cell[1]], safety_range)
        path = _cheapest_cycle(grid, hidden, cell, least)
        if path is not None:
            hidden.update(path)
            continue
        # no such cycle: hide every count that large; what stays short is as safe as it gets
        wider = {
            (i, j) for i in range(n_rows) for j in range(n_cols) if grid[i][j] >= least
        } - hidden
        if wider:
            hidden |= wider
        else:
            given_up.add(cell)
    while True:
        bridges = _bridges(hidden, n_rows, n_cols)
        if not bridges:
            break
        path = _cheapest_cycle(grid, hidden, bridges[0])
        if path is None:
            # nothing closes a cycle: hide every positive cell of the table
            hidden |= {(i, j) for i in range(n_rows) for j in range(n_cols) if grid[i][j] > 0}
            if _bridges(hidden, n_rows, n_cols):  # a table of one line: nothing is safe
                break
            continue
        hidden.update(path)
    status: list[list[Status]] = []
    for i in range(n_rows):
        line: list[Status] = []
        for j in range(n_cols):
            cell = (i, j)
            if cell in unpublished:
                line.append("unpublished")
            elif cell in primary:
                line.append("primary")
            elif cell in hidden:
                line.append("secondary")
            else:
                line.append("published")
        status.append(line)
    return ProtectedTable(
        name,
        tuple(row_labels),
        tuple(col_labels),
        tuple(tuple(line) for line in grid),
        tuple(tuple(line) for line in status),
        threshold,
        safety_range,
    )


def required_protection(value: int, safety_range: float) -> int:
    """How far a hidden primary count must be able to move each way: ``safety_range`` per
    cent of it, rounded up, and at least 1."""
    return max(1, math.ceil(round(value * safety_range / 100, 9)))


def _needs(
    grid: list[list[int]], primary: set[tuple[int, int]], safety_range: float
) -> dict[int, list[tuple[int, int]]]:
    """The primary counts that must move by more than 1, by how far."""
    needs: dict[int, list[tuple[int, int]]] = {}
    for cell in sorted(primary):
        least = required_protection(grid[cell[0]][cell[1]], safety_range)
        if least > 1:
            needs.setdefault(least, []).append(cell)
    return needs


def _unprotected(
    grid: list[list[int]],
    hidden: set[tuple[int, int]],
    needs: dict[int, list[tuple[int, int]]],
    split: dict[tuple[int, int], int] | None = None,
) -> list[tuple[int, int]]:
    """The primary counts of ``needs`` that lie on no cycle of hidden counts at least as
    large as they must move."""
    n_rows, n_cols = len(grid), len(grid[0])
    found: list[tuple[int, int]] = []
    for least, cells in sorted(needs.items()):
        strong = {c for c in hidden if grid[c[0]][c[1]] >= least}
        bridges = set(_bridges(strong, n_rows, n_cols, split))
        found += [cell for cell in cells if cell in bridges]
    return sorted(found)


def publishable_subtotals(
    table: ProtectedTable, groups: Sequence[Sequence[str]]
) -> tuple[tuple[bool, ...], ...]:
    """Which subtotals of groups of columns (a level's services) can be published beside the
    protected ``table``: one line per row of the table (margin row first), one value per
    group.

    A subtotal is published when every count of its group in the row is (it adds nothing),
    or when it is 0 or at least the threshold and publishing it leaves every hidden count as
    uncertain as before: it is one more equation, which splits the row's node of the
    graph of hidden cells in two (the group, the rest of the row with its total); it is
    published when no hidden cell becomes a bridge of the graph, and no primary count loses
    its cycle of large enough counts (the safety range). Rows are taken in order, each
    published subtotal kept for the next decisions; in a row, every candidate subtotal at
    once when that is safe, else one group after the other."""
    grid = [list(line) for line in table.counts]
    n_rows, n_cols = len(grid), len(grid[0])
    hidden = {
        (i, j)
        for i in range(n_rows)
        for j in range(n_cols)
        if table.status[i][j] != "published" and grid[i][j] > 0
    }
    primary = {
        (i, j) for i in range(n_rows) for j in range(n_cols) if table.status[i][j] == "primary"
    }
    bridges = set(_bridges(hidden, n_rows, n_cols))
    needs = _needs(grid, primary, table.safety_range)
    short = set(_unprotected(grid, hidden, needs))

    def safe(trial: dict[tuple[int, int], int]) -> bool:
        return set(_bridges(hidden, n_rows, n_cols, trial)) <= bridges and (
            not needs or set(_unprotected(grid, hidden, needs, trial)) <= short
        )

    columns = [[table.col(label) for label in group] for group in groups]
    split: dict[tuple[int, int], int] = {}
    node = n_rows + n_cols
    found: list[tuple[bool, ...]] = []
    for i in range(n_rows):
        line = [True] * len(columns)
        candidates: list[list[tuple[int, int]]] = []
        for k, cols in enumerate(columns):
            inside = [(i, j) for j in cols if (i, j) in hidden]
            if not inside:
                continue
            line[k] = False
            total = sum(grid[i][j] for j in cols)
            # a subtotal below the threshold is secret itself; with one hidden cell, it gives
            # that cell away
            if total >= table.threshold and len(inside) > 1:
                candidates.append(inside)
        if not candidates:
            found.append(tuple(line))
            continue
        # every candidate of the row at once (the usual case), else one after the other
        together = dict(split)
        for offset, inside in enumerate(candidates):
            together.update(dict.fromkeys(inside, node + offset))
        if safe(together):
            split = together
            node += len(candidates)
            accepted = candidates
        else:
            accepted = []
            for inside in candidates:
                trial = {**split, **dict.fromkeys(inside, node)}
                if safe(trial):
                    split = trial
                    node += 1
                    accepted.append(inside)
        chosen = {cell for inside in accepted for cell in inside}
        for k, cols in enumerate(columns):
            if any((i, j) in chosen for j in cols):
                line[k] = True
        found.append(tuple(line))
    return tuple(found)


def protect_list(
    name: str,
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    safety_range: float = DEFAULT_SAFETY_RANGE,
) -> ProtectedTable:
    """A one-dimensional table (categories and their total) as a table of one column."""
    return protect(
        name,
        labels,
        ("total",),
        [[c] for c in counts],
        threshold=threshold,
        safety_range=safety_range,
    )
