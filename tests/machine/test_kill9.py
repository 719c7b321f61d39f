"""Kill -9 at random moments (issue 11): a machine counting as fast as it
can is killed with SIGKILL again and again, and after each kill

- no committed event is lost: every count printed was committed (output
  leaves only after its event is durable), and the next run goes on from
  exactly the count the log holds;
- none is applied twice: the printed counts of all runs, in order, are
  strictly increasing;
- the state after a restart (latest snapshot plus replay) equals a replay
  of the whole log from the boot snapshot.

TRIALS kills in all (at least 50), spread over a few stores so that the
replays stay short."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pallas_kernel.machine import Machine
from pallas_kernel.sire.library import library_dir

ROOT = str(Path(__file__).resolve().parents[2])
FAST = str(Path(library_dir()) / "demo_count_fast.sire")
TRIALS = int(os.environ.get("PALLAS_KILL_TRIALS", "50"))
STORES = 5

COUNT = re.compile(r"^\+\+ \[%count (\d+)\]$")


def pallas(*args: str, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, "-m", "pallas_kernel", *args], env=env, **kwargs)


def counts(path: Path) -> list[int]:
    """The counts a run printed (its stderr file)."""
    return [int(m.group(1)) for line in path.read_text().splitlines() if (m := COUNT.match(line))]


def kill_after(store: Path, seconds: float, err: Path) -> None:
    """Start the machine, wait until it has printed (or ``seconds``), then
    SIGKILL it at a random moment."""
    with open(err, "w") as f:
        p = pallas("start", str(store), stderr=f, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and "++ [%count" not in err.read_text():
        time.sleep(0.02)
    time.sleep(seconds)
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)


@pytest.mark.parametrize("store_no", range(STORES))
def test_kill_minus_nine_loses_nothing_and_repeats_nothing(tmp_path, store_no):
    rng = random.Random(1000 + store_no)
    store = tmp_path / "store"
    boot = subprocess.run([sys.executable, "-m", "pallas_kernel", "boot", str(store), FAST],
                          env=dict(os.environ, PYTHONPATH=ROOT), capture_output=True, text=True)
    assert boot.returncode == 0, boot.stderr
    printed: list[int] = [1]                  # count 1 is printed while booting
    for trial in range(-(-TRIALS // STORES)):
        with Machine.open(store) as m:
            before = m.last_event()
            restarted = m.state_hash()
        with Machine.open(store, snapshot_at_most=0) as m:
            assert m.state_hash() == restarted, f"trial {trial}: replay from scratch differs"
        err = tmp_path / f"run{trial}.err"
        kill_after(store, rng.uniform(0.0, 0.4), err)
        run = counts(err)
        assert run, f"trial {trial}: the machine printed nothing"
        # it went on from exactly what the log held: count n is event n-1
        assert run[0] == before + 2, (trial, before, run[:3])
        assert run == list(range(run[0], run[0] + len(run))), f"trial {trial}: a gap or repeat"
        with Machine.open(store) as m:
            assert m.last_event() >= run[-1] - 1, f"trial {trial}: a printed count was not committed"
        printed += run
    assert printed == sorted(set(printed)), "a count was printed twice"
