"""Ranked suggestions: parents, which duplicate to keep, which file a child meant, redundant roots."""

from __future__ import annotations

from pathlib import Path

import git
import pytest

from chaintui import suggest
from chaintui.analysis import analyze
from chaintui.demo import build_demo
from chaintui.graph import RevisionGraph
from chaintui.history import GitHistory
from chaintui.model import Migration, MigrationSet
from chaintui.scanner import scan_bytes
from tests.test_schema import add, create, migration_source


def graph_of(specs, root: Path = Path("/p")) -> RevisionGraph:
    """specs: dicts with rev, down, and optional body, date, name."""
    mset = MigrationSet(name="m", root=root, script_location=None, version_dirs=(root / "versions",))
    migrations = []
    for spec in specs:
        name = spec.get("name", f"{spec['rev']}_step.py")
        source = migration_source(spec["rev"], spec.get("down"), spec.get("body", []), spec.get("date"))
        if "revises" in spec:
            source = source.replace(f"Revises: {spec.get('down') or ''}\n", f"Revises: {spec['revises']}\n")
        record = scan_bytes(source.encode())
        migrations.append(Migration(path=root / "versions" / name, rel=f"versions/{name}", **record))
    return RevisionGraph(mset, migrations)


def top(options, n: int = 1):
    return [o.value for o in options[:n]]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    root = build_demo(tmp_path_factory.mktemp("demo") / "proj")
    return analyze(root, use_cache=False).sets[0].graph


class TestDemo:
    """The seed plan's answers, from the demo's files, dates, git history and DDL."""

    @pytest.mark.parametrize("child,dangling,want", [
        ("004_add_notifications", "003_essential_tables", "003_enhanced_content_metadata"),
        ("005", "373835cefaf9", "004_add_notifications"),
        ("019", "f42f94c7a129", "018"),
        ("022", "f42f94c7a129", "021"),
        ("023", "f42f94c7a129", "022"),
    ])
    def test_dangling_parents(self, demo, child, dangling, want):
        options = suggest.rank_parents(demo, demo.by_id[child][0], dangling=dangling)
        assert options[0].value == want
        assert options[0].score > options[1].score
        assert options[0].reasons

    def test_loop_edge(self, demo):
        members = {"026", "027_create_content_drafts_and_schedules"}
        options = suggest.rank_parents(demo, demo.by_id["026"][0], exclude=members)
        assert options[0].value == "025"
        assert any("header says Revises: 025" in r for r in options[0].reasons)
        assert not members & {o.value for o in options}

    def test_keep_and_meant(self, demo):
        assert Path(suggest.rank_keep(demo, "017")[0].value).name == "017_add_missing_user_columns.py"
        assert Path(suggest.rank_keep(demo, "018")[0].value).name == "018_add_dead_letter_queue.py"
        assert Path(suggest.rank_keep(demo, "031")[0].value).name == "031_add_usage_record_table.py"
        [child] = demo.children_of("031")
        meant = suggest.rank_meant(demo, child, "031")
        # 032 indexes usage_records although 031_webhook... was created later: schema wins.
        assert Path(meant[0].value).name == "031_add_usage_record_table.py"
        assert any("usage_records" in r for r in meant[0].reasons)

    def test_redundant_root(self, demo):
        redundant = {m.name for m in demo.revisions if suggest.is_redundant_root(demo, m)}
        assert redundant == {"001_initial_migration.py"}
        keep = suggest.rank_keep(demo, "001")
        assert Path(keep[0].value).name == "001_add_core_missing_tables.py"

    def test_without_git_still_right(self, demo):
        options = suggest.rank_parents(demo, demo.by_id["019"][0], dangling="f42f94c7a129", use_git=False)
        assert options[0].value == "018"
        assert not any("git" in r for o in options for r in o.reasons)


