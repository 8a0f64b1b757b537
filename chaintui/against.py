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

import os
from dataclasses import dataclass, field
from pathlib import Path

from chaintui.analysis import Analysis, SetAnalysis
from chaintui.diagnosis import CODES as PLAIN_CODES
from chaintui.diagnosis import diagnose
from chaintui.errors import ChaintuiError
from chaintui.graph import RevisionGraph
from chaintui.model import ERROR, WARNING, Migration, MigrationSet, Problem
from chaintui.naming import detect_style, number_of
from chaintui.scanner import scan_bytes

#: The branch's migration revises a revision that is no longer REF's head: merging leaves two heads.
STALE_PARENT = "against-stale-parent"
#: The branch's migration declares a revision id that REF already has (another file).
DUPLICATE_REVISION = "against-duplicate-revision"
#: The branch's migration carries a number (`093_`) that one of REF's migrations carries.
DUPLICATE_NUMBER = "against-duplicate-number"
#: More than one of REF's heads descends from the branch's original parent: which one to follow?
AMBIGUOUS_HEAD = "against-ambiguous-head"
#: The branch's own migrations are not one chain from one parent: `fix --against` cannot move them.
NOT_ONE_CHAIN = "against-not-one-chain"
#: The branch changes (or deletes) a migration that REF already has.
EDITS_LANDED = "against-edits-landed"

CODES = (STALE_PARENT, DUPLICATE_REVISION, DUPLICATE_NUMBER, AMBIGUOUS_HEAD, NOT_ONE_CHAIN, EDITS_LANDED)
SEVERITY = {STALE_PARENT: ERROR, DUPLICATE_REVISION: ERROR, DUPLICATE_NUMBER: WARNING,
            AMBIGUOUS_HEAD: WARNING, NOT_ONE_CHAIN: WARNING, EDITS_LANDED: WARNING}

#: Ways to say "this branch's upstream"; with none configured there is nothing to compare with.
UPSTREAM_REFS = frozenset({"@{upstream}", "@{u}", "@{UPSTREAM}", "@{U}"})


class NoUpstream(ChaintuiError):
    """`--against @{upstream}` on a branch that has no upstream: nothing to compare with."""

    exit_code = 0


# --------------------------------------------------------------------------------------------
# git: refs, the fork point, trees and blobs (GitPython, never a checkout)


@dataclass(frozen=True)
class Points:
    """The commits a comparison is made between."""

    ref: str
    """REF as the user wrote it."""
    ref_sha: str
    head_sha: str
    fork_sha: str
    """`git merge-base HEAD REF`."""

    @property
    def merged_checkout(self) -> bool:
        """HEAD already contains REF (e.g. a pull request merged into its base by CI)."""
        return self.fork_sha == self.ref_sha and self.head_sha != self.ref_sha


class GitTrees:
    """Read-only access to the commits of the repository holding the project."""

    def __init__(self, root: Path) -> None:
        import git

        try:
            self.repo = git.Repo(root, search_parent_directories=True)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError):
            raise ChaintuiError(f"{root} is not in a git repository: --against compares git commits") from None
        if self.repo.working_tree_dir is None:
            raise ChaintuiError(f"{root} is a bare git repository: use a checkout")
        self.top = Path(self.repo.working_tree_dir).resolve()
        self._blobs: dict[str, bytes] = {}

    def _git(self, *args: str) -> str:
        import git

        try:
            return self.repo.git.execute(["git", *args], strip_newline_in_stdout=False)
        except git.GitCommandError as exc:
            lines = [l.strip() for l in str(exc.stderr or "").splitlines() if l.strip().strip("'")]
            detail = lines[-1].strip("'") if lines else f"exit {exc.status}"
            raise ChaintuiError(f"git {args[0]} failed: {detail[:200]}") from None

    def resolve(self, ref: str) -> str:
        try:
            return self._git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}").strip()
        except ChaintuiError:
            if ref in UPSTREAM_REFS:
                raise NoUpstream("no upstream branch is configured: nothing to compare with "
                                 "(git branch --set-upstream-to origin/main)") from None
            raise ChaintuiError(f"{ref}: no such git ref (is it fetched? in CI, check out with "
                                "fetch-depth: 0)") from None

    def points(self, ref: str) -> Points:
        ref_sha = self.resolve(ref)
        try:
            head_sha = self.repo.head.commit.hexsha
        except ValueError:
            raise ChaintuiError("the repository has no commits yet: nothing to compare with") from None
        try:
            fork = self._git("merge-base", head_sha, ref_sha).strip()
        except ChaintuiError:  # exit 1: no common ancestor
            fork = ""
        if not fork:
            if self._git("rev-parse", "--is-shallow-repository").strip() == "true":
                raise ChaintuiError(f"this is a shallow clone: HEAD and {ref} have no fork point in it; "
                                    "fetch full history (git fetch --unshallow; in CI, fetch-depth: 0)")
            raise ChaintuiError(f"HEAD and {ref} share no history: no fork point to compare from")
        if ref in UPSTREAM_REFS:  # name it: `origin/main` says more than `@{upstream}`
            ref = self._git("rev-parse", "--abbrev-ref", ref).strip() or ref
        return Points(ref, ref_sha, head_sha, fork)

    def tree(self, sha: str, dirs: list[str]) -> dict[str, str]:
        """Path (relative to the top of the work tree) -> blob sha, of every file under `dirs`."""
        out = self._git("ls-tree", "-r", "-z", "--full-tree", sha, "--", *dirs)
        result = {}
        for entry in out.split("\0"):
            if not entry:
                continue
            meta, _, path = entry.partition("\t")
            mode, kind, blob = meta.split()
            if kind == "blob":
                result[path] = blob
        return result

    def changed_since(self, sha: str, dirs: list[str]) -> set[str]:
        """Tracked paths whose working-tree content differs from commit `sha`."""
        out = self._git("diff", "--name-only", "-z", "--no-renames", "--no-ext-diff", sha, "--", *dirs)
        return {p for p in out.split("\0") if p}

    def blob(self, sha: str) -> bytes:
        if sha not in self._blobs:
            self._blobs[sha] = self.repo.odb.stream(bytes.fromhex(sha)).read()
        return self._blobs[sha]

    def toprel(self, path: Path) -> str:
        try:
            rel = Path(os.path.realpath(path)).relative_to(self.top).as_posix()
        except ValueError:
            raise ChaintuiError(f"{path} is outside the git work tree {self.top}") from None
        return rel


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

    def rel_of(path: str) -> str:
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
    sc.problems = _problems(sc, points, {rel_of(p) for p in branch_changed}, id_style)
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


