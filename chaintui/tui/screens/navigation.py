"""Finding things on the main screen: `/` search, next/previous problem, copying an id or path."""

from __future__ import annotations

import os
import shlex
from pathlib import Path

from chaintui.tui.widgets.problems_panel import ProblemsPanel
from chaintui.tui.widgets.revision_tree import RevisionTree
from chaintui.tui.widgets.search_bar import SearchBar


class Navigation:
    """Mixin for the main screen: needs `self.session`, `self.current_set`, `self.current_rev`."""

    _search_origin: str | None = None
    _search_matches: list[str] = []

    # ------------------------------------------------------------------ `/` search

    def action_search(self) -> None:
        tree = self.query_one(RevisionTree)
        self._search_origin = tree.current_rev
        self._search_matches = []
        self.query_one(SearchBar).open()

    def on_search_bar_changed(self, message: SearchBar.Changed) -> None:
        tree = self.query_one(RevisionTree)
        self._search_matches = tree.matches(message.query)
        tree.highlighted = set(self._search_matches)
        target = tree.following(self._search_matches, 1, start=self._search_origin, inclusive=True)
        if target is not None:
            tree.select(target)
        elif self._search_origin is not None:
            tree.select(self._search_origin)
        tree.refresh()
        self._show_search_count(message.query)

    def on_search_bar_step(self, message: SearchBar.Step) -> None:
        tree = self.query_one(RevisionTree)
        target = tree.following(self._search_matches, message.direction)
        if target is not None:
            tree.select(target)
        self._show_search_count(self.query_one("#search-input").value)

    def _show_search_count(self, query: str) -> None:
        tree = self.query_one(RevisionTree)
        matches = self._search_matches
        index = matches.index(tree.current_rev) + 1 if tree.current_rev in matches else 0
        self.query_one(SearchBar).set_count(index, len(matches), query.strip())

    def on_search_bar_closed(self, message: SearchBar.Closed) -> None:
        tree = self.query_one(RevisionTree)
        tree.highlighted = set()
        if not message.keep and self._search_origin is not None:
            tree.select(self._search_origin)
        tree.refresh()
        tree.focus()

    # ------------------------------------------------------------------ problems

    def action_next_problem(self, direction: int) -> None:
        """Go to the next (1) or previous (-1) problem after the tree's cursor, in the tree's
        order; on a revision with several problems, step through them first."""
        panel = self.query_one(ProblemsPanel)
        if not panel.problems:
            return
        anchors = panel.anchors()
        current = panel.highlighted
        rev = self.query_one(RevisionTree).current_rev
        if current is not None and anchors[current] == rev:
            index = (current + direction) % len(anchors)
        else:
            target = self.query_one(RevisionTree).following(anchors, direction)
            if target is None:  # problems whose anchor is not in the tree (parse errors)
                index = 0 if current is None else (current + direction) % len(anchors)
            else:
                positions = [i for i, a in enumerate(anchors) if a == target]
                index = positions[0] if direction > 0 else positions[-1]
        if index == current:
            # the same row: the highlight does not change, so move the tree here ourselves
            problem = panel.problems[index]
            self.query_one(RevisionTree).highlight(set(problem.revisions), first=anchors[index])
        panel.highlighted = index

    # ------------------------------------------------------------------ copying

    def action_copy(self, what: str) -> None:
        """Copy the selected revision's id (`id`) or its file path(s) (`path`) to the clipboard,
        with OSC 52: it works over SSH, in terminals that allow it (in tmux: `set -g set-clipboard on`)."""
        rev = self.current_rev
        if rev is None:
            return
        if what == "id":
            text = rev
        else:
            files = self.current_set.graph.by_id.get(rev, [])
            if not files:
                self.notify(f"{rev} has no file: no file declares it.", title="Nothing to copy",
                            severity="warning")
                return
            text = " ".join(shlex.quote(_shell_path(Path(m.path))) for m in files)
        self.app.copy_to_clipboard(text)
        self.notify(text, title="Copied to the clipboard")


def _shell_path(path: Path) -> str:
    """The path as typed from the current directory when the file is under it, else absolute."""
    try:
        return path.resolve().relative_to(Path(os.getcwd()).resolve()).as_posix()
    except (ValueError, OSError):
        return str(path.resolve())
