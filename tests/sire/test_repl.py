"""`pallas sire` and `pallas save`: the REPL on the session, its output,
exit status, interrupts, and the inputs that used to end in a traceback."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time

import pytest

from pallas_kernel import plan
from pallas_kernel.cli import exit_status, run_save, run_sire
from pallas_kernel.sire.modules import Loader
from helpers import DATA as TEST_DATA, REPO

DATA = TEST_DATA / "sire"
PALLAS = [sys.executable, "-m", "pallas_kernel"]


def repl(stdin, *modules: str, jets: bool = False, cache: bool = False,
         quiet: bool = False) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    stream = io.BytesIO(stdin) if isinstance(stdin, bytes) else io.StringIO(stdin)
    code = run_sire([str(DATA)], list(modules), jets, cache, stream, out, err, quiet_load=quiet)
    return code, out.getvalue(), err.getvalue()


def test_repl_prints_definitions_values_asserts():
    src = "x=(k 7 0)\n\n(k x 1)\n\n=?= 7 x\n\ny=nothere\n\n(k x x)\n"
    code, out, err = repl(src, "t_last")
    assert out.splitlines() == ["x=7", "7", "=?= 7 x", "7"]
    assert "REPL:7:3" in err and "Unresolved symbol: nothere" in err   # lines of the whole input
    assert "    y=nothere\n      ^^^^^^^" in err                          # the code, a caret
    assert code == 2                                                   # a block failed


def test_values_print_as_sire_with_names_in_scope():
    src = ("(f a b)=(k a b)\n\ng=(f 3)\n\ng\n\n500000500000\n\n{12345}\n\n"
           "(0 0 4 0 1 2 3)\n\nkk=k\n")
    code, out, err = repl(src, "t_last")
    assert out.splitlines() == ["(f a b)", "g=(f 3)", "(f 3)", "500000500000", "{12345}",
                                "[3 2 1]", "kk=k"]
    assert code == 0 and err == ""


def test_a_rolled_back_block_prints_nothing_but_its_error():
    code, out, err = repl("* (z=1) (w=nothere)\n\nz\n", "t_last")
    assert out == ""                          # no z=1: the block was rolled back
    assert "Unresolved symbol: z" in err and "nothere" in err
    assert code == 2


def test_exit_status():
    assert repl("", "t_last")[0] == 0
    assert repl("x=3\n\nx\n", "t_last")[0] == 0
    assert repl("", "t_badassert")[0] == 2
    assert repl("", "t_syntax")[0] == 1
    assert repl("(a\n", "t_last")[0] == 1       # only syntax errors
    assert repl("(a\n\nnothere\n", "t_last")[0] == 2
    assert repl("=?= 1 2\n", "t_last")[0] == 2
    assert exit_status([]) == 0 and exit_status(["syntax", "crash"]) == 2


def _trace_jet():
    """Accept the hash of t_trace's ``_Trace`` law, so its native jet prints."""
    from pallas_kernel.sire.session import Session

    s = Session(include=[str(DATA)])
    assert s.load("t_base").ok
    law = s.run("(_Trace x y)=y\n").events[0].binding.value
    return [("_Trace", law.pin_hash())]


def test_trace_output_of_loading_goes_to_stderr_and_stdout_is_the_same_warm(tmp_path, monkeypatch):
    monkeypatch.setenv("PALLAS_SIRE_CACHE", str(tmp_path / "cache"))
    saved = list(plan._accepted)
    plan.accept_jet_hashes(_trace_jet())
    try:
        cold = repl("(_Trace 9 3)\n", "t_trace", cache=True)
        warm = repl("(_Trace 9 3)\n", "t_trace", cache=True)
        quiet = repl("(_Trace 9 3)\n", "t_trace", cache=False, quiet=True)
    finally:
        plan._accepted[:] = saved
        plan._core.set_jet_table(saved)
    assert cold[1] == warm[1] == quiet[1] == "9\n3\n"     # the REPL's own trk on stdout
    assert cold[2].split() == ["5", "7"]                  # the module's, on stderr
    assert warm[2] == "" and quiet[2] == ""               # cached: not run again; -q: silent
    assert cold[0] == warm[0] == 0


def test_jet_report():
    code, out, _ = repl("(_Zork x)=x\n", "t_base", jets=True)
    assert "jets matched (1): _If" in out and "jets mismatched (0):" in out
    assert "jets unknown (1): _Zork" in out


