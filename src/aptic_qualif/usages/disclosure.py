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
  publics) are unknowns from the start.

Tau-Argus (``pytauargus`` on PyPI) does the same with an optimal MIP; see CONTRIBUTING.md for
why this module does not call it. ``tests/test_usages_disclosure.py`` audits random tables
with a linear programme (scipy's HiGHS): every hidden cell keeps an interval of at least 1.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

DEFAULT_THRESHOLD = 11

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


def _bridges(edges: set[tuple[int, int]], n_rows: int, n_cols: int) -> list[tuple[int, int]]:
    """The edges of the bipartite graph (row i, column j) that lie on no cycle."""
    adjacency: dict[int, list[tuple[int, tuple[int, int]]]] = {}
    for i, j in sorted(edges):
        r, c = i, n_rows + j
        adjacency.setdefault(r, []).append((c, (i, j)))
        adjacency.setdefault(c, []).append((r, (i, j)))
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
        stack: list[tuple[int, tuple[int, int] | None, int]] = [(root, None, 0)]
        while stack:
            node, via, index = stack[-1]
            neighbours = adjacency[node]
            if index < len(neighbours):
                stack[-1] = (node, via, index + 1)
                nxt, edge = neighbours[index]
                if edge == via:
                    continue
                if nxt in order:
                    low[node] = min(low[node], order[nxt])
                else:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, edge, 0))
            else:
                stack.pop()
                if stack and via is not None:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        found.append(via)
    return sorted(found)


def _cheapest_cycle(
    grid: list[list[int]],
    hidden: set[tuple[int, int]],
    bridge: tuple[int, int],
) -> list[tuple[int, int]] | None:
    """The cells of the cheapest path from the bridge's row to its column that does not use
    the bridge, over positive cells (hidden ones cost nothing), or None."""
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
            if value <= 0:
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
) -> ProtectedTable:
    """Apply primary and secondary suppression to a table of counts with its margins.

    ``cells[i][j]`` counts row ``i`` and column ``j``. With ``row_totals=False`` the rows'
    totals and the grand total are not published (the columns' categories overlap, so a
    row's total is not the sum of its cells): they are unknowns of the attacker's system."""
    if threshold < 1:
        raise ValueError("the threshold is at least 1")
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
    )


def protect_list(
    name: str, labels: Sequence[str], counts: Sequence[int], *, threshold: int = DEFAULT_THRESHOLD
) -> ProtectedTable:
    """A one-dimensional table (categories and their total) as a table of one column."""
    return protect(name, labels, ("total",), [[c] for c in counts], threshold=threshold)
