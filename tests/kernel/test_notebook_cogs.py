"""Cogs from a notebook: `)spin EXPR` starts a cog in the notebook's
machine; the kernel runs it between cells; its trk output arrives under the
cell that spun it; `)cogs` lists and `)stop` removes; after a kernel
restart the cog goes on from where it was."""

from __future__ import annotations

import time

from helpers.kernel import execute, kernel_on, text_of

TICK = """\
= (tick n k)
| trk [%tick n]
: now < syscall TIME_WHEN
: _ < syscall (TIME_WAIT (inc now))
| tick (inc n) k
"""


def stream_until(kc, parent_id: str, text: str, timeout: float = 30) -> str:
    """The stream text sent for request ``parent_id`` until ``text`` shows."""
    seen = ""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and text not in seen:
        try:
            msg = kc.get_iopub_msg(timeout=1)
        except Exception:
            continue
        if msg["msg_type"] == "stream" and msg["parent_header"].get("msg_id") == parent_id:
            seen += msg["content"]["text"]
    assert text in seen, seen
    return seen


def spin(kc, expr: str) -> str:
    """Run `)spin expr`; the request's id."""
    msg_id = kc.execute(f")spin {expr}")
    reply = kc.get_shell_msg(timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return msg_id


def test_a_spun_cog_prints_under_its_cell_and_resumes_after_restart(tmp_path):
    machine = tmp_path / "nb"
    with kernel_on(machine) as (_, kc):
        assert execute(kc, TICK)[0]["status"] == "ok"
        spun = spin(kc, "(runCog (tick 1))")
        said = stream_until(kc, spun, "[%tick 2]")
        assert "spun cog 0" in said and "[%tick 1]" in said
        reply, out = execute(kc, ")cogs")
        assert reply["status"] == "ok" and text_of(out).startswith("cog 0 live")
    with kernel_on(machine) as (_, kc):
        msg_id = kc.execute(")cogs")
        kc.get_shell_msg(timeout=60)
        said = stream_until(kc, msg_id, "[%tick")
        first = int(said.split("[%tick ")[1].split("]")[0])
        assert first >= 3                      # went on, not from 1
        reply, out = execute(kc, ")stop 0")
        assert reply["status"] == "ok" and "stopped cog 0" in text_of(out)
        assert text_of(execute(kc, ")cogs")[1]).strip() == "no cogs"


def test_spin_needs_a_value_and_stop_a_cog(tmp_path):
    with kernel_on(tmp_path / "nb") as (_, kc):
        reply, _ = execute(kc, ")spin = x 3")
        assert reply["status"] == "error"
        reply, _ = execute(kc, ")stop 9")
        assert reply["status"] == "error" and "no cog 9" in reply["evalue"]
        reply, _ = execute(kc, ")stop x")
        assert reply["status"] == "error" and "a cog id is a number" in reply["evalue"]
