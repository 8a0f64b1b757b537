"""Mine real broken Alembic histories from a project's git history, each beside the commit its
maintainers fixed it with, in the format of the real-broken judge (`eval.py`: cases.json +
cases.tar.xz holding `cases/<id>/versions/` at each broken commit).

    python benchmarks/mine_real.py GITDIR --path api/migrations/versions [--branch main]
        [--repo owner/name] [--out /work/realbroken-mine] [--tag -sqlite] [--max-cases 8]
        [--judge ../shared/realbroken-sample/eval.py] [--dry-run]

GITDIR is a git directory (a bare mirror is enough: nothing is checked out). The first-parent
history of BRANCH is walked, restricted to the commits that change PATH, and the folder's
migration files (top-level `*.py`, as alembic loads them) are read statically at every such
commit (mine_graph.py). A case is a commit F at which the folder is whole again (no error
left) after the previous touching commit P (the broken state) had one; F is the maintainers'
fix. Skipped, with the reason written to skipped.json: a fix that deletes or adds many files
(the folder was squashed, reset or moved — churn, not a repair), one that changes no revision id
or `down_revision` (the problem went away some other way), one that leaves errors behind (the
judge compares head and base counts with the maintainers' result, so that must be whole), and
with --judge one whose maintainers' result the judge itself cannot load (mine_judge.py).

Re-running for the same repository and path replaces that pair's cases; other cases are kept.
The mined data is other projects' code: write it outside this repository.
"""

from __future__ import annotations

import argparse
import ast
import difflib
import io
import json
import os
import re
import sys
import tarfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from mine_git import Git, rel_name, replay, walk  # noqa: E402  (same folder)
from mine_graph import ERRORS, Mig, State, analyse  # noqa: E402
from mine_judge import unjudgeable  # noqa: E402
from mine_policy import policy_quotes  # noqa: E402

CHURN_DELETED, CHURN_ADDED = 5, 5      # more than this many files deleted (and > 10 %) or added
REGENERATED = 0.9                      # a deleted file's code found again in a new file: same migration


def graph_of(git: Git, files: dict[str, str]) -> State:
    return analyse({name: git.mig(blob) for name, blob in files.items()})


def diff_renames(git: Git, a: str, b: str, path: str | None) -> dict[str, str]:
    """old path -> new path of the files git sees renamed between commits a and b (under path)"""
    out = git("diff", "--name-status", "-M", a, b, *(["--", path + "/"] if path else []))
    return {p[1]: p[2] for p in (ln.split("\t") for ln in out.splitlines()) if p[0].startswith("R")}


def fixed_files_map(git: Git, before: dict[str, str], after: dict[str, str], renamed: dict[str, str],
                    sp: State) -> dict[str, str | None]:
    """each broken-state file -> its file at the fix, or None when the maintainers deleted it.
    Followed: git's renames; a file deleted and re-added under another name with the same id, or
    with a new id but the same words in its name (`0046_x_y.py` -> `0047_x_y.py`), or with a new
    id and the same migration code (regenerated)."""
    mapping, used = {}, set()
    for name in sorted(before):
        target = name if name in after else renamed.get(name)
        if target in after and target not in used:
            mapping[name] = target; used.add(target)
    added = [n for n in sorted(after) if n not in used and n not in before]
    for name in sorted(before):
        if name in mapping:
            continue
        rev = sp.files[name].revision
        same = [n for n in added if n not in used and git.mig(after[n]).revision == rev]
        if rev and len(same) == 1 and sum(m.revision == rev for m in sp.files.values()) == 1:
            mapping[name] = same[0]; used.add(same[0]); continue
        words = slug(name, rev)
        named = [n for n in added if n not in used and words and slug(n, git.mig(after[n]).revision) == words]
        if len(named) == 1:
            mapping[name] = named[0]; used.add(named[0]); continue
        mine = body_lines(git.blob(before[name]))
        scored = sorted((difflib.SequenceMatcher(None, mine, body_lines(git.blob(after[n])),
                                                 autojunk=False).ratio(), n)
                        for n in added if n not in used and len(git.mig(after[n]).down) < 2)
        if mine and scored and scored[-1][0] >= REGENERATED:
            mapping[name] = scored[-1][1]; used.add(scored[-1][1])
        else:
            mapping[name] = None
    return mapping


def slug(name: str, rev: str | None) -> str:
    """a file name's words without its id, number or date: `0046_graph_edge_hint_source.py` and
    `0047_graph_edge_hint_source.py` name one migration (empty when fewer than two words)"""
    stem = name[:-3].replace(rev or "\0", " ")
    words = [w for w in re.split(r"[^A-Za-z0-9]+", stem.lower())
             if w and not w.isdigit() and not re.fullmatch(r"[0-9a-f]{8,}", w)]
    return "_".join(words) if len(words) >= 2 else ""


