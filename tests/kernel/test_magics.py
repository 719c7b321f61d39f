"""The kernel's magics (a cell starting with ')'): each one against a
notebook machine made here, the errors they give, completion of their
names, the pin DAG's SVG, and a few through the real kernel."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from helpers.kernel import execute, kernel_on, shell_reply

from pallas_kernel import plan
from pallas_kernel.kernel.cells import CellRunner
from pallas_kernel.kernel.complete import complete
from pallas_kernel.kernel.dag import dag_svg, pin_dag
from pallas_kernel.kernel.kernel import start_session
from pallas_kernel.kernel.magics import (MAGICS, Host, Text, is_magic_cell, register,
                                         run_magic_cell)
from pallas_kernel.kernel.notebook import NotebookMachine
from pallas_kernel.machine.runtime import Machine, row
from pallas_kernel.rex import read_blocks
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session

SVG = "{http://www.w3.org/2000/svg}"
CELLS = ["aa=41", "= (bump y) | add y 100", "aa=(bump aa)", "(add nope 1)"]


class _Quiet:
    def text(self, text: str, stream: str) -> None:
        pass

    def value(self, value) -> None:
        pass


def make_notebook(path: Path, cells: list[str]) -> Host:
    """A notebook machine in ``path`` with ``cells`` run and recorded (as the
    kernel does), and a magic host on it."""
    nb = NotebookMachine.open(path)
    session, problem = start_session(nb)
    assert not problem, problem
    runner = CellRunner(session)
    for i, code in enumerate(cells, start=1):
        outcome = runner.run(code, f"In[{i}]", _Quiet())
        nb.record(outcome, i, f"cell{i}", session.save())
    return Host(nb, session, runner)


@pytest.fixture(scope="module")
def host(tmp_path_factory):
    h = make_notebook(tmp_path_factory.mktemp("magics") / "nb", CELLS)
    yield h
    h.notebook.close()


def run(host: Host, code: str):
    result = run_magic_cell(host, code, "In[9]")
    return result


def plain(result) -> str:
    return "\n".join(o.text if isinstance(o, Text) else o.data["text/plain"] for o in result.outputs)


def ok(host: Host, code: str) -> str:
    result = run(host, code)
    assert result.error is None, result.error
    return plain(result)


def error(host: Host, code: str) -> tuple[str, str, list[str]]:
    result = run(host, code)
    assert result.error is not None, plain(result)
    return result.error


# ----- the prefix ---------------------------------------------------------------------


def test_no_rex_block_starts_with_the_prefix():
    for text in [")log", "  )pins", ")", ")at 3 x"]:
        blocks = list(read_blocks(text, "c"))
        assert blocks and any("Unexpected: ')'" in str(e) for e in blocks[0].errors), text


def test_which_cells_are_magic_cells():
    assert is_magic_cell(")log") and is_magic_cell("\n\n  )pins\n)log 3")
    assert not is_magic_cell("x=3\n)log") and not is_magic_cell("") and not is_magic_cell("(f\n)")


# ----- )log ---------------------------------------------------------------------------


def test_log_lists_every_cell_event(host):
    text = ok(host, ")log")
    lines = text.split("\n")
    assert lines[0].endswith("4 events · events 1 to 4")
    rows = [ln.split() for ln in lines[2:]]
    assert [r[0] for r in rows] == ["1", "2", "3", "4"]
    assert all(r[1] == "cell" for r in rows)
    assert [r[2] for r in rows] == ["[1]", "[2]", "[3]", "[4]"]
    assert rows[0][4].endswith("Z") and rows[0][4][4] == "-"
    assert "aa=41 · ok" in lines[2] and "(add nope 1) · error" in lines[5]


def test_log_shows_the_last_n_as_html(host):
    result = run(host, ")log 2")
    assert "events 3 to 4" in plain(result)
    html = result.outputs[0].data["text/html"]
    assert html.count("<tr>") == 3 and "aa=(bump aa)" in html and "aa=41" not in html
    assert "no events" in ok(host, ")log 0")


def counter_cog() -> plan.Value:
    """demo_counter's cog (it asks the time, then to wait a second)."""
    s = Session(include=[str(library_dir())])
    assert s.load("demo_counter").ok
    return s.binding("main").value


