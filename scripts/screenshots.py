"""Save the README's screenshots: the app itself (save_screenshot) on fresh generated projects.

    .venv/bin/python scripts/screenshots.py            # writes screenshots/*.svg

Builds the demo (and a 300-revision hex history) in a temporary directory, drives the app
through the pilot (keys only) and saves SVGs at 80x24 (the smallest terminal chaintui promises)
and 120x40: the main screen, a choice dialog, a diff preview, the help and its legend, the hex
history, and the end of a repair. HOME points at the temporary directory while shooting, so the
header reads `~/demo`.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
OUT = REPO / "screenshots"
SMALL, LARGE = (80, 24), (120, 40)


async def settle(pilot) -> None:
    from textual.worker import WorkerCancelled

    for _ in range(5):
        await pilot.pause()
        busy = [w for w in pilot.app.workers if w.group != "flow" and not w.is_finished]
        if not busy:
            break
        try:
            await pilot.app.workers.wait_for_complete(busy)
        except WorkerCancelled:  # an exclusive worker replaced by a newer one
            continue
    await pilot.pause()


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def problem_keys(app, code: str, rev: str) -> list[str]:
    problems = app.screen.query_one("#problems").problems
    index = next(i for i, p in enumerate(problems) if p.code == code and rev in p.revisions)
    return ["p", "home", *["down"] * index]


async def shoot_demo(root: Path, saved: list[Path]) -> None:
    from chaintui.analysis import analyze
    from chaintui.tui.app import ChaintuiApp
    from chaintui.tui.screens.diff_preview import DiffPreviewScreen

    def saver(app):
        def save(name: str) -> None:
            app.save_screenshot(filename=name, path=str(OUT))
            saved.append(OUT / name)
        return save

    app = ChaintuiApp(analyze(root))
    save = saver(app)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        save("main-80x24.svg")
        await press(pilot, *problem_keys(app, "duplicate-revision", "017"), "enter")
        save("keep-duplicate-80x24.svg")
        await press(pilot, "escape", "t", "question_mark")
        save("help-80x24.svg")
        await press(pilot, "escape", "a")  # Fix all: review the plan step by step
        save("diff-preview-80x24.svg")
        await press(pilot, "escape")

    app = ChaintuiApp(analyze(root))
    save = saver(app)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        save("main-120x40.svg")
        await press(pilot, "a")
        while isinstance(app.screen, DiffPreviewScreen):
            await press(pilot, "y")
        await press(pilot, "H")
        save("done-120x40.svg")


async def shoot_hex(root: Path, saved: list[Path]) -> None:
    from chaintui.analysis import analyze
    from chaintui.tui.app import ChaintuiApp

    app = ChaintuiApp(analyze(root))
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        problems = app.screen.query_one("#problems").problems
        member = next(p.revisions[0] for p in problems if p.code == "cycle")
        await press(pilot, *problem_keys(app, "cycle", member), "t")
        app.save_screenshot(filename="hex-history-120x40.svg", path=str(OUT))
        saved.append(OUT / "hex-history-120x40.svg")


def main() -> int:
    OUT.mkdir(exist_ok=True)
    os.environ.setdefault("CHAINTUI_CACHE_DIR", tempfile.mkdtemp(prefix="chaintui-cache-"))
    from chaintui.demo import build_demo
    from tests.tui.histories import hex_history

    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="chaintui-shots-") as tmp:
        os.environ["HOME"] = tmp  # the header shows ~/demo, not the temporary path
        root = build_demo(Path(tmp) / "demo")
        asyncio.run(shoot_demo(root, saved))
        asyncio.run(shoot_hex(hex_history(Path(tmp) / "hex-history"), saved))
    for path in saved:
        print(path.relative_to(REPO))
    return 0


if __name__ == "__main__":
    sys.exit(main())
