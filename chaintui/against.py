"""`check --against REF`: what merging this branch into REF would break, read from git objects.

Three states of every migration file are compared, each read without a checkout:
- the *fork point*, `git merge-base HEAD REF` (what the branch started from),
- *REF* (e.g. `origin/main`: what landed since),
- the *working tree* (the branch, uncommitted changes included).
The branch's own migrations are the files it added since the fork point; its changes to files
that existed there are edits of landed migrations. The merge is simulated file by file (the
branch's version of what it changed, REF's of what REF changed) and diagnosed next to REF's own
history: only what the branch adds is reported, so a REF that is already broken does not fail
every pull request, and edits that landed on REF after the fork are never blamed on the branch.
In a pull-request checkout that is already the branch merged into REF (GitHub's
`refs/pull/N/merge`), the fork point is REF itself and the branch's own migrations are what
HEAD adds over REF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chaintui.against_git import UPSTREAM_REFS, GitTrees, NoUpstream, Points
from chaintui.against_problems import (AMBIGUOUS_HEAD, CODES, DUPLICATE_NUMBER, DUPLICATE_REVISION,
                                       EDITS_LANDED, NOT_ONE_CHAIN, SEVERITY, STALE_PARENT,
                                       find_problems, number_key)
from chaintui.analysis import Analysis, SetAnalysis
from chaintui.graph import RevisionGraph
from chaintui.model import Migration, MigrationSet, Problem
from chaintui.scanner import scan_bytes

__all__ = ["AMBIGUOUS_HEAD", "CODES", "DUPLICATE_NUMBER", "DUPLICATE_REVISION", "EDITS_LANDED",
           "NOT_ONE_CHAIN", "SEVERITY", "STALE_PARENT", "UPSTREAM_REFS", "Comparison", "GitTrees",
           "NoUpstream", "Points", "SetComparison", "compare", "number_key"]


# --------------------------------------------------------------------------------------------
# the comparison


@dataclass
class SetComparison:
    """One migration set: the branch, REF, and their simulated merge."""

    mset: MigrationSet
    work: RevisionGraph
    """The working tree (the branch)."""
    ref: RevisionGraph
    """REF's migrations."""
    merged: RevisionGraph
    """What merging the branch into REF would give."""
    own: list[Migration]
    """The files the branch added since the fork point (working-tree versions)."""
    landed: list[Migration]
    """The files REF added since the fork point."""
    edited: list[tuple[str, str]]
    """(file, what the branch did: "changes", "deletes", "adds") for each migration REF has or
    had at the fork point."""
    ref_files: frozenset[str]
    """Every migration file REF holds (project-relative): files a fix must never touch."""
    chain: list[Migration] | None = None
    """The branch's own migrations from the first to the last, when they are one chain."""
    chain_issue: str | None = None
    parent: str | None = None
    """The revision the branch's first migration revises (its original parent)."""
    ref_head: str | None = None
    """REF's head that descends from `parent` (the one to move after), when there is one."""
    head_issue: str | None = None
    problems: list[Problem] = field(default_factory=list)

    @property
    def own_ids(self) -> set[str]:
        return {m.revision for m in self.own if m.revision}

    @property
    def stale(self) -> bool:
        """The branch's migrations must move: they revise what is no longer REF's head."""
        return any(p.code == STALE_PARENT for p in self.problems)

    @property
    def collides(self) -> bool:
        return any(p.code in (DUPLICATE_REVISION, DUPLICATE_NUMBER) for p in self.problems)


@dataclass
class Comparison:
    """`check --against REF` for a whole project."""

    analysis: Analysis
    points: Points
    sets: list[SetComparison]

    @property
    def ref(self) -> str:
        return self.points.ref

    @property
    def problems(self) -> list[Problem]:
        return [p for s in self.sets for p in s.problems]

    @property
    def has_errors(self) -> bool:
        return any(p.is_error for p in self.problems)


def compare(analysis: Analysis, ref: str, *, id_style: str | None = None) -> Comparison:
    """Compare the working tree of `analysis`'s project with `ref` (nothing is written).

    `id_style` is the project's `[tool.chaintui] id-style` ("numbered" or "hex"; None: detected).
    """
    trees = GitTrees(analysis.root)
    points = trees.points(ref)
    sets = [_compare_set(trees, points, sa, id_style) for sa in analysis.sets]
    return Comparison(analysis, points, sets)


def _is_migration(path: str, dirs: list[str], recursive: bool) -> bool:
    folder, _, name = path.rpartition("/")
    if not name.endswith(".py") or name == "__init__.py" or name.startswith("."):
        return False
    for d in dirs:
        base = "" if d == "." else d
        if recursive:
            if (not base or folder == base or folder.startswith(base + "/")) and "__pycache__" not in folder.split("/"):
                return True
        elif folder == base:
            return True
    return False


