"""benchmarks/mine_real.py on a real git history: broken states on the first-parent history of
main, each beside the commit that fixed it, written in the real-broken judge's format."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from tests.builders import render_migration

REPO = Path(__file__).resolve().parent.parent
MINER = REPO / "benchmarks" / "mine_real.py"
VERSIONS = "app/migrations/versions"
KEYS = ["id", "repo", "branch", "path", "broken_commit", "first_broken_commit", "fix_commit",
        "fix_subject", "fix_url", "broken_days", "kinds", "problems", "heads_at_broken",
        "bases_at_broken", "heads_at_fix", "bases_at_fix", "problems_left_at_fix", "landing",
        "fixed_parents", "fixed_files", "new_files_at_fix", "maintainers_action",
        "maintainers_changed", "policy"]


class History:
    """a repository whose commits are made one by one, each at its own time and author"""

    def __init__(self, root: Path):
        self.root, self.clock = root, 1_700_000_000
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, author: str = "Ann") -> str:
        env = {**os.environ, "GIT_AUTHOR_NAME": author, "GIT_AUTHOR_EMAIL": "a@example.com",
               "GIT_COMMITTER_NAME": author, "GIT_COMMITTER_EMAIL": "a@example.com",
               "GIT_AUTHOR_DATE": f"{self.clock} +0000", "GIT_COMMITTER_DATE": f"{self.clock} +0000"}
        return subprocess.run(["git", *args], cwd=self.root, check=True, env=env,
                              capture_output=True, text=True).stdout.strip()

    def write(self, name: str, rev: str, down, **kw) -> None:
        path = self.root / VERSIONS / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render_migration(rev, down, **kw))

    def commit(self, message: str, author: str = "Ann") -> str:
        self.clock += 3600
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, author=author)
        return self.git("rev-parse", "HEAD")


@pytest.fixture(scope="module")
def mined(tmp_path_factory):
    h = History(tmp_path_factory.mktemp("proj"))
    h.write("001_init.py", "aaa001", None); h.write("002_users.py", "aaa002", "aaa001")
    (h.root / VERSIONS / "lookup.json").write_text('{"read by": "a migration"}\n')
    (h.root / "CONTRIBUTING.md").write_text(
        "# Migrations\n\nWhen main has two heads, update your migration's down_revision to the\n"
        "current head; never add a merge revision.\n")
    h.commit("initial")
    h.git("checkout", "-q", "-b", "feature")
    h.write("003_add_y.py", "bbb003", "aaa002")
    h.commit("add y", author="Bob")
    h.git("checkout", "-q", "main")
    h.write("003_add_x.py", "aaa003", "aaa002")
    h.commit("add x")
    h.clock += 60
    h.git("merge", "-q", "--no-ff", "-m", "Merge pull request #2 from bob/feature", "feature", author="Bob")
    broken_heads = h.git("rev-parse", "HEAD")
    (h.root / "README.md").write_text("unrelated\n")
    h.commit("docs")
    h.git("mv", f"{VERSIONS}/003_add_y.py", f"{VERSIONS}/004_add_y.py")
    h.write("004_add_y.py", "bbb003", "aaa003")
    fix_heads = h.commit("Fix heads: put y after x")
    # a duplicated id, fixed by giving the second file a new id after the first
    h.write("005_a.py", "ccc005", "bbb003"); h.write("005_b.py", "ccc005", "bbb003", message="other")
    h.commit("add 005 twice")
    (h.root / VERSIONS / "005_b.py").unlink()
    h.write("006_b.py", "ddd006", "ccc005", message="other")
    h.commit("Renumber the second 005")
    # two heads again, joined by a merge revision
    h.write("007_e.py", "eee007", "ddd006"); h.write("007_f.py", "fff007", "ddd006")
    h.commit("add e and f")
    h.write("008_merge.py", "ggg008", ("eee007", "fff007"), upgrade=[], downgrade=[])
    fix_merge = h.commit("Merge heads")
    # a dangling parent "fixed" by squashing the folder: churn, not a repair
    h.write("009_h.py", "hhh009", "zzz999")
    h.commit("add h")
    for f in (h.root / VERSIONS).iterdir():
        f.unlink()
    h.write("000_squashed.py", "sq0000", None)
    h.commit("Squash migrations")
    out = tmp_path_factory.mktemp("out")
    run = subprocess.run([sys.executable, str(MINER), str(h.root / ".git"), "--path", VERSIONS,
                          "--repo", "acme/proj", "--out", str(out)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    cases = {c["id"].split("-")[1]: c for c in json.loads((out / "cases.json").read_text())}
    return {"out": out, "cases": cases, "gitdir": str(h.root / ".git"), "broken_heads": broken_heads, "fix_heads": fix_heads,
            "fix_merge": fix_merge, "stdout": run.stdout}


def test_each_broken_state_is_paired_with_the_commit_that_fixed_it(mined):
    cases = mined["cases"]
    assert sorted(c["maintainers_action"] for c in cases.values()) == ["merge", "mixed", "relink"]
    heads = cases[mined["fix_heads"][:8]]
    assert list(heads) == KEYS
    assert heads["id"] == f"proj-{mined['fix_heads'][:8]}"
    assert heads["broken_commit"] == heads["first_broken_commit"] == mined["broken_heads"]
    assert heads["fix_subject"] == "Fix heads: put y after x"
    assert heads["kinds"] == ["multiple-heads", "duplicate-number"]
    assert heads["heads_at_broken"] == ["aaa003", "bbb003"] and heads["heads_at_fix"] == ["bbb003"]
    assert heads["broken_days"] == pytest.approx(0.1, abs=0.05)      # 1 h 1 min
    # the maintainers renamed the file and relinked it: identity follows the rename
    assert heads["fixed_files"]["003_add_y.py"] == {"file": "004_add_y.py", "revision": "bbb003",
                                                    "down_revision": ["aaa003"]}
    assert heads["maintainers_changed"] == [["relink", "003_add_y.py"]]
    assert heads["new_files_at_fix"] == {}
    assert heads["problems_left_at_fix"] == []
    assert heads["policy"] == [{"file": "CONTRIBUTING.md", "line": 3, "quote":
                                "When main has two heads, update your migration's down_revision to "
                                "the current head; never add a merge revision."}]


def test_landing_follows_the_first_parent_history(mined):
    landing = mined["cases"][mined["fix_heads"][:8]]["landing"]
    assert [x["file"] for x in landing] == ["001_init.py", "002_users.py", "003_add_x.py", "003_add_y.py"]
    # the feature branch's file landed with the merge commit, not with its own commit
    assert landing[-1]["commit"] == mined["broken_heads"]
    assert (landing[-1]["author"], landing[-1]["subject"]) == ("Bob", "Merge pull request #2 from bob/feature")


def test_duplicate_ids_and_merge_revisions(mined):
    dup = next(c for c in mined["cases"].values() if c["kinds"] == ["duplicate-revision"])
    assert dup["maintainers_changed"] == [["renumber", "005_b.py"], ["relink", "005_b.py"]]
    assert dup["fixed_files"]["005_b.py"]["file"] == "006_b.py"       # same code, new id: followed
    merge = mined["cases"][mined["fix_merge"][:8]]
    assert merge["maintainers_changed"] == [["merge", "008_merge.py"]]
    assert merge["new_files_at_fix"] == {"008_merge.py": {"revision": "ggg008",
                                                          "down_revision": ["eee007", "fff007"]}}
    assert merge["fixed_parents"]["ggg008"] == ["eee007", "fff007"]


def test_churn_is_skipped_and_said(mined):
    skipped = json.loads((mined["out"] / "skipped.json").read_text())
    assert [s["kinds"] for s in skipped] == [["missing-parent", "multiple-heads"]]
    assert skipped[0]["fix_subject"] == "Squash migrations" and skipped[0]["why"].startswith("churn: ")
    assert "3 case(s), 1 skipped" in mined["stdout"]


def test_tarball_holds_each_versions_folder_at_its_broken_commit(mined):
    with tarfile.open(mined["out"] / "cases.tar.xz") as t:
        names = sorted(t.getnames())
        case = mined["cases"][mined["fix_heads"][:8]]
        member = t.extractfile(f"cases/{case['id']}/versions/003_add_y.py").read().decode()
    assert f"cases/{case['id']}/versions/004_add_y.py" not in names
    assert "down_revision: Union[str, Sequence[str], None] = 'aaa002'" in member
    # every migration, and the data files beside them (some migrations read one)
    assert sum(n.startswith(f"cases/{case['id']}/") for n in names) == len(case["landing"]) + 1
    assert f"cases/{case['id']}/versions/lookup.json" in names


def test_rerunning_replaces_only_that_folders_cases(mined, tmp_path):
    other = dict(next(iter(mined["cases"].values())), id="elsewhere-1", repo="x/y")
    stale = dict(other, id="proj-stale", repo="acme/proj")            # an earlier run's case
    (tmp_path / "cases.json").write_text(json.dumps([other, stale]))
    for _ in range(2):
        run = subprocess.run([sys.executable, str(MINER), mined["gitdir"], "--path", VERSIONS,
                              "--repo", "acme/proj", "--out", str(tmp_path)], capture_output=True, text=True)
        assert run.returncode == 0, run.stderr
    ids = [c["id"] for c in json.loads((tmp_path / "cases.json").read_text())]
    assert sorted(ids) == sorted(["elsewhere-1", *(c["id"] for c in mined["cases"].values())])


def test_bad_input_is_one_line_error(tmp_path):
    run = subprocess.run([sys.executable, str(MINER), str(tmp_path / "nope"), "--path", "x"],
                         capture_output=True, text=True)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert run.stderr.strip().splitlines()[-1] == f"not a directory: {tmp_path / 'nope'}"


def test_a_renumbered_file_is_the_same_migration_by_its_name_words():
    sys.path.insert(0, str(REPO / "benchmarks"))
    from mine_real import slug

    assert slug("0046_graph_edge_hint_source.py", "0046") == slug("0047_graph_edge_hint_source.py", "0047")
    assert slug("2024-07-11-17-10_54c1252b2c8a_add_users.py", "54c1252b2c8a") == "add_users"
    assert slug("dbdf72ad30f7_.py", "dbdf72ad30f7") == ""            # no words: not evidence


SAMPLE_JUDGE = Path("/work/shared/realbroken-sample/eval.py")


@pytest.mark.skipif(not SAMPLE_JUDGE.exists(), reason="the real-broken judge is not on this machine")
def test_judge_check_keeps_cases_the_judge_can_load(mined, tmp_path):
    run = subprocess.run([sys.executable, str(MINER), mined["gitdir"], "--path", VERSIONS, "--repo", "acme/proj",
                          "--judge", str(SAMPLE_JUDGE), "--out", str(tmp_path)], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    kept = {c["id"] for c in json.loads((tmp_path / "cases.json").read_text())}
    assert kept == {c["id"] for c in mined["cases"].values()}
