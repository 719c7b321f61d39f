"""`pallas boot STORE FILE` and `pallas log STORE`, run as the command
line in a subprocess: boot our counter demo, step it with the runtime, and
read the log back one line per event."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

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


FAST = str(Path(library_dir()) / "demo_count_fast.sire")


def start_process(store: str, *extra: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.Popen([sys.executable, "-m", "pallas_kernel", "start", store, *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_output(p: subprocess.Popen, text: str) -> str:
    """Lines of the process's stderr up to the first holding ``text``."""
    seen = []
    for line in p.stderr:
        seen.append(line)
        if text in line:
            return "".join(seen)
    raise AssertionError(f"{text!r} never came: {''.join(seen)}")


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_start_cleanly_with_a_snapshot(tmp_path, sig):
    store = str(tmp_path / "store")
    assert pallas("boot", store, FAST).returncode == 0
    p = start_process(store)
    wait_for_output(p, "[%count 20]")
    p.send_signal(sig)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert "Traceback" not in err
    with Machine.open(store) as m:
        assert m.store.latest_snapshot()[0] == m.last_event() >= 19


def test_a_second_start_is_refused_and_the_first_goes_on(tmp_path):
    store = str(tmp_path / "store")
    assert pallas("boot", store, FAST).returncode == 0
    first = start_process(store)
    wait_for_output(first, "[%count 5]")
    second = pallas("start", store)
    assert second.returncode == 1
    assert "in use by another process" in second.stderr and "Traceback" not in second.stderr
    assert first.poll() is None                 # nobody signalled the first
    wait_for_output(first, "[%count 50]")
    first.send_signal(signal.SIGINT)
    first.communicate(timeout=60)
    assert first.returncode == 0


def test_boot_start_then_cogs_and_show_state(tmp_path):
    store = str(tmp_path / "store")
    prog = tmp_path / "three.sire"
    prog.write_text("#### three <- prelude\n\n:| prelude\n\n"
                    "= (go n k)\n| trk [%at n]\n| ifz n (k 0)\n: _ < syscall TIME_WHEN\n| go (dec n) k\n\n"
                    "main=(runCog (go 3))\n")
    r = pallas("boot", store, str(prog), "--start")
    assert r.returncode == 0, r.stderr
    assert "++ [%at 0]" in r.stderr and "Shutting down..." in r.stderr
    r = pallas("cogs", store)
    assert r.returncode == 0 and r.stdout.strip() == "cog 0 finished"
    r = pallas("show-state", store, "1")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("event 1 state ") and lines[1] == "cog 0 live 0=[%time 0 %when]"
    r = pallas("log", store)
    assert len(r.stdout.splitlines()) == 3


def test_start_of_a_damaged_store_is_a_clear_error(tmp_path):
    store = tmp_path / "store"
    assert pallas("boot", str(store), FAST).returncode == 0
    data = store / "data.mdb"
    data.write_bytes(data.read_bytes()[:4096])
    r = pallas("start", str(store))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and str(store) in r.stderr


def counter_resumes(tmp_path, source: Path, line: str) -> None:
    """Boot a once-a-second counter, start it until it prints count 2,
    Ctrl-C, start again: the next count is 3, not 0 or 1."""
    store = str(tmp_path / "store")
    r = pallas("boot", store, str(source))
    assert r.returncode == 0, r.stderr
    p = start_process(store)
    wait_for_output(p, line % 2)
    p.send_signal(signal.SIGINT)
    _, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    assert line % 3 not in err
    p = start_process(store)
    seen = wait_for_output(p, line % 3)
    p.send_signal(signal.SIGINT)
    p.communicate(timeout=60)
    assert line % 0 not in seen and line % 1 not in seen and line % 2 not in seen


def test_our_counter_goes_on_after_ctrl_c(tmp_path):
    counter_resumes(tmp_path, Path(COUNTER), "++ [%%count %d]")


@pytest.mark.skipif(not os.environ.get("PALLAS_REFERENCE"), reason="PALLAS_REFERENCE is not set")
def test_the_references_demo_count_up_runs_and_resumes(tmp_path):
    """The reference's Getting Started demo, its file unmodified (copied
    byte for byte), booted and started on our prelude."""
    ref = Path(os.environ["PALLAS_REFERENCE"])
    src = (ref / "sire" if (ref / "sire").is_dir() else ref) / "demo_count_up.sire"
    copy = tmp_path / "demo_count_up.sire"
    copy.write_bytes(src.read_bytes())
    counter_resumes(tmp_path, copy, "++ [{counter is at} %d]")


def test_the_cogs_demo_talks_between_cogs_and_replays(tmp_path):
    """demo_cogs: a keeper cog answers two askers on a channel; the boss
    reaps them, asks once more and stops the keeper; the machine then has
    nothing to do. The log replays to the same state."""
    store = str(tmp_path / "store")
    r = pallas("boot", store, str(Path(library_dir()) / "demo_cogs.sire"), "--start")
    assert r.returncode == 0, r.stderr
    said = [line for line in r.stderr.splitlines() if line.startswith("++ ") and "%trk" not in line]
    asked = [line for line in said if "%asked" in line]
    assert sorted(asked) == sorted(["++ [%asked 1 %got (0 1)]", "++ [%asked 2 %got (0 3)]",
                                    "++ [%asked 3 %got (0 16)]", "++ [%asked 10 %got (0 13)]",
                                    "++ [%asked 20 %got (0 36)]"])
    assert "++ [%final (0 36)]" in said and r.stderr.rstrip().endswith("Shutting down...")
    with Machine.open(store) as m:
        assert sorted(m.cogs) == [0]         # askers reaped, keeper stopped
        live = m.state_hash()
    with Machine.open(store, snapshot_at_most=0) as m:
        assert m.state_hash() == live


def http_get(port: int, path: str) -> tuple[int, str]:
    import urllib.request
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as r:
        return r.status, r.read().decode()


def test_the_http_demo_answers_urllib_and_keeps_its_count_across_restarts(tmp_path):
    store = tmp_path / "store"
    assert pallas("boot", str(store), str(Path(library_dir()) / "demo_http_hello.sire")).returncode == 0
    for run, (path, want) in enumerate([("/else", "request 0: /else\n"), ("/x/y", "request 1: /x/y\n")]):
        p = start_process(str(store))
        said = wait_for_output(p, "_http_port=")
        port = int(said.split("_http_port=")[1].split()[0])
        assert int((store / "0.http.port").read_text()) == port
        assert http_get(port, "/") == (200, "hello")
        assert http_get(port, path) == (200, want)
        p.send_signal(signal.SIGINT)
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
        assert "Traceback" not in err


def test_the_pmap_demo_runs_jobs_in_workers_and_replays_them(tmp_path):
    """demo_pmap through the command line: EVAL jobs in the worker pool;
    the log records only that they finished, and a replay from the boot
    snapshot recomputes them to the same state."""
    store = str(tmp_path / "store")
    r = pallas("boot", store, str(Path(library_dir()) / "demo_pmap.sire"), "--start")
    assert r.returncode == 0, r.stderr
    assert "++ [%squares [1 4 9 16 25 36 49 64]]" in r.stderr
    assert "++ [%fibs [6765 10946 17711 28657 46368 75025]]" in r.stderr
    log = pallas("log", store).stdout
    assert "(recomputed)" in log and "6765" not in log
    with Machine.open(store) as m:
        live = m.state_hash()
    from pallas_kernel.machine.service import recompute_here
    with Machine.open(store, snapshot_at_most=0, recompute=recompute_here) as m:
        assert m.state_hash() == live