def test_invalid_utf8_on_stdin_is_a_syntax_error_naming_the_line():
    code, out, err = repl(b"x=3\n\n\xff\n\nx\n", "t_last")
    assert out.splitlines() == ["x=3", "3"]
    assert "REPL:3:1" in err and "Traceback" not in err
    assert code == 1


def test_missing_file_given_as_a_path(tmp_path):
    code, out, err = repl("", str(tmp_path / "nope.sire"))
    assert code == 2 and f"file not found: {tmp_path / 'nope.sire'}" in err


def test_header_naming_another_module(tmp_path):
    (tmp_path / "mine.sire").write_text("#### other\n\nx=3\n")
    code, out, err = repl("", str(tmp_path / "mine.sire"))
    assert code == 2 and "declares module other" in err and f"{tmp_path}/mine.sire:1:1" in err


def test_pallas_save_writes_main(tmp_path):
    seed = tmp_path / "main.seed"
    out = io.StringIO()
    assert run_save(str(seed), str(DATA / "t_last.sire"), [], False, out) == 0
    saved = plan.load_seed(seed.read_bytes())
    st = Loader(include=[str(DATA)]).load("t_last")
    from pallas_kernel.plan.tree import text_nat
    assert saved == st.scope[text_nat("main")].value


def test_pallas_save_without_main(tmp_path):
    err = io.StringIO()
    assert run_save(str(tmp_path / "x.seed"), str(DATA / "t_base.sire"), [], False,
                    io.StringIO(), err) == 2
    assert "no `main`" in err.getvalue()


# ----- the real process --------------------------------------------------------

def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_sigint_aborts_the_running_block_and_the_repl_goes_on():
    p = subprocess.Popen([*PALLAS, "sire", "--no-cache", "-I", str(DATA), "t_last"],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         env=_env())
    try:
        p.stdin.write(b"x=(k 7 0)\n\n(spin n)=(spin n)\n\n(spin 3)\n\n")
        p.stdin.flush()
        assert p.stdout.readline() == b"x=7\n"
        assert p.stdout.readline() == b"(spin a)\n"
        time.sleep(0.5)                                      # (spin 3) is running now
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(b"x\n\n", timeout=60)
    finally:
        p.kill()
    assert out == b"7\n"                                     # a later block sees x
    assert err == b"interrupted\n"
    assert p.returncode == 2                                 # the interrupted block failed


def test_broken_pipe_ends_quietly():
    src = b"x=3\n\n" + b"x\n\n" * 5000
    p = subprocess.run(f"{sys.executable} -m pallas_kernel sire | head -1", shell=True,
                       input=src, capture_output=True, env=_env(), timeout=120)
    assert p.stdout == b"x=3\n"
    assert b"Traceback" not in p.stderr and b"Broken pipe" not in p.stderr


def test_version_and_help():
    out = subprocess.run([*PALLAS, "--version"], capture_output=True, env=_env(), text=True)
    assert out.returncode == 0 and out.stdout.startswith("pallas-kernel ")
    out = subprocess.run([*PALLAS, "sire", "--help"], capture_output=True, env=_env(), text=True)
    assert "stdin" in out.stdout and "blank line ends a block" in out.stdout


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a pseudo-terminal")
def test_terminal_gets_a_banner_and_a_prompt_and_ctrl_c_clears_the_input():
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: the REPL on the terminal
        os.environ.update(_env())
        os.execv(sys.executable, [*PALLAS, "sire", "--no-cache", "-I", str(DATA), "t_last"])
    seen = b""

    def read_until(marker: bytes) -> None:
        nonlocal seen
        deadline = time.time() + 60
        while marker not in seen and time.time() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.2)
            if ready:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        assert marker in seen, seen

    try:
        read_until(b"sire> ")
        assert b"Sire REPL" in seen
        os.write(fd, b"y=nothere\n")
        read_until(b"  ... ")
        time.sleep(0.5)                         # (readline misses a signal before it waits)
        os.kill(pid, signal.SIGINT)             # Ctrl-C: the half-typed block is gone
        seen = b""
        read_until(b"sire> ")
        os.write(fd, b"x=5\n\n")
        read_until(b"x=5\r\nsire> ")
        assert b"nothere" not in seen
        os.write(fd, b"\x04")                   # Ctrl-D ends the session
        _, status = os.waitpid(pid, 0)
        assert os.WEXITSTATUS(status) == 0
    finally:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        os.close(fd)
