"""`chaintui check` as a user runs it: a real subprocess on real directories."""

from __future__ import annotations

import json
import os
import re
import sys

import pytest

from chaintui.demo import build_demo
from tests.builders import write_project
from tests.conftest import run_chaintui

ANSI = re.compile(r"\x1b\[")
SEED_DUPLICATES = {"001", "017", "018", "031"}
SEED_DANGLING = {"373835cefaf9", "f42f94c7a129", "003_essential_tables"}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    return build_demo(tmp_path_factory.mktemp("demo") / "project")


@pytest.fixture(scope="module")
def demo_json(demo, tmp_path_factory):
    proc = run_chaintui("check", str(demo), "--format", "json",
                        env={"CHAINTUI_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))})
    assert proc.returncode == 1, proc.stderr
    return json.loads(proc.stdout)


def test_clean_project_exit_0(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")])
    proc = run_chaintui("check", str(root))
    assert proc.returncode == 0, proc.stderr
    assert "no problems" in proc.stdout
    assert proc.stdout.rstrip().endswith("0 error(s), 0 warning(s)")


def test_default_path_is_the_current_directory(tmp_path):
    root = write_project(tmp_path, [("a0", None)])
    assert run_chaintui("check", cwd=root).returncode == 0
    assert run_chaintui("check", cwd=root / "migrations" / "versions").returncode == 0


def test_warnings_only_exit_0(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0", {"header": {"Revises": "zz"}})])
    proc = run_chaintui("check", str(root))
    assert proc.returncode == 0
    assert "warning: header-mismatch (1)" in proc.stdout


def test_demo_json_reports_every_seed_plan_problem(demo_json):
    by_code: dict[str, list] = {}
    for problem in demo_json["problems"]:
        by_code.setdefault(problem["code"], []).append(problem)

    (bases,) = by_code["multiple-bases"]
    assert sorted(bases["revisions"]) == ["000", "001"]
    assert sorted(bases["files"]) == ["migrations/versions/000_baseline_existing_schema.py",
                                      "migrations/versions/001_initial_migration.py"]

    dups = {p["revisions"][0]: p for p in by_code["duplicate-revision"]}
    assert set(dups) == SEED_DUPLICATES
    assert sorted(dups["017"]["files"]) == ["migrations/versions/017_add_missing_user_columns.py",
                                            "migrations/versions/017_add_public_uuid_columns.py"]
    assert sorted(dups["031"]["files"]) == ["migrations/versions/031_add_usage_record_table.py",
                                            "migrations/versions/031_webhook_reliability_improvements.py"]

    dangling = {}
    for p in by_code["missing-parent"]:
        (name,) = SEED_DANGLING & set(re.findall(r"'([^']+)'", p["message"]))
        dangling[name] = sorted(p["revisions"])
    assert dangling == {"373835cefaf9": ["005"], "f42f94c7a129": ["019", "022", "023"],
                        "003_essential_tables": ["004_add_notifications"]}

    (cycle,) = by_code["cycle"]
    assert sorted(cycle["revisions"]) == ["026", "027_create_content_drafts_and_schedules"]

    ids = [r["id"] for r in demo_json["revisions"]]
    assert "008a" in ids
    assert all(p["severity"] == ("error" if p["code"] not in ("header-mismatch", "filename-mismatch",
                                                               "schema-order") else "warning")
               for p in demo_json["problems"])


def test_json_schema(demo_json, demo):
    assert {"revisions", "heads", "bases", "problems"} <= set(demo_json)
    for rev in demo_json["revisions"]:
        assert isinstance(rev["id"], str)
        assert isinstance(rev["down_revision"], list) and all(isinstance(d, str) for d in rev["down_revision"])
        assert rev["file"].startswith("migrations/versions/") and rev["file"].endswith(".py")
        assert (demo / rev["file"]).is_file()
    base = next(r for r in demo_json["revisions"] if r["id"] == "000")
    assert base["down_revision"] == []
    assert sorted(demo_json["bases"]) == ["000", "001"]
    assert all(isinstance(h, str) for h in demo_json["heads"])
    for problem in demo_json["problems"]:
        assert {"code", "severity", "message", "revisions", "files"} <= set(problem)
        assert problem["severity"] in ("error", "warning")
        assert isinstance(problem["revisions"], list) and isinstance(problem["files"], list)
        assert all(not os.path.isabs(f) and (demo / f).is_file() for f in problem["files"])


def test_text_is_grouped_fits_80_columns_and_has_no_ansi_when_piped(demo):
    proc = run_chaintui("check", str(demo))
    assert proc.returncode == 1
    out = proc.stdout
    assert not ANSI.search(out)
    assert max(len(line) for line in out.splitlines()) <= 80
    for header in ("error: duplicate-revision (4)", "error: cycle (1)", "error: missing-parent (3)",
                   "error: multiple-bases (1)"):
        assert header in out.splitlines()
    # grouped: each code's heading appears once, in the stable order
    headings = [line for line in out.splitlines() if re.match(r"^(error|warning): [a-z-]+ \(\d+\)$", line)]
    assert len(headings) == len(set(headings))
    assert out.index("duplicate-revision") < out.index("cycle") < out.index("missing-parent")
    assert re.search(r"^\d+ error\(s\), \d+ warning\(s\)$", out.splitlines()[-1])


def test_long_names_are_wrapped_to_80_columns(tmp_path):
    long = "a_really_long_revision_identifier_" * 3
    root = write_project(tmp_path, [("a0", None), (long, "another_really_long_missing_identifier_" * 3)])
    out = run_chaintui("check", str(root)).stdout
    assert max(len(line) for line in out.splitlines()) <= 80
    # the file line keeps its end: the file name and line number, not a bare "..."
    file_line = next(line for line in out.splitlines() if line.strip().startswith("...") or "_step.py" in line)
    assert file_line.strip().startswith("...") and file_line.endswith("identifier__step.py:16")


@pytest.mark.skipif(sys.platform == "win32", reason="pty")
def test_colour_only_on_a_terminal(tmp_path):
    import pty
    import subprocess

    root = write_project(tmp_path, [("a", None), ("b", None)])
    leader, follower = pty.openpty()
    env = {**os.environ}
    env.pop("NO_COLOR", None)
    proc = subprocess.run([sys.executable, "-m", "chaintui", "check", str(root)], stdout=follower,
                          stderr=subprocess.PIPE, env=env, timeout=60)
    os.close(follower)
    data = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        data += chunk
    os.close(leader)
    assert proc.returncode == 1
    assert b"\x1b[31m" in data  # errors in red on a terminal
    no_colour = run_chaintui("check", str(root), env={"NO_COLOR": "1"})
    assert not ANSI.search(no_colour.stdout)


def test_github_annotations(demo):
    proc = run_chaintui("check", str(demo), "--format", "github")
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines and all(re.match(r"^::(error|warning) ", line) for line in lines)
    cycle = [line for line in lines if "chaintui cycle" in line]
    assert cycle[0].startswith("::error file=migrations/versions/026_add_media_caption.py,line=")
    dup = next(line for line in lines if "title=chaintui duplicate-revision" in line and "017_add_missing" in line)
    assert re.match(r"^::error file=migrations/versions/017_add_missing_user_columns\.py,line=\d+,", dup)
    assert all("\n" not in line for line in lines)


def test_github_escapes_properties_and_data(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "gone,with:odd%chars")])
    out = run_chaintui("check", str(root), "--format", "github").stdout
    (line,) = [line for line in out.splitlines() if "missing-parent" in line]
    assert "gone,with:odd%25chars" in line.split("::", 2)[2]  # data: only % is escaped


def test_github_clean_project_prints_nothing(tmp_path):
    root = write_project(tmp_path, [("a0", None)])
    proc = run_chaintui("check", str(root), "--format", "github")
    assert (proc.returncode, proc.stdout) == (0, "")


def test_no_cache_flag_gives_the_same_result(demo):
    first = run_chaintui("check", str(demo), "--format", "json")
    second = run_chaintui("check", str(demo), "--format", "json", "--no-cache")
    assert first.stdout == second.stdout and first.returncode == second.returncode == 1


def test_usage_errors_exit_2_without_traceback():
    proc = run_chaintui("check", "--format", "yaml")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