# --------------------------------------------------------------------------------------------
# problems


def _problem(code: str, message: str, files: list[Migration] | list[str], revisions=(), line=None) -> Problem:
    rels = tuple(f.rel if isinstance(f, Migration) else f for f in files)
    return Problem(code, SEVERITY[code], message, tuple(dict.fromkeys(r for r in revisions if r)), rels, line)


def _key(problem: Problem) -> tuple:
    return problem.code, frozenset(problem.revisions), frozenset(problem.files)


def number_key(graph: RevisionGraph, id_style: str | None = None):
    """(source, function giving a migration's sequence number, (93, '') for `093_x`): source
    "id" when the ids are numbered (`093`, `093_add_x`), "file" when only the file names are
    (`093_<hex>_x.py`), None (and a function giving None) when the set is not numbered."""
    ids = list(graph.by_id)
    style = id_style or detect_style(ids)[0]
    if style == "numbered" and any(number_of(r) is not None for r in ids):
        return "id", lambda m: number_of(m.revision) if m.revision else None
    stems = [m.path.stem for m in graph.revisions]
    known = [n for n in (number_of(s) for s in stems) if n is not None]
    # File names that start with a number, nearly all distinct: a numbered style, not dates.
    if stems and len(known) * 2 > len(stems) and len(set(known)) * 10 >= len(known) * 9:
        return "file", lambda m: number_of(m.path.stem)
    return None, lambda m: None