def body_lines(data: bytes) -> list[str]:
    """a migration's code without its docstring, imports and revision variables, formatting
    normalized (ast.unparse; runs of blanks, also inside strings, as one space), so a regenerated
    copy compares equal to its original"""
    src = data.decode("utf-8", errors="replace")
    try:
        nodes = ast.parse(src).body
    except SyntaxError:
        return [ln.strip() for ln in src.splitlines()
                if ln.strip() and not re.match(r"(revision|down_revision|branch_labels|depends_on)\b", ln)]
    out = []
    for n in nodes:
        names = {t.id for t in getattr(n, "targets", [getattr(n, "target", None)]) if isinstance(t, ast.Name)}
        if (isinstance(n, (ast.Import, ast.ImportFrom)) or names & {"revision", "down_revision",
                "branch_labels", "depends_on"} or (isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant))):
            continue
        out.extend(re.sub(r"(\s|\\n|\\t)+", " ", ln).strip() for ln in ast.unparse(n).splitlines())
    return out


def entry(m: Mig) -> dict:
    return {"revision": m.revision, "down_revision": list(m.down)}


def settle(git: Git, args, commits, graphs, states, i: int) -> tuple[int | None, str]:
    """the commit that completes the fix at i: i itself, or — when i moved a migration out of the
    folder (ckan once moved one to the wrong place and put it back minutes later) — the later
    commit, within three days, at which every moved-out revision is back and nothing is broken"""
    before, after = states[i - 1], states[i]
    gone = [n for n in before if n not in after]
    if not gone:
        return i, ""
    moved = {old for old, new in diff_renames(git, commits[i - 1].sha, commits[i].sha, None).items()
             if old.startswith(args.path + "/") and old[len(args.path) + 1:] in gone
             and rel_name(new, args.path) is None}
    if not moved:
        return i, ""
    revs = {git.mig(before[m[len(args.path) + 1:]]).revision for m in moved}
    for k in range(i + 1, min(i + 6, len(commits))):
        if commits[k].commit_date - commits[i].commit_date > 3 * 86400 or graphs[k].errors:
            break
        if revs <= {git.mig(b).revision for b in states[k].values()}:
            return k, ""
    return None, f"{len(moved)} migration(s) moved out of the versions folder, not back within 3 days"


def build_case(git, args, commits, states, landings, graphs, i) -> tuple[dict | None, str]:
    """the case fixed at commit i, or (None, why it is skipped)"""
    sp = graphs[i - 1]
    gone = sp.errors - graphs[i].errors
    if graphs[i].errors:
        return None, f"errors left after the fix: {sorted(graphs[i].errors)}"
    if not states[i]:
        return None, "the folder was emptied or moved"
    k, why = settle(git, args, commits, graphs, states, i)
    if k is None:
        return None, why
    fix, broken, sf = commits[k], commits[i - 1], graphs[k]
    before, after = states[i - 1], states[k]
    renamed = {o[len(args.path) + 1:]: n[len(args.path) + 1:]
               for o, n in diff_renames(git, broken.sha, fix.sha, args.path).items()}
    replaced = [n for n in before if n not in after and renamed.get(n) not in after]
    if len(replaced) > CHURN_DELETED and len(replaced) > 0.1 * len(before):
        return None, f"churn: {len(replaced)} of {len(before)} files deleted"
    if len(replaced) >= 3 and len(replaced) >= 0.5 * len(before):
        return None, f"churn: history rewritten, {len(replaced)} of {len(before)} files replaced"
    mapping = fixed_files_map(git, before, after, renamed, sp)
    new = sorted(set(after) - set(mapping.values()))
    if len(new) > CHURN_ADDED:
        return None, f"churn: {len(new)} files added"
    changed = []
    for name in sorted(before):
        t, old = mapping[name], sp.files[name]
        if t is None:
            changed.append(["delete", name]); continue
        now = sf.files[t]
        if now.revision != old.revision:
            changed.append(["renumber", name])
        if now.down != old.down:
            changed.append(["relink", name])
    changed += [["merge", n] for n in new if len(sf.files[n].down) > 1]
    if not changed:
        return None, "no revision id or down_revision changed (resolved some other way)"
    if gone == {"parse-error"}:
        return None, "only a parse error, fixed by editing the file"
    j = i - 1
    while j > 0 and graphs[j - 1].errors & gone:
        j -= 1
    kinds = set(sp.errors) - sp.derived
    problems = [p for p in sp.problems if p[0] in ERRORS]
    dn_after = {num for num, _ in dict(sf.problems).get("duplicate-number", [])}
    dn = [g for g in dict(sp.problems).get("duplicate-number", []) if g[0] not in dn_after]
    if dn:
        problems.append(["duplicate-number", dn]); kinds.add("duplicate-number")
    order = {name: (landings[i - 1][name], name) for name in before}
    name = args.repo.split("/")[-1]
    return {
        "id": f"{name}-{fix.sha[:8]}{args.tag}", "repo": args.repo, "branch": args.branch,
        "path": args.path, "broken_commit": broken.sha, "first_broken_commit": commits[j].sha,
        "fix_commit": fix.sha, "fix_subject": fix.subject,
        "fix_url": f"https://github.com/{args.repo}/commit/{fix.sha}",
        "broken_days": round((fix.commit_date - commits[j].commit_date) / 86400, 1),
        "kinds": [k for k in (*ERRORS, "duplicate-number") if k in kinds],
        "problems": problems,
        "heads_at_broken": sp.heads, "bases_at_broken": sp.bases,
        "heads_at_fix": sf.heads, "bases_at_fix": sf.bases,
        "problems_left_at_fix": [],
        "landing": [{"file": n, **commits[order[n][0]].meta()} for n in sorted(before, key=order.get)],
        "fixed_parents": {sf.files[n].revision: list(sf.files[n].down) for n in sorted(after)},
        "fixed_files": {n: (None if t is None else {"file": t, **entry(sf.files[t])})
                        for n, t in sorted(mapping.items())},
        "new_files_at_fix": {n: entry(sf.files[n]) for n in new},
        "maintainers_action": changed[0][0] if len({c[0] for c in changed}) == 1 else "mixed",
        "maintainers_changed": changed,
        "policy": policy_quotes(git, fix.sha),
    }, ""


