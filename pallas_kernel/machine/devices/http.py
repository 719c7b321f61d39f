"""The ``http`` device: an HTTP server per cog on 127.0.0.1, and an HTTP client
(pallas-machine.md, section 3.2; the legacy reference's localhost HTTP device).

Requests (``[%http 0 op args...]``; the 0 is kern's "not durable" flag, which
this device accepts and ignores) and their answers:

``[%http 0 %serv handler]``
    Serve requests with ``handler``, a PLAN function applied to
    ``[method path headers (PIN body)]`` that gives 0 (NONE: leave the
    request to ``hear``) or ``(0 [code msg headers body])`` (SOME response).
    Never answered. With several live ``serv`` requests the newest one
    serves; with none every request goes to ``hear``.
``[%http 0 %hear]``
    The next request no handler took: ``[rid method path headers (PIN body)]``.
``[%http 0 %hold rid]``
    0 once request ``rid`` is finished (echoed, or its client went away, or
    the device stopped); 0 at once if no such request is open.
``[%http 0 %echo rid code msg headers body]``
    Sends the response to request ``rid``; answered 0 at once (also when
    ``rid`` is unknown, as the reference does).
``[%http 0 %req method url headers body redirects timeout]``
    An HTTP client call: ``[code msg headers (PIN body)]``, or on failure a
    nat naming it (``CONNECTION_FAILURE``, ``CONNECTION_TIMEOUT``,
    ``RESPONSE_TIMEOUT``, ``NO_RESPONSE_DATA``, ``CONNECTION_CLOSED``,
    ``OVERLONG_HEADERS``, ``INTERNAL_ERROR``) or a row
    ``[%INVALID_URL b#why]``, ``[%INVALID_STATUS_LINE b#line]``,
    ``[%RESPONSE_BODY_TOO_SHORT expected got]``,
    ``[%TOO_MANY_REDIRECTS [responses...]]``. ``timeout`` is in microseconds
    (0: none); ``redirects`` is how many redirects to follow (0: return the
    3xx response itself).

Data: ``method`` is a nat (``%GET``) in requests the server hears and a bar
in client calls; paths, messages and bodies are bars; headers are rows of
``[name value]`` bar pairs, names lower-cased in requests the server hears
and as sent in client responses; ``path`` is the request path without its
query string (the reference hands on warp's ``rawPathInfo``); ``code`` is a
nat from 100 to 999.

Threads. PLAN values stay on the machine thread (see :mod:`..device`): the
server threads work on bytes, and for each incoming request ask the machine
thread (``hub.call_soon``) to run the ``serv`` handler and route the request;
they wait for the response on a :class:`concurrent.futures.Future`.
"""

from __future__ import annotations

import collections
import concurrent.futures
import errno
import http.client
import http.server
import os
import re
import select
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any, Optional, Union

from ... import plan
from ...plan import Value
from ...plan.tree import Law, Pin, row, spine
from ...plan.view import layer, name_text, nat_of, row_items
from ..device import BadRequest, Hub, RequestKey
from ..runtime import time_limit

#: seconds a ``serv`` handler may run before the request gets a 500
HANDLER_TIME_LIMIT = 5.0
#: seconds an incoming request may wait for the machine thread to route it
ROUTE_TIMEOUT = 30.0
#: seconds between checks, while a request waits, that its client is still there
POLL = 0.1
#: the largest request body the server reads (bytes)
MAX_BODY = 64 * 1024 * 1024
#: seconds a connection may take to send its request (per socket operation)
READ_TIMEOUT = 30.0

_REDIRECTS = (301, 302, 303, 307, 308)
_TOKEN = re.compile(rb"[!#$%&'*+\-.^_`|~0-9A-Za-z]+\Z")


# --------------------------------------------------------------------------
# Python forms of requests and responses


@dataclass(frozen=True)
class Response:
    """An HTTP response: status code and message, headers, body."""

    code: int
    msg: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes


@dataclass(frozen=True)
class Serv:
    """``serv``: the handler value (only ever read on the machine thread)."""

    handler: Value


@dataclass(frozen=True)
class Hear:
    """``hear``: the next unserved request."""


