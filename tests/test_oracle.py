"""Alembic itself is the oracle: on valid generated projects chaintui's heads, bases and count
equal ScriptDirectory's; on each broken class alembic warns or fails and chaintui names it."""

from __future__ import annotations

import hashlib
import tempfile
import warnings
from pathlib import Path

import pytest
from alembic.script.revision import CycleDetected, LoopDetected, RevisionError
from alembic.util import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chaintui.analysis import analyze
from tests.builders import alembic_script, write_project

LOCATIONS = ["migrations/versions", "migrations/extra", "db/more/nested"]


@st.composite
def valid_histories(draw):
    """Linear runs, forks, merges of heads, labelled roots and forks, depends_on, and files
    spread over several version locations; ids in hex, numbered and word styles."""
    style = draw(st.sampled_from(["hex", "numbered", "word"]))
    seed = draw(st.integers(0, 10**6))
    count = draw(st.integers(1, 30))
    specs: list[dict] = []
    ids: list[str] = []
    heads: list[str] = []
    label_count = 0
    nlocs = draw(st.integers(1, len(LOCATIONS)))
    for i in range(count):
        if style == "hex":
            rev = hashlib.sha1(f"{seed}-{i}".encode()).hexdigest()[:12]
        elif style == "numbered":
            rev = f"{i:04d}"
        else:
            rev = f"rev{chr(97 + i % 26)}{i}"
        spec: dict = {"rev": rev, "dir": LOCATIONS[draw(st.integers(0, nlocs - 1))]}
        kind = "root" if i == 0 else draw(st.sampled_from(["child", "child", "child", "fork", "merge", "root"]))
        if kind == "root":
            spec["down"] = None
            if i > 0:  # every extra root is its own labelled branch
                spec["branch_labels"] = (f"branch{label_count}",)
                label_count += 1
        elif kind == "merge" and len(heads) >= 2:
            parents = draw(st.lists(st.sampled_from(heads), min_size=2, max_size=3, unique=True))
            spec["down"] = tuple(parents)
        elif kind == "fork":
            spec["down"] = draw(st.sampled_from(ids))
            if draw(st.booleans()):
                spec["branch_labels"] = f"label{label_count}"
                label_count += 1
        else:
            spec["down"] = draw(st.sampled_from(heads or ids))
        if ids and draw(st.integers(0, 5)) == 0:
            spec["depends_on"] = draw(st.sampled_from(ids))
        parents = spec["down"] if isinstance(spec["down"], tuple) else ((spec["down"],) if spec["down"] else ())
        heads = [h for h in heads if h not in parents] + [rev]
        ids.append(rev)
        specs.append(spec)
    return specs, LOCATIONS[:nlocs]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_histories(), st.sampled_from(["ini", "pyproject"]))
def test_valid_projects_match_alembic(history, config):
    specs, locations = history
    with tempfile.TemporaryDirectory() as tmp:
        root = write_project(Path(tmp), specs, version_locations=locations, config=config)
        script = alembic_script(root)
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # a valid project: alembic must not warn either
            alembic_heads = sorted(script.get_heads())
            alembic_bases = sorted(script.get_bases())
            alembic_count = len(list(script.walk_revisions()))
        result = analyze(root, use_cache=False)
        (one,) = result.sets
        graph = one.graph
        assert sorted(graph.heads) == alembic_heads
        assert sorted(graph.bases) == alembic_bases
        assert len(graph.revisions) == len(graph) == alembic_count
        codes = {p.code for p in result.problems}
        assert codes <= {"multiple-heads"}, result.problems
        if len(alembic_heads) == 1:
            assert result.problems == []


def _alembic_verdict(root: Path):
    """(exception or None, warning messages) of loading the history the way alembic does."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            script = alembic_script(root)
            script.get_heads()
            list(script.walk_revisions())
            script.get_current_head()
            error = None
        except Exception as exc:  # what alembic fails with is the point of the test
            error = exc
    return error, [str(w.message) for w in caught]


def _codes(root: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for p in analyze(root).problems:
        found.setdefault(p.code, []).append(p)
    return found


def test_duplicate_alembic_warns_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "a", {"filename": "b_one.py"}),
                                    ("b", "a", {"filename": "b_two.py"})])
    with pytest.warns(UserWarning, match="Revision b is present more than once"):
        alembic_script(root).get_heads()
    found = _codes(root)
    assert list(found) == ["duplicate-revision"] and found["duplicate-revision"][0].revisions == ("b",)


def test_missing_parent_alembic_fails_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "a"), ("c", "373835cefaf9")])
    error, messages = _alembic_verdict(root)
    assert isinstance(error, KeyError) and "373835cefaf9" in str(error)
    assert any("373835cefaf9" in m and "is not present" in m for m in messages)
    (problem,) = _codes(root)["missing-parent"]
    assert problem.revisions == ("c",) and "373835cefaf9" in problem.message


def test_cycle_alembic_fails_chaintui_names_the_loop(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "a"), ("c", "d"), ("d", "c"), ("e", "d")])
    with pytest.raises(CycleDetected) as info:
        alembic_script(root).get_heads()
    assert set(info.value.revisions) == {"c", "d", "e"}  # alembic includes the descendant
    (problem,) = _codes(root)["cycle"]
    assert set(problem.revisions) == {"c", "d"}  # chaintui: only the loop


def test_self_loop_alembic_fails_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "b")])
    with pytest.raises(LoopDetected):
        alembic_script(root).get_heads()
    assert _codes(root)["cycle"][0].revisions == ("b",)


def test_missing_dependency_alembic_fails_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "a", {"depends_on": "zzz"})])
    error, _ = _alembic_verdict(root)
    assert isinstance(error, KeyError) and "zzz" in str(error)
    assert list(_codes(root)) == ["missing-dependency"]


def test_duplicate_branch_label_alembic_fails_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "a", {"branch_labels": "x"}), ("c", "b", {"branch_labels": "x"})])
    with pytest.raises(RevisionError, match="Branch name 'x'"):
        alembic_script(root).get_heads()
    assert list(_codes(root)) == ["duplicate-branch-label"]


@pytest.mark.parametrize("specs, code", [
    ([("a", None), ("b", "a"), ("c", "a")], "multiple-heads"),
    ([("a", None), ("b", None)], "multiple-bases"),
])
def test_multiple_heads_and_bases_alembic_refuses_head(tmp_path, specs, code):
    root = write_project(tmp_path, specs)
    with pytest.raises(CommandError, match="multiple heads"):
        alembic_script(root).get_current_head()
    assert code in _codes(root)


def test_empty_down_revision_alembic_fails_chaintui_reports(tmp_path):
    root = write_project(tmp_path, [("a", None), ("b", "")])
    error, _ = _alembic_verdict(root)
    assert isinstance(error, KeyError)
    assert list(_codes(root)) == ["missing-parent", "multiple-heads"]


def test_parse_error_alembic_fails_chaintui_goes_on(tmp_path):
    root = write_project(tmp_path, [("a", None), {"rev": "x", "filename": "x_bad.py", "source": "revision = (\n"}])
    error, _ = _alembic_verdict(root)
    assert isinstance(error, SyntaxError)
    found = _codes(root)
    assert list(found) == ["parse-error"] and found["parse-error"][0].files == ("migrations/versions/x_bad.py",)
    assert analyze(root).sets[0].graph.ids == ["a"]
