"""Disclosure control: small cells and the cells that would give them away are hidden."""

from __future__ import annotations

from django.test import override_settings

from mangnon.core.disclosure import is_small, suppressed_cells, suppressed_in_line


def test_small_means_above_zero_and_under_the_threshold():
    assert [is_small(v) for v in (None, 0, 1, 4, 5, 30)] == [False, False, True, True, False, False]
    assert is_small(9, limit=10) and not is_small(10, limit=10)


@override_settings(MANGNON_DISCLOSURE_THRESHOLD=3)
def test_the_threshold_comes_from_settings():
    assert is_small(2) and not is_small(3)


def test_a_line_with_its_total_hides_a_second_cell_so_the_small_one_cannot_be_worked_out():
    # 13 districts' abused children with the province total shown: the 3 alone could be recovered.
    values = [12, 3, 7, 0, 8]
    assert suppressed_in_line(values) == {1, 2}  # 3 (small) and 7, the smallest other non-zero cell


def test_two_small_cells_already_protect_each_other():
    assert suppressed_in_line([2, 4, 9, 11]) == {0, 1}


def test_zeros_are_hidden_only_when_nothing_else_is_left():
    assert suppressed_in_line([3, 0, 0]) == {0, 1}
    assert suppressed_in_line([3, 0, 6]) == {0, 2}


def test_no_figure_is_never_chosen_and_a_lone_cell_is_left_to_its_total():
    assert suppressed_in_line([3, None]) == {0}
    assert suppressed_in_line([]) == set()


def test_a_table_with_row_and_column_totals_is_protected_in_both_directions():
    # rows: units; columns: girls, boys. One small cell forces a second in its row AND its column, and
    # those in turn force a fourth, so every row and column holds two hidden cells or none.
    cells = [
        [2, 10],
        [8, 9],
        [20, 30],
    ]
    hidden = suppressed_cells(cells)
    assert hidden == {(0, 0), (0, 1), (1, 0), (1, 1)}
    for r in range(3):
        assert sum((r, c) in hidden for c in range(2)) in (0, 2)
    for c in range(2):
        assert sum((r, c) in hidden for r in range(3)) in (0, 2)


def test_a_table_without_totals_hides_only_the_small_cells():
    assert suppressed_cells([[2, 10], [8, 9]], rows_have_totals=False, columns_have_totals=False) == {(0, 0)}