@dataclass(frozen=True)
class Hold:
    """``hold rid``: wait until request ``rid`` is finished."""

    rid: int


@dataclass(frozen=True)
class Echo:
    """``echo rid ...``: respond to request ``rid``."""

    rid: int
    response: Response


@dataclass(frozen=True)
class ClientRequest:
    """``req``: an HTTP client call."""

    method: bytes
    url: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    redirects: int
    timeout_us: int


Parsed = Union[Serv, Hear, Hold, Echo, ClientRequest]

#: a client call's outcome in Python: ("resp", Response), ("name", str),
#: ("row", [str, ...]) with bytes/int/list items, built into a value later
Outcome = tuple


# --------------------------------------------------------------------------
# Reading PLAN values (machine thread)


def _nat(v: object, what: str) -> int:
    """The nat ``v`` is, or BadRequest naming ``what``."""
    return nat_of(v, what, BadRequest)


def bar_bytes(v: object) -> Optional[bytes]:
    """The bytes of a bar ``{1 1 N}``, or None for any other value."""
    t = layer(v)
    if not (isinstance(t, Law) and t.name == 1 and t.arity == 1):
        return None
    n = nat_of(t.body)
    if n is None or n <= 0 or (n.bit_length() - 1) % 8:
        return None
    size = (n.bit_length() - 1) // 8
    return n.to_bytes(size + 1, "little")[:size]


def _bar(v: object, what: str, pinned_ok: bool = False) -> bytes:
    """The bytes of bar ``v`` (or of a pinned bar, with ``pinned_ok``)."""
    data = bar_bytes(v)
    if data is None and pinned_ok:
        t = layer(v)
        if isinstance(t, Pin):
            data = bar_bytes(t.item)
    if data is None:
        raise BadRequest(f"{what} is not a bar")
    return data


def _headers(v: object, what: str) -> list[tuple[bytes, bytes]]:
    """A row of ``[name value]`` bar pairs, checked so that they can be sent
    (a name is a token, a value has no line break)."""
    items = row_items(v, what, BadRequest)
    pairs = []
    for i, item in enumerate(items):
        pair = row_items(item, f"{what}[{i}]", BadRequest)
        if len(pair) != 2:
            raise BadRequest(f"{what}[{i}] is not a [name value] pair")
        name = _bar(pair[0], f"the name of {what}[{i}]")
        value = _bar(pair[1], f"the value of {what}[{i}]")
        if not _TOKEN.match(name):
            raise BadRequest(f"the name of {what}[{i}] is not a header name: {name!r}")
        if any(c in value for c in b"\r\n\0"):
            raise BadRequest(f"the value of {what}[{i}] holds a line break or NUL")
        pairs.append((name, value))
    return pairs


def _response(items: list, what: str) -> Response:
    """``[code msg headers body]`` as a Response (body: a bar or pinned bar)."""
    if len(items) != 4:
        raise BadRequest(f"{what} is not [code msg headers body]")
    code = _nat(items[0], f"the status code of {what}")
    if not 100 <= code <= 999:
        raise BadRequest(f"the status code of {what} is not between 100 and 999: {code}")
    msg = _bar(items[1], f"the status message of {what}")
    if any(c in msg for c in b"\r\n\0"):
        raise BadRequest(f"the status message of {what} holds a line break or NUL")
    headers = _headers(items[2], f"the headers of {what}")
    body = _bar(items[3], f"the body of {what}", pinned_ok=True)
    return Response(code, msg, headers, body)


