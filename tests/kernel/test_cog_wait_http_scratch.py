"""The magics lesson 5 and 6 rely on, through the real kernel: `)wait`
runs the cogs until they wait on the outside world, with their output under
its own cell in order; `)http ID PATH` asks a cog's server and shows the
answer; `)attach scratch:NAME` makes a machine in a scratch directory and
goes back to it with its session and cogs (as a restart does); `)log`
names a temporary machine without its path; `)cogs` prints laws by name."""

from __future__ import annotations

from helpers.kernel import execute, kernel_on, text_of

from pallas_kernel.kernel.magics import Host, run_magic_cell
from pallas_kernel.kernel.notebook import NotebookMachine
from pallas_kernel.sire.session import Session

COUNT = """\
= (countUp limit n k)
| trk [{count} n]
| if (gte n limit) (k n)
: next < syscall (EVAL1 5 inc n)
| countUp limit (evalResult next) k
"""

WEB = """\
= (handler [method path headers body])
| if (path == b#{/}) (SOME [200 b#OK [] b#{hi}]) NONE

= (hearFrom n k)
: req < syscall HTTP_HEAR
@ [rid method path headers body] req
| trk [{heard} n path]
: _ < syscall (HTTP_ECHO rid 200 b#OK [] (barCat [path b#{ } (natBar (showNat n))]))
| hearFrom (inc n) k

= (web k)
: _ < fork (syscall (HTTP_SERV handler))
| hearFrom 0 k
"""


def streams(out: list) -> list[str]:
    return [c["text"] for kind, c in out if kind == "stream"]


def test_wait_runs_a_cog_to_its_end_with_output_in_order(tmp_path):
    with kernel_on(tmp_path / "nb") as (_, kc):
        assert execute(kc, COUNT)[0]["status"] == "ok"
        reply, out = execute(kc, ")spin (runCog (countUp 3 0))\n)wait")
        assert reply["status"] == "ok", reply
        said = streams(out)
        assert said[0] == "[%count 0]\n" and said[1].startswith("spun cog 0")
        assert said[2:5] == ["[%count 1]\n", "[%count 2]\n", "[%count 3]\n"]
        assert said[5] == "3 cog events; the cogs are waiting on the outside world\ncog 0 finished\n"
        assert text_of(execute(kc, ")cogs")[1]).strip() == "cog 0 finished"
        reply, out = execute(kc, ")wait 0")
        assert reply["status"] == "error" and "seconds are a number" in reply["evalue"]


def test_http_and_scratch_machines_resume_like_a_restart(tmp_path):
    with kernel_on(tmp_path / "nb") as (_, kc):
        assert execute(kc, ")attach scratch:web")[0]["status"] == "ok"
        assert execute(kc, WEB)[0]["status"] == "ok"
        reply, out = execute(kc, ")spin (runCog web)\n)wait")
        assert reply["status"] == "ok", reply
        assert any("_http_port=" in s for s in streams(out))
        assert "1=[%http 0 %serv handler]" in text_of(out)      # laws by their names
        assert text_of(execute(kc, ")http 0 /")[1]).strip() == "GET / -> 200 OK\nhi"
        reply, out = execute(kc, ")http 0 /x")
        assert streams(out) == ["[%heard 0 b#{/x}]\n", "GET /x -> 200 OK\n/x 0\n"]
        reply, out = execute(kc, ")http 1 /")
        assert reply["status"] == "error" and "has no HTTP server" in reply["evalue"]
        reply, out = execute(kc, ")http 0 nope")
        assert reply["status"] == "error" and "starts with '/'" in reply["evalue"]
        assert execute(kc, ")attach scratch:other")[0]["status"] == "ok"
        assert execute(kc, "= (handler x) 0")[0]["status"] == "ok"
        reply, out = execute(kc, ")attach scratch:web")
        assert "attached scratch:web (" in text_of(out) and "1 cog)" in text_of(out)
        assert any("_http_port=" in s for s in streams(out))     # the resumed server, here
        reply, out = execute(kc, ")http 0 /y")                   # its count went on
        assert streams(out) == ["[%heard 1 b#{/y}]\n", "GET /y -> 200 OK\n/y 1\n"]
        reply, out = execute(kc, ")log 3")
        caption = out[0][1]["data"]["text/plain"].split("\n")[0]
        assert caption.startswith("scratch:web · ")
        reply, out = execute(kc, ")attach scratch:bad/name")
        assert reply["status"] == "error" and "scratch machine's name" in reply["evalue"]


def test_log_names_a_temporary_machine_without_its_path(tmp_path):
    """A temporary machine's path changes from run to run: `)log` says what
    it is instead, so a saved notebook's output stays the same."""
    nb = NotebookMachine.open(tmp_path / "t" / "machine", temporary=True)
    try:
        host = Host(nb, Session())
        result = run_magic_cell(host, ")log", "In[1]")
        assert result.error is None
        text = result.outputs[0].data["text/plain"]
        assert text == "a temporary machine · 0 events · no events"
        assert str(tmp_path) not in result.outputs[0].data["text/html"]
    finally:
        nb.close()
    assert not (tmp_path / "t").exists()        # removed as a temporary machine is
