"""Command palette provider: every main-screen action (from its bindings) and "go to revision"."""

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
        shown = 0
        for rev in graph.by_id:
            score = matcher.match(rev)
            if score > 0:
                yield Hit(score * 0.9, matcher.highlight(f"go to {rev}"), partial(main.select_revision, rev),
                          help=graph.by_id[rev][0].message)
                shown += 1
                if shown >= 30:
                    break
