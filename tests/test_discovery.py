"""Finding the project through alembic's own Config, every layout DESIGN.md lists."""

from __future__ import annotations

import pytest

from chaintui.analysis import analyze
from chaintui.discovery import discover, migration_files
from chaintui.errors import ChaintuiError
from tests.builders import alembic_script, write_project
from tests.conftest import run_chaintui

SPREAD = [("a0", None, {"dir": "db/v1"}), ("b1", "a0", {"dir": "db/v2"}), ("c2", "b1", {"dir": "db/v2/more"})]


def test_alembic_ini_with_here(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")])
    assert "%(here)s/migrations" in (root / "alembic.ini").read_text()
    project = discover(root)
    assert project.root == root.resolve()
    (mset,) = project.sets
    assert mset.script_location == (root / "migrations").resolve()
    assert mset.version_dirs == ((root / "migrations" / "versions").resolve(),)
    assert mset.config_file == root.resolve() / "alembic.ini"
    assert mset.sqlalchemy_url == "sqlite:///app.db"


def test_relative_script_location_is_relative_to_the_ini(tmp_path):
    root = write_project(tmp_path, [("a0", None)], here=False)
    assert analyze(root).sets[0].graph.ids == ["a0"]


@pytest.mark.filterwarnings("ignore:No path_separator found:DeprecationWarning")
@pytest.mark.parametrize("separator", ["os", "space", "newline", ":", ";", "comma", None])
def test_several_version_locations_with_each_path_separator(tmp_path, separator):
    root = write_project(tmp_path, SPREAD, version_locations=["db/v1", "db/v2", "db/v2/more"],
                         path_separator=separator)
    (mset,) = discover(root).sets
    assert [d.relative_to(root.resolve()).as_posix() for d in mset.version_dirs] == ["db/v1", "db/v2", "db/v2/more"]
    graph = analyze(root).sets[0].graph
    script = alembic_script(root)
    assert graph.heads == list(script.get_heads()) == ["c2"]
    assert graph.bases == list(script.get_bases()) == ["a0"]
    assert sorted(graph.ids) == sorted(s.revision for s in script.walk_revisions())
    assert graph.get("c2").rel == "db/v2/more/c2_step.py"


def test_invalid_path_separator_is_a_clear_error(tmp_path):
    root = write_project(tmp_path, [("a0", None, {"dir": "v1"})], version_locations=["v1", "v2"])
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("path_separator = os", "path_separator = comma"))
    with pytest.raises(ValueError, match="path_separator"):
        alembic_script(root)
    with pytest.raises(ChaintuiError, match="path_separator"):
        discover(root)


def test_recursive_version_locations_nested_folders(tmp_path):
    specs = [("a0", None, {"dir": "migrations/versions/2023"}),
             ("b1", "a0", {"dir": "migrations/versions/2024/q1"}),
             ("c2", "b1", {"dir": "migrations/versions"})]
    root = write_project(tmp_path, specs, recursive=True)
    graph = analyze(root).sets[0].graph
    script = alembic_script(root)
    assert sorted(graph.ids) == sorted(s.revision for s in script.walk_revisions()) == ["a0", "b1", "c2"]
    assert graph.heads == script.get_heads()


def test_nested_folders_ignored_without_recursive(tmp_path):
    specs = [("a0", None), ("zz", "a0", {"dir": "migrations/versions/nested"})]
    root = write_project(tmp_path, specs)
    graph = analyze(root).sets[0].graph
    assert graph.ids == ["a0"] == [s.revision for s in alembic_script(root).walk_revisions()]


