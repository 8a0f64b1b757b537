"""`chaintui PATH --against REF`: REF's revisions dimmed, the branch's own highlighted."""

from __future__ import annotations

from chaintui.against_cli import own_revisions
from chaintui.analysis import analyze
from chaintui.tui.app import ChaintuiApp
from tests.conftest import run_chaintui
from tests.test_against import CHAIN, branch_repo
from tests.tui.helpers import pilot_test, screen_text, settle


@pilot_test
async def test_the_branchs_revisions_are_highlighted_and_refs_dimmed(tmp_path):
    root = branch_repo(tmp_path, CHAIN, ref=[("003", "002")], branch=[("b1", "002"), ("b2", "b1")])
    analysis = analyze(root)
    own = own_revisions(analysis, "main")
    assert own == {"b1", "b2"}
    app = ChaintuiApp(analysis, own=own)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("RevisionTree")
        assert tree.own == own
        rows = {row.rev: tree._words(row) for row in tree.rows if row.is_node}
        assert rows["b1"][:2] == [("b1", "revision-tree--own"), (" [branch]", "revision-tree--own")]
        assert rows["001"][0] == ("001", "revision-tree--ref")
        assert rows["001"][-1][1] == "revision-tree--ref"  # the message dims too
        own_style = tree.get_component_rich_style("revision-tree--own")
        ref_style = tree.get_component_rich_style("revision-tree--ref")
        assert own_style.bold and own_style.color != ref_style.color
        text = screen_text(app)
        assert "b2 [branch]" in text and "001 [branch]" not in text


@pilot_test
async def test_without_against_every_revision_is_drawn_alike(tmp_path):
    root = branch_repo(tmp_path, CHAIN, branch=[("b1", "002")])
    app = ChaintuiApp(analyze(root))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        tree = app.screen.query_one("RevisionTree")
        assert tree.own is None
        assert {tree._words(row)[0][1] for row in tree.rows if row.is_node} == {"revision-tree--id"}
        assert "[branch]" not in screen_text(app)


def test_the_session_reads_the_ref_before_opening_and_fails_in_one_line(tmp_path):
    root = branch_repo(tmp_path, CHAIN, branch=[("b1", "002")])
    bad = run_chaintui(str(root), "--against", "no-such-ref")
    assert bad.returncode == 2 and "no such git ref" in bad.stderr
    good = run_chaintui(str(root), "--against", "main")  # no terminal here: compared, then refused
    assert good.returncode == 2 and "needs a terminal" in good.stderr
