"""Every dialog at 80x24: its buttons lie inside the screen, long texts are cut with care, the
footer keeps q and ?, the diff preview shows a changed line without scrolling."""

from __future__ import annotations

from textual.widgets import Button

from chaintui.tui.screens.choose_parent import ChooseParentScreen
from chaintui.tui.screens.diff_preview import DiffPreviewScreen
from chaintui.tui.screens.heads import HeadsScreen
from chaintui.tui.screens.help import HelpScreen
from chaintui.tui.screens.keep_duplicate import KeepDuplicateScreen
from chaintui.tui.screens.loop import LoopScreen
from chaintui.tui.screens.message import MessageScreen
from chaintui.tui.screens.remove import RemoveScreen
from chaintui.tui.screens.root import RootScreen
from chaintui.tui.screens.verify import VerifyScreen
from tests.builders import git_init, write_project
from tests.tui.helpers import pilot_test, press, problem_keys, screen_text, settle

SIZE = (80, 24)


def assert_buttons_on_screen(app, kind) -> list[str]:
    """The dialog is `kind`; each of its buttons lies wholly inside the screen and the dialog,
    one row high and at least as wide as its label. Returns the button labels."""
    screen = app.screen
    assert isinstance(screen, kind), type(screen)
    whole = screen.region
    dialog = screen.query_one(".dialog").region
    buttons = list(screen.query(Button))
    assert buttons
    for button in buttons:
        region = button.region
        assert region.height == 1 and region.width >= len(str(button.label)), (button.label, region)
        assert whole.contains_region(region), (button.label, region, whole)
        assert dialog.contains_region(region), (button.label, region, dialog)
    return [str(b.label) for b in buttons]


@pilot_test
async def test_the_choice_dialogs_of_the_demo_fit_80x24(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, *problem_keys(app, "duplicate-revision", "017"), "enter")
        labels = assert_buttons_on_screen(app, KeepDuplicateScreen)
        assert "Keep selected (enter)" in labels and "Cancel (esc)" in labels
        text = screen_text(app)
        assert "017_add_missing_user_columns.py" in text  # a name that fits stays whole
        await press(pilot, "escape")

        await press(pilot, *problem_keys(app, "missing-parent", "005"), "enter")
        assert_buttons_on_screen(app, ChooseParentScreen)
        await press(pilot, "escape")

        await press(pilot, *problem_keys(app, "multiple-bases", "001"), "enter")
        labels = assert_buttons_on_screen(app, RootScreen)
        assert labels == ["Choose (enter)", "Cancel (esc)"]
        await press(pilot, "escape")

        await press(pilot, "o")
        assert_buttons_on_screen(app, LoopScreen)
        await press(pilot, "escape")

        await press(pilot, "t", "home", "down")  # 001: two files, so remove asks which
        await press(pilot, "x")
        assert_buttons_on_screen(app, RemoveScreen)
        await press(pilot, "escape")

        await press(pilot, "question_mark")
        assert_buttons_on_screen(app, HelpScreen)
        await press(pilot, "escape")

        app.push_screen(MessageScreen("A long message", "word " * 400, "and a hint " * 20))
        await settle(pilot)
        assert_buttons_on_screen(app, MessageScreen)
        await press(pilot, "escape")


@pilot_test
async def test_the_diff_preview_at_80x24_shows_changed_lines_and_every_button(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        labels = assert_buttons_on_screen(app, DiffPreviewScreen)
        assert labels == ["Apply & commit (y)", "Skip (s)", "Change… (c)", "Cancel (esc)"]
        lines = screen_text(app).splitlines()
        assert any(line.strip("█ ").startswith("── deleted migrations/versions/001_initial_migration.py")
                   for line in lines)
        changed = [line for line in lines if line.strip("█ ").startswith(("-", "+")) and "+0 -" not in line]
        assert len(changed) >= 5, "\n".join(lines)
        await press(pilot, "y")  # commit it: the next step may offer to undo it
        labels = assert_buttons_on_screen(app, DiffPreviewScreen)
        assert "Undo (u)" in labels
        await press(pilot, "escape")


@pilot_test
async def test_heads_and_verify_dialogs_fit_80x24(tmp_path, make_app):
    root = git_init(write_project(tmp_path / "p", [("a1", None), ("b2", "a1"), ("c3", "b2"), ("d4", "a1")]))
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "m")
        assert_buttons_on_screen(app, HeadsScreen)
        await press(pilot, "escape", "v")
        await settle(pilot)
        assert_buttons_on_screen(app, VerifyScreen)
        assert "FAIL" in screen_text(app)


@pilot_test
async def test_the_footer_fits_80_columns_with_quit_and_help(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        for keys in ("f Fix", "a Fix all", "/ Search", "n Next problem", "v Verify", "q Quit", "? Help"):
            assert keys in footer, footer
        assert len(footer.rstrip()) <= 80


@pilot_test
async def test_help_cuts_long_texts_with_an_ellipsis_and_shows_the_whole_text_of_the_row(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        table = app.screen.query_one("#help-table")
        cut = None
        for row in range(table.row_count):
            cells = [str(c) for c in table.get_row_at(row)]
            what = cells[2]
            assert len(what) <= table.columns[list(table.columns)[2]].width
            if what.endswith("…"):  # cut at a word, never mid-word
                whole = app.screen.texts[row]
                assert whole.startswith(what[:-1]) and whole[len(what) - 1] in " ,;:·-", (what, whole)
                cut = cut if cut is not None else row
        assert cut is not None, "at 80 columns some description is long enough to be cut"
        await press(pilot, *["down"] * cut)
        full = app.screen.query_one("#help-full").render()
        assert str(full) == app.screen.full[cut] and not str(full).endswith("…")
        texts = [str(table.get_row_at(r)[0]) for r in range(table.row_count)]
        assert "●" in texts and "◌" in texts and "[dup×N]" in texts and "[dangling]" in texts


@pilot_test
async def test_the_detail_pane_never_breaks_a_file_name(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home", "down")
        text = screen_text(app)
        assert "001_add_core_missing_tables.py" in text
        assert "001_add_core_mi\n" not in text
