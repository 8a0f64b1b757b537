"""The content-addressed scan cache: same answers as a fresh scan, never fooled by mtime."""

from __future__ import annotations

import os
import pickle

from chaintui.analysis import analyze
from chaintui.cache import ScanCache
from chaintui.cache import cache_dir as chaintui_cache_dir
from chaintui.report import to_json
from tests.builders import write_project
from tests.conftest import run_chaintui

SPECS = [("a0", None), ("b1", "a0"), ("c2", "b1"), ("c3", "b1"), ("d4", "missing"),
         ("e5", "f6"), ("f6", "e5"), ("g7", "c2", {"header": {"Revises": "zz"}}),
         {"rev": "x", "filename": "x_bad.py", "source": "revision = (\n"}]


def _snapshot(root, **kw):
    result = analyze(root, **kw)
    data = to_json(result)
    fields = {m.rel: (m.fields, m.header, m.ops, m.error, m.error_line)
              for s in result.sets for m in s.graph.migrations}
    return data, fields


def test_cache_gives_identical_results(tmp_path, cache_dir):
    root = write_project(tmp_path, SPECS)
    fresh = _snapshot(root, use_cache=False)
    assert not any(cache_dir.iterdir())  # use_cache=False writes nothing
    cold = _snapshot(root)
    assert list(cache_dir.glob("scan-*.pickle"))
    warm = _snapshot(root)
    assert fresh == cold == warm
    assert {p["code"] for p in warm[0]["problems"]} >= {"missing-parent", "cycle", "multiple-heads",
                                                       "header-mismatch", "parse-error"}


def test_cache_lives_in_the_cache_dir_not_the_project(tmp_path, cache_dir):
    root = write_project(tmp_path / "p", SPECS[:3])
    before = sorted(p.relative_to(root) for p in root.rglob("*"))
    analyze(root)
    assert sorted(p.relative_to(root) for p in root.rglob("*")) == before
    assert chaintui_cache_dir() == cache_dir  # the autouse fixture's directory, not ~/.cache
    assert list(cache_dir.glob("scan-*.pickle"))


def test_changed_file_with_same_size_and_mtime_is_rescanned(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0"), ("c2", "b1")])
    target = root / "migrations" / "versions" / "c2_step.py"
    assert analyze(root).problems == []
    stat = target.stat()
    text = target.read_text()
    changed = text.replace("'b1'", "'q9'")  # same length: b1 -> q9
    assert len(changed) == len(text) and changed != text
    target.write_text(changed)
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (stat.st_size, stat.st_mtime_ns)
    problems = analyze(root).problems
    assert [(p.code, p.revisions) for p in problems if p.is_error] == [
        ("missing-parent", ("c2",)), ("multiple-heads", ("b1", "c2"))]


def test_renamed_file_is_rediagnosed(tmp_path):
    root = write_project(tmp_path, [("001", None, {"filename": "001_init.py"}),
                                    ("002", "001", {"filename": "002_next.py"})])
    assert analyze(root).problems == []
    versions = root / "migrations" / "versions"
    (versions / "002_next.py").rename(versions / "003_next.py")  # same bytes, new name
    assert [p.code for p in analyze(root).problems] == ["filename-mismatch"]


def test_corrupt_or_foreign_cache_is_ignored(tmp_path, cache_dir):
    root = write_project(tmp_path, SPECS)
    expected = _snapshot(root, use_cache=False)
    analyze(root)
    (cache_file,) = cache_dir.glob("scan-*.pickle")
    cache_file.write_bytes(b"\x80\x05garbage")
    assert _snapshot(root) == expected
    with open(cache_file, "wb") as handle:
        pickle.dump(("another version", {}, {}), handle)
    assert _snapshot(root) == expected
    # a damaged record inside a well-formed cache is a miss, not a crash
    cache = ScanCache(cache_file)
    cache.records = {key: ("not", "a", "record", "of", "the", "right", "shape") for key in cache.records}
    cache.dirty = True
    cache.save()
    assert _snapshot(root) == expected


def test_unwritable_cache_dir_only_costs_speed(tmp_path):
    root = write_project(tmp_path / "p", SPECS[:3])
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache directory should be")
    proc = run_chaintui("check", str(root), env={"CHAINTUI_CACHE_DIR": str(blocker / "cache")})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""


def test_old_entries_are_dropped(tmp_path, cache_dir):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")])
    analyze(root)
    (cache_file,) = cache_dir.glob("scan-*.pickle")
    assert len(ScanCache(cache_file).records) == 2
    target = root / "migrations" / "versions" / "b1_step.py"
    target.write_text(target.read_text() + "\n# edited\n")
    analyze(root)
    assert len(ScanCache(cache_file).records) == 2  # the old b1 record is gone