def test_log_shows_cog_events(tmp_path):
    Machine.boot(tmp_path / "nb", counter_cog())
    h = make_notebook(tmp_path / "nb", [])
    try:
        assert h.notebook.machine.deliver(0, {0: 100}) == "ok"
        outcome = h.runner.run("bb=1", "In[1]", _Quiet())
        h.notebook.record(outcome, 1, "c1", h.sire.save())
        rows = [ln.split(None, 2) for ln in ok(h, ")log").split("\n")[2:]]
        assert [r[:2] for r in rows] == [["1", "cog"], ["2", "cell"]]
        assert rows[0][2].startswith("cog 0 ok 0=100")
    finally:
        h.notebook.close()


# ----- )pins --------------------------------------------------------------------------


def test_pins_counts_the_store(host):
    stats = host.notebook.machine.store.pin_stats(3)
    text = ok(host, ")pins")
    first = text.split("\n")[0]
    assert first.startswith(f"{stats.count:,} pins") and f"({stats.total_bytes:,} bytes)" in first
    rows = text.split("\n")[3:]
    assert len(rows) == 10
    assert rows[0].split()[0] == plan.base58.encode(stats.largest[0][0])[:8]


def test_pins_names_laws(tmp_path):
    h = make_notebook(tmp_path / "nb", ["= (hugeLaw x) | [x x x x x x x x x x x x x x x x x x x x]"])
    try:
        store = h.notebook.machine.store
        from pallas_kernel.kernel.magics import _pin_name
        law = h.sire.describe("hugeLaw").value
        assert _pin_name(store, law.pin_hash(), h.sire.scope_names()) == "hugeLaw"
        from pallas_kernel.sire.show import Names
        assert _pin_name(store, law.pin_hash(), Names()) == "law hugeLaw"
    finally:
        h.notebook.close()


# ----- )at ----------------------------------------------------------------------------


def test_at_evaluates_in_the_scope_of_an_earlier_event(host):
    assert ok(host, ")at 1 aa").split("\n")[-1] == "41"
    assert ok(host, ")at 3 aa").split("\n")[-1] == "141"
    assert ok(host, ")at 2 (bump aa)").split("\n")[-1] == "141"
    assert ok(host, ")at 0 (add 2 3)").split("\n")[-1] == "5"
    # the present is untouched: the session and the log
    assert host.sire.show(host.sire.describe("aa").value) == "141"
    assert host.notebook.machine.last_event() == 4


def test_at_shows_values_like_cells_and_fails_like_cells(host):
    result = run(host, ")at 3 [aa 2]")
    bundle = result.outputs[-1].data
    assert bundle["text/plain"] == "[141 2]" and "<table>" in bundle["text/html"]
    ename, evalue, tb = error(host, ")at 1 (bump aa)")     # bump came at event 2
    assert ename != "MagicError" and "bump" in evalue
    assert tb[0].startswith("In[9]:1:7:") and tb[2] == "          ^" and tb[1].strip().startswith(")at 1 (bump aa)")
    defined = run(host, ")at 1 cc=5")
    assert defined.error[0] == "MagicError" and host.sire.describe("cc") is None


@pytest.mark.parametrize("code,column,why", [
    (")at", 4, "usage"), (")at 3", 6, "usage"), (")at x aa", 5, "number"),
    (")at 99 aa", 5, "no event 99"),
])
def test_at_bad_arguments(host, code, column, why):
    ename, evalue, tb = error(host, code)
    assert ename == "MagicError" and why in evalue
    assert tb == [f"In[9]:1:{column}: )at: {evalue}"]


# ----- )export ------------------------------------------------------------------------


def test_export_writes_a_seed(host, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "out").mkdir()
    text = ok(host, ")export bump out/../bump.seed")
    data = (tmp_path / "bump.seed").read_bytes()
    assert f"{len(data):,} bytes" in text
    back = plan.load_seed(data)
    assert back.pin_hash() == host.sire.describe("bump").value.pin_hash()
    ename, evalue, tb = error(host, ")export nothingHere x.seed")
    assert "not bound" in evalue and tb[0].startswith("In[9]:1:9:")
    assert "cannot write" in error(host, ")export aa no/such/dir/x.seed")[1]


