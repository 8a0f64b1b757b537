"""Finding things: the cursor is unmistakable, `/` searches, n/N walk the problems, the palette
finds messages and file names, y/Y copy, the header says where the session is."""

from __future__ import annotations

from rich.color import ColorSystem

from chaintui.tui.screens.main import MainScreen
from chaintui.tui.widgets.revision_tree import BLURRED_MARK, CURSOR_MARK, RevisionTree
from chaintui.tui.widgets.session_header import SessionHeader
from tests.tui.helpers import pilot_test, press, screen_text, settle


def _backgrounds(strip, system=None) -> set:
    """The background colours of a rendered line (downgraded to `system` when given)."""
    colours = set()
    for segment in strip:
        colour = segment.style.bgcolor if segment.style else None
        if colour is not None and system is not None and not colour.is_default:
            colour = colour.downgrade(system)
        colours.add(colour)
    return colours


def _line_of(tree: RevisionTree, rev: str):
    index = next(i for i, row in enumerate(tree.rows) if row.rev == rev)
    return tree.render_line(index - int(tree.scroll_offset.y))


@pilot_test
async def test_the_cursor_row_stands_out_focused_or_not_even_in_16_colours(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home", "down", "down")
        tree = app.screen.query_one(RevisionTree)
        assert tree.current_rev == "002"
        cursor, other = _line_of(tree, "002"), _line_of(tree, "000")
        assert cursor.text.startswith(CURSOR_MARK) and other.text.startswith(" ")
        # one background over the whole cursor row, unlike every other row's
        assert len(_backgrounds(cursor)) == 1 and _backgrounds(cursor) != _backgrounds(other)
        for system in (ColorSystem.STANDARD, ColorSystem.EIGHT_BIT):
            assert _backgrounds(cursor, system) != _backgrounds(other, system), system
        assert cursor.cell_length == other.cell_length
        await press(pilot, "tab")  # the problems panel takes focus: the cursor stays marked
        assert not tree.has_focus
        blurred = _line_of(tree, "002")
        assert blurred.text.startswith(BLURRED_MARK)
        for system in (None, ColorSystem.STANDARD):
            assert _backgrounds(blurred, system) != _backgrounds(_line_of(tree, "000"), system)


@pilot_test
async def test_slash_searches_ids_messages_and_file_names_incrementally(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home")
        tree = app.screen.query_one(RevisionTree)
        await press(pilot, "slash", *"team")  # "Add teams", "Add team members" (messages)
        assert tree.current_rev == "006"
        assert tree.highlighted >= {"006", "007"}
        assert "1 of" in screen_text(app)
        await press(pilot, "down")
        assert tree.current_rev == "007"
        await press(pilot, "enter")  # keep the place
        assert tree.current_rev == "007" and tree.has_focus and not tree.highlighted
        await press(pilot, "slash", *"drafts_and")  # a file name: 027_create_content_drafts_and_schedules.py
        assert tree.current_rev == "027_create_content_drafts_and_schedules"
        await press(pilot, "escape")  # back to where the search started
        assert tree.current_rev == "007"
        await press(pilot, "slash", *"zzzz")
        assert "no match" in screen_text(app) and tree.current_rev == "007"
        await press(pilot, "escape")


@pilot_test
async def test_n_and_shift_n_walk_the_problems_in_tree_order(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home")
        tree = app.screen.query_one(RevisionTree)
        panel = app.screen.query_one("#problems")
        seen = []
        for _ in range(len(panel.problems)):
            await press(pilot, "n")
            seen.append((tree.current_rev, panel.current))
        assert [p for _, p in seen] == panel.problems  # every problem once, in the panel's order
        assert seen[0][0] == "001" and seen[1][0] == "001"  # 001: duplicate id, then extra root
        for rev, problem in seen:
            assert rev == panel.anchor_of(problem)
        order = [row.rev for row in tree.layout_.rows if row.is_node]
        positions = [order.index(rev) for rev, _ in seen if rev in order]
        assert positions == sorted(positions)
        await press(pilot, "N")
        assert panel.current == seen[-2][1]
        await press(pilot, "right_square_bracket")
        assert panel.current == seen[-1][1]


@pilot_test
async def test_f_after_n_fixes_the_problem_n_moved_to(demo_root, make_app):
    from chaintui.tui.screens.root import RootScreen

    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home", "n", "n")  # 001: the duplicate id, then the extra root
        assert app.screen.query_one("#problems").current.code == "multiple-bases"
        await press(pilot, "f")
        assert isinstance(app.screen, RootScreen)


@pilot_test
async def test_y_copies_the_id_and_shift_y_the_file_path(demo_root, make_app, monkeypatch):
    monkeypatch.chdir(demo_root)
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home", "down", "down")
        await press(pilot, "y")
        assert app.clipboard == "002"
        await press(pilot, "Y")
        assert app.clipboard == "migrations/versions/002_add_user_settings.py"
        await press(pilot, "home", "down", "Y")  # 001: both files
        assert app.clipboard.split() == ["migrations/versions/001_add_core_missing_tables.py",
                                         "migrations/versions/001_initial_migration.py"]


@pilot_test
async def test_the_palette_finds_a_revision_by_its_message_or_file_name(demo_root, make_app):
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        for key in "dead letter":
            await pilot.press(key if key != " " else "space")
        await pilot.pause(0.5)
        await press(pilot, "enter")
        assert isinstance(app.screen, MainScreen)
        assert app.screen.query_one(RevisionTree).current_rev == "018"  # 018_add_dead_letter_queue.py


@pilot_test
async def test_the_header_says_where_and_what_the_session_did(demo_root, make_app, monkeypatch):
    monkeypatch.setenv("HOME", str(demo_root.parent))
    app = make_app(demo_root)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(SessionHeader)
        first = screen_text(app).splitlines()[0]
        assert first.lstrip().startswith("~/demo  main @ ")
        assert header.head and header.head in first
        assert "0 commits this session" in first and "10 errors left" in first
        await press(pilot, "a", "y", "escape")  # one fix committed
        first = screen_text(app).splitlines()[0]
        assert "1 commit this session" in first


@pilot_test
async def test_the_cursor_stands_out_in_every_built_in_theme(demo_root, make_app):
    from textual.theme import BUILTIN_THEMES

    def stands_out(cursor, other, system) -> bool:
        underlined = any(s.style and s.style.underline for s in cursor)  # ANSI themes, blurred
        return _backgrounds(cursor, system) != _backgrounds(other, system) or underlined

    app = make_app(demo_root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "t", "home", "down", "down")
        tree = app.screen.query_one(RevisionTree)
        for name in BUILTIN_THEMES:
            app.theme = name
            await pilot.pause()
            for focused in (True, False):
                if not focused:
                    await press(pilot, "tab")
                assert tree.has_focus is focused
                cursor, other = _line_of(tree, "002"), _line_of(tree, "000")
                assert cursor.text[0] == (CURSOR_MARK if focused else BLURRED_MARK)
                for system in (None, ColorSystem.STANDARD):
                    assert stands_out(cursor, other, system), (name, focused, system)
            await press(pilot, "t")
