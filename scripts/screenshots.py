"""Save the README's screenshots: the app itself (save_screenshot) on a fresh demo project.

    .venv/bin/python scripts/screenshots.py            # writes screenshots/*.svg

Builds the demo in a temporary directory, drives the app through the pilot (keys only) and saves
four SVGs at 100x30: the main screen, a choice dialog, a diff preview, the history after a repair.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "screenshots"
SIZE = (100, 30)


async def settle(pilot) -> None:
    for _ in range(5):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.group != "flow" and not w.is_finished]
        if not busy:
            break
        await pilot.app.workers.wait_for_complete(busy)
    await pilot.pause()


async def shoot(root: Path) -> list[Path]:
    from chaintui.analysis import analyze
    from chaintui.tui.app import ChaintuiApp
    from chaintui.tui.screens.diff_preview import DiffPreviewScreen

    saved: list[Path] = []
    app = ChaintuiApp(analyze(root))

    def save(name: str) -> None:
        app.save_screenshot(filename=name, path=str(OUT))
        saved.append(OUT / name)

    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        save("main.svg")
        await pilot.press("p", "down", "enter")  # the 017 duplicate: which file keeps the id?
        await settle(pilot)
        save("keep-duplicate.svg")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")  # Fix all: review the plan step by step
        await settle(pilot)
        save("diff-preview.svg")
        while isinstance(app.screen, DiffPreviewScreen):
            await pilot.press("y")
            await settle(pilot)
        await pilot.press("H", "tab")
        await settle(pilot)
        save("history.svg")
    return saved


def main() -> int:
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("CHAINTUI_CACHE_DIR", tempfile.mkdtemp(prefix="chaintui-cache-"))
    from chaintui.demo import build_demo

    with tempfile.TemporaryDirectory(prefix="chaintui-shots-") as tmp:
        root = build_demo(Path(tmp) / "demo")
        for path in asyncio.run(shoot(root)):
            print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
