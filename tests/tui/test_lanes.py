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


def test_rows_come_in_parent_order_on_a_hex_history_with_a_loop_and_a_missing_parent(tmp_path):
    from tests.tui.histories import hex_history

    graph = analyze(hex_history(tmp_path / "hex", count=120)).sets[0].graph
    result = layout(graph)
    order = [r.rev for r in result.rows if r.kind == REV]
    assert sorted(order) == sorted(graph.by_id)  # every revision exactly once
    pos = {rev: i for i, rev in enumerate(order)}
    backs = {r.rev: r.back for r in result.rows if r.back}
    loop = {rev for p in analyze(tmp_path / "hex").problems if p.code == "cycle" for rev in p.revisions}
    # every parent comes before its child, except the one edge where the loop was cut
    for rev in order:
        for parent in graph.parent_ids(rev):
            if parent in pos and pos[parent] > pos[rev]:
                assert parent in backs.get(rev, ()), (rev, parent)
    assert set(backs) <= loop and len(backs) == 1  # the loop mark only on a loop member
    # a chain is followed to its end: consecutive rows are parent and child on the main line
    linked = sum(1 for a, b in zip(order, order[1:]) if a in graph.parent_ids(b))
    assert linked >= 0.85 * len(order)
    # hex ids carry no order: chains (the base, the loop, the dangling one) start by Create Date
    starts = [rev for rev in order if not any(pos.get(p, len(pos)) < pos[rev] for p in graph.parent_ids(rev))]
    assert len(starts) == 3
    dates = [graph.by_id[rev][0].header.create_date for rev in starts]
    assert dates == sorted(dates)


def test_past_the_lane_cap_branches_share_the_last_column_and_every_node_is_drawn(tmp_path):
    specs = [("a", None)] + [(f"b{i}", "a") for i in range(7)] + [(f"c{i}", f"b{i}") for i in range(7)]
    specs.append(("m", tuple(f"c{i}" for i in range(7))))
    result = layout(_graph(tmp_path, specs), max_lanes=4)
    assert result.width == 4 and result.lanes == 7
    for row in result.rows:
        assert len(row.cells) <= 2 * 4 - 1
        if row.is_node:
            assert row.cells[2 * row.col] == "●", row
    assert any("┆" in row.cells for row in result.rows)
    assert [r.cells for r in result.rows if r.rev == "m"] == ["●─┴─┴─╯"]


def test_the_longest_branch_keeps_the_lane_of_its_parent(tmp_path):
    # a short side branch (s1) off the main line: main stays in lane 0 through the merge
    graph = _graph(tmp_path, [("a", None), ("s1", "a"), ("b", "a"), ("c", "b"), ("d", "c"), ("e", ("d", "s1"))])
    rows = [r for r in layout(graph).rows if r.kind == REV]
    assert {r.rev: r.col for r in rows} == {"a": 0, "s1": 1, "b": 0, "c": 0, "d": 0, "e": 0}


def test_abbreviations_shorten_hex_ids_like_git_and_cut_long_names():
    from chaintui.lanes import abbreviations

    short = abbreviations(["ae1027a6acf0", "ae1027a6bbb1", "0017", "003_enhanced_content_metadata"])
    assert short["ae1027a6acf0"] == "ae1027a6a" and short["ae1027a6bbb1"] == "ae1027a6b"  # still unique
    assert short["0017"] == "0017"
    assert short["003_enhanced_content_metadata"] == "003_enhanced_co…"
