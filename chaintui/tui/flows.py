"""The choice flows: problem -> typed modal(s) -> the core's fix builder -> diff preview -> apply.

Each flow is an async worker on the main screen (so it can `push_screen_wait`); the dialogs
return values, the fix objects come from chaintui.planner, and applying runs in a thread worker.
"""

from __future__ import annotations

from textual import work
from textual.worker import WorkerCancelled, WorkerFailed

from chaintui import planner, suggest
from chaintui.analysis import SetAnalysis
from chaintui.errors import ChaintuiError
from chaintui.fixes import Fix
from chaintui.model import Problem
from chaintui.naming import natural_key
from chaintui.tui.screens.choose_parent import Candidate, ChooseParentScreen
from chaintui.tui.screens.diff_preview import APPLY, CHANGE, SKIP, UNDO, DiffPreviewScreen
from chaintui.tui.screens.heads import HeadsScreen
from chaintui.tui.screens.keep_duplicate import KeepDuplicateScreen
from chaintui.tui.screens.loop import LoopScreen
from chaintui.tui.screens.message import MessageScreen
from chaintui.tui.screens.remove import RemoveScreen
from chaintui.tui.screens.root import REMOVE, RENUMBER, RootScreen

#: Which problem codes a fix kind answers (to reopen the right dialog on "change").
CODES_OF_KIND = {
    "keep-duplicate": ("duplicate-revision",),
    "remove": ("duplicate-revision", "multiple-bases"),
    "break-cycle": ("cycle",),
    "relink": ("missing-parent", "multiple-bases", "cycle"),
    "linearize": ("multiple-heads",),
    "merge-heads": ("multiple-heads",),
    "sync-header": ("header-mismatch",),
    "rename-file": ("filename-mismatch",),
}