def cap(cases: list[dict], limit: int | None) -> tuple[list[dict], list[dict]]:
    """at most LIMIT cases of one folder, chosen blind to any result: the cases are grouped by
    their kinds and the maintainers' action, each group gets a share round-robin, and within a
    group the share is spread evenly over time (first and last included)"""
    if limit is None or len(cases) <= limit:
        return cases, []
    groups: dict[tuple, list[dict]] = {}
    for c in cases:                                       # cases come oldest first
        groups.setdefault((tuple(c["kinds"]), c["maintainers_action"]), []).append(c)
    share = dict.fromkeys(groups, 0)
    while sum(share.values()) < limit:
        for g in groups:
            if share[g] < len(groups[g]) and sum(share.values()) < limit:
                share[g] += 1
    ids = set()
    for g, members in groups.items():
        q = share[g]
        picks = {round(k * (len(members) - 1) / (q - 1)) for k in range(q)} if q > 1 else ({0} if q else set())
        ids |= {members[p]["id"] for p in picks}
    return [c for c in cases if c["id"] in ids], [c for c in cases if c["id"] not in ids]


def folder(git: Git, commit: str, path: str) -> dict[str, bytes]:
    """every file under the versions folder at COMMIT (data files and __init__.py included: some
    migrations read a JSON or SQL file beside them), bytecode left out"""
    out = {}
    for ln in git("ls-tree", "-r", commit, "--", path + "/").splitlines():
        meta, name = ln.split("\t", 1)
        name = name[len(path) + 1:]
        if meta.split()[1] == "blob" and "__pycache__/" not in name and not name.endswith((".pyc", ".pyo")):
            out[name] = git.blob(meta.split()[2])
    return out


def mine(args) -> tuple[list[dict], list[dict], dict[str, dict[str, bytes]]]:
    git = Git(args.gitdir)
    commits = walk(git, args.branch, args.path)
    states, landings = replay(git, commits, args.path)
    graphs = [graph_of(git, s) for s in states]
    cases, skipped, trees = [], [], {}
    for i in range(1, len(commits)):
        if not (graphs[i - 1].errors - graphs[i].errors):
            continue
        case, why = build_case(git, args, commits, states, landings, graphs, i)
        if case is None:
            skipped.append({"repo": args.repo, "path": args.path, "broken_commit": commits[i - 1].sha,
                            "fix_commit": commits[i].sha, "fix_subject": commits[i].subject,
                            "kinds": sorted(graphs[i - 1].errors), "why": why})
            continue
        if args.judge:
            why = unjudgeable(args.judge, folder(git, case["fix_commit"], args.path), case)
            if why:
                skipped.append({"repo": args.repo, "path": args.path, "broken_commit": case["broken_commit"],
                                "fix_commit": case["fix_commit"], "fix_subject": case["fix_subject"],
                                "kinds": case["kinds"], "why": why})
                continue
        cases.append(case)
        trees[case["id"]] = folder(git, case["broken_commit"], args.path)
    cases, over = cap(cases, args.max_cases)
    for c in over:
        skipped.append({"repo": args.repo, "path": args.path, "broken_commit": c["broken_commit"],
                        "fix_commit": c["fix_commit"], "fix_subject": c["fix_subject"], "kinds": c["kinds"],
                        "why": f"over the cap of {args.max_cases} cases per folder"})
        del trees[c["id"]]
    return cases, skipped, trees