class TestSignals:
    def test_dangling_starts_with_an_id(self):
        g = graph_of([{"rev": "0001"}, {"rev": "0002", "down": "0001"}, {"rev": "0003", "down": "0002"},
                      {"rev": "0004", "down": "0003_add_x"}])
        options = suggest.rank_parents(g, g.by_id["0004"][0], dangling="0003_add_x")
        assert top(options) == ["0003"] and "starts with its id" in options[0].reasons[0]

    def test_truncated_hex_id(self):
        g = graph_of([{"rev": "1a2b3c4d5e6f"}, {"rev": "9f8e7d6c5b4a", "down": "1a2b3c4d5e6f"},
                      {"rev": "0a0b0c0d0e0f", "down": "9f8e7d"}])
        assert top(suggest.rank_parents(g, g.by_id["0a0b0c0d0e0f"][0], dangling="9f8e7d")) == ["9f8e7d6c5b4a"]

    def test_letter_suffix_numbering(self):
        g = graph_of([{"rev": "007"}, {"rev": "008", "down": "007"}, {"rev": "008a", "down": "008"},
                      {"rev": "010", "down": "009"}, {"rev": "009"}])
        assert top(suggest.rank_parents(g, g.by_id["009"][0])) == ["008a"]

    def test_create_date_order(self):
        g = graph_of([
            {"rev": "aaaaaaaaaaaa", "date": "2024-01-01 10:00:00"},
            {"rev": "bbbbbbbbbbbb", "down": "aaaaaaaaaaaa", "date": "2024-01-03 10:00:00"},
            {"rev": "cccccccccccc", "down": "aaaaaaaaaaaa", "date": "2024-01-02 10:00:00"},
            {"rev": "dddddddddddd", "down": "ffffffffffff", "date": "2024-01-04 10:00:00"},
        ])
        options = suggest.rank_parents(g, g.by_id["dddddddddddd"][0], dangling="ffffffffffff")
        assert top(options) == ["bbbbbbbbbbbb"]
        assert any("Create Date" in r for r in options[0].reasons)

    def test_created_after_ranks_lower(self):
        g = graph_of([
            {"rev": "aaaaaaaaaaaa", "date": "2024-01-01 10:00:00"},
            {"rev": "bbbbbbbbbbbb", "down": "aaaaaaaaaaaa", "date": "2024-01-05 10:00:00"},
            {"rev": "cccccccccccc", "down": None, "date": "2024-01-02 10:00:00"},
        ])
        options = {o.value: o for o in suggest.rank_parents(g, g.by_id["cccccccccccc"][0])}
        assert options["aaaaaaaaaaaa"].score > options["bbbbbbbbbbbb"].score

    def test_schema_prefers_the_creator_and_penalises_a_break(self):
        g = graph_of([
            {"rev": "aaaaaaaaaaaa", "body": [create("users")]},
            {"rev": "bbbbbbbbbbbb", "down": "aaaaaaaaaaaa", "body": [create("posts")]},
            {"rev": "cccccccccccc", "down": "aaaaaaaaaaaa", "body": [create("tags")]},
            {"rev": "dddddddddddd", "down": "eeeeeeeeeeee", "body": [add("posts")]},
        ])
        options = {o.value: o for o in suggest.rank_parents(g, g.by_id["dddddddddddd"][0], dangling="eeeeeeeeeeee")}
        assert options["bbbbbbbbbbbb"].score > options["cccccccccccc"].score
        assert any("would not exist yet" in r for r in options["cccccccccccc"].reasons)

    def test_descendants_and_excluded_are_never_offered(self):
        g = graph_of([{"rev": "001"}, {"rev": "002", "down": "001"}, {"rev": "003", "down": "002"}])
        values = {o.value for o in suggest.rank_parents(g, g.by_id["002"][0], exclude={"001"})}
        assert values == set()
        assert top(suggest.rank_parents(g, g.by_id["003"][0], limit=1), 5) == ["002"]