def parse_request(args: list[Value]) -> Parsed:
    """The arguments after ``%http`` as plain Python data, or BadRequest."""
    if args and nat_of(args[0]) in (0, 1):
        args = args[1:]  # kern's durability flag
    if not args:
        raise BadRequest("http: no operation (expected serv, hear, hold, echo or req)")
    op = nat_of(args[0])
    name = name_text(op) if op is not None else None
    rest = args[1:]
    arity = {"serv": 1, "hear": 0, "hold": 1, "echo": 5, "req": 6}
    if name not in arity:
        raise BadRequest(f"http: unknown operation {name or 'that is not a nat'} "
                         "(expected serv, hear, hold, echo or req)")
    if len(rest) != arity[name]:
        raise BadRequest(f"http {name}: {arity[name]} argument(s) expected, got {len(rest)}")
    if name == "serv":
        return Serv(rest[0])
    if name == "hear":
        return Hear()
    if name == "hold":
        return Hold(_nat(rest[0], "http hold: the request id"))
    if name == "echo":
        rid = _nat(rest[0], "http echo: the request id")
        return Echo(rid, _response(rest[1:], "http echo's response"))
    return ClientRequest(
        _bar(rest[0], "http req: the method"), _bar(rest[1], "http req: the url"),
        _headers(rest[2], "http req: the headers"), _bar(rest[3], "http req: the body"),
        _nat(rest[4], "http req: the redirect count"), _nat(rest[5], "http req: the timeout"))


def decode_handler_result(result: Value) -> Optional[Response]:
    """A ``serv`` handler's result: None for NONE (0), the Response for
    ``(0 [code msg headers body])``; BadRequest for anything else."""
    t = layer(result)
    if t == 0:
        return None
    head, args = spine(t)
    if nat_of(head) != 0 or len(args) != 1:
        raise BadRequest("the serv handler's result is neither 0 nor (0 response)")
    items = row_items(args[0], "the serv handler's response", BadRequest)
    return _response(items, "the serv handler's response")


# --------------------------------------------------------------------------
# Building PLAN values (machine thread)


def bar_value(data: bytes) -> Value:
    """The bar holding ``data``."""
    return plan.from_tree(Law(1, 1, int.from_bytes(data + b"\x01", "little"))).force()


def row_value(items: list) -> Value:
    """The row of ``items`` (values or ints)."""
    return plan.from_tree(row(*items)).force()


def headers_value(headers: list[tuple[bytes, bytes]]) -> Value:
    """Headers as a row of ``[name value]`` bar pairs."""
    return row_value([row_value([bar_value(n), bar_value(v)]) for n, v in headers])


def response_value(resp: Response) -> Value:
    """``[code msg headers (PIN body)]``: a client call's answer."""
    return row_value([resp.code, bar_value(resp.msg), headers_value(resp.headers),
                      plan.pin(bar_value(resp.body))])


def outcome_value(outcome: Outcome) -> Value:
    """The answer to a client call from its outcome (see :data:`Outcome`)."""
    kind, payload = outcome
    if kind == "resp":
        return response_value(payload)
    if kind == "name":
        return plan.from_str(payload)
    name, *rest = payload
    items: list = [plan.from_str(name)]
    for item in rest:
        if isinstance(item, bytes):
            items.append(bar_value(item))
        elif isinstance(item, list):
            items.append(row_value([response_value(r) for r in item]))
        else:
            items.append(item)
    return row_value(items)


# --------------------------------------------------------------------------
# The server of one cog


@dataclass(eq=False)
class _Incoming:
    """A request a server thread received, waiting for its response."""

    rid: int
    method: bytes
    path: bytes
    headers: list[tuple[bytes, bytes]]
    body: bytes
    future: concurrent.futures.Future = field(default_factory=concurrent.futures.Future)
    routed: bool = False  # the serv handler passed it on (or there was none)
    holds: set = field(default_factory=set)  # keys of hold requests on it

    def request_value(self, with_rid: bool) -> Value:
        """``[method path headers (PIN body)]``, with the id first for hear."""
        items = [plan.from_bytes(self.method), bar_value(self.path),
                 headers_value(self.headers), plan.pin(bar_value(self.body))]
        return row_value(([self.rid] if with_rid else []) + items)


def _plain(code: int, text: str) -> Response:
    """A small text/plain response."""
    return Response(code, http.client.responses.get(code, "Error").encode(),
                    [(b"Content-Type", b"text/plain")], text.encode() + b"\n")


