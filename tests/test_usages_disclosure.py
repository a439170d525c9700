"""Disclosure control: no hidden count can be computed back from what is published.

Every published table is audited like Tau-Argus' audit does: for each hidden cell, a linear
programme (scipy's HiGHS) finds the least and the greatest value it can take given every
published cell, margin and subtotal; the interval must be at least 1 wide, and a primary
count must be able to move by its safety range each way."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from aptic_qualif.usages.disclosure import (
    ProtectedTable,
    protect,
    protect_list,
    publishable_subtotals,
)


def audit(
    table: ProtectedTable, subtotals: list[tuple[int, list[int]]] | None = None
) -> dict[tuple[int, int], tuple[float, float]]:
    """The interval of every hidden cell, from the published cells, margins and
    ``subtotals`` (row, columns of the group: published, so one more equation each)."""
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
    for i, columns in subtotals or []:
        row = np.zeros(len(unknown))
        constant = float(sum(counts[i][j] for j in columns))
        for j in columns:
            if (i, j) in index:
                row[index[i, j]] += 1
            else:
                constant -= counts[i][j]
        equations.append(row)
        rhs.append(constant)
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


def _protected(
    cells: list[list[int]], threshold: int, row_totals: bool = True, safety_range: float = 10
) -> ProtectedTable:
    rows = [f"r{i}" for i in range(len(cells))]
    cols = [f"c{j}" for j in range(len(cells[0]))]
    return protect(
        "t",
        rows,
        cols,
        cells,
        threshold=threshold,
        row_totals=row_totals,
        safety_range=safety_range,
    )


def _published_subtotals(
    table: ProtectedTable, groups: list[list[str]]
) -> list[tuple[int, list[int]]]:
    published = publishable_subtotals(table, groups)
    return [
        (i, [table.col(label) for label in group])
        for i, line in enumerate(published)
        for group, shown in zip(groups, line, strict=True)
        if shown
    ]


def _check_ranges(
    table: ProtectedTable, intervals: dict[tuple[int, int], tuple[float, float]]
) -> None:
    """Every hidden count moves by at least 1, a primary one by its safety range, each way."""
    for (i, j), (low, high) in intervals.items():
        value = table.counts[i][j]
        if table.status[i][j] == "unpublished":
            continue
        assert high - low >= 1 - 1e-6, ((i, j), low, high, table)
        if table.status[i][j] == "primary":
            margin = value * table.safety_range / 100
            assert value - low >= margin - 1e-6, ((i, j), low, value, table)
            assert high - value >= margin - 1e-6, ((i, j), high, value, table)


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


@settings(max_examples=120, deadline=None)
@given(
    tables,
    st.sampled_from([5, 11]),
    st.sampled_from([0, 10, 30, 50, 100]),
    st.randoms(use_true_random=False),
)
def test_the_safety_range_and_the_subtotals_hold(
    cells: list[list[int]], threshold: int, safety_range: float, random: Any
) -> None:
    table = _protected(cells, threshold, safety_range=safety_range)
    labels = list(table.col_labels)
    groups: list[list[str]] = [[] for _ in range(random.randint(1, 3))]
    for label in labels:
        random.choice(groups).append(label)
    groups = [group for group in groups if group]
    subtotals = _published_subtotals(table, groups)
    for i, columns in subtotals:
        total = sum(table.counts[i][j] for j in columns)
        assert total == 0 or total >= threshold, (i, columns, table)
    _check_ranges(table, audit(table, subtotals))


def test_a_subtotal_is_published_beside_a_hidden_count() -> None:
    table = _protected([[3, 40, 50], [60, 70, 80]], 11)
    assert table.value(1, 1) is None and table.value(1, 2) is None
    # c0 and c1 hidden in both rows, but each row keeps its cycle through them
    published = publishable_subtotals(table, [["c0", "c1"], ["c2"]])
    assert published == ((True, True), (True, True), (True, True))
    # a group of one hidden count would give it away
    published = publishable_subtotals(table, [["c0"], ["c1", "c2"]])
    assert [line[0] for line in published] == [True, False, False]
    _check_ranges(table, audit(table, _published_subtotals(table, [["c0"], ["c1", "c2"]])))


def test_a_subtotal_that_would_give_a_count_away_is_hidden() -> None:
    # 6, 7 and 8 hidden in row 1, with 50, 60 and 70 below them
    table = _protected([[6, 7, 8, 100], [50, 60, 70, 80]], 11)
    assert [table.value(1, j) for j in (1, 2, 3, 4)] == [None, None, None, 100]
    # 6 + 7 = 13 is no small count, but with the row's total it gives 8 back: hidden
    published = publishable_subtotals(table, [["c0", "c1"], ["c2", "c3"]])
    assert published[1] == (False, False)
    # a group with all three hidden counts changes nothing: published
    published = publishable_subtotals(table, [["c0", "c1", "c2"], ["c3"]])
    assert published[1] == (True, True)
    _check_ranges(table, audit(table, _published_subtotals(table, [["c0", "c1", "c2"], ["c3"]])))


def test_a_wider_safety_range_hides_larger_counts() -> None:
    cells = [[8, 12, 400, 500], [300, 12, 12, 600], [700, 800, 900, 12]]
    narrow = _protected(cells, 11, safety_range=10)
    wide = _protected(cells, 11, safety_range=50)
    # 8 moves by ±1 with the 12s around it; ±4 needs counts of at least 4 on its cycle
    assert wide.hidden >= narrow.hidden
    _check_ranges(wide, audit(wide))
    low, high = audit(wide)[1, 1]
    assert low <= 4 and high >= 12


def test_a_safety_range_out_of_0_to_100_is_refused() -> None:
    with pytest.raises(ValueError):
        _protected([[1]], 11, safety_range=101)