def _commit(repo, root: Path, name: str, text: str, when: str) -> None:
    (root / "versions" / name).write_text(text)
    repo.index.add([f"versions/{name}"])
    actor = git.Actor("Dev", "dev@example.com")
    repo.index.commit(f"add {name}", author=actor, committer=actor, author_date=when, commit_date=when)


class TestGit:
    def test_first_commit_order_and_renamed_away_id(self, tmp_path):
        root = tmp_path / "proj"
        (root / "versions").mkdir(parents=True)
        repo = git.Repo.init(root)
        revs = ["1a1a1a1a1a1a", "2b2b2b2b2b2b", "3c3c3c3c3c3c", "4d4d4d4d4d4d"]
        down = None
        for i, rev in enumerate(revs):
            _commit(repo, root, f"{rev}_step.py", migration_source(rev, down, []), f"2024-01-0{i + 1} 10:00:00 +0000")
            down = rev
        # 5e... was written on top of 4d..., then 4d... got a new id: the child still names the old one.
        _commit(repo, root, "5e5e5e5e5e5e_step.py", migration_source("5e5e5e5e5e5e", "4d4d4d4d4d4d", []),
                "2024-01-06 10:00:00 +0000")
        path = root / "versions" / "4d4d4d4d4d4d_step.py"
        path.write_text(path.read_text().replace("revision = '4d4d4d4d4d4d'", "revision = '9f9f9f9f9f9f'"))
        repo.index.add(["versions/4d4d4d4d4d4d_step.py"])
        repo.index.commit("renumber")
        # and a late root whose place only git knows
        _commit(repo, root, "6f6f6f6f6f6f_step.py", migration_source("6f6f6f6f6f6f", None, []),
                "2024-01-08 10:00:00 +0000")
        g = analyze(root / "versions", use_cache=False).sets[0].graph
        options = suggest.rank_parents(g, g.by_id["5e5e5e5e5e5e"][0], dangling="4d4d4d4d4d4d")
        assert options[0].value == "9f9f9f9f9f9f"
        assert any("renamed" in r for r in options[0].reasons)
        late = suggest.rank_parents(g, g.by_id["6f6f6f6f6f6f"][0])
        assert late[0].value == "5e5e5e5e5e5e"
        assert any("first committed" in r for r in late[0].reasons)

    def test_no_repository_means_no_git_signal(self, tmp_path):
        (tmp_path / "versions").mkdir()
        for rev, down in (("1a1a1a1a1a1a", None), ("2b2b2b2b2b2b", "1a1a1a1a1a1a")):
            (tmp_path / "versions" / f"{rev}_x.py").write_text(migration_source(rev, down, []))
        g = analyze(tmp_path / "versions", use_cache=False).sets[0].graph
        assert GitHistory.for_graph(g) is None
        assert suggest.rank_parents(g, g.by_id["2b2b2b2b2b2b"][0])[0].value == "1a1a1a1a1a1a"


class TestRedundantRoot:
    def test_subset_root_is_redundant(self):
        g = graph_of([{"rev": "000", "body": [create("a"), create("b")]}, {"rev": "001", "down": "000"},
                      {"rev": "zzz", "body": [create("a")]}])
        assert [m.revision for m in g.revisions if suggest.is_redundant_root(g, m)] == ["zzz"]

    def test_disjoint_or_empty_roots_are_not(self):
        g = graph_of([{"rev": "000", "body": [create("a")]}, {"rev": "zzz", "body": [create("b")]},
                      {"rev": "yyy"}])
        assert not any(suggest.is_redundant_root(g, m) for m in g.revisions)

    def test_equal_roots_exactly_one_is_redundant(self):
        g = graph_of([{"rev": "000", "body": [create("a")]}, {"rev": "001", "down": "000"},
                      {"rev": "x00", "body": [create("a")]}])
        assert [m.revision for m in g.revisions if suggest.is_redundant_root(g, m)] == ["x00"]