def _compare_set(trees: GitTrees, points: Points, sa: SetAnalysis, id_style: str | None) -> SetComparison:
    mset, work = sa.mset, sa.graph
    dirs = [trees.toprel(d) or "." for d in mset.version_dirs]
    fork_tree = {p: s for p, s in trees.tree(points.fork_sha, dirs).items() if _is_migration(p, dirs, mset.recursive)}
    ref_tree = {p: s for p, s in trees.tree(points.ref_sha, dirs).items() if _is_migration(p, dirs, mset.recursive)}
    in_work: dict[str, Migration] = {}
    folders: dict[Path, str] = {}
    for m in work.migrations:
        folder = m.path.parent
        if folder not in folders:
            folders[folder] = trees.toprel(folder)
        base = folders[folder]
        in_work[f"{base}/{m.path.name}" if base not in ("", ".") else m.path.name] = m

    root_prefix = trees.toprel(mset.root)
    root_prefix = "" if root_prefix == "." else root_prefix + "/"

    def rel_of(path: str) -> str:
        """Project-relative, like Migration.rel (without resolving each of REF's files)."""
        if path.startswith(root_prefix):
            return path[len(root_prefix):]
        return mset.rel(trees.top / path)

    added = set(in_work) - set(fork_tree)
    deleted = set(fork_tree) - set(in_work)
    modified = trees.changed_since(points.fork_sha, dirs) & set(fork_tree) & set(in_work)
    landed = set(ref_tree) - set(fork_tree)
    ref_modified = {p for p in set(fork_tree) & set(ref_tree) if fork_tree[p] != ref_tree[p]}
    ref_changed = landed | ref_modified | (set(fork_tree) - set(ref_tree))
    # What the branch "changed" to exactly REF's bytes (a cherry-pick, a merge of REF) is REF's.
    for p in list((added & landed) | (modified & ref_modified)):
        if trees.blob(ref_tree[p]) == in_work[p].path.read_bytes():
            added.discard(p)
            modified.discard(p)
    branch_changed = added | deleted | modified

    parsed: dict[str, Migration] = {}

    def ref_version(path: str) -> Migration:
        if path not in ref_changed and path not in branch_changed:
            return in_work[path]
        if path not in parsed:
            parsed[path] = Migration(path=trees.top / path, rel=rel_of(path), **scan_bytes(trees.blob(ref_tree[path])))
        return parsed[path]

    ref_migrations = [ref_version(p) for p in sorted(ref_tree)]
    merged_migrations = []
    for p in sorted(set(in_work) | set(ref_tree)):
        if p in branch_changed or p not in ref_changed:
            m = in_work.get(p)
        else:
            m = ref_version(p) if p in ref_tree else None
        if m is not None:
            merged_migrations.append(m)

    edited = []
    for p in sorted(modified | deleted | (added & set(ref_tree))):
        if p in modified:
            edited.append((rel_of(p), "changes"))
        elif p in deleted and p in ref_tree:
            edited.append((rel_of(p), "deletes"))
        elif p in added:
            edited.append((rel_of(p), "adds"))
    sc = SetComparison(
        mset=mset, work=work,
        ref=RevisionGraph(mset, ref_migrations),
        merged=RevisionGraph(mset, merged_migrations),
        own=[in_work[p] for p in sorted(added - set(ref_tree), key=lambda p: in_work[p].rel)],
        landed=[ref_version(p) for p in sorted(landed)],
        edited=edited,
        ref_files=frozenset(rel_of(p) for p in ref_tree),
    )
    _chain(sc)
    _ref_head(sc, points.ref)
    sc.problems = find_problems(sc, points, {rel_of(p) for p in branch_changed}, id_style)
    return sc


# --------------------------------------------------------------------------------------------
# the branch's chain and REF's head


def _chain(sc: SetComparison) -> None:
    """Order the branch's own migrations as one chain, or say why they are not one."""
    own = [m for m in sc.own if m.revision is not None]
    if not own:
        return
    ids = [m.revision for m in own]
    names = ", ".join(m.name for m in own)
    if len(own) != len(sc.own):
        sc.chain_issue = "some of this branch's migrations cannot be read"
        return
    if len(set(ids)) != len(ids):
        sc.chain_issue = f"this branch's migrations share an id ({names})"
        return
    idset = set(ids)
    roots = [m for m in own if not m.down_revision or any(p not in idset for p in m.down_revision)]
    if len(roots) != 1:
        starts = ", ".join(m.name for m in roots) or "none"
        sc.chain_issue = f"this branch's migrations are not one chain (they start at {starts})"
        return
    root = roots[0]
    if len(root.down_revision) != 1:
        what = "is a base" if not root.down_revision else f"revises {len(root.down_revision)} revisions"
        sc.chain_issue = f"this branch's first migration {root.name} {what}"
        return
    order = [root]
    while True:
        children = [m for m in own if order[-1].revision in m.down_revision]
        if not children:
            break
        if len(children) > 1 or len(children[0].down_revision) != 1:
            sc.chain_issue = f"this branch's migrations branch at {order[-1].name}: they are not one chain"
            return
        order.append(children[0])
    if len(order) != len(own):
        sc.chain_issue = "this branch's migrations are not one chain"
        return
    sc.chain = order
    sc.parent = root.down_revision[0]


def _ref_head(sc: SetComparison, ref: str) -> None:
    """REF's head that descends from the branch's original parent (the one to move after)."""
    if sc.parent is None:
        return
    graph = sc.ref
    if sc.parent not in graph:
        sc.head_issue = f"{sc.parent} (which this branch's first migration revises) is not on {ref}"
        return
    heads = set(graph.heads)
    found = sorted(({sc.parent} | graph.descendants(sc.parent)) & heads, key=graph.order_key)
    if len(found) == 1:
        sc.ref_head = found[0]
    elif not found:
        sc.head_issue = f"no head of {ref} descends from {sc.parent}"
    else:
        sc.head_issue = f"{ref} has {len(found)} heads after {sc.parent} ({', '.join(found)})"
