"""Every problem code of DESIGN.md, each naming exactly the revisions and files involved."""

from __future__ import annotations

from chaintui.analysis import analyze
from chaintui.diagnosis import CODES, SEVERITY
from tests.builders import write_project

V = "migrations/versions/"


def problems(tmp_path, specs, **kw):
    root = write_project(tmp_path, specs, **kw)
    result = analyze(root)
    return result.problems, result.sets[0].graph


def only(found, code):
    return [p for p in found if p.code == code]


def test_codes_and_severities_match_the_design():
    assert set(CODES) == {
        "parse-error", "duplicate-revision", "missing-parent", "missing-dependency", "cycle",
        "multiple-bases", "multiple-heads", "duplicate-branch-label", "invalid-revision-id",
        "duplicate-number", "header-mismatch", "filename-mismatch", "schema-order",
    }
    warnings = {"duplicate-number", "header-mismatch", "filename-mismatch", "schema-order"}
    assert {c for c, s in SEVERITY.items() if s == "warning"} == warnings
    assert {c for c, s in SEVERITY.items() if s == "error"} == set(CODES) - warnings


def test_a_clean_linear_history_has_no_problems(tmp_path):
    found, graph = problems(tmp_path, [("a0", None), ("b1", "a0"), ("c2", "b1")])
    assert found == []
    assert graph.heads == ["c2"] and graph.bases == ["a0"]


def test_duplicate_revision_is_a_duplicate_not_phantom_heads(tmp_path):
    specs = [("a", None), ("b", "a", {"filename": "b_one.py"}), ("b", "a", {"filename": "b_two.py"}), ("c", "b")]
    found, graph = problems(tmp_path, specs)
    assert [p.code for p in found] == ["duplicate-revision"]
    (dup,) = found
    assert dup.revisions == ("b",)
    assert dup.files == (V + "b_one.py", V + "b_two.py")
    assert dup.line == 15  # the revision line of the first file
    assert graph.heads == ["c"]


def test_cycle_names_only_the_loop_not_its_descendants(tmp_path):
    specs = [("a", None), ("b", "a"), ("c", "d"), ("d", "c"), ("e", "d"), ("f", "e")]
    found, _ = problems(tmp_path, specs)
    (cycle,) = only(found, "cycle")
    assert set(cycle.revisions) == {"c", "d"}
    assert set(cycle.files) == {V + "c_step.py", V + "d_step.py"}
    assert cycle.severity == "error"
    assert cycle.message == "down_revision loops: c -> d -> c"
    # the head of the chain hanging off the loop counts: one head count everywhere
    (heads,) = only(found, "multiple-heads")
    assert heads.revisions == ("b", "f")


def test_two_separate_cycles_and_a_self_loop(tmp_path):
    specs = [("a", None), ("b", "c"), ("c", "b"), ("x", "z"), ("y", "x"), ("z", "y"), ("s", "s")]
    found, _ = problems(tmp_path, specs)
    cycles = sorted(tuple(sorted(p.revisions)) for p in only(found, "cycle"))
    assert cycles == [("b", "c"), ("s",), ("x", "y", "z")]
    (self_loop,) = [p for p in only(found, "cycle") if p.revisions == ("s",)]
    assert "itself" in self_loop.message


def test_missing_parent_groups_the_children_of_one_dangling_id(tmp_path):
    specs = [("a", None), ("b", "gone"), ("c", "gone"), ("d", "lost")]
    found, _ = problems(tmp_path, specs)
    missing = only(found, "missing-parent")
    assert [(p.revisions, p.files) for p in missing] == [
        (("b", "c"), (V + "b_step.py", V + "c_step.py")),
        (("d",), (V + "d_step.py",)),
    ]
    assert "'gone'" in missing[0].message and "'lost'" in missing[1].message
    assert missing[0].line == 16  # down_revision line of b


def test_empty_down_revision_is_broken_not_a_base(tmp_path):
    found, graph = problems(tmp_path, [("a", None), ("b", "")])
    assert [(p.code, p.revisions) for p in found] == [("missing-parent", ("b",)), ("multiple-heads", ("a", "b"))]
    assert "empty id" in found[0].message
    assert graph.bases == ["a"]


def test_missing_dependency(tmp_path):
    specs = [("a", None), ("b", "a", {"depends_on": "zzz"}), ("c", "b", {"depends_on": ("a", "feat")}),
             ("x", None, {"branch_labels": "feat"})]
    found, _ = problems(tmp_path, specs)
    assert [(p.code, p.revisions, p.files) for p in found] == [
        ("missing-dependency", ("b",), (V + "b_step.py",)),
    ]
    assert "'zzz'" in found[0].message and found[0].line == 18


