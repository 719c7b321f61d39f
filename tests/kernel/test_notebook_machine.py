"""The notebook's machine: each executed cell is an event, so a kernel
started again on the same machine has the definitions back (without
compiling them again) and its history; where the machine lives."""

from __future__ import annotations

from pathlib import Path

from helpers.kernel import execute, kernel_on, shell_reply, text_of

from pallas_kernel.kernel.notebook import MACHINES_DIR, NotebookMachine, machine_path
from pallas_kernel.machine.runtime import Machine


def test_where_the_machine_lives(tmp_path):
    assert machine_path({"PALLAS_MACHINE": "/x/m"}, "/nb") == (Path("/x/m"), False)
    assert machine_path({"JPY_SESSION_NAME": "course/intro.ipynb"}, "/srv/course") == \
        (Path("/srv/course") / MACHINES_DIR / "intro", False)
    assert machine_path({"JPY_SESSION_NAME": "/abs/dir/a.ipynb"}, "/elsewhere") == \
        (Path("/abs/dir") / MACHINES_DIR / "a", False)
    path, temporary = machine_path({}, "/nb")
    assert temporary and path.parent.exists()
    path.parent.rmdir()


def test_a_restarted_kernel_has_its_definitions_and_history_back(tmp_path):
    machine = tmp_path / "nb"
    with kernel_on(machine) as (_, kc):
        assert execute(kc, "x=41")[0]["status"] == "ok"
        assert execute(kc, "= (next y) | add y 1")[0]["status"] == "ok"
        reply, _ = execute(kc, "y=(next x)\n\n(add nope 1)")      # an error after a good block
        assert reply["status"] == "error"
    with Machine.open(machine) as m:
        assert m.last_event() == 3
    with kernel_on(machine) as (_, kc):
        reply, out = execute(kc, "(next y)")
        assert reply["status"] == "ok" and text_of(out).strip() == "43"
        hist = shell_reply(kc, kc.history, hist_access_type="tail", n=10)
        assert [h[2] for h in hist["history"]] == ["x=41", "= (next y) | add y 1",
                                                   "y=(next x)\n\n(add nope 1)", "(next y)"]
        assert [h[0] for h in hist["history"]] == [1, 1, 1, 2]
        found = shell_reply(kc, kc.history, hist_access_type="search", pattern="*next y*")
        assert len(found["history"]) == 2


def test_the_log_says_what_each_cell_was(tmp_path):
    machine = tmp_path / "nb"
    with kernel_on(machine) as (_, kc):
        execute(kc, "z=7")
        execute(kc, "(die 3)")
    nb = NotebookMachine.open(machine)
    try:
        cells = nb.cells()
        assert [(c.count, c.source, c.status, c.run) for c in cells] == [
            (1, "z=7", "ok", 1), (2, "(die 3)", "error", 1)]
        assert nb.run == 2
    finally:
        nb.close()


def test_a_second_kernel_on_the_same_machine_runs_without_recording(tmp_path):
    machine = tmp_path / "nb"
    with kernel_on(machine) as (_, first):
        execute(first, "a=1")
        with kernel_on(machine) as (_, second):
            reply, out = execute(second, "b=2")
            assert reply["status"] == "ok"
            assert "cells are not recorded" in text_of(out)
    with Machine.open(machine) as m:
        assert m.last_event() == 1
