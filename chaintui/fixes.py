"""Fix objects: one user decision each, turned into file edits (a ChangeSet) and one git commit.

The CLI and the TUI build and apply these very objects. A fix records *what was decided*
(revision, new parents, which duplicate to keep...), not bytes: `changes(graph)` computes the
edits against the files as they are now, so a fix planned earlier can be previewed and applied
later. Every edit goes through chaintui.rewrite (libcst), so all other bytes stay identical.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from chaintui.changes import ChangeSet, FileChange
from chaintui.errors import ChaintuiError
from chaintui.graph import RevisionGraph
from chaintui.merge_file import plain_style, render_merge
from chaintui.model import Migration
from chaintui.naming import is_valid_id, renamed_filename
from chaintui.suggest import Option

Reader = Callable[[Path], bytes]


def _rewrite():
    """chaintui.rewrite, imported when a fix is first built: libcst takes ~0.2 s to import and
    only the files a fix edits need it (a session or `check` that edits nothing never loads it)."""
    from chaintui import rewrite

    return rewrite


def _read_disk(path: Path) -> bytes:
    return path.read_bytes()


@dataclass(frozen=True)
class Fix:
    """Base of every fix kind. Subclasses set `kind` and implement `_build`."""

    kind: ClassVar[str] = ""

    revision: str
    """The revision the fix changes (for keep-duplicate: the shared id)."""
    file: str
    """The file it changes, relative to the project root."""
    set_name: str = ""
    """Which migration set (output of discovery) the fix belongs to."""
    reason: str = ""
    """Why: the problem this fixes, in one sentence."""
    alternatives: tuple[Option, ...] = ()
    """What else the user could have chosen, best first (the chosen one included)."""
    notes: tuple[str, ...] = ()
    """Extra lines for the commit body (warnings, stamp statements for deployed databases)."""
    relinks: tuple[tuple[str, tuple[str, ...]], ...] = ()
    """(file, new parents) for the other files this decision relinks in the same commit."""

    @property
    def summary(self) -> str:
        raise NotImplementedError

    @property
    def key(self) -> str:
        """Identifies the decision across re-plans (kind, set, revision, file): what a user who
        skips a step declines, so that re-planning leaves that problem to them."""
        return f"{self.kind}:{self.set_name}:{self.revision}:{self.file}"

    def changes(self, graph: RevisionGraph, read: Reader = _read_disk) -> ChangeSet:
        """The edits this fix makes to the files as they are now (nothing is written)."""
        changeset = ChangeSet(graph.mset.root)
        self._build(graph, changeset, read)
        return changeset

    def _build(self, graph: RevisionGraph, cs: ChangeSet, read: Reader) -> None:
        raise NotImplementedError

    def extra_json(self) -> dict[str, Any]:
        return {}

    def to_json(self) -> dict[str, Any]:
        data = {"kind": self.kind, "summary": self.summary, "revision": self.revision, "file": self.file}
        data.update(self.extra_json())
        if self.relinks:
            data["relinks"] = {file: list(parents) for file, parents in self.relinks}
        data["reason"] = self.reason
        if self.alternatives:
            data["alternatives"] = [
                {"value": o.value, "score": round(o.score, 3), "reasons": list(o.reasons)}
                for o in self.alternatives
            ]
        if self.notes:
            data["notes"] = list(self.notes)
        return data

    def commit_message(self) -> str:
        body = [self.reason or f"Apply {self.kind}."]
        if self.alternatives and len(self.alternatives) > 1:
            body.append("")
            body.append("Alternatives that were offered:")
            for option in self.alternatives[:5]:
                body.append(f"- {option.describe()}")
        if self.notes:
            body.append("")
            body.extend(self.notes)
        return f"chaintui: {self.summary}\n\n" + "\n".join(body) + f"\n\nChaintui-Fix: {self.kind}\n"


# --------------------------------------------------------------------------------------------
# helpers


def _migration(graph: RevisionGraph, rel: str) -> Migration:
    m = graph.by_rel.get(rel)
    if m is None:
        raise ChaintuiError(f"{rel}: no such migration file (was it changed since the plan?)")
    return m


def _edit(cs: ChangeSet, graph: RevisionGraph, rel: str, read: Reader,
          edit: Callable[[bytes], bytes], new_rel: str | None = None) -> None:
    path = graph.mset.root / rel
    original = read(path)
    current = cs.current(rel, original)
    cs.add(FileChange(rel, original, edit(current), new_rel))


def _apply_relinks(fix: Fix, cs: ChangeSet, graph: RevisionGraph, read: Reader) -> None:
    for file, parents in fix.relinks:
        _migration(graph, file)
        _edit(cs, graph, file, read, lambda src, p=parents: _rewrite().set_parents(src, p))


def _replace_parent(parents: tuple[str, ...], old: str, new: tuple[str, ...]) -> tuple[str, ...]:
    result: list[str] = []
    for parent in parents:
        for item in (new if parent == old else (parent,)):
            if item not in result:
                result.append(item)
    return tuple(result)


# --------------------------------------------------------------------------------------------
# fix kinds


@dataclass(frozen=True)
class Relink(Fix):
    """Point `revision` (in `file`) at new parents: one parent, or several (a merge point)."""

    kind: ClassVar[str] = "relink"
    parents: tuple[str, ...] = ()

    @property
    def summary(self) -> str:
        onto = " + ".join(self.parents) if self.parents else "nothing (a base)"
        return f"relink {self.revision} onto {onto}"

    def extra_json(self) -> dict[str, Any]:
        return {"parents": list(self.parents)}

    def _build(self, graph, cs, read):
        _migration(graph, self.file)
        _edit(cs, graph, self.file, read, lambda src: _rewrite().set_parents(src, self.parents))
        _apply_relinks(self, cs, graph, read)


@dataclass(frozen=True)
class BreakCycle(Relink):
    """Relink one member of a loop onto a revision outside it."""

    kind: ClassVar[str] = "break-cycle"

    @property
    def summary(self) -> str:
        return f"break the loop at {self.revision}: relink it onto {' + '.join(self.parents)}"


@dataclass(frozen=True)
class Linearize(Relink):
    """Put one head's branch after another head, so the history is a line again."""

    kind: ClassVar[str] = "linearize"

    @property
    def summary(self) -> str:
        also = f" (and {len(self.relinks)} more relink{'s' if len(self.relinks) > 1 else ''})" if self.relinks else ""
        return f"linearize: put {self.revision} after {' + '.join(self.parents)}{also}"


