"""The Sire kernel driven through jupyter_client, as a notebook drives it:
definitions carry across cells, errors are one readable error message,
``trk`` streams while the cell runs, completion, inspection, is_complete,
interrupt, kernel_info and the HTML display. One kernel serves the module
(starting one loads the prelude)."""

from __future__ import annotations

import re
import threading
import time
import pytest

from helpers.kernel import TIMEOUT, execute, running_kernel, shell_reply

from pallas_kernel.kernel.display import HTML_LIMIT

LOOP = "= (spin n) | ifz n 0 (spin (dec n))"


@pytest.fixture(scope="module")
def kernel():
    with running_kernel() as (km, kc):
        yield km, kc


@pytest.fixture
def kc(kernel):
    return kernel[1]


def outputs(msgs, kind):
    return [c for t, c in msgs if t == kind]


def test_kernel_info(kc):
    info = shell_reply(kc, kc.kernel_info)
    lang = info["language_info"]
    assert (lang["name"], lang["file_extension"], lang["mimetype"]) == ("sire", ".sire", "text/x-sire")
    assert (lang["pygments_lexer"], lang["codemirror_mode"]) == ("sire", "sire")
    assert info["implementation"] == "pallas-kernel"


def test_a_definition_is_used_by_a_later_cell(kc):
    reply, msgs = execute(kc, "= (triple x) | mul 3 x")
    assert reply["status"] == "ok"
    assert outputs(msgs, "stream")[0]["text"] == "(triple a)\n"
    reply, msgs = execute(kc, "(triple 14)")
    assert reply["status"] == "ok"
    [result] = outputs(msgs, "execute_result")
    assert result["data"]["text/plain"] == "42"
    assert result["execution_count"] == reply["execution_count"]
    assert "<span class=\"pk-nat\">42</span>" in result["data"]["text/html"]


def test_the_prelude_is_imported(kc):
    reply, msgs = execute(kc, "(foldl add 0 [1 2 3 4])")
    assert reply["status"] == "ok"
    assert outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "10"


def test_an_error_is_one_message_with_place_code_and_caret(kc):
    reply, msgs = execute(kc, "e1=1\n(add e1 unknownThing)\ne2=2")
    assert reply["status"] == "error"
    assert reply["ename"] == "parse" and "unknownThing" in reply["evalue"]
    errors = outputs(msgs, "error")
    assert len(errors) == 1
    tb = errors[0]["traceback"]
    assert tb == reply["traceback"]
    place = re.match(r"In\[(\d+)\]:2:(\d+): ", tb[0])
    assert place and int(place[1]) == reply["execution_count"]
    assert tb[1].strip() == "(add e1 unknownThing)"
    column = int(place[2])  # bytes from 1, under which the caret stands
    assert tb[2].index("^") - tb[1].index("(") == column - 1
    assert not any("Traceback" in line or ".py" in line for line in tb)
    # the block before the error kept its effect; the one after did not run
    assert execute(kc, "e1")[0]["status"] == "ok"
    assert execute(kc, "e2")[0]["status"] == "error"


def test_values_before_the_last_are_display_data(kc):
    reply, msgs = execute(kc, "[1 2]\n(add 2 2)")
    kinds = [t for t, _ in msgs]
    assert kinds == ["display_data", "execute_result"]
    assert msgs[0][1]["data"]["text/plain"] == "[1 2]"
    assert "<table>" in msgs[0][1]["data"]["text/html"]


def test_trk_streams_while_the_cell_runs(kc):
    execute(kc, LOOP)
    msg_id = kc.execute("(trk {started the loop} (spin 30000000))")
    got_stream = None
    deadline = time.time() + TIMEOUT
    while got_stream is None and time.time() < deadline:
        msg = kc.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "stream":
            got_stream = msg["content"]
    assert got_stream == {"name": "stdout", "text": "{started the loop}\n"}
    seen = time.time()
    reply = kc.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = kc.get_shell_msg(timeout=TIMEOUT)
    assert reply["content"]["status"] == "ok"
    assert time.time() - seen > 0.2, "the trk output came only when the cell ended"