# ----- )attach ------------------------------------------------------------------------


def test_attach_switches_machine_and_session(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    other = make_notebook(tmp_path / "other", ["dd=77"])
    other.notebook.close()
    h = make_notebook(tmp_path / "mine", ["ee=1"])
    try:
        text = ok(h, ")attach other")
        assert "attached" in text and "1 event" in text
        assert h.notebook.path == tmp_path / "other"
        assert h.sire.show(h.sire.describe("dd").value) == "77" and h.sire.describe("ee") is None
        outcome = h.runner.run("ff=(add dd 1)", "In[2]", _Quiet())
        h.notebook.record(outcome, 2, "x", h.sire.save())
        assert "already attached" in error(h, ")attach other")[1]
        assert "no machine" in error(h, ")attach nowhere")[1]
    finally:
        h.notebook.close()
    with Machine.open(tmp_path / "mine") as m:     # the old one was closed, and is as it was
        assert m.last_event() == 1
    with Machine.open(tmp_path / "other") as m:
        assert m.last_event() == 2


def test_attach_a_booted_machine_keeps_the_session(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Machine.boot(tmp_path / "booted", counter_cog())
    h = make_notebook(tmp_path / "mine", ["gg=5"])
    try:
        said = ok(h, f")attach {tmp_path / 'booted'}")
        assert "(0 events, 1 cog)" in said and "the session is kept" in said
        assert h.sire.describe("gg") is not None and len(h.notebook.machine.cogs) == 1
        assert ok(h, ")log").endswith("0 events · no events")
    finally:
        h.notebook.close()


# ----- )dag and dag_svg -----------------------------------------------------------------


def svg_pins(svg: str) -> list[ET.Element]:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return [g for g in root.iter(SVG + "g") if g.get("class") == "pin"]


def test_dag_svg_has_one_node_per_pin():
    leaf = plan.pin(plan.nat(1))
    mid = plan.pin(plan.read("[<1> 2]"))
    value = plan.read("[<1> <[<1> 2]> <[<1> 2]> 3]")       # shared pins count once
    svg = dag_svg(value)
    nodes = svg_pins(svg)
    assert len(nodes) == 2
    titles = sorted(g.find(SVG + "title").text.split(" · ")[1] for g in nodes)
    assert titles == sorted(plan.base58.encode(p.pin_hash()) for p in (leaf, mid))
    dag = pin_dag(value)
    edges = [(dag.nodes[i].hash, dag.nodes[j].hash) for i, n in enumerate(dag.nodes) for j in n.refs]
    assert edges == [(mid.pin_hash(), leaf.pin_hash())]
    assert svg == dag_svg(value)                               # deterministic
    assert svg_pins(dag_svg(plan.nat(5))) == [] and "no pins" in dag_svg(plan.nat(5))


def test_dag_svg_sizes_and_cuts():
    pins, chain = [], plan.nat(0)
    for i in range(30):
        chain = plan.pin(row(i, chain))
        pins.insert(0, chain)
    dag = pin_dag(chain)
    assert len(dag.nodes) == 30 and [n.depth for n in dag.nodes] == list(range(30))
    assert [n.size for n in dag.nodes] == [len(plan.save_germ(p)[1]) for p in pins]
    cut = dag_svg(chain, limit=10)
    assert len(svg_pins(cut)) == 10 and "cut at 10 pins: 1 more" in cut
    assert pin_dag(chain, limit=10).left_out == 1


def test_dag_magic_names_pins_from_the_scope(host):
    result = run(host, ")dag bump")
    svg = result.outputs[-1].data["image/svg+xml"]
    nodes = svg_pins(svg)
    labels = [g.find(SVG + "text").text for g in nodes]
    assert labels[0] == "bump" and len(nodes) == len(pin_dag(host.sire.describe("bump").value).nodes)


# ----- errors, help, the registry, completion -------------------------------------------


def test_unknown_magic_and_stray_lines(host):
    ename, evalue, tb = error(host, ")log\n  )frobnicate 3")
    assert ename == "MagicError" and evalue.startswith("no magic )frobnicate")
    assert tb == [f"In[9]:2:4: )frobnicate: {evalue}"]
    assert error(host, ")log\naa")[2][0].startswith("In[9]:2:1: magic:")
    assert error(host, ") log")[2][0].startswith("In[9]:1:2: magic:")
    assert error(host, ")log x")[2] == ["In[9]:1:6: )log: N is a number, not 'x'"]
    assert error(host, ")pins 3")[1].startswith("unexpected '3'")


def test_help_lists_every_magic_and_the_registry_takes_more(host):
    text = ok(host, ")help")
    for name in ["log", "pins", "at", "export", "attach", "dag", "help"]:
        assert f"){name}" in text
    try:
        @register("echo", ")echo TEXT", "says TEXT")
        def echo(h, call):
            return [Text(call.args.strip())]
        assert ok(host, ")echo hi there") == "hi there" and ")echo TEXT" in ok(host, ")help")
    finally:
        MAGICS.pop("echo", None)


def test_an_interrupted_magic_is_one_error(host):
    try:
        @register("sleepy", ")sleepy", "stopped by Ctrl-C")
        def sleepy(h, call):
            raise KeyboardInterrupt
        ename, evalue, tb = error(host, ")log 1\n)sleepy")
        assert (ename, evalue, tb) == ("MagicError", "interrupted", ["In[9]:2:1: )sleepy: interrupted"])
    finally:
        MAGICS.pop("sleepy", None)


def test_magic_names_complete_after_the_prefix(host):
    reply = complete(host.sire, ")at", 3)
    assert reply["matches"] == ["at", "attach"] and reply["cursor_start"] == 1
    reply = complete(host.sire, ")log 3\n)", 8)
    assert reply["matches"] == sorted(MAGICS) and reply["cursor_start"] == 8
    assert "at" not in complete(host.sire, "(add 1 2)\n)at", 13)["matches"]


# ----- through the kernel ---------------------------------------------------------------


def test_magics_through_the_kernel(tmp_path):
    with kernel_on(tmp_path / "nb", tmp_path) as (_, kc):
        assert execute(kc, "hh=5")[0]["status"] == "ok"
        assert execute(kc, "hh=6")[0]["status"] == "ok"
        reply, out = execute(kc, ")at 1 hh\n)log")
        assert reply["status"] == "ok"
        kinds = [k for k, _ in out]
        assert kinds == ["stream", "display_data", "display_data"]
        assert out[1][1]["data"]["text/plain"] == "5" and "text/html" in out[1][1]["data"]
        assert "hh=6 · ok" in out[2][1]["data"]["text/plain"]
        reply, out = execute(kc, ")export hh h.seed\n)dag [hh]")
        assert reply["status"] == "ok" and "image/svg+xml" in out[-1][1]["data"]
        reply, out = execute(kc, ")nope")
        assert reply["status"] == "error" and reply["ename"] == "MagicError"
        assert out == [("error", {"ename": "MagicError", "evalue": reply["evalue"],
                                  "traceback": reply["traceback"]})]
        assert reply["traceback"][0].startswith("In[") and ":1:2: )nope:" in reply["traceback"][0]
        done = shell_reply(kc, kc.complete, ")pi", 3)
        assert done["matches"] == ["pins"]
    assert plan.load_seed((tmp_path / "h.seed").read_bytes()) is not None
    with Machine.open(tmp_path / "nb") as m:      # magic cells are not events
        assert m.last_event() == 2


def test_attach_through_the_kernel(tmp_path):
    other = make_notebook(tmp_path / "other", ["jj=9"])
    other.notebook.close()
    with kernel_on(tmp_path / "nb", tmp_path) as (_, kc):
        assert execute(kc, ")attach other")[0]["status"] == "ok"
        reply, out = execute(kc, "(add jj 1)")
        assert reply["status"] == "ok" and out[-1][1]["data"]["text/plain"] == "10"
    with Machine.open(tmp_path / "other") as m:
        assert m.last_event() == 2
    with Machine.open(tmp_path / "nb") as m:
        assert m.last_event() == 0