class FixFlows:
    """Mixin for the main screen: needs `self.session`, `self.current_set`, `self.app`."""

    # ------------------------------------------------------------------ entry points

    @work(group="flow", exclusive=True, name="fix-problem", description="choose and apply a fix")
    async def fix_problem(self, problem: Problem, file: str | None = None) -> None:
        fix = await self.choose_fix(problem, file)
        if fix is not None:
            await self.preview_and_apply(fix)

    @work(group="flow", exclusive=True, name="fix-revision", description="choose and apply a fix")
    async def fix_kind(self, kind: str, rev: str) -> None:
        sa = self.current_set
        fix = None
        m = sa.graph.get(rev)
        if kind == "relink" and m is not None:
            fix = await self.relink(sa, m.rel)
        elif kind == "keep":
            fix = await self.keep(sa, rev)
        elif kind == "remove":
            fix = await self.remove(sa, rev)
        elif kind == "heads":
            fix = await self.heads(sa, [h for h in sa.graph.heads])
        elif kind == "loop":
            for problem in sa.problems:
                if problem.code == "cycle" and (rev in problem.revisions or not rev):
                    fix = await self.loop(sa, problem)
                    break
        if fix is not None:
            await self.preview_and_apply(fix)

    @work(group="flow", exclusive=True, name="fix-all", description="review the plan step by step")
    async def fix_all(self) -> None:
        """Review the plan one step at a time. After every step (applied, skipped, changed or
        undone) the plan is made again from the files as they now are; a skipped step's key is
        declined, so the new plan leaves that problem to the user instead of failing later."""
        declined: set[str] = set()
        committed = 0
        while True:
            try:
                plan = await self.make_plan(frozenset(declined)).wait()
            except (WorkerFailed, WorkerCancelled) as exc:
                self.app.push_screen(MessageScreen("Planning failed", _one_line(exc)))
                return
            stopped = getattr(plan, "stopped", None)
            if not plan.fixes:
                await self.review_done(len(declined), stopped)
                return
            step = committed + len(declined) + 1  # the decisions taken so far, plus this one
            fix = plan.fixes[0]
            left = len(plan.fixes)
            label = f"Fix all · step {step} · {left} fix{'es' if left != 1 else ''} left"
            answer = await self.preview(fix, step=label, can_undo=committed > 0,
                                        note=f"The plan stops after these: {stopped}" if stopped else "")
            if answer is None:
                return
            if answer == SKIP:
                declined.add(fix.key)
                continue
            if answer == UNDO:
                if await self.undo_step():
                    committed -= 1
                continue
            if answer == CHANGE:
                fix = await self.change(fix)
                if fix is None or await self.preview(fix) != APPLY:
                    continue
            if not await self.apply(fix):
                return
            committed += 1

    async def review_done(self, skipped: int, stopped: str | None) -> None:
        """The plan is empty: say what is left and what to do next."""
        errors = [p for p in self.session.analysis.problems if p.is_error]
        if not errors:
            self.app.notify("No errors left. Next: V runs verify --sqlite, then git push.", title="Fix all: done")
            return
        parts = [f"{len(errors)} error{'s' if len(errors) != 1 else ''} left"]
        if skipped:
            parts.append(f"you skipped {skipped} step{'s' if skipped != 1 else ''}")
        text = "; ".join(parts) + "."
        if stopped:
            text += f" The plan stopped: {stopped}"
        await self.app.push_screen_wait(MessageScreen(
            "Fix all: nothing more to plan", text,
            "Select a problem (n jumps to the next one) and press f to choose its fix yourself.", error=False))

    async def undo_step(self) -> bool:
        try:
            return bool(await self.undo_last().wait())
        except (WorkerFailed, WorkerCancelled) as exc:
            self.app.push_screen(MessageScreen("Undo failed", _one_line(exc)))
            return False

    # ------------------------------------------------------------------ preview and apply

    async def preview(self, fix: Fix, step: str = "", *, can_undo: bool = False, note: str = "") -> str | None:
        sa = self.session.set_named(fix.set_name)
        try:
            changeset = fix.changes(sa.graph)
        except (ChaintuiError, OSError) as exc:
            await self.app.push_screen_wait(MessageScreen("This fix cannot be built", str(exc)))
            return SKIP if step else None
        if not changeset:
            await self.app.push_screen_wait(MessageScreen("Nothing to change", f"{fix.summary}: the files already say so.", error=False))
            return SKIP if step else None
        try:
            warnings = self.session.preview_warnings(fix)
        except (ChaintuiError, OSError) as exc:
            warnings = [f"could not check the database or schema order: {exc}"]
        return await self.app.push_screen_wait(DiffPreviewScreen(fix, changeset, step=step, warnings=warnings,
                                                                 can_undo=can_undo, note=note))

    async def preview_and_apply(self, fix: Fix) -> bool:
        if await self.preview(fix) == APPLY:
            return await self.apply(fix)
        return False

    async def apply(self, fix: Fix) -> bool:
        try:
            return bool(await self.apply_fix(fix, fix.set_name).wait())
        except (WorkerFailed, WorkerCancelled) as exc:
            self.app.push_screen(MessageScreen("The fix failed", _one_line(exc)))
            return False

    # ------------------------------------------------------------------ choosing

    async def choose_fix(self, problem: Problem, file: str | None = None) -> Fix | None:
        sa = self.current_set
        code = problem.code
        if code == "duplicate-revision":
            return await self.keep(sa, problem.revisions[0])
        if code == "cycle":
            return await self.loop(sa, problem)
        if code == "missing-parent":
            target = file if file in problem.files else problem.files[0]
            m = sa.graph.by_rel[target]
            dangling = next((p for p in m.down_revision if p not in sa.graph.by_id), None)
            return await self.relink(sa, target, dangling=dangling)
        if code == "multiple-bases":
            return await self.extra_root(sa, problem, file)
        if code == "multiple-heads":
            return await self.heads(sa, list(problem.revisions))
        fix = planner.default_fix(problem, sa)
        if fix is None:
            await self.app.push_screen_wait(MessageScreen(
                "This needs a person", f"{problem.message}.",
                "chaintui has no automatic fix for this problem: edit the file, commit, then ctrl+r to rescan.",
                error=False))
        return fix

    async def change(self, fix: Fix) -> Fix | None:
        """Reopen the dialog behind a planned fix, so the user can choose differently."""
        sa = self.session.set_named(fix.set_name)
        codes = CODES_OF_KIND.get(fix.kind, ())
        for problem in sa.problems:
            if problem.code in codes and (fix.revision in problem.revisions or fix.file in problem.files):
                if fix.kind == "remove" and problem.code == "duplicate-revision":
                    return await self.remove(sa, fix.revision)
                return await self.choose_fix(problem, fix.file)
        if fix.file in sa.graph.by_rel:
            return await self.relink(sa, fix.file)
        return None

    async def relink(self, sa: SetAnalysis, file: str, *, dangling: str | None = None,
                     title: str = "") -> Fix | None:
        graph = sa.graph
        m = graph.by_rel[file]
        options = suggest.rank_parents(graph, m, dangling=dangling)
        candidates = [Candidate(rev, graph.by_id[rev][0].message) for rev in graph.by_id]
        if dangling:
            why = f"{m.revision} names {dangling!r}, which no file declares. Which revision did it mean?"
        else:
            why = f"{m.revision} currently names {', '.join(m.down_revision) or 'nothing (a base)'}."
        chosen = await self.app.push_screen_wait(ChooseParentScreen(
            title or f"Relink {m.revision} onto…", why, options, candidates))
        if chosen is None:
            return None
        if dangling:
            parents = tuple(dict.fromkeys(chosen if p == dangling else p for p in m.down_revision))
        else:
            parents = (chosen,)
        why_chosen = next((o for o in options if o.value == chosen), None)
        reason = (f"{m.revision} named {dangling!r}, which no file declares; " if dangling
                  else f"{m.revision} named {', '.join(m.down_revision) or 'nothing'}; ")
        reason += f"relinked onto {chosen} (chosen in chaintui"
        reason += f": {'; '.join(why_chosen.reasons)})." if why_chosen and why_chosen.reasons else ")."
        return planner.relink_fix(graph, file, parents, reason=reason, alternatives=tuple(options[:5]))

    async def extra_root(self, sa: SetAnalysis, problem: Problem, file: str | None) -> Fix | None:
        """Of the roots the problem names (by file: an extra root may share its id with a file
        that is not a root), the chosen or least-used one: remove it, relink it, or renumber it."""
        graph = sa.graph
        roots = [m for rel in problem.files if (m := graph.by_rel.get(rel)) is not None and m.is_base]
        if len(roots) < 2:
            return None
        roots.sort(key=lambda m: (-len(graph.descendants(m.revision)), natural_key(m.revision)))
        extra = next((m for m in roots[1:] if m.rel == file), roots[-1])
        main = next(m for m in roots if m is not extra)
        redundant = suggest.is_redundant_root(graph, extra)
        choice = await self.app.push_screen_wait(RootScreen(graph, extra, main.revision, redundant=redundant))
        if choice is None:
            return None
        if choice == REMOVE:
            why = (f"it re-creates tables {main.name} already creates" if redundant
                   else "the user chose to remove it in chaintui")
            return planner.remove_fix(graph, extra.rel, reason=(
                f"{extra.name} was a second root (down_revision = None) next to {main.name}; removed: {why}."))
        if choice == RENUMBER:
            others = [m for m in graph.by_id.get(extra.revision, []) if m.rel != extra.rel]
            if others:
                return planner.keep_duplicate_fix(graph, extra.revision, others[0].rel)
        return await self.relink(sa, extra.rel, title=f"Extra root {extra.revision}: relink it onto…")

    async def keep(self, sa: SetAnalysis, rev: str) -> Fix | None:
        if len(sa.graph.by_id.get(rev, [])) < 2:
            return None
        choice = await self.app.push_screen_wait(KeepDuplicateScreen(sa.graph, rev))
        if choice is None:
            return None
        if choice.remove:
            return await self.remove(sa, rev)
        return planner.keep_duplicate_fix(sa.graph, rev, choice.keep, choice.children)

    async def remove(self, sa: SetAnalysis, rev: str) -> Fix | None:
        if rev not in sa.graph.by_id:
            return None
        file = await self.app.push_screen_wait(RemoveScreen(sa.graph, rev))
        return planner.remove_fix(sa.graph, file) if file else None

    async def heads(self, sa: SetAnalysis, heads: list[str]) -> Fix | None:
        heads = [h for h in heads if h in sa.graph.by_id]
        if len(heads) < 2:
            return None
        choice = await self.app.push_screen_wait(HeadsScreen(sa.graph, heads))
        if choice is None:
            return None
        if choice.kind == "merge":
            return planner.merge_fix(sa.graph, choice.heads)
        return planner.linearize_fix(sa.graph, choice.head, choice.onto)

    async def loop(self, sa: SetAnalysis, problem: Problem) -> Fix | None:
        default = planner.default_fix(problem, sa)
        suggested = default.revision if default is not None else None
        file = await self.app.push_screen_wait(LoopScreen(sa.graph, problem.revisions, suggested))
        if file is None:
            return None
        graph = sa.graph
        m = graph.by_rel[file]
        members = set(problem.revisions)
        options = suggest.rank_parents(graph, m, exclude=members)
        candidates = [Candidate(rev, graph.by_id[rev][0].message) for rev in graph.by_id if rev not in members]
        chosen = await self.app.push_screen_wait(ChooseParentScreen(
            f"Break the loop at {m.revision}: relink it onto…",
            f"{m.revision} names {', '.join(p for p in m.down_revision if p in members)} inside the loop.",
            options, candidates))
        if chosen is None:
            return None
        keep = tuple(p for p in m.down_revision if p not in members)
        loop = " -> ".join([*problem.revisions, problem.revisions[0]])
        return planner.break_cycle_fix(graph, file, tuple(dict.fromkeys((*keep, chosen))),
                                       alternatives=tuple(options[:5]),
                                       reason=f"down_revision looped ({loop}), which alembic rejects; "
                                              f"{m.revision} now follows {chosen} (chosen in chaintui).")


def _one_line(exc: BaseException) -> str:
    cause = getattr(exc, "error", None) or exc.__cause__ or exc
    text = str(cause).strip().splitlines()
    return text[0] if text else type(cause).__name__
