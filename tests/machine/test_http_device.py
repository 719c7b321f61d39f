"""The ``http`` device (pallas_kernel.machine.devices.http) against real
sockets: a served port answered by a static handler, requests handed to
``hear`` and answered by ``echo``, ``hold``, the client ``req`` against a
local server, malformed requests, and ``close`` releasing every thread and
port. A fake hub plays the machine: answers and calls are queued and run on
the test's (main) thread, as the runtime loop would."""

from __future__ import annotations

import http.server
import os
import queue
import re
import socket
import threading
import time
import urllib.error
import urllib.request
from typing import Any, Callable

import pytest

from pallas_kernel import plan
from pallas_kernel.machine.device import BadRequest, RequestKey
from pallas_kernel.machine.devices.http import HttpDevice, bar_value, row_value
from pallas_kernel.plan.view import nat_of, row_items

OK_HANDLER = '{"h" 1 (2 (0 [200 b#"ok" [[b#"Content-Type" b#"text/plain"]] b#"hello"]))}'
NONE_HANDLER = '{"n" 1 (2 0)}'
CRASH_HANDLER = '{"c" 1 (0 (2 7) 1)}'
SPIN_HANDLER = '{"s" 1 (0 0 1)}'
BAD_HANDLER = '{"b" 1 (2 (0 [200 b#"ok"]))}'


class FakeHub:
    """A hub whose answers and calls wait in a queue until the test runs
    them on the main thread (the machine thread)."""

    def __init__(self, store_dir: str) -> None:
        self.store_dir = store_dir
        self.queue: "queue.Queue[tuple]" = queue.Queue()
        self.answers: dict[RequestKey, plan.Value] = {}
        self.warnings: list[str] = []

    def answer(self, key: RequestKey, make: Callable[[], plan.Value], recomputable: bool = False) -> None:
        self.queue.put(("answer", key, make))

    def call_soon(self, fn: Callable[[], None]) -> None:
        self.queue.put(("call", fn))

    def warn(self, text: str) -> None:
        self.warnings.append(text)

    def pump(self, until: Callable[[], bool], timeout: float = 5.0) -> None:
        """Run queued work until ``until()`` holds (or fail after ``timeout``)."""
        deadline = time.monotonic() + timeout
        while not until():
            assert time.monotonic() < deadline, "timed out waiting"
            try:
                item = self.queue.get(timeout=0.02)
            except queue.Empty:
                continue
            if item[0] == "answer":
                self.answers[item[1]] = item[2]()
            else:
                item[1]()

    def shown(self, key: RequestKey) -> str:
        return plan.show(self.answers[key])


class Background:
    """A function run on a thread (a client, while the main thread pumps)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        self.result: Any = None
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(fn,))
        self.thread.start()

    def _run(self, fn: Callable[[], Any]) -> None:
        try:
            self.result = fn()
        except BaseException as e:  # noqa: BLE001 - handed to the test
            self.error = e

    def done(self) -> bool:
        return not self.thread.is_alive()


def fetch(url: str, data: bytes | None = None, method: str = "GET") -> tuple[int, bytes, dict]:
    """(status, body, headers) of an HTTP call, error statuses included."""
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as e:
        return e.code, e.read(), dict(e.headers)


_serial = iter(range(1, 10**6))


def key(slot: int = 0, cog: int = 0) -> RequestKey:
    return RequestKey(cog, slot, next(_serial))


def request(*items: Any) -> list:
    """The arguments of ``[%http 0 items...]`` as values (str: a nat name)."""
    out = [plan.nat(0)]
    for item in items:
        if isinstance(item, str):
            out.append(plan.from_str(item))
        elif isinstance(item, int):
            out.append(plan.nat(item))
        else:
            out.append(item)
    return out


def issue(dev: HttpDevice, k: RequestKey, *items: Any) -> None:
    dev.issue(k, dev.parse(k, request(*items)))


@pytest.fixture
def setup(tmp_path):
    before = set(threading.enumerate())
    hub = FakeHub(str(tmp_path))
    dev = HttpDevice(hub, handler_time_limit=0.5)
    yield hub, dev
    dev.close()
    # threads of earlier tests may end meanwhile; none of ours may be left
    assert [t for t in threading.enumerate() if t not in before] == []


def served(hub: FakeHub, dev: HttpDevice, handler: str, cog: int = 0) -> str:
    """Issue a serv with ``handler`` for ``cog``; the server's base URL."""
    issue(dev, key(cog=cog), "serv", plan.read(handler).force())
    return f"http://127.0.0.1:{dev.port(cog)}"


def test_static_handler_answers_a_real_request(setup, tmp_path):
    hub, dev = setup
    base = served(hub, dev, OK_HANDLER)
    client = Background(lambda: fetch(base + "/hi"))
    hub.pump(client.done)
    assert client.error is None
    status, body, headers = client.result
    assert (status, body, headers["Content-Type"]) == (200, b"hello", "text/plain")
    port = dev.port(0)
    assert (tmp_path / "0.http.port").read_text() == str(port)
    assert f"_http_port={port}" in hub.warnings