@dataclass(frozen=True)
class KeepDuplicate(Fix):
    """Keep one of the files that share an id; give each other one a new id (and file name),
    and relink what the decision moves (the renamed files' positions, the children that meant
    them) - all in `relinks`, computed by the planner or the builder from the intended order."""

    kind: ClassVar[str] = "keep-duplicate"
    keep: str = ""
    """The file that keeps the id."""
    renamed: tuple[tuple[str, str], ...] = ()
    """(file, new id) for every other file sharing the id."""
    children: tuple[tuple[str, str], ...] = ()
    """(child file, the file it meant) for each child that named the shared id."""

    @property
    def summary(self) -> str:
        keep_name = Path(self.keep).name
        others = ", ".join(f"{Path(f).name} -> {new}" for f, new in self.renamed)
        if not self.renamed:
            return f"keep {keep_name} as {self.revision}"
        return f"keep {keep_name} as {self.revision}; renumber {others}"

    def extra_json(self) -> dict[str, Any]:
        return {
            "keep": self.keep,
            "renamed": {file: new for file, new in self.renamed},
            "children": {child: meant for child, meant in self.children},
        }

    def _build(self, graph, cs, read):
        for file, new_id in self.renamed:
            if not is_valid_id(new_id):
                raise ChaintuiError(f"{new_id!r} is not a valid alembic revision id")
            if new_id in graph.by_id:
                raise ChaintuiError(f"revision {new_id!r} already exists")
            m = _migration(graph, file)
            new_rel = str(Path(file).with_name(renamed_filename(m.name, m.revision, new_id)).as_posix())
            if new_rel != file and (graph.mset.root / new_rel).exists():
                raise ChaintuiError(f"{new_rel} already exists")
            _edit(cs, graph, file, read, lambda src, n=new_id: _rewrite().set_revision(src, n),
                  new_rel if new_rel != file else None)
        _apply_relinks(self, cs, graph, read)


@dataclass(frozen=True)
class Remove(Fix):
    """Delete a revision file; its children are relinked onto its parents."""

    kind: ClassVar[str] = "remove"
    parents: tuple[str, ...] = ()
    """What the removed revision's children are relinked onto (its own parents)."""

    @property
    def summary(self) -> str:
        return f"remove {Path(self.file).name} ({self.revision})"

    def extra_json(self) -> dict[str, Any]:
        return {"parents": list(self.parents)}

    def _build(self, graph, cs, read):
        m = _migration(graph, self.file)
        original = read(graph.mset.root / self.file)
        cs.add(FileChange(self.file, original, None))
        if self.relinks:
            _apply_relinks(self, cs, graph, read)
            return
        if len(graph.by_id.get(self.revision, [])) > 1:
            return  # another file keeps the id: children keep naming it
        for child in graph.children_of(self.revision):
            if child.rel == m.rel:
                continue
            parents = _replace_parent(child.down_revision, self.revision, self.parents)
            _edit(cs, graph, child.rel, read, lambda src, p=parents: _rewrite().set_parents(src, p))


