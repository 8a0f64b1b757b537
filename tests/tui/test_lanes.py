"""The lane layout (pure core): linear runs stay in one lane and fold, branches and merges open
and close lanes, missing parents and loops are drawn where they are."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.lanes import CONNECTOR, FOLDED, GAP, PHANTOM, REV, layout
from tests.builders import linear, write_project


def _graph(tmp_path, specs):
    return analyze(write_project(tmp_path, specs)).sets[0].graph


def test_a_linear_history_of_500_is_one_lane_not_500_levels(tmp_path):
    ids = [f"{i:04d}" for i in range(500)]
    result = layout(_graph(tmp_path, linear(ids)))
    assert [r.rev for r in result.rows] == ids
    assert result.width == 1
    assert {r.cells for r in result.rows} == {"●"}
    assert result.folds == [(2, 496)]  # the head is not plain: it ends the run
    visible = result.visible()
    assert [r.kind for r in visible] == [REV, REV, FOLDED, REV, REV, REV]
    assert visible[2].folded == 495
    assert len(result.visible([0])) == 500


def test_problem_revisions_never_fold(tmp_path):
    ids = [f"{i:04d}" for i in range(40)]
    result = layout(_graph(tmp_path, linear(ids)), keep={"0020"})
    shown = [r.rev for r in result.visible() if r.kind == REV]
    assert "0020" in shown
    assert len(result.folds) == 2


def test_branch_point_and_merge_read_like_git_log_graph(tmp_path):
    graph = _graph(tmp_path, [("a", None), ("b", "a"), ("c", "a"), ("d", ("b", "c"))])
    rows = layout(graph).rows
    assert [(r.kind, r.rev, r.cells) for r in rows] == [
        (REV, "a", "●"),
        (CONNECTOR, None, "├─╮"),
        (REV, "b", "● │"),
        (REV, "c", "│ ●"),
        (REV, "d", "●─╯"),
    ]


def test_three_children_open_three_lanes(tmp_path):
    graph = _graph(tmp_path, [("a", None), ("b", "a"), ("c", "a"), ("d", "a")])
    rows = layout(graph).rows
    assert rows[1].cells == "├─┬─╮"
    assert [r.col for r in rows if r.kind == REV] == [0, 0, 1, 2]


def test_missing_parent_is_a_phantom_row_above_the_revisions_naming_it(tmp_path):
    graph = _graph(tmp_path, [("a", None), ("b", "a"), ("c", "gone"), ("d", "gone")])
    rows = layout(graph).rows
    kinds = [(r.kind, r.rev) for r in rows if r.kind != CONNECTOR]
    phantom = kinds.index((PHANTOM, "gone"))
    assert kinds[phantom + 1:] == [(REV, "c"), (REV, "d")]
    assert rows[[r.rev for r in rows].index("gone")].cells == "◌"
    # the phantom starts where `b`'s lane ended: a blank row keeps them apart
    assert GAP in [r.kind for r in rows]


def test_a_loop_is_a_back_edge_on_the_row_that_names_it(tmp_path):
    graph = _graph(tmp_path, [("a", None), ("b", "c"), ("c", "b")])
    rows = {r.rev: r for r in layout(graph).rows if r.kind == REV}
    assert rows["b"].back == ("c",)
    assert rows["c"].back == ()


def test_fold_of_finds_the_fold_hiding_a_revision(tmp_path):
    ids = [f"{i:04d}" for i in range(30)]
    result = layout(_graph(tmp_path, linear(ids)))
    assert result.fold_of("0010") == 0
    assert result.fold_of("0000") is None