def test_multiple_bases_names_the_unlabelled_roots(tmp_path):
    found, _ = problems(tmp_path, [("a", None), ("b", None), ("c", "a"), ("d", "b")])
    assert [(p.code, p.revisions, p.files) for p in found if p.code == "multiple-bases"] == [
        ("multiple-bases", ("a", "b"), (V + "a_step.py", V + "b_step.py")),
    ]


def test_roots_joined_by_a_merge_revision_are_fine(tmp_path):
    # alembic upgrades through joined roots: some projects have had two for years
    found, graph = problems(tmp_path, [("a", None), ("b", None), ("c", ("a", "b")), ("d", "c")])
    assert found == [] and sorted(graph.bases) == ["a", "b"]


def test_duplicate_number_with_distinct_ids_is_a_warning(tmp_path):
    specs = [("001_init", None), ("002_users", "001_init"), ("002_posts", "001_init"),
             ("003_tags", "002_users")]
    found, _ = problems(tmp_path, specs)
    (dup,) = only(found, "duplicate-number")
    assert dup.severity == "warning" and set(dup.revisions) == {"002_users", "002_posts"}
    assert "number 002" in dup.message
    # one id declared twice is a duplicate-revision, not also a duplicate number
    found, _ = problems(tmp_path / "other", [("001", None), ("002", "001", {"message": "a"}),
                                             ("002", "001", {"message": "b"})])
    assert only(found, "duplicate-number") == []


def test_labelled_branches_bases_and_heads_are_not_errors(tmp_path):
    specs = [("a", None), ("b", "a"),
             ("x", None, {"branch_labels": ("feature",)}), ("y", "x"),
             ("c", "a", {"branch_labels": "hotfix"}), ("d", "c")]
    found, graph = problems(tmp_path, specs)
    assert found == []
    assert sorted(graph.heads) == ["b", "d", "y"] and sorted(graph.bases) == ["a", "x"]


def test_computed_branch_labels_are_not_guessed_into_errors(tmp_path):
    # neutron style: each branch root labels itself with a constant from application code
    expand = "from neutron.db.migration import cli\nrevision = 'e1'\ndown_revision = 'kilo'\nbranch_labels = (cli.EXPAND_BRANCH,)\n"
    contract = "from neutron.db.migration import cli\nrevision = 'c1'\ndown_revision = 'kilo'\nbranch_labels = (cli.CONTRACT_BRANCH,)\n"
    specs = [("kilo", None), {"rev": "e1", "source": expand}, {"rev": "c1", "source": contract}]
    found, graph = problems(tmp_path, specs)
    assert sorted(graph.heads) == ["c1", "e1"]
    assert only(found, "multiple-heads") == []


def test_multiple_heads_on_one_branch(tmp_path):
    found, _ = problems(tmp_path, [("a", None), ("b", "a"), ("c", "a"), ("d", "b"), ("x", None, {"branch_labels": "f"})])
    (heads,) = only(found, "multiple-heads")
    assert heads.revisions == ("c", "d")
    assert heads.files == (V + "c_step.py", V + "d_step.py")
    assert [p.code for p in found] == ["multiple-heads"]


def test_multiple_heads_within_a_labelled_branch(tmp_path):
    specs = [("a", None), ("b", "a"), ("x", None, {"branch_labels": "feat"}), ("y", "x"), ("z", "x")]
    found, _ = problems(tmp_path, specs)
    (heads,) = only(found, "multiple-heads")
    assert heads.revisions == ("y", "z") and "feat" in heads.message


def test_duplicate_branch_label(tmp_path):
    specs = [("a", None), ("b", "a", {"branch_labels": "x"}), ("c", "b", {"branch_labels": ("x",)})]
    found, _ = problems(tmp_path, specs)
    assert [(p.code, p.revisions, p.files) for p in found] == [
        ("duplicate-branch-label", ("b", "c"), (V + "b_step.py", V + "c_step.py")),
    ]
    assert found[0].line == 17


def test_header_mismatch_is_a_warning_and_variables_win(tmp_path):
    specs = [("a", None), ("b", "a", {"header": {"Revision ID": "q", "Revises": "zz"}}), ("c", "b")]
    found, graph = problems(tmp_path, specs)
    assert [(p.code, p.severity, p.revisions, p.line) for p in found] == [
        ("header-mismatch", "warning", ("b",), 3),
        ("header-mismatch", "warning", ("b",), 4),
    ]
    assert graph.parent_ids("c") == ("b",) and graph.heads == ["c"]


def test_header_listing_merge_parents_in_another_order_is_fine(tmp_path):
    specs = [("a", None), ("b", "a"), ("c", "a"), ("m", ("b", "c"), {"header": {"Revises": "c, b"}})]
    found, _ = problems(tmp_path, specs)
    assert found == []


