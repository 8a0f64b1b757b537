"""chaintui.heap: one-shot commands freeze what lives on; the interactive session never does."""

from __future__ import annotations

import gc
import weakref

from chaintui import cli, heap
from tests.builders import write_project


class _Record:
    pass


def test_settle_does_nothing_until_the_process_says_it_is_one_shot():
    heap.reset()
    heap.settle()
    assert gc.get_freeze_count() == 0
    heap.one_shot()
    assert gc.get_freeze_count() > 0
    heap.reset()
    assert gc.get_freeze_count() == 0


def test_a_frozen_object_is_still_freed_when_its_last_reference_goes():
    heap.one_shot()
    record = _Record()
    alive = weakref.ref(record)
    heap.settle()
    del record
    assert alive() is None  # reference counting frees it: freezing holds nothing
    heap.reset()


def test_collector_still_collects_what_is_made_after_a_settle():
    heap.one_shot()
    heap.settle()
    cycle = _Record()
    cycle.me = cycle
    alive = weakref.ref(cycle)
    del cycle
    gc.collect()
    assert alive() is None
    heap.reset()


def test_check_is_one_shot_and_freezes_its_records(tmp_path, capsys):
    root = write_project(tmp_path, [("a1", None), ("b2", "a1")])
    assert cli.main(["check", str(root)]) == 0
    assert heap._one_shot and gc.get_freeze_count() > 0


def test_the_interactive_session_is_not_one_shot(tmp_path, capsys):
    root = write_project(tmp_path, [("a1", None), ("b2", "a1")])
    # Without a terminal the session stops after reading the project, which it did unfrozen.
    assert cli.main([str(root)]) == 2
    assert "needs a terminal" in capsys.readouterr().err
    assert not heap._one_shot and gc.get_freeze_count() == 0