def test_unhandled_request_goes_to_hear_and_echo_answers_it(setup):
    hub, dev = setup
    base = served(hub, dev, NONE_HANDLER)
    hear = key(1)
    issue(dev, hear, "hear")
    client = Background(lambda: fetch(base + "/a/b?q=1", data=b"body!", method="PUT"))
    hub.pump(lambda: hear in hub.answers)
    rid, method, path, headers, body = row_items(hub.answers[hear])
    assert plan.show(method) == '"PUT"'
    assert plan.show(path) == 'b#"/a/b"'
    assert plan.show(body) == '<b#"body!">'
    pairs = [tuple(plan.show(x) for x in row_items(h)) for h in row_items(headers)]
    assert ('b#"content-length"', 'b#"5"') in pairs
    echo = key(2)
    issue(dev, echo, "echo", nat_of(rid), 201, bar_value(b"Made"),
          row_value([row_value([bar_value(b"X-A"), bar_value(b"b")])]), bar_value(b"done"))
    hub.pump(lambda: client.done() and echo in hub.answers)
    assert hub.shown(echo) == "0"
    status, body, hdrs = client.result
    assert (status, body, hdrs["X-A"]) == (201, b"done", "b")


def test_request_waits_for_a_hear_without_serv(setup):
    hub, dev = setup
    hear = key(1)
    issue(dev, hear, "hear")  # starts the server; no serv at all
    client = Background(lambda: fetch(f"http://127.0.0.1:{dev.port(0)}/x"))
    hub.pump(lambda: hear in hub.answers)
    rid = nat_of(row_items(hub.answers[hear])[0])
    hold, echo = key(2), key(3)
    issue(dev, hold, "hold", rid)
    assert hold not in hub.answers
    issue(dev, echo, "echo", rid, 200, bar_value(b"OK"), row_value([]), bar_value(b"x"))
    hub.pump(lambda: client.done() and hold in hub.answers and echo in hub.answers)
    assert client.result[:2] == (200, b"x")
    assert hub.shown(hold) == "0"


def test_hold_and_echo_of_unknown_ids_answer_zero(setup):
    hub, dev = setup
    hold, echo = key(1), key(2)
    issue(dev, hold, "hold", 42)
    issue(dev, echo, "echo", 42, 200, bar_value(b"OK"), row_value([]), bar_value(b""))
    hub.pump(lambda: hold in hub.answers and echo in hub.answers)
    assert hub.shown(hold) == hub.shown(echo) == "0"


def test_failing_handlers_answer_500(setup):
    hub, dev = setup
    for i, handler in enumerate([CRASH_HANDLER, SPIN_HANDLER, BAD_HANDLER]):
        base = served(hub, dev, handler, cog=i)
        client = Background(lambda: fetch(base + "/"))
        hub.pump(client.done)
        assert client.result[0] == 500, handler
    assert any("PlanCrash" in w for w in hub.warnings)
    assert any("bad response" in w or "not [code" in w for w in hub.warnings)


def test_client_leaving_answers_its_hold(setup):
    hub, dev = setup
    hear = key(1)
    issue(dev, hear, "hear")
    sock = socket.create_connection(("127.0.0.1", dev.port(0)))
    sock.sendall(b"GET /gone HTTP/1.0\r\n\r\n")
    hub.pump(lambda: hear in hub.answers)
    rid = nat_of(row_items(hub.answers[hear])[0])
    hold = key(2)
    issue(dev, hold, "hold", rid)
    sock.close()
    hub.pump(lambda: hold in hub.answers)
    assert hub.shown(hold) == "0"


def test_cancelled_hear_gets_nothing_and_close_answers_503(setup):
    hub, dev = setup
    hear = key(1)
    issue(dev, hear, "hear")
    dev.cancel(hear)
    client = Background(lambda: fetch(f"http://127.0.0.1:{dev.port(0)}/late"))
    hub.pump(lambda: len(dev.servers[0].unheard) == 1)  # routed, waiting for a hear
    assert hear not in hub.answers and not client.done()
    dev.close()
    client.thread.join(5)
    assert client.result[0] == 503


