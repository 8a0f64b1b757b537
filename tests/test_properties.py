"""Property: on any generated broken history, plan + apply gives a history alembic accepts.

For every generated history (numbered or hex ids, one to three injected defects of every kind):
- the planned fixes, applied one commit each, leave a history that alembic's ScriptDirectory
  loads with no warning, one head and one base;
- every upgrade()/downgrade() body is byte-identical to before (only headers, the revision
  variables and new merge files differ; a removed file's bodies are gone, nothing else);
- the number of new commits equals the number of fixes;
- reverting all of them restores the original tree exactly.
"""

from __future__ import annotations

import ast
import sys
import warnings
from collections import Counter
from pathlib import Path

import git
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaintui.analysis import analyze
from chaintui.gitops import Repository
from chaintui.planner import plan
from tests.builders import alembic_script, git_init, write_project

DEFECTS = ("dangling", "duplicate", "cycle", "extra-root", "extra-head", "header")


@st.composite
def broken_histories(draw):
    numbered = draw(st.booleans())
    n = draw(st.integers(min_value=4, max_value=9))
    if numbered:
        ids = [f"{i:03d}" for i in range(1, n + 2)]
    else:
        ids = draw(st.lists(st.text("0123456789abcdef", min_size=12, max_size=12), min_size=n + 1,
                            max_size=n + 1, unique=True))
    spare = ids.pop()  # an id for an extra head
    specs = [{"rev": rev, "down": ids[i - 1] if i else None, "message": f"step {i}"} for i, rev in enumerate(ids)]
    defects = draw(st.lists(st.sampled_from(DEFECTS), min_size=1, max_size=3, unique=True))
    for defect in defects:
        k = draw(st.integers(min_value=1, max_value=n - 1))
        if defect == "dangling":
            specs[k]["down"] = "999" if numbered else "deadbeef0000"
        elif defect == "duplicate":
            twin = dict(specs[k], message=f"twin {k}",
                        upgrade=[f"op.create_table('twin_{k}', sa.Column('id', sa.Integer()))"],
                        downgrade=[f"op.drop_table('twin_{k}')"])
            specs.append(twin)
        elif defect == "cycle":
            j = draw(st.integers(min_value=k, max_value=n - 1))
            specs[k]["down"] = ids[j]
        elif defect == "extra-root":
            specs[k]["down"] = None
        elif defect == "extra-head":
            # branching off the last revision would only extend the chain
            fork = draw(st.integers(min_value=0, max_value=n - 2))
            specs.append({"rev": spare, "down": ids[fork], "message": "parallel branch"})
        elif defect == "header":
            specs[k]["header"] = {"Revises": "somewhere_else"}
    return specs, defects


def bodies(root: Path) -> Counter:
    found: Counter = Counter()
    for path in root.rglob("*.py"):
        if "versions" not in path.parts:
            continue
        text = path.read_text()
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
                found[(node.name, ast.get_source_segment(text, node))] += 1
    return found


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file() and ".git" not in p.parts and "__pycache__" not in p.parts}


@settings(max_examples=int(__import__("os").environ.get("CHAINTUI_PROPERTY_EXAMPLES", "30")), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(broken_histories())
def test_plan_and_apply_repairs_any_history(tmp_path_factory, history):
    specs, defects = history
    root = write_project(tmp_path_factory.mktemp("prop"), specs)
    git_init(root)
    original_tree = tree(root)
    original_bodies = bodies(root)
    head = git.Repo(root).head.commit.hexsha

    analysis = analyze(root)
    assert analysis.problems, defects
    result = plan(analysis)
    repo = Repository.open(root)
    removed: Counter = Counter()
    for fix in result.fixes:
        graph = next(s.graph for s in analyze(root).sets if s.mset.name == fix.set_name)
        if fix.kind == "remove":
            removed += bodies_of_file(root / fix.file)
        repo.apply(fix, graph)

    after = analyze(root)
    assert not after.has_errors, [p.message for p in after.problems]
    assert len(list(git.Repo(root).iter_commits(f"{head}..HEAD"))) == len(result.fixes)

    sys.dont_write_bytecode = True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        script = alembic_script(root)
        revisions = list(script.walk_revisions())
        assert len(script.get_heads()) == 1
        assert len(script.get_bases()) == 1
    assert len(revisions) == len(after.sets[0].graph.revisions)

    new_bodies = bodies(root)
    merge_files = [f for f in result.fixes if f.kind == "merge-heads"]
    assert not merge_files or all((root / f.file).exists() for f in merge_files)
    for fix in merge_files:
        new_bodies -= bodies_of_file(root / fix.file)
    assert new_bodies == original_bodies - removed

    for _ in result.fixes:
        repo.undo()
    assert tree(root) == original_tree


def bodies_of_file(path: Path) -> Counter:
    text = path.read_text()
    found: Counter = Counter()
    for node in ast.parse(text).body:
        if isinstance(node, ast.FunctionDef) and node.name in ("upgrade", "downgrade"):
            found[(node.name, ast.get_source_segment(text, node))] += 1
    return found