class _Handler(http.server.BaseHTTPRequestHandler):
    """One connection: read the request, hand it to the cog, write what
    comes back. Every method is served (``do_X`` for any X)."""

    timeout = READ_TIMEOUT
    server: "_Server"

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the cog decides what to report."""

    def _serve(self) -> None:
        body = self._read_body()
        if body is None:
            return
        cog = self.server.cog_server
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in self.headers.items()]
        path = self.path.split("?", 1)[0].encode("latin-1")
        req = cog.admit(self.command.encode("latin-1"), path, headers, body)
        if req is None:
            self._write(_plain(503, "the machine is stopping"))
            return
        resp = self._await(cog, req)
        if resp is not None:
            self._write(resp)
        cog.finished(req)

    def _read_body(self) -> Optional[bytes]:
        """The request body (by Content-Length), or None after an error reply
        (a chunked body is refused with 411: the server reads lengths only)."""
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            self.send_error(411)
            return None
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            self.send_error(400, "bad Content-Length")
            return None
        if length > MAX_BODY:
            self.send_error(413)
            return None
        return self.rfile.read(length)

    def _await(self, cog: "_CogServer", req: _Incoming) -> Optional[Response]:
        """The response for ``req``; None if the client went away first."""
        deadline = time.monotonic() + cog.device.route_timeout
        while True:
            try:
                return req.future.result(timeout=POLL)
            except concurrent.futures.TimeoutError:
                pass
            if not req.routed and time.monotonic() > deadline:
                return cog.abandon(req, _plain(500, "the serv handler did not answer in time"))
            if self._client_gone():
                cog.abandon(req, None)
                return None

    def _client_gone(self) -> bool:
        """Has the client closed its side (or the connection failed)?"""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable) and self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _write(self, resp: Response) -> None:
        """Send ``resp`` (our Content-Length replaces the cog's)."""
        try:
            self.send_response(resp.code, resp.msg.decode("latin-1"))
            for name, value in resp.headers:
                if name.lower() != b"content-length":
                    self.send_header(name.decode("latin-1"), value.decode("latin-1"))
            self.send_header("Content-Length", str(len(resp.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(resp.body)
        except OSError:
            pass  # the client went away


class _Server(http.server.ThreadingHTTPServer):
    """A threading server whose connection threads are joined on close."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, cog_server: "_CogServer") -> None:
        self.cog_server = cog_server
        self.connections: set = set()
        self.conn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: socket.socket, client_address: Any) -> None:
        with self.conn_lock:
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: socket.socket) -> None:
        with self.conn_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A connection failed: a client that went away is no news; anything
        else is told to the user in one line (not a traceback)."""
        error = sys.exc_info()[1]
        if not isinstance(error, OSError):
            self.cog_server.device.hub.warn(
                f"http: cog {self.cog_server.cog}: serving {client_address}: {type(error).__name__}: {error}")

    def cut_connections(self) -> None:
        """Stop reading every open connection (a thread waiting for a
        request that never comes then ends); writes still go out."""
        with self.conn_lock:
            for sock in list(self.connections):
                try:
                    sock.shutdown(socket.SHUT_RD)
                except OSError:
                    pass


class _CogServer:
    """The HTTP server of one cog and its requests: waiting to be heard
    (``unheard``), heard and waiting for an echo (``live``)."""

    def __init__(self, device: "HttpDevice", cog: int) -> None:
        self.device = device
        self.cog = cog
        self.lock = device.lock
        self.next_rid = 1
        self.hears: collections.deque[RequestKey] = collections.deque()
        self.unheard: collections.deque[_Incoming] = collections.deque()
        self.live: dict[int, _Incoming] = {}
        self.open: set[_Incoming] = set()
        self.closing = False
        self.httpd = _Server(self)
        self.port = self.httpd.server_address[1]
        self.port_file = os.path.join(device.hub.store_dir, f"{cog}.http.port")
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       name=f"http-cog-{cog}", daemon=True)
        self.thread.start()
        try:
            with open(self.port_file, "w") as f:
                f.write(str(self.port))
        except OSError as e:
            device.hub.warn(f"http: cannot write the port file {self.port_file}: {e}")
        device.hub.warn(f"_http_port={self.port}")

    # ---- server threads

    def admit(self, method: bytes, path: bytes, headers: list, body: bytes) -> Optional[_Incoming]:
        """A new request, handed to the machine thread to route; None once
        the server is stopping."""
        with self.lock:
            if self.closing:
                return None
            req = _Incoming(self.next_rid, method, path, headers, body)
            self.next_rid += 1
            self.open.add(req)
        self.device.hub.call_soon(lambda: self.device.route(self, req))
        return req

    def abandon(self, req: _Incoming, resp: Optional[Response]) -> Optional[Response]:
        """Give up waiting on ``req`` (its client left, or routing took too
        long): forget it; the response it got meanwhile, else ``resp``."""
        with self.lock:
            if req.future.done():
                return req.future.result()
            req.future.set_result(resp)
            if req in self.unheard:
                self.unheard.remove(req)
        return resp

    def finished(self, req: _Incoming) -> None:
        """``req`` is answered or abandoned: its holds are answered."""
        with self.lock:
            self.open.discard(req)
            if self.live.get(req.rid) is req:
                del self.live[req.rid]
            holds, req.holds = req.holds, set()
        self.device.answer_all(holds)

    # ---- machine thread

    def to_hear(self, req: _Incoming) -> None:
        """``req`` goes to the next hear (or waits for one)."""
        with self.lock:
            if req.future.done():
                return
            req.routed = True
            if self.hears:
                self._heard(self.hears.popleft(), req)
            else:
                self.unheard.append(req)

    def hear(self, key: RequestKey) -> None:
        """A hear: the oldest unheard request, or wait for one."""
        with self.lock:
            while self.unheard:
                req = self.unheard.popleft()
                if not req.future.done():
                    self._heard(key, req)
                    return
            self.hears.append(key)

    def _heard(self, key: RequestKey, req: _Incoming) -> None:
        """Answer hear ``key`` with ``req`` (lock held)."""
        self.live[req.rid] = req
        self.device.hub.answer(key, lambda: req.request_value(with_rid=True))

    def echo(self, rid: int, resp: Response) -> set:
        """Send ``resp`` to request ``rid`` if it is live; its holds."""
        with self.lock:
            req = self.live.pop(rid, None)
            if req is None or req.future.done():
                return set()
            req.future.set_result(resp)
            holds, req.holds = req.holds, set()
            return holds

    def stop(self) -> None:
        """Answer every open request 503, stop serving, join the threads and
        remove the port file."""
        with self.lock:
            self.closing = True
            for req in self.open:
                if not req.future.done():
                    req.future.set_result(_plain(503, "the machine is stopping"))
            self.hears.clear()
            self.unheard.clear()
        self.httpd.shutdown()
        self.httpd.cut_connections()
        self.httpd.server_close()
        self.thread.join()
        try:
            os.remove(self.port_file)
        except OSError:
            pass


# --------------------------------------------------------------------------
# The client


class _Cancelled(Exception):
    """The client call was cancelled."""


class _ConnectFailed(Exception):
    """Connecting failed; ``name`` is the answer (a timeout or a failure)."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


class _ClientCall:
    """One ``req`` running on its own thread; cancel() unblocks it."""

    def __init__(self, device: "HttpDevice", key: RequestKey, req: ClientRequest) -> None:
        self.device = device
        self.key = key
        self.req = req
        self.cancelled = threading.Event()
        self.conn: Optional[http.client.HTTPConnection] = None
        self.thread = threading.Thread(target=self._run, name=f"http-req-{key.cog}-{key.slot}", daemon=True)

    def cancel(self) -> None:
        """Stop the call: a blocked connect notices the flag, a blocked
        read is woken by shutting its socket."""
        self.cancelled.set()
        conn = self.conn
        sock = conn.sock if conn is not None else None
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def _run(self) -> None:
        try:
            outcome = self._perform()
        except _Cancelled:
            return
        finally:
            self.device.client_done(self.key)
        if not self.cancelled.is_set():
            self.device.hub.answer(self.key, lambda: outcome_value(outcome))

    def _timeout(self) -> Optional[float]:
        t = self.req.timeout_us
        return None if t == 0 else t / 1e6

    def _perform(self) -> Outcome:
        """The outcome of the call, following redirects as asked."""
        req = self.req
        method, url, body = req.method, req.url, req.body
        redirects: list[Response] = []
        while True:
            try:
                target = self._target(url)
            except ValueError as e:
                return ("row", ["INVALID_URL", str(e).encode()])
            outcome = self._once(target, method, req.headers, body)
            if outcome[0] != "resp" or req.redirects == 0:
                return outcome
            resp = outcome[1]
            location = _header(resp.headers, b"location")
            if resp.code not in _REDIRECTS or location is None:
                return outcome
            if len(redirects) == req.redirects:
                return ("row", ["TOO_MANY_REDIRECTS", redirects + [resp]])
            redirects.append(resp)
            url = urllib.parse.urljoin(url.decode("latin-1"), location.decode("latin-1")).encode("latin-1")
            if resp.code == 303 or (resp.code in (301, 302) and method == b"POST"):
                method, body = b"GET", b""

    @staticmethod
    def _target(url: bytes) -> tuple[str, str, int, str]:
        """(scheme, host, port, path+query) of an http(s) URL, or ValueError."""
        try:
            text = url.decode("utf-8")
        except UnicodeDecodeError:
            raise ValueError("the url is not UTF-8") from None
        parts = urllib.parse.urlsplit(text)
        if parts.scheme not in ("http", "https"):
            raise ValueError(f"not an http or https url: {text!r}")
        if not parts.hostname:
            raise ValueError(f"no host in url: {text!r}")
        port = parts.port or (443 if parts.scheme == "https" else 80)  # .port raises ValueError
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        return parts.scheme, parts.hostname, port, path

    def _once(self, target: tuple, method: bytes, headers: list, body: bytes) -> Outcome:
        """One request/response exchange."""
        scheme, host, port, path = target
        timeout = self._timeout()
        if scheme == "https":
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                host, port, timeout=timeout, context=ssl.create_default_context())
        else:
            conn = http.client.HTTPConnection(host, port, timeout=timeout)
        conn._create_connection = self._connect  # type: ignore[attr-defined]
        self.conn = conn
        try:
            return self._exchange(conn, method, path, headers, body)
        except _ConnectFailed as e:
            return ("name", e.name)
        finally:
            conn.close()

    def _exchange(self, conn: http.client.HTTPConnection, method: bytes, path: str,
                  headers: list, body: bytes) -> Outcome:
        """Send the request and read the response, naming any failure."""
        names = {n.lower() for n, _ in headers}
        try:
            conn.putrequest(method.decode("latin-1"), path, skip_host=b"host" in names,
                            skip_accept_encoding=True)
            for name, value in headers:
                conn.putheader(name, value)
            if b"content-length" not in names and (body or method not in (b"GET", b"HEAD")):
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body or None)
            resp = conn.getresponse()
            data = resp.read()
        except (_ConnectFailed, _Cancelled):
            raise
        except BaseException as e:  # noqa: BLE001 - every failure becomes an answer
            if self.cancelled.is_set():
                raise _Cancelled() from None
            return _failure(e)
        headers_out = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in resp.getheaders()]
        return ("resp", Response(resp.status, (resp.reason or "").encode("latin-1"), headers_out, data))

    def _connect(self, address: tuple, timeout: Optional[float] = None,
                 source_address: Any = None) -> socket.socket:
        """Connect to ``address`` (what http.client calls), polling the
        cancel flag so that a hanging connect can be stopped."""
        host, port = address
        try:
            infos = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)
        except OSError:
            raise _ConnectFailed("CONNECTION_FAILURE") from None
        failure = "CONNECTION_FAILURE"
        for family, kind, proto, _, addr in infos:
            sock = socket.socket(family, kind, proto)
            try:
                self._connect_one(sock, addr, timeout)
                sock.settimeout(timeout)
                return sock
            except _ConnectFailed as e:
                failure = e.name
                sock.close()
            except BaseException:
                sock.close()
                raise
        raise _ConnectFailed(failure)

    def _connect_one(self, sock: socket.socket, addr: Any, timeout: Optional[float]) -> None:
        sock.setblocking(False)
        err = sock.connect_ex(addr)
        deadline = None if timeout is None else time.monotonic() + timeout
        if err not in (0, errno.EINPROGRESS):
            raise _ConnectFailed("CONNECTION_FAILURE")
        while err:
            if self.cancelled.is_set():
                raise _Cancelled()
            _, writable, _ = select.select([], [sock], [], POLL)
            if writable:
                err = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err:
                    raise _ConnectFailed("CONNECTION_FAILURE")
                break
            if deadline is not None and time.monotonic() > deadline:
                raise _ConnectFailed("CONNECTION_TIMEOUT")


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> Optional[bytes]:
    """The first value of header ``name`` (case-insensitive)."""
    for n, v in headers:
        if n.lower() == name:
            return v
    return None


def _failure(e: BaseException) -> Outcome:
    """The answer naming why a client exchange failed."""
    if isinstance(e, socket.timeout):
        return ("name", "RESPONSE_TIMEOUT")
    if isinstance(e, http.client.RemoteDisconnected):
        return ("name", "NO_RESPONSE_DATA")
    if isinstance(e, http.client.BadStatusLine):
        return ("row", ["INVALID_STATUS_LINE", str(e.line if hasattr(e, "line") else e).encode("latin-1", "replace")])
    if isinstance(e, http.client.IncompleteRead):
        got = len(e.partial)
        expected = got + (e.expected or 0)
        return ("row", ["RESPONSE_BODY_TOO_SHORT", expected, got])
    if isinstance(e, (http.client.LineTooLong, http.client.HTTPException)) and "header" in str(e).lower():
        return ("name", "OVERLONG_HEADERS")
    if isinstance(e, (ConnectionError, OSError)):
        return ("name", "CONNECTION_CLOSED")
    return ("name", "INTERNAL_ERROR")


# --------------------------------------------------------------------------
# The device


class HttpDevice:
    """The ``http`` device (see the module docstring for its requests)."""

    name = "http"

    def __init__(self, hub: Hub, handler_time_limit: Optional[float] = HANDLER_TIME_LIMIT,
                 route_timeout: float = ROUTE_TIMEOUT) -> None:
        self.hub = hub
        self.handler_time_limit = handler_time_limit
        self.route_timeout = route_timeout
        self.lock = threading.RLock()
        self.servers: dict[int, _CogServer] = {}
        self.servs: dict[RequestKey, Value] = {}      # machine thread only
        self.holds: dict[RequestKey, _Incoming] = {}
        self.clients: dict[RequestKey, _ClientCall] = {}
        self.finished_clients: list[_ClientCall] = []
        self.closed = False

    # ---- the Device protocol (machine thread)

    def parse(self, key: RequestKey, args: list[Value]) -> Parsed:
        """``[%http 0 op args...]`` as Python data, or BadRequest."""
        return parse_request(args)

    def issue(self, key: RequestKey, request: Parsed) -> None:
        """Start ``request``; see the module docstring for what answers."""
        if self.closed:
            return
        try:
            self._issue(key, request)
        except OSError as e:  # no socket or port to be had
            self.hub.warn(f"http: cog {key.cog}: cannot start a server: {e}")
            self.answer_all({key})

    def _issue(self, key: RequestKey, request: Parsed) -> None:
        if isinstance(request, Serv):
            self._server(key.cog)
            self.servs[key] = request.handler
        elif isinstance(request, Hear):
            self._server(key.cog).hear(key)
        elif isinstance(request, Hold):
            self._hold(key, request.rid)
        elif isinstance(request, Echo):
            server = self.servers.get(key.cog)
            holds = server.echo(request.rid, request.response) if server else set()
            self.answer_all(holds | {key})
        elif isinstance(request, ClientRequest):
            call = _ClientCall(self, key, request)
            with self.lock:
                self.clients[key] = call
            call.thread.start()
        else:
            raise BadRequest(f"http: not a parsed http request: {request!r}")

    def cancel(self, key: RequestKey) -> None:
        """Withdraw request ``key`` (a hear, serv, hold or client call)."""
        self.servs.pop(key, None)
        with self.lock:
            server = self.servers.get(key.cog)
            if server is not None and key in server.hears:
                server.hears.remove(key)
            req = self.holds.pop(key, None)
            if req is not None:
                req.holds.discard(key)
            call = self.clients.get(key)
        if call is not None:
            call.cancel()

    def recompute(self, args: list[Value]) -> Optional[Value]:
        """HTTP answers are logged, never recomputed."""
        return None

    def cog_gone(self, cog: int) -> None:
        """Cog ``cog`` no longer exists: stop its server (open requests get
        503, its port file goes) and its client calls, forget its requests."""
        for key in [k for k in self.servs if k.cog == cog]:
            del self.servs[key]
        with self.lock:
            server = self.servers.pop(cog, None)
            for key in [k for k in self.holds if k.cog == cog]:
                del self.holds[key]
            calls = [c for k, c in self.clients.items() if k.cog == cog]
        for call in calls:
            call.cancel()
        if server is not None:
            server.stop()
        self._join_clients(calls)

    def close(self) -> None:
        """Stop every server and client call and join their threads."""
        self.closed = True
        for cog in list(self.servers):
            self.cog_gone(cog)
        with self.lock:
            calls = list(self.clients.values())
        for call in calls:
            call.cancel()
        self._join_clients(calls)
        self.servs.clear()

    # ---- helpers

    def port(self, cog: int) -> Optional[int]:
        """The port of cog ``cog``'s server, if it has one."""
        server = self.servers.get(cog)
        return server.port if server else None

    def _server(self, cog: int) -> _CogServer:
        """Cog ``cog``'s server, started on first use."""
        server = self.servers.get(cog)
        if server is None:
            server = self.servers[cog] = _CogServer(self, cog)
        return server

    def _hold(self, key: RequestKey, rid: int) -> None:
        server = self.servers.get(key.cog)
        with self.lock:
            req = server.live.get(rid) if server else None
            if req is not None and not req.future.done():
                req.holds.add(key)
                self.holds[key] = req
                return
        self.answer_all({key})

    def answer_all(self, keys: set) -> None:
        """Answer each request in ``keys`` with 0."""
        with self.lock:
            for key in keys:
                self.holds.pop(key, None)
        for key in keys:
            self.hub.answer(key, lambda: plan.nat(0))

    def route(self, server: _CogServer, req: _Incoming) -> None:
        """On the machine thread: run the cog's newest serv handler on
        ``req``; its response goes back, NONE sends ``req`` to hear, a
        crash or timeout or bad result answers 500."""
        if req.future.done() or server.closing:
            return
        handler = self._newest_serv(server.cog)
        if handler is None:
            server.to_hear(req)
            return
        try:
            with time_limit(self.handler_time_limit):
                result = handler.apply(req.request_value(with_rid=False)).force()
                resp = decode_handler_result(result)
        except BadRequest as e:
            self.hub.warn(f"http: cog {server.cog}: {e}")
            resp = _plain(500, "bad response from the serv handler")
        except Exception as e:  # noqa: BLE001 - a crash, a loop, a timeout
            self.hub.warn(f"http: cog {server.cog}: the serv handler failed: {type(e).__name__}: {e}")
            resp = _plain(500, "the serv handler failed")
        if resp is None:
            server.to_hear(req)
            return
        with self.lock:
            if not req.future.done():
                req.routed = True
                req.future.set_result(resp)

    def _newest_serv(self, cog: int) -> Optional[Value]:
        keys = [k for k in self.servs if k.cog == cog]
        return self.servs[max(keys, key=lambda k: k.serial)] if keys else None

    def client_done(self, key: RequestKey) -> None:
        """A client call's thread is about to end: keep it to be joined
        (forgetting the ones that already ended)."""
        with self.lock:
            call = self.clients.pop(key, None)
            alive = [c for c in self.finished_clients if c.thread.is_alive()]
            self.finished_clients = alive + ([call] if call is not None else [])

    def _join_clients(self, calls: list[_ClientCall]) -> None:
        with self.lock:
            done, self.finished_clients = self.finished_clients, []
        for call in calls + done:
            if call.thread.ident is not None:
                call.thread.join()