class _Local(http.server.BaseHTTPRequestHandler):
    """The test's own server for the client: echoes what it got."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.path == "/go":
            self.send_response(302, "Found")
            self.send_header("Location", "/there")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        reply = b"%s %s %s %s" % (self.command.encode(), self.path.encode(),
                                  self.headers["X-Test"].encode(), body)
        self.send_response(207, "Multi")
        self.send_header("X-Back", "yes")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self) -> None:
        if self.path == "/slow":
            time.sleep(0.5)
        try:
            self.send_response(200, "Fine")
            self.send_header("Content-Length", "3")
            self.end_headers()
            self.wfile.write(self.path.encode()[:3])
        except OSError:
            pass  # the client gave up


class _LocalServer(http.server.ThreadingHTTPServer):
    daemon_threads = False  # joined by server_close


@pytest.fixture
def local():
    server = _LocalServer(("127.0.0.1", 0), _Local)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join()


def req(hub: FakeHub, dev: HttpDevice, method: bytes, url: str, body: bytes = b"",
        redirects: int = 0, timeout: int = 0) -> str:
    k = key(5)
    headers = row_value([row_value([bar_value(b"X-Test"), bar_value(b"t1")])])
    issue(dev, k, "req", bar_value(method), bar_value(url.encode()), headers, bar_value(body),
          redirects, timeout)
    hub.pump(lambda: k in hub.answers)
    return hub.shown(k)


def test_client_request_answers_code_msg_headers_and_pinned_body(setup, local):
    hub, dev = setup
    shown = req(hub, dev, b"POST", local + "/p?x=1", b"payload")
    assert shown.startswith('[207 b#"Multi" [')
    assert '[b#"X-Back" b#"yes"]' in shown
    assert shown.endswith('<b#"POST /p?x=1 t1 payload">]')


def test_client_redirects(setup, local):
    hub, dev = setup
    assert req(hub, dev, b"POST", local + "/go").startswith('[302 b#"Found"')
    assert req(hub, dev, b"POST", local + "/go", redirects=1).endswith('<b#"/th">]')


def test_client_failures_are_named(setup, local):
    hub, dev = setup
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free = s.getsockname()[1]
    assert req(hub, dev, b"GET", f"http://127.0.0.1:{free}/") == '"CONNECTION_FAILURE"'
    assert req(hub, dev, b"GET", "ftp://x/") == '["INVALID_URL" b#"not an http or https url: \'ftp://x/\'"]'
    assert req(hub, dev, b"GET", local + "/slow", timeout=100_000) == '"RESPONSE_TIMEOUT"'


def test_cancelled_client_call_stops(setup, local):
    hub, dev = setup
    k = key(5)
    issue(dev, k, "req", bar_value(b"GET"), bar_value((local + "/slow").encode()), row_value([]),
          bar_value(b""), 0, 0)
    dev.cancel(k)
    time.sleep(0.2)
    hub.pump(lambda: hub.queue.qsize() == 0)
    assert k not in hub.answers


EMPTY = row_value([])


@pytest.mark.parametrize("items, message", [
    ((), "no operation"),
    (("frob",), "unknown operation frob"),
    (("hear", 1), "0 argument(s) expected, got 1"),
    (("hold", bar_value(b"1")), "http hold: the request id is not a nat"),
    (("echo", 1, 200, 5, EMPTY, EMPTY), "the status message of http echo's response is not a bar"),
    (("echo", 1, 20, EMPTY, EMPTY, EMPTY), "not between 100 and 999"),
    (("req", EMPTY, EMPTY, EMPTY, EMPTY, 0, 0), "http req: the method is not a bar"),
])
def test_bad_requests_say_what_is_wrong(setup, items, message):
    hub, dev = setup
    with pytest.raises(BadRequest, match=re.escape(message)):
        dev.parse(key(), request(*items))


def test_bad_headers_are_refused(setup):
    hub, dev = setup
    bad = row_value([row_value([bar_value(b"X-A"), bar_value(b"a\r\nInjected: 1")])])
    with pytest.raises(BadRequest, match="line break"):
        dev.parse(key(), request("echo", 1, 200, bar_value(b"OK"), bad, bar_value(b"")))
    bad = row_value([row_value([bar_value(b"X A"), bar_value(b"a")])])
    with pytest.raises(BadRequest, match="not a header name"):
        dev.parse(key(), request("echo", 1, 200, bar_value(b"OK"), bad, bar_value(b"")))


def test_close_releases_the_port_and_the_port_file(setup, tmp_path):
    hub, dev = setup
    issue(dev, key(1), "hear")
    port = dev.port(0)
    assert os.path.exists(tmp_path / "0.http.port")
    dev.close()
    assert not os.path.exists(tmp_path / "0.http.port")
    with socket.socket() as s:
        s.bind(("127.0.0.1", port))  # free again


def test_chunked_request_bodies_are_refused(setup):
    hub, dev = setup
    issue(dev, key(1), "hear")
    with socket.create_connection(("127.0.0.1", dev.port(0))) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
        reply = b""
        while chunk := sock.recv(4096):
            reply += chunk
        assert reply.startswith(b"HTTP/1.0 411")


def test_the_handler_is_given_method_path_headers_and_pinned_body():
    from pallas_kernel.machine.devices.http import _Incoming

    req = _Incoming(7, b"POST", b"/p", [(b"x-a", b"1")], b"hi")
    assert plan.show(req.request_value(with_rid=False)) == '["POST" b#"/p" [[b#"x-a" b#"1"]] <b#"hi">]'
    assert plan.show(req.request_value(with_rid=True)) == '[7 "POST" b#"/p" [[b#"x-a" b#"1"]] <b#"hi">]'
