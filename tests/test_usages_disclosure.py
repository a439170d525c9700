"""Disclosure control: no hidden count can be computed back from what is published.

Every published table is audited like Tau-Argus' audit does: for each hidden cell, a linear
programme (scipy's HiGHS) finds the least and the greatest value it can take given every
published cell and margin; the interval must be at least 1 wide."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from aptic_qualif.usages.disclosure import ProtectedTable, protect, protect_list


def audit(table: ProtectedTable) -> dict[tuple[int, int], tuple[float, float]]:
    """The interval of every hidden cell, from the published cells and margins."""
    counts, status = table.counts, table.status
    n_rows, n_cols = len(counts), len(counts[0])
    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols) if status[i][j] != "published"]
    index = {cell: k for k, cell in enumerate(unknown)}
    equations: list[np.ndarray] = []
    rhs: list[float] = []

    def add(cells: list[tuple[int, int]], total: tuple[int, int]) -> None:
        # sum(cells) - total = 0, with published values moved to the right-hand side
        row = np.zeros(len(unknown))
        constant = 0.0
        for cell in cells:
            if cell in index:
                row[index[cell]] += 1
            else:
                constant -= counts[cell[0]][cell[1]]
        if total in index:
            row[index[total]] -= 1
        else:
            constant += counts[total[0]][total[1]]
        equations.append(row)
        rhs.append(constant)

    for i in range(n_rows):  # row i (the margin row included): its cells sum to its total
        add([(i, j) for j in range(1, n_cols)], (i, 0))
    for j in range(n_cols):
        add([(i, j) for i in range(1, n_rows)], (0, j))
    intervals = {}
    for cell, k in index.items():
        objective = np.zeros(len(unknown))
        objective[k] = 1
        low = linprog(objective, A_eq=np.array(equations), b_eq=rhs, bounds=(0, None))
        high = linprog(-objective, A_eq=np.array(equations), b_eq=rhs, bounds=(0, None))
        assert low.status == 0 and high.status in (0, 3)  # 3: unbounded, nothing published
        intervals[cell] = (low.fun, -high.fun if high.status == 0 else float("inf"))
    return intervals


def lines_with_one_hidden(table: ProtectedTable) -> list[str]:
    found = []
    status = table.status
    for i, line in enumerate(status):
        if sum(s != "published" for s in line) == 1:
            found.append(f"row {i}")
    for j in range(len(status[0])):
        if sum(status[i][j] != "published" for i in range(len(status))) == 1:
            found.append(f"column {j}")
    return found


tables = st.integers(1, 6).flatmap(
    lambda rows: st.integers(1, 6).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 14), st.integers(0, 200)), min_size=cols, max_size=cols
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


def _protected(cells: list[list[int]], threshold: int, row_totals: bool = True) -> ProtectedTable:
    rows = [f"r{i}" for i in range(len(cells))]
    cols = [f"c{j}" for j in range(len(cells[0]))]
    return protect("t", rows, cols, cells, threshold=threshold, row_totals=row_totals)


@settings(max_examples=150, deadline=None)
@given(tables, st.sampled_from([3, 5, 11]))
def test_no_hidden_cell_is_derivable_from_the_margins(
    cells: list[list[int]], threshold: int
) -> None:
    table = _protected(cells, threshold)
    # every small count is hidden, and every hidden count keeps an interval of at least 1
    for i, line in enumerate(table.counts):
        for j, value in enumerate(line):
            if 0 < value < threshold:
                assert table.value(i, j) is None
    for cell, (low, high) in audit(table).items():
        assert high - low >= 1 - 1e-6, (cell, low, high, table)
    assert lines_with_one_hidden(table) == []


@settings(max_examples=60, deadline=None)
@given(tables)
def test_unpublished_row_totals_are_unknowns(cells: list[list[int]]) -> None:
    table = _protected(cells, 11, row_totals=False)
    assert all(table.value(i, 0) is None for i in range(len(table.counts)))
    for cell, (low, high) in audit(table).items():
        if table.status[cell[0]][cell[1]] != "unpublished":
            assert high - low >= 1 - 1e-6, (cell, low, high)


def test_a_single_small_cell_takes_a_complement_in_its_row_and_column() -> None:
    table = _protected([[3, 40, 50], [60, 70, 80]], 11)
    assert table.status[1][1] == "primary"
    hidden = {(i, j) for i in range(3) for j in range(4) if table.status[i][j] != "published"}
    # the cheapest cycle: 3 with 40 in its row, 60 below it and 70 beside that
    assert hidden == {(1, 1), (1, 2), (2, 1), (2, 2)}
    assert table.value(0, 0) == 303


def test_nothing_small_nothing_hidden() -> None:
    table = _protected([[30, 40], [0, 70]], 11)
    assert table.hidden == 0
    assert table.value(2, 1) == 0  # a zero discloses no one


def test_one_dimensional_list() -> None:
    table = protect_list("mois", ["janvier", "février", "mars"], [120, 4, 300])
    assert table.value(2, 1) is None
    # the total is published, so another month is hidden with it
    assert table.value(0, 0) == 424
    assert [table.value(i, 1) for i in (1, 3)].count(None) == 1
    for _cell, (low, high) in audit(table).items():
        assert high - low >= 1


def test_threshold_one_hides_nothing() -> None:
    assert _protected([[1, 2], [3, 4]], 1).hidden == 0


def test_negative_counts_are_refused() -> None:
    with pytest.raises(ValueError):
        _protected([[-1]], 11)


def test_same_table_same_pattern() -> None:
    cells = [[5, 12, 40, 3], [20, 8, 90, 60], [7, 70, 13, 2]]
    assert _protected(cells, 11) == _protected(cells, 11)


def test_a_table_without_rows_publishes_zeros() -> None:
    table = protect("t", [], ["a", "b"], [])
    assert table.value(0, 0) == 0 and table.value(0, 2) == 0