def test_filename_mismatch(tmp_path):
    specs = [("001", None, {"filename": "001_init.py"}),
             ("002", "001", {"filename": "003_next.py"}),
             ("ae1027a6acf0", "002", {"filename": "1975ea83b712_add_x.py"}),
             ("kilo", "ae1027a6acf0", {"filename": "kilo_initial.py"}),
             ("b1", "kilo", {"filename": "add_things.py"})]
    found, _ = problems(tmp_path, specs)
    assert [(p.code, p.severity, p.revisions, p.files) for p in found] == [
        ("filename-mismatch", "warning", ("002",), (V + "003_next.py",)),
        ("filename-mismatch", "warning", ("ae1027a6acf0",), (V + "1975ea83b712_add_x.py",)),
    ]


def test_parse_error_names_the_file_only(tmp_path):
    specs = [("a", None), {"rev": "x", "filename": "broken.py", "source": "revision = 'x'\ndown_revision = (\n"}]
    found, _ = problems(tmp_path, specs)
    assert [(p.code, p.revisions, p.files) for p in found] == [("parse-error", (), (V + "broken.py",))]


def test_every_problem_at_once_errors_first_in_code_order(tmp_path):
    specs = [
        ("a", None), ("b", None),                                            # multiple-bases
        ("c", "a", {"filename": "c_one.py"}), ("c", "a", {"filename": "c_two.py"}),  # duplicate
        ("d", "gone"),                                                       # missing-parent
        ("e", "f"), ("f", "e"),                                              # cycle
        ("g", "a", {"depends_on": "nope"}),                                  # missing-dependency
        ("h", "a", {"header": {"Revises": "zzz"}}),                          # header-mismatch
        {"rev": "bad", "filename": "bad.py", "source": "revision = (\n"},    # parse-error
    ]
    found, _ = problems(tmp_path, specs)
    codes = [p.code for p in found]
    assert set(codes) >= {"parse-error", "duplicate-revision", "cycle", "missing-parent",
                          "missing-dependency", "multiple-bases", "multiple-heads", "header-mismatch"}
    assert codes == sorted(codes, key=CODES.index)
    heads = only(found, "multiple-heads")[0]
    # every head counts, d below its missing parent too (not e/f: in a loop, both have a child)
    assert set(heads.revisions) == {"b", "c", "d", "g", "h"}


def test_schema_order_through_the_same_diagnosis(tmp_path):
    # Owned by chaintui.schema; here only: it is reported with the others, as a warning that
    # names the offending migration first and the one it depends on.
    specs = [("a", None), ("b", "a", {"upgrade": ["op.add_column('t_c', sa.Column('x', sa.Integer()))"]}),
             ("c", "b")]
    found, _ = problems(tmp_path, specs)
    assert [(p.code, p.severity, p.revisions, p.files, p.line) for p in found] == [
        ("schema-order", "warning", ("b", "c"), (V + "b_step.py", V + "c_step.py"), 22),
    ]


def test_the_acyclic_shortcut_finds_exactly_the_loops_tarjan_finds():
    """graph.strongly_connected() skips Tarjan when the topological walk placed every id; on
    random histories (merges, duplicates, dangling parents, self-loops, loops) both agree."""
    import random
    from pathlib import Path

    from chaintui.graph import RevisionGraph, strongly_connected
    from chaintui.model import Migration, MigrationSet

    mset = MigrationSet(name="m", root=Path("/p"), script_location=None, version_dirs=(Path("/p/v"),))
    rng = random.Random(7)
    acyclic_seen = cyclic_seen = 0
    for _ in range(400):
        n = rng.randint(1, 12)
        ids = [f"r{i}" for i in range(n)] + (["r0"] if rng.random() < 0.2 else [])  # a duplicate id
        files = []
        for k, rev in enumerate(ids):
            pool = ids + ["ghost"]
            down = tuple(rng.sample(pool, rng.choice([0, 1, 1, 1, 2]))) if rng.random() < 0.3 else \
                ((ids[k - 1],) if k else ())
            files.append(Migration(path=Path(f"/p/v/{k}.py"), rel=f"v/{k}.py", revision=rev, down_revision=down))
        graph = RevisionGraph(mset, files)
        expected = sorted(sorted(c) for c in strongly_connected(graph.by_id, graph._edges))
        assert sorted(sorted(c) for c in graph.strongly_connected()) == expected
        acyclic_seen += not expected
        cyclic_seen += bool(expected)
    assert acyclic_seen > 50 and cyclic_seen > 50  # both paths exercised