def save(out: Path, args, cases, skipped, trees) -> None:
    """merge into OUT/cases.json, OUT/skipped.json and OUT/cases.tar.xz, replacing this repo+path"""
    out.mkdir(parents=True, exist_ok=True)
    mine_of = lambda c: (c["repo"], c["path"]) == (args.repo, args.path)
    old = json.loads((out / "cases.json").read_text()) if (out / "cases.json").exists() else []
    old_skipped = json.loads((out / "skipped.json").read_text()) if (out / "skipped.json").exists() else []
    keep = [c for c in old if not mine_of(c)]
    clash = {c["id"] for c in keep} & {c["id"] for c in cases}
    if clash:
        raise SystemExit(f"case ids already taken by another path: {sorted(clash)} (use --tag)")
    members: dict[str, bytes] = {}
    if (out / "cases.tar.xz").exists():
        kept = {c["id"] for c in keep}
        with tarfile.open(out / "cases.tar.xz") as t:
            for m in t.getmembers():
                if m.isfile() and m.name.split("/")[1] in kept:
                    members[m.name] = t.extractfile(m).read()
    for cid, files in trees.items():
        for name, data in files.items():
            members[f"cases/{cid}/versions/{name}"] = data
    tmp = out / "cases.tar.xz.tmp"
    with tarfile.open(tmp, "w:xz") as t:
        for name in sorted(members):
            info = tarfile.TarInfo(name); info.size = len(members[name]); info.mode = 0o644
            t.addfile(info, io.BytesIO(members[name]))
    os.replace(tmp, out / "cases.tar.xz")
    every = sorted(keep + cases, key=lambda c: c["id"])
    (out / "cases.json").write_text(json.dumps(every, indent=1, ensure_ascii=False) + "\n")
    every_skipped = [s for s in old_skipped if not mine_of(s)] + skipped
    (out / "skipped.json").write_text(json.dumps(every_skipped, indent=1, ensure_ascii=False) + "\n")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gitdir", help="a git directory (bare is fine), e.g. from the fetch tool")
    ap.add_argument("--path", required=True, help="the versions folder, relative to the repository root")
    ap.add_argument("--branch", help="default: the repository's HEAD branch")
    ap.add_argument("--repo", help="owner/name (default: from a /work/.mirror/owner+name/ path)")
    ap.add_argument("--out", default="/work/realbroken-mine", help="where cases.json/cases.tar.xz go")
    ap.add_argument("--tag", default="", help="suffix for case ids (two paths of one repository)")
    ap.add_argument("--judge", metavar="EVAL.py", help="skip cases this judge cannot load at the fix")
    ap.add_argument("--max-cases", type=int, help="keep at most N cases of this folder (see cap())")
    ap.add_argument("--dry-run", action="store_true", help="list the cases, write nothing")
    args = ap.parse_args(argv)
    if not os.path.isdir(args.gitdir):
        raise SystemExit(f"not a directory: {args.gitdir}")
    args.path = args.path.strip("/")
    git = Git(args.gitdir)
    args.branch = args.branch or git("symbolic-ref", "--short", "HEAD").strip()
    if not args.repo:
        m = re.search(r"([^/+]+)\+([^/]+)/(?:repo|\.git)?/?$", os.path.abspath(args.gitdir))
        if not m:
            raise SystemExit("cannot tell owner/name from the git dir's path: pass --repo")
        args.repo = f"{m.group(1)}/{m.group(2)}"
    cases, skipped, trees = mine(args)
    for c in cases:
        print(f"{c['id']:30} {'+'.join(c['kinds']):40} {c['maintainers_action']:8} "
              f"{len(c['landing']):4} files  {c['broken_days']:6}d  {c['fix_subject'][:60]}")
    for s in skipped:
        print(f"  skipped {s['fix_commit'][:8]} {'+'.join(s['kinds'])}: {s['why']}")
    print(f"{args.repo} {args.path}: {len(cases)} case(s), {len(skipped)} skipped")
    if not args.dry_run:
        save(Path(args.out), args, cases, skipped, trees)


if __name__ == "__main__":
    main()