def _problems(sc: SetComparison, points: Points, branch_rels: set[str],
              id_style: str | None = None) -> list[Problem]:
    ref_name = points.ref
    problems: list[Problem] = []
    own_ids = sc.own_ids
    own_by_id = {m.revision: m for m in sc.own if m.revision}

    # 1. heads the merge adds (the branch's migrations revise what is no longer REF's head)
    ref_heads = set(sc.ref.heads)
    ref_keys = {_key(p) for p in diagnose(sc.ref)}
    merged_problems = [p for p in diagnose(sc.merged) if _key(p) not in ref_keys]
    for p in merged_problems:
        if p.code != "multiple-heads":
            continue
        group = list(p.revisions)
        below = {g: (sc.merged.ancestors(g) | {g}) & ref_heads for g in group}
        covered = set().union(*below.values()) if below else set()
        if len(group) <= len(covered):
            continue  # as many heads as REF already has: not this branch's doing
        stale = [g for g in group if g in own_ids and not below[g]]
        for head in stale:
            root = _chain_root(sc, own_by_id, head)
            problems.append(_stale_problem(sc, root, head, ref_name))
        if not stale:
            mine = [m for g in group for m in sc.merged.by_id.get(g, []) if m.rel in branch_rels]
            problems.append(Problem(p.code, p.severity, p.message, p.revisions,
                                    tuple(m.rel for m in mine) or p.files, p.line))

    # 2. ids and numbers REF already uses
    landed = {m.rel for m in sc.landed}
    clash_ids = set()
    for m in sc.own:
        others = [r for r in sc.ref.by_id.get(m.revision, []) if r.rel != m.rel] if m.revision else []
        if others:
            clash_ids.add(m.revision)
            problems.append(_problem(
                DUPLICATE_REVISION,
                f"{m.name} declares revision {m.revision!r}, which {_where(others, landed, ref_name)} "
                f"also declares: after the merge alembic loads only one of them",
                [m], [m.revision], m.line_of("revision")))
    _, numbered = number_key(sc.ref, id_style)
    by_number: dict[tuple, list[Migration]] = {}
    for r in sc.ref.revisions:
        n = numbered(r)
        if n is not None:
            by_number.setdefault(n, []).append(r)
    for m in sc.own:
        n = numbered(m) if m.revision else None
        others = [r for r in by_number.get(n, []) if r.rel != m.rel and r.revision != m.revision] if n else []
        if others and m.revision not in clash_ids:
            problems.append(_problem(
                DUPLICATE_NUMBER,
                f"{m.name} has number {_fmt(n)}, which {_where(others, landed, ref_name)} also has",
                [m], [m.revision]))

    # Ids REF shares hide the second head (alembic keeps one file per id): still say where the
    # branch's chain would go once its ids are its own.
    if clash_ids and sc.chain and sc.ref_head and sc.ref_head != sc.parent \
            and not any(p.code == STALE_PARENT for p in problems):
        problems.append(_stale_problem(sc, sc.chain[0], sc.chain[-1].revision, ref_name))

    # 3. why `fix --against` could not move the branch's migrations
    if any(p.code in (STALE_PARENT, DUPLICATE_REVISION, DUPLICATE_NUMBER) for p in problems):
        if sc.chain_issue:
            problems.append(_problem(NOT_ONE_CHAIN, f"{sc.chain_issue}: `chaintui fix --against {ref_name}` "
                                     "cannot move them; relink them by hand", sc.own, sorted(own_ids)))
        elif sc.head_issue:
            problems.append(_problem(AMBIGUOUS_HEAD, f"{sc.head_issue}: `chaintui fix --against {ref_name}` "
                                     "cannot tell which to move after", [sc.chain[0]], [sc.chain[0].revision]))

    # 4. landed migrations the branch edits
    for rel, what in sc.edited:
        m = sc.work.by_rel.get(rel) or sc.ref.by_rel.get(rel)
        name = Path(rel).name
        if what == "adds":
            message = f"this branch and {ref_name} both add {name}, with different content (git will conflict)"
        elif what == "deletes":
            message = f"this branch deletes {name}, a migration {ref_name} has: databases that ran it keep its changes"
        elif rel in sc.ref_files:
            message = (f"this branch changes {name}, a migration {ref_name} already has: databases that ran it "
                       "will not run the change")
        else:
            message = f"this branch changes {name}, which {ref_name} deleted since the fork"
        problems.append(_problem(EDITS_LANDED, message, [rel], [m.revision if m else None]))

    # 5. anything else the merge would break that REF does not already have
    for p in merged_problems:
        if p.code == "multiple-heads":
            continue
        mine = tuple(f for f in p.files if f in branch_rels)
        if p.code in ("duplicate-revision", "duplicate-number") and len(mine) < len(p.files):
            continue  # reported above, naming the branch's file
        if not mine:
            continue
        problems.append(Problem(p.code, p.severity, p.message, p.revisions,
                                mine + tuple(f for f in p.files if f not in mine), p.line))
    order = {code: i for i, code in enumerate(CODES + PLAIN_CODES)}
    return sorted(problems, key=lambda p: (order.get(p.code, len(order)), p.files))


def _chain_root(sc: SetComparison, own_by_id: dict[str, Migration], head: str) -> Migration:
    """The first of the branch's migrations below `head` (the one whose parent is REF's)."""
    if sc.chain and head == sc.chain[-1].revision:
        return sc.chain[0]
    current = own_by_id[head]
    seen = {head}
    while True:
        below = [p for p in current.down_revision if p in own_by_id and p not in seen]
        if not below:
            return current
        seen.add(below[0])
        current = own_by_id[below[0]]


def _stale_problem(sc: SetComparison, root: Migration, head: str, ref: str) -> Problem:
    parents = [p for p in root.down_revision if p not in sc.own_ids]
    parent = parents[0] if parents else None
    after = []
    if parent is not None and parent in sc.ref:
        heads = set(sc.ref.heads)
        after = sorted(({parent} | sc.ref.descendants(parent)) & heads, key=sc.ref.order_key)
    landed_ids = {m.revision for m in sc.landed}
    since = [r for r in sc.ref.child_ids(parent)] if parent in sc.ref else []
    landed_on = [r for r in since if r in landed_ids]
    what = (f"no longer {ref}'s head ({ref} has since added {', '.join(landed_on)} on it)" if landed_on
            else f"not {ref}'s head ({', '.join(after) or 'no head'} {'is' if len(after) < 2 else 'are'})")
    fix = (f"; `chaintui fix --against {ref}` moves this branch's migrations after {after[0]}"
           if len(after) == 1 and sc.chain and sc.chain[0] is root else "")
    return _problem(
        STALE_PARENT,
        f"{root.name} revises {parent}, which is {what}: merging leaves two heads "
        f"({', '.join(after) or '?'} and this branch's {head}){fix}",
        [root], [root.revision, head], root.line_of("down_revision"))


def _where(others: list[Migration], landed: set[str], ref: str) -> str:
    names = ", ".join(m.name for m in others)
    since = " (landed since the fork)" if any(m.rel in landed for m in others) else ""
    return f"{ref}'s {names}{since}"


def _fmt(number: tuple[int, str]) -> str:
    return f"{number[0]}{number[1]}"
