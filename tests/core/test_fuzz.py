"""The fuzzer (fuzz/fuzz.py) as a test: every target gets FUZZ_N_TEST inputs
(10^3 by default, 10^4 under `make fuzz-ci`, which sets FUZZ_N) in worker
processes, and must report no failure: no exception outside the documented
ones, no dead worker, no hang. `make fuzz` runs 10^5 per target."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
N = int(os.environ.get("FUZZ_N", 1000))

sys.path.insert(0, str(ROOT / "fuzz"))
import fuzz  # noqa: E402


@pytest.mark.parametrize("target", ["rex", "seed", "plan", "session", "session-library"])
def test_fuzz_target_finds_nothing(target):
    out = subprocess.run([sys.executable, str(ROOT / "fuzz" / "fuzz.py"), "-n", str(N), "--quiet", target],
                         capture_output=True, text=True, cwd=ROOT, timeout=3600)
    assert out.returncode == 0, out.stdout + out.stderr[-3000:]
    assert out.stdout.startswith(f"{target}: {N} inputs"), out.stdout


def test_an_input_is_made_again_from_its_index():
    """A failure is reported by index: the same index gives the same bytes."""
    fuzz._register_builtin()
    for name, target in fuzz.TARGETS.items():
        a = target.make(fuzz.input_rng(7, name, 123))
        b = target.make(fuzz.input_rng(7, name, 123))
        assert a == b, name


def test_a_failing_target_is_reported_with_its_input(tmp_path, monkeypatch):
    """A target that raises an undocumented exception fails the run, and the
    input is saved where the report says."""
    fuzz._register_builtin()
    monkeypatch.setattr(fuzz, "FAILURES", tmp_path)
    report = fuzz.Report("rex")
    fuzz.save_failure(report, 1, 5, "exception", "ZeroDivisionError")
    saved = tmp_path / "rex" / "1-5.bin"
    assert saved.read_bytes() == fuzz.TARGETS["rex"].make(fuzz.input_rng(1, "rex", 5))
    assert report.failures == [(5, "exception", str(saved))]


def test_crashes_hangs_and_exceptions_are_failures(tmp_path):
    """The harness on its self-test target (FUZZ_SELFTEST): input 3 aborts the
    worker, 5 raises ZeroDivisionError, 7 hangs where no timer reaches; each is
    a failure with its input saved, and the run goes on after it."""
    env = dict(os.environ, FUZZ_SELFTEST="1", FUZZ_FAILURES=str(tmp_path))
    out = subprocess.run([sys.executable, str(ROOT / "fuzz" / "fuzz.py"), "-n", "30", "--batch", "10",
                          "--hang-after", "3", "selftest"],
                         capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "selftest: 30 inputs" in out.stdout, out.stdout
    kinds = {p.read_bytes(): p.with_suffix(".txt").read_text().split("\n")[0]
             for p in (tmp_path / "selftest").glob("*.bin")}
    assert kinds[b"3"].startswith("worker died"), kinds
    assert kinds[b"5"] == "exception", kinds
    assert kinds[b"7"].startswith("hang"), kinds
    assert set(kinds) == {b"3", b"5", b"7"}
