"""Helpers for pilot tests: settle the app, read the screen as text, press keys."""

from __future__ import annotations

import asyncio

from textual.worker import WorkerCancelled


async def settle(pilot, timeout: float = 30) -> None:
    """Wait for every thread worker (scan, git, plan...) to finish, then let messages land.

    Flow workers (group "flow") wait for the user inside dialogs, so they are not waited for.
    """
    app = pilot.app
    for _ in range(5):
        await pilot.pause()
        busy = [w for w in app.workers if w.group != "flow" and not w.is_finished]
        if not busy:
            await pilot.pause()
            return
        try:
            await asyncio.wait_for(app.workers.wait_for_complete(busy), timeout)
        except WorkerCancelled:
            pass  # an exclusive worker (git-facts) was superseded by a newer one: wait for that next
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    """Press each key and settle after it."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def screen_text(app) -> str:
    """Every line of what is on screen now (modals included), without styles."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text.rstrip() for strip in strips)


def pilot_test(func):
    """Run an `async def test_...` with asyncio.run (no async pytest plugin is installed)."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return asyncio.run(func(*args, **kwargs))

    return wrapper