@dataclass(frozen=True)
class SyncHeader(Fix):
    """Make the docstring's `Revision ID:` / `Revises:` say what the variables say."""

    kind: ClassVar[str] = "sync-header"

    @property
    def summary(self) -> str:
        return f"sync the header of {Path(self.file).name} with its variables"

    def _build(self, graph, cs, read):
        m = _migration(graph, self.file)

        def edit(src: bytes) -> bytes:
            src = _rewrite().set_header(src, "Revision ID", m.revision)
            return _rewrite().set_header(src, "Revises", _rewrite().header_revises(m.down_revision))

        _edit(cs, graph, self.file, read, edit)


@dataclass(frozen=True)
class RenameFile(Fix):
    """Rename a file to match the revision it declares."""

    kind: ClassVar[str] = "rename-file"
    new_file: str = ""

    @property
    def summary(self) -> str:
        return f"rename {Path(self.file).name} to {Path(self.new_file).name}"

    def extra_json(self) -> dict[str, Any]:
        return {"new_file": self.new_file}

    def _build(self, graph, cs, read):
        _migration(graph, self.file)
        if (graph.mset.root / self.new_file).exists():
            raise ChaintuiError(f"{self.new_file} already exists")
        _edit(cs, graph, self.file, read, lambda src: src, self.new_file)


@dataclass(frozen=True)
class Renumber(Fix):
    """Give revisions new ids (e.g. a sequential renumbering): files, parents and headers follow."""

    kind: ClassVar[str] = "renumber"
    mapping: tuple[tuple[str, str], ...] = ()
    """(file, new id) for each renumbered file."""

    @property
    def summary(self) -> str:
        return f"renumber {len(self.mapping)} revisions sequentially"

    def extra_json(self) -> dict[str, Any]:
        return {"renamed": {file: new for file, new in self.mapping}}

    def _build(self, graph, cs, read):
        by_file = dict(self.mapping)
        old_to_new: dict[str, str] = {}
        for file, new_id in self.mapping:
            if not is_valid_id(new_id):
                raise ChaintuiError(f"{new_id!r} is not a valid alembic revision id")
            old_to_new[_migration(graph, file).revision] = new_id
        final_ids = [old_to_new.get(m.revision, m.revision) for m in graph.revisions]
        if len(set(final_ids)) != len(final_ids):
            raise ChaintuiError("the renumbering would make two revisions share an id")
        for m in graph.revisions:
            parents = tuple(old_to_new.get(p, p) for p in m.down_revision)
            new_id = by_file.get(m.rel)
            if new_id is None and parents == m.down_revision:
                continue
            new_rel = None
            if new_id is not None and new_id != m.revision:
                new_rel = Path(m.rel).with_name(renamed_filename(m.name, m.revision, new_id)).as_posix()

            def edit(src: bytes, n=new_id, p=parents, changed=parents != m.down_revision) -> bytes:
                if n is not None:
                    src = _rewrite().set_revision(src, n)
                return _rewrite().set_parents(src, p) if changed else src

            _edit(cs, graph, m.rel, read, edit, new_rel)


@dataclass(frozen=True)
class MergeHeads(Fix):
    """Write a merge revision, rendered from the project's own `script.py.mako`."""

    kind: ClassVar[str] = "merge-heads"
    parents: tuple[str, ...] = ()
    message: str = "merge heads"
    create_date: str = ""
    """Fixed at planning time, so the preview and the commit show the same file."""

    @property
    def summary(self) -> str:
        return f"merge heads {' + '.join(self.parents)} as {self.revision}"

    def extra_json(self) -> dict[str, Any]:
        return {"parents": list(self.parents)}

    def _build(self, graph, cs, read):
        if self.revision in graph.by_id:
            raise ChaintuiError(f"revision {self.revision!r} already exists")
        if (graph.mset.root / self.file).exists():
            raise ChaintuiError(f"{self.file} already exists")
        data = render_merge(graph, self.revision, self.parents, self.message, self.create_date)
        parents = [m for p in self.parents for m in graph.by_id.get(p, ())]
        if parents and all(m.fields.get("revision") and m.fields["revision"].raw and
                           plain_style(m) for m in parents):
            data = _rewrite().plain_assignments(data)  # the style of the migrations it merges
        cs.add(FileChange(self.file, None, data))


FIX_KINDS: dict[str, type[Fix]] = {
    cls.kind: cls
    for cls in (Relink, BreakCycle, Linearize, KeepDuplicate, Remove, SyncHeader, RenameFile,
                Renumber, MergeHeads)
}