def test_pyproject_tool_alembic(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")], config="pyproject")
    (mset,) = discover(root).sets
    assert mset.config_file.name == "pyproject.toml"
    assert analyze(root).sets[0].graph.heads == alembic_script(root).get_heads() == ["b1"]


def test_pyproject_with_version_locations(tmp_path):
    root = write_project(tmp_path, SPREAD, config="pyproject", version_locations=["db/v1", "db/v2", "db/v2/more"])
    graph = analyze(root).sets[0].graph
    assert sorted(graph.ids) == ["a0", "b1", "c2"] and graph.heads == ["c2"]


def test_pyproject_without_script_location_is_an_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("[tool.alembic]\nfile_template = \"%(rev)s\"\n")
    with pytest.raises(ChaintuiError, match="script_location"):
        discover(tmp_path)


def test_bare_versions_directory(tmp_path):
    root = write_project(tmp_path, [("a0", None), ("b1", "a0")], config="none")
    versions = root / "migrations" / "versions"
    result = analyze(versions)
    assert result.root == root.resolve()  # env.py's parent: where alembic.ini would be
    graph = result.sets[0].graph
    assert graph.ids == ["a0", "b1"]
    assert graph.get("a0").rel == "migrations/versions/a0_step.py"


def test_bare_directory_without_env_py(tmp_path):
    root = write_project(tmp_path, [("a0", None)], config="none", env=False)
    versions = root / "migrations" / "versions"
    result = analyze(versions)
    assert result.sets[0].graph.get("a0").rel == "a0_step.py"


def test_several_independent_sets_in_one_repository(tmp_path):
    # Two services, each its own alembic.ini; the ids repeat between them and that is fine.
    write_project(tmp_path / "billing", [("0001", None), ("0002", "0001")])
    write_project(tmp_path / "users", [("0001", None), ("0002", "0001"), ("0003", "0002")])
    result = analyze(tmp_path)
    names = [s.mset.name for s in result.sets]
    assert len(names) == 2 and len(set(names)) == 2
    by_count = sorted((len(s.graph), s.graph.heads) for s in result.sets)
    assert by_count == [(2, ["0002"]), (3, ["0003"])]
    assert result.problems == []  # no duplicate-revision across sets
    files = sorted(m.rel for s in result.sets for m in s.graph.revisions)
    assert files[0] == "billing/migrations/versions/0001_step.py"


def test_several_ini_sections_are_separate_sets(tmp_path):
    root = write_project(tmp_path, [("0001", None), ("0002", "0001")])
    write_project(tmp_path / "tmp_tenant", [("0001", None)], config="none")
    (tmp_path / "tenant").mkdir()
    (tmp_path / "tmp_tenant" / "migrations").rename(tmp_path / "tenant" / "migrations")
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text() + "\n[tenant]\nscript_location = %(here)s/tenant/migrations\n"
                   "path_separator = os\nsqlalchemy.url = sqlite:///tenant.db\n")
    result = analyze(root)
    assert [s.mset.name for s in result.sets] == ["alembic", "tenant"]
    assert [s.graph.heads for s in result.sets] == [["0002"], ["0001"]]
    assert result.sets[1].mset.sqlalchemy_url == "sqlite:///tenant.db"
    assert alembic_script(root, section="tenant").get_heads() == ["0001"]
    assert result.problems == []


def test_version_dir_missing_is_an_error(tmp_path):
    root = write_project(tmp_path, [])
    (root / "migrations" / "versions").rmdir()
    with pytest.raises(ChaintuiError, match="version directory not found"):
        discover(root)


def test_migration_files_skip_init_pycache_and_non_python(tmp_path):
    root = write_project(tmp_path, [("a0", None)])
    versions = root / "migrations" / "versions"
    for name in ("__init__.py", ".hidden.py", "notes.txt", "a0_step.pyc", "README"):
        (versions / name).write_text("revision = 'x'\ndown_revision = None\n")
    (versions / "__pycache__").mkdir()
    (versions / "__pycache__" / "a0_step.cpython-311.py").write_text("revision = 'x'\n")
    (mset,) = discover(root).sets
    assert [p.name for p in migration_files(mset)] == ["a0_step.py"]


def test_overlapping_version_locations_list_each_file_once(tmp_path):
    root = write_project(tmp_path, [("a0", None, {"dir": "v"})], version_locations=["v", "v/../v"])
    (mset,) = discover(root).sets
    assert [p.name for p in migration_files(mset)] == ["a0_step.py"]


@pytest.mark.parametrize("make, expected", [
    (lambda p: p / "missing", "no such file or directory"),
    (lambda p: p, "not an Alembic project"),
    (lambda p: (p / "file.txt").write_text("x") and p / "file.txt", "not an alembic.ini"),
    (lambda p: (p / "alembic.ini").write_text("[alembic]\nsqlalchemy.url = x\n") and p, "no script_location"),
    (lambda p: (p / "alembic.ini").write_text("this is not [an ini\n") and p, "cannot read configuration"),
    (lambda p: (p / "alembic.ini").write_text("[alembic]\nscript_location = nowhere\n") and p,
     "version directory not found"),
    (lambda p: (p / "pyproject.toml").write_text("[tool.alembic]\nscript_location = [\n") and p,
     "cannot read [tool.alembic]"),
])
def test_bad_paths_one_line_exit_2_no_traceback(tmp_path, make, expected):
    target = make(tmp_path)
    (tmp_path / "empty").mkdir(exist_ok=True)
    with pytest.raises(ChaintuiError, match=expected.replace("[", r"\[")):
        discover(target)
    proc = run_chaintui("check", str(target))
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert proc.stderr.startswith("chaintui: ") and expected in proc.stderr
    assert "Traceback" not in proc.stderr


def test_config_cache_follows_the_config_bytes(tmp_path):
    root = write_project(tmp_path, [("a0", None, {"dir": "one"}), ("b1", None, {"dir": "two"})],
                         version_locations=["one"])
    assert analyze(root).sets[0].graph.ids == ["a0"]
    assert analyze(root).sets[0].graph.ids == ["a0"]  # from the config cache
    ini = root / "alembic.ini"
    ini.write_text(ini.read_text().replace("%(here)s/one", "%(here)s/two"))
    assert analyze(root).sets[0].graph.ids == ["b1"]