def test_complete_offers_prelude_names_with_their_kind(kc):
    reply = shell_reply(kc, kc.complete, "(fold", 5)
    assert {"foldl", "foldr"} <= set(reply["matches"])
    assert (reply["cursor_start"], reply["cursor_end"]) == (1, 5)
    types = {t["text"]: t for t in reply["metadata"]["_jupyter_types_experimental"]}
    assert types["foldl"]["type"] == "function" and types["foldl"]["signature"].startswith("law/3")


def test_complete_offers_cell_definitions_and_modules_after_import(kc):
    execute(kc, "zzUnique=[1 2]")
    reply = shell_reply(kc, kc.complete, "zzUn", 4)
    assert reply["matches"] == ["zzUnique"]
    assert reply["metadata"]["_jupyter_types_experimental"][0]["signature"] == "row"
    reply = shell_reply(kc, kc.complete, ":| prel", 7)
    assert "prelude" in reply["matches"]


def test_inspect_shows_kind_hash_doc_and_location(kc):
    reply = shell_reply(kc, kc.inspect, "(foldl add 0 xs)", 3, 0)
    assert reply["found"]
    text = reply["data"]["text/plain"]
    assert text.startswith("foldl: law/3 (pinned)")
    assert "pin hash: " in text
    assert "defined in base_row (sire/base_row.sire:" in text
    assert "Left fold" in text
    assert "source:" not in text
    detail = shell_reply(kc, kc.inspect, "foldl", 5, 1)["data"]["text/plain"]
    assert "source:\n= (foldl" in detail and "PLAN:" in detail


def test_inspect_a_cell_definition(kc):
    reply, _ = execute(kc, "\n= (quad x) | mul 4 x")
    text = shell_reply(kc, kc.inspect, "quad", 2, 1)["data"]["text/plain"]
    assert f"defined in In[{reply['execution_count']}]:2" in text
    assert "source:\n= (quad x) | mul 4 x" in text
    assert not shell_reply(kc, kc.inspect, "notBoundAnywhere", 3, 0)["found"]


def test_is_complete(kc):
    assert shell_reply(kc, kc.is_complete, "(add 1 2)")["status"] == "complete"
    # no Rex token spans lines: an open bracket cannot be continued
    assert shell_reply(kc, kc.is_complete, "(add 1")["status"] == "invalid"
    reply = shell_reply(kc, kc.is_complete, "= (f x)\n    | add")
    assert reply == {"status": "incomplete", "indent": "    "}


def test_interrupt_aborts_the_cell_and_keeps_the_kernel(kernel):
    km, kc = kernel
    execute(kc, LOOP)
    execute(kc, "before=11")
    timer = threading.Timer(1.0, km.interrupt_kernel)
    timer.start()
    started = time.time()
    reply, msgs = execute(kc, "during=12\n(spin 100000000000)")
    timer.join()
    assert time.time() - started < 20
    assert reply["status"] == "error" and reply["ename"] == "interrupted"
    assert len(outputs(msgs, "error")) == 1
    assert km.is_alive()
    reply, msgs = execute(kc, "(add before 1)")
    assert reply["status"] == "ok"
    assert outputs(msgs, "execute_result")[0]["data"]["text/plain"] == "12"
    assert execute(kc, "during")[0]["status"] == "error"  # the cell's state was rolled back


def test_big_values_display_bounded(kc):
    reply, msgs = execute(kc, "(gen 20000 id)")
    assert reply["status"] == "ok"
    data = outputs(msgs, "execute_result")[0]["data"]
    assert len(data["text/html"]) < HTML_LIMIT
    assert "19,950 more items" in data["text/html"]
    assert "more items" in data["text/plain"] and len(data["text/plain"]) <= 4000
