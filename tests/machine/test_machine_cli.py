"""`pallas boot STORE FILE` and `pallas log STORE`, run as the command
line in a subprocess: boot our counter demo, step it with the runtime, and
read the log back one line per event."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pallas_kernel import plan
from pallas_kernel.machine import Machine
from pallas_kernel.sire.library import library_dir

ROOT = str(Path(__file__).resolve().parents[2])
COUNTER = str(Path(library_dir()) / "demo_counter.sire")


def pallas(*args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-m", "pallas_kernel", *args], capture_output=True,
                          text=True, timeout=300, env=env)


def test_boot_then_log(tmp_path):
    store = str(tmp_path / "store")
    r = pallas("boot", store, COUNTER)
    assert r.returncode == 0, r.stderr
    assert "booted" in r.stdout
    with Machine.open(store) as m:
        assert [plan.show(q) for q in m.requests(0)] == ['["time" 0 "when"]']
        m.deliver(0, {0: 100})
        m.deliver(0, {0: 0})
    r = pallas("log", store)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["1 cog 0 ok 0=100", "2 cog 0 ok 0=0"]


def test_boot_refuses_an_existing_store_and_a_file_that_fails(tmp_path):
    store = str(tmp_path / "store")
    assert pallas("boot", store, COUNTER).returncode == 0
    r = pallas("boot", store, COUNTER)
    assert r.returncode == 1
    assert "already holds a store" in r.stderr and "Traceback" not in r.stderr
    broken = tmp_path / "broken.sire"
    broken.write_text("#### broken <- prelude\n\n:| prelude\n\nmain=(noSuchName 3)\n")
    r = pallas("boot", str(tmp_path / "other"), str(broken))
    assert r.returncode == 2
    assert "noSuchName" in r.stderr and "Traceback" not in r.stderr
    assert not (tmp_path / "other").exists()


def test_log_of_a_missing_store_is_a_clear_error(tmp_path):
    r = pallas("log", str(tmp_path / "none"))
    assert r.returncode == 1
    assert "not a store" in r.stderr and "Traceback" not in r.stderr
