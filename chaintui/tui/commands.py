"""Command palette provider: every main-screen action (from its bindings) and "go to revision",
found by its id, its message or its file name."""

from __future__ import annotations

from functools import partial

from textual.actions import parse as parse_action
from textual.command import DiscoveryHit, Hit, Hits, Provider


class ChaintuiCommands(Provider):
    """Actions come from the main screen's bindings, so the palette and the footer never disagree."""

    def _main(self):
        from chaintui.tui.screens.main import MainScreen

        for screen in reversed(self.app.screen_stack):
            if isinstance(screen, MainScreen):
                return screen
        return None

    def _actions(self):
        main = self._main()
        if main is None:
            return []
        result = []
        for binding in main.BINDINGS:
            _, action, parameters = parse_action(binding.action)
            if main.check_action(action, parameters) is not True:
                continue
            title = binding.description
            result.append((title, binding.tooltip, partial(main.run_action, binding.action)))
        return result

    async def discover(self) -> Hits:
        for title, help_text, callback in self._actions():
            yield DiscoveryHit(title, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for title, help_text, callback in self._actions():
            score = matcher.match(f"{title} {help_text}")
            if score > 0:
                yield Hit(score, matcher.highlight(title), callback, help=help_text)
        main = self._main()
        if main is None or len(query) < 2:
            return
        graph = main.current_set.graph
        scored = []
        for rev, files in graph.by_id.items():
            names = " ".join(f.name for f in files)
            score = matcher.match(f"{rev} {files[0].message} {names}")
            if score > 0:
                scored.append((score, rev, files[0].message, names))
        scored.sort(key=lambda hit: -hit[0])
        for score, rev, message, names in scored[:40]:
            yield Hit(score * 0.9, matcher.highlight(f"go to {rev}  {message}"),
                      partial(main.select_revision, rev), help=names)
