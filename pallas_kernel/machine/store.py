"""The machine's store: one directory, one LMDB environment, four databases.

``pins``
    32-byte BLAKE3 pin hash -> the pin as a *germ*: its item's seed with the
    direct sub-pins as holes, and the hashes of those sub-pins. Every pin is
    stored once, however many values share it; a pin is written only with
    (or after) all of its sub-pins, so a stored pin is always complete.
``events``
    event number (8 bytes, big-endian, so LMDB's byte order is numeric order;
    the first event is 1) -> the event's record, opaque bytes to the store.
``snapshots``
    event number -> the hash of the pin ``<state>``: the machine's state
    after that event (snapshot 0 is the state before any event).
``meta``
    ``format`` (the format version), ``created`` (Unix seconds) and
    ``machine`` (a random id, hex).

Every record value is ``crc32(key ++ payload)`` (4 bytes, big-endian)
followed by the payload, and the checksum is verified on every read; a pin
read back is also rebuilt and hashed, and must have the hash it is stored
under. Damage raises :class:`StoreError` naming the store and what is
damaged (event number, pin hash in base58, snapshot number, meta key); wrong
data is never returned. LMDB itself checks no page structure, so damage to
its B-tree pages is reported as whatever error LMDB gives, wrapped in
StoreError; a data file shorter than LMDB's last page is refused at open
(reading past its end through the map would kill the process with SIGBUS).

Durability: LMDB runs with ``sync`` and ``metasync`` on, so a method that
writes returns only after its transaction is on disk. ``append_events``
writes a whole batch in one transaction (group commit).

Exclusion: ``store.lock`` in the directory is held with
``flock(LOCK_EX | LOCK_NB)`` for the Store's lifetime and holds the owner's
pid; a second open (from any process, or this one) fails at once with
"store PATH is in use by another process (pid N)". Nobody is signalled.

A Store is for one thread at a time.
"""

from __future__ import annotations

import fcntl
import heapq
import mmap
import os
import struct
import time
import uuid
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Optional

import lmdb

from .. import plan
from ..errors import PallasError, SeedError, StoreError
from ..plan import Value, base58

#: the layout this code reads and writes; a store of another version is refused
FORMAT_VERSION = 1

DATA_FILE = "data.mdb"
LOCK_FILE = "store.lock"

#: initial size of the address space LMDB maps (it grows when full)
DEFAULT_MAP_SIZE = 1 << 34

#: events read per read transaction while iterating (short transactions)
_EVENT_CHUNK = 1024

_U64 = struct.Struct(">Q")
_U32 = struct.Struct(">I")
_HASH = 32


# --------------------------------------------------------------------------
# Records: a checksum over key and payload, then the payload


def _seal(key: bytes, payload: bytes) -> bytes:
    """The stored form of ``payload`` under ``key``: its CRC32 (over the key
    too, so a record under the wrong key is caught) and the payload."""
    return _U32.pack(zlib.crc32(payload, zlib.crc32(key))) + payload


def _payload(key: bytes, raw: Optional[bytes]) -> Optional[bytes]:
    """The payload of a stored record, or None if its checksum fails."""
    if raw is None or len(raw) < 4:
        return None
    payload = raw[4:]
    if _U32.unpack_from(raw)[0] != zlib.crc32(payload, zlib.crc32(key)):
        return None
    return payload


def _event_key(number: int) -> bytes:
    """The key of event ``number``: 8 bytes big-endian, so keys sort as numbers."""
    if not 0 <= number < 1 << 64:
        raise StoreError(f"event number {number} is out of range (0 to 2^64-1)")
    return _U64.pack(number)


def _hash_name(h: bytes) -> str:
    """A pin hash as the reference prints it (base58)."""
    return base58.encode(h)


def _pin_record(refs: list[Value], body: bytes) -> bytes:
    """The payload of a pin: ref count, the refs' hashes, the germ body."""
    return _U32.pack(len(refs)) + b"".join(r.pin_hash() for r in refs) + body


def _parse_pin_record(payload: bytes) -> Optional[tuple[list[bytes], bytes]]:
    """``(ref hashes, germ body)`` of a pin payload, or None if malformed."""
    if len(payload) < 4:
        return None
    n = _U32.unpack_from(payload)[0]
    end = 4 + n * _HASH
    if end > len(payload):
        return None
    refs = [payload[i:i + _HASH] for i in range(4, end, _HASH)]
    return refs, payload[end:]


# --------------------------------------------------------------------------
# The lock file


def _lock(directory: str) -> int:
    """An fd of ``directory``/store.lock, locked exclusively, with our pid
    written in it; StoreError at once if another holder has it."""
    path = os.path.join(directory, LOCK_FILE)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise StoreError(f"store {directory}: cannot open its lock file: {e.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "unknown"
        os.close(fd)
        if holder == str(os.getpid()):
            raise StoreError(f"store {directory} is already open in this process (pid {holder})") from None
        raise StoreError(f"store {directory} is in use by another process (pid {holder})") from None
    except OSError as e:
        os.close(fd)
        raise StoreError(f"store {directory}: cannot lock {path}: {e.strerror}") from None
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
    return fd


def _unlock(fd: int) -> None:
    """Release the lock (closing the fd releases the flock)."""
    os.close(fd)


@dataclass(frozen=True)
class PinStats:
    """What the pins database holds: how many pins, their stored bytes (each
    record's payload: ref hashes and germ body), and the largest records as
    ``(hash, bytes)``, largest first (ties by hash, so the list is
    deterministic)."""

    count: int
    total_bytes: int
    largest: list[tuple[bytes, int]]


# --------------------------------------------------------------------------
# The store


class Store:
    """A machine's store; make one with :meth:`create` or :meth:`open`, and
    close it (or use it as a context manager) to release the lock."""

    path: str
    format_version: int
    created: int
    machine_id: str

    def __init__(self, path: str, env: lmdb.Environment, lock_fd: int) -> None:
        """Use :meth:`create` or :meth:`open`; this takes over an open
        environment and a held lock."""
        self.path = path
        self._env: Optional[lmdb.Environment] = env
        self._lock_fd: Optional[int] = lock_fd
        self._pins = env.open_db(b"pins")
        self._events = env.open_db(b"events")
        self._snapshots = env.open_db(b"snapshots")
        self._meta = env.open_db(b"meta")
        self._next_event = self._read_last_event() + 1

    # ---- opening and closing

    @classmethod
    def create(cls, path: str | os.PathLike, map_size: int = DEFAULT_MAP_SIZE) -> "Store":
        """A new, empty store in ``path`` (made if missing; it must not
        already hold a store or other files)."""
        path = os.fspath(path)
        try:
            os.makedirs(path, exist_ok=True)
            extra = [n for n in os.listdir(path) if n != LOCK_FILE]
        except OSError as e:
            raise StoreError(f"store {path}: cannot create its directory: {e.strerror}") from None
        if extra:
            what = "already holds a store" if DATA_FILE in extra else "is not empty"
            raise StoreError(f"store {path}: cannot create a store there: the directory {what}")
        fd = _lock(path)
        try:
            env = _open_env(path, map_size)
            meta = {"format": str(FORMAT_VERSION), "created": str(int(time.time())),
                    "machine": uuid.uuid4().hex}
            with env.begin(write=True) as txn:
                db = env.open_db(b"meta", txn=txn)
                for name in ("pins", "events", "snapshots"):
                    env.open_db(name.encode(), txn=txn)
                for k, v in meta.items():
                    txn.put(k.encode(), _seal(k.encode(), v.encode()), db=db)
            store = cls(path, env, fd)
        except lmdb.Error as e:
            _unlock(fd)
            raise StoreError(f"store {path}: cannot create: {e}") from None
        except BaseException:
            _unlock(fd)
            raise
        store._load_meta()
        return store

    @classmethod
    def open(cls, path: str | os.PathLike, map_size: int = DEFAULT_MAP_SIZE) -> "Store":
        """The existing store in ``path``. Refuses (StoreError) a directory
        without a store, one in use, one of an unknown format version, and a
        data file that is truncated."""
        path = os.fspath(path)
        data = os.path.join(path, DATA_FILE)
        if not os.path.isfile(data):
            raise StoreError(f"store {path}: not a store (no {DATA_FILE})")
        fd = _lock(path)
        try:
            _check_size_before_open(path, data)
            env = _open_env(path, map_size, create=False)
            try:
                _check_size_after_open(path, data, env)
                _check_databases(path, env)
                store = cls(path, env, fd)
            except BaseException:
                env.close()
                raise
        except lmdb.Error as e:
            _unlock(fd)
            raise StoreError(f"store {path}: cannot open: {e}") from None
        except BaseException:
            _unlock(fd)
            raise
        try:
            store._load_meta()
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        """Close the environment and release the lock (idempotent)."""
        if self._env is not None:
            self._env.close()
            self._env = None
        if self._lock_fd is not None:
            _unlock(self._lock_fd)
            self._lock_fd = None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "open" if self._env is not None else "closed"
        return f"<Store {self.path} {state}, {self._next_event - 1} events>"

    # ---- pins

    def put_pin(self, value: Value) -> bytes:
        """Store a pin (``value`` itself if it is a pin, else ``<value>``) and
        every pin it reaches, each once; the pin's 32-byte hash. Durable on
        return."""
        p = value if _is_pin(value) else plan.pin(value)
        return self._write(lambda txn: self._store_pins(txn, p))

    def get_pin(self, pin_hash: bytes) -> Value:
        """The pin stored under ``pin_hash``, rebuilt from its germ and those of
        its sub-pins (an explicit stack, so any depth), each one checked
        against its hash. StoreError if it is missing or damaged."""
        with self._read() as txn:
            return self._load_pin(txn, bytes(pin_hash))

    def has_pin(self, pin_hash: bytes) -> bool:
        """Whether a pin with this hash is stored."""
        with self._read() as txn:
            with txn.cursor(self._pins) as cur:
                return cur.set_key(bytes(pin_hash))

    def pin_stats(self, top: int = 10) -> PinStats:
        """Count and size the stored pins, and the ``top`` largest, reading
        the pins database once without decoding any pin. Sizes are payload
        bytes (the 4-byte checksum of each record left out)."""
        count = total = 0
        heap: list[tuple[int, bytes]] = []   # the largest so far, smallest first
        with self._read() as txn, txn.cursor(self._pins) as cur:
            for key, raw in cur:
                size = max(len(raw) - 4, 0)
                count += 1
                total += size
                entry = (size, bytes(key))
                if len(heap) < top:
                    heapq.heappush(heap, entry)
                elif top > 0 and entry > heap[0]:
                    heapq.heapreplace(heap, entry)
        largest = sorted(heap, key=lambda e: (-e[0], e[1]))
        return PinStats(count, total, [(h, size) for size, h in largest])

    def pin_germ(self, pin_hash: bytes) -> tuple[list[bytes], bytes]:
        """``(sub-pin hashes, germ body)`` of one stored pin, checked against
        its checksum but not rebuilt: a cheap look at a pin without loading
        what it reaches. StoreError if it is missing or damaged."""
        h = bytes(pin_hash)
        with self._read() as txn:
            return self._read_germ(txn, h, h, "")

    # ---- events

    def append_events(self, records: Iterable[bytes]) -> int:
        """Append a batch of event records in one transaction (group commit),
        numbered in order; the number of the first. Durable on return. An
        empty batch writes nothing and returns the next number."""
        batch = [bytes(r) for r in records]
        return self._append(len(batch), lambda txn: batch)

    def append_pinned_events(self, events: list[tuple[bytes, list[Value]]]) -> int:
        """Group commit of events whose records name pins: in one
        transaction, for each ``(tag, pins)`` store the pins and append the
        record ``tag`` followed by their hashes, in order. The number of the
        first event; durable on return."""
        for _, pins in events:
            if not all(_is_pin(p) for p in pins):
                raise StoreError(f"store {self.path}: an event record names pins only")
        return self._append(len(events), lambda txn: [
            bytes(tag) + b"".join(self._store_pins(txn, p) for p in pins) for tag, pins in events])

    def _append(self, count: int, records) -> int:
        """Append ``count`` events whose records ``records(txn)`` makes inside
        the one write transaction (so pins it stores commit with them); the
        number of the first."""
        first = self._next_event
        if not count:
            return first

        def write(txn: lmdb.Transaction) -> None:
            with txn.cursor(self._events) as cur:
                for i, record in enumerate(records(txn)):
                    key = _event_key(first + i)
                    cur.put(key, _seal(key, record), append=True)

        self._write(write)
        self._next_event = first + count
        return first

    def last_event(self) -> int:
        """The number of the last event, 0 if there is none."""
        self._env_or_fail()
        return self._next_event - 1

    def event(self, number: int) -> bytes:
        """The record of event ``number``; StoreError if missing or damaged."""
        key = _event_key(number)
        with self._read() as txn:
            raw = txn.get(key, db=self._events)
        if raw is None:
            raise StoreError(f"store {self.path}: no event {number}")
        return self._event_payload(number, key, raw)

    def events(self, from_number: int = 1) -> Iterator[tuple[int, bytes]]:
        """``(number, record)`` for every event from ``from_number`` on, in
        order. Reads in short transactions, so a slow consumer holds none."""
        if from_number >= 1 << 64:
            return
        start = _event_key(max(from_number, 0))
        while True:
            chunk: list[tuple[bytes, bytes]] = []
            with self._read() as txn, txn.cursor(self._events) as cur:
                if cur.set_range(start):
                    for item in cur:
                        chunk.append(item)
                        if len(chunk) == _EVENT_CHUNK:
                            break
            for key, raw in chunk:
                number = _U64.unpack(key)[0] if len(key) == 8 else -1
                yield number, self._event_payload(number, key, raw)
            if len(chunk) < _EVENT_CHUNK:
                return
            start = _event_key(_U64.unpack(chunk[-1][0])[0] + 1)

    # ---- snapshots

    def put_snapshot(self, number: int, state: Value) -> bytes:
        """Record ``state`` as the machine's state after event ``number`` (0:
        before any event): the pin ``<state>`` and the pointer to it, in one
        transaction. The hash of that pin. The event must be committed."""
        last = self.last_event()
        if not 0 <= number <= last:
            raise StoreError(f"store {self.path}: snapshot {number} is not an event"
                             f" of the log (0 to {last})")
        p = plan.pin(state)
        key = _event_key(number)

        def write(txn: lmdb.Transaction) -> bytes:
            h = self._store_pins(txn, p)
            txn.put(key, _seal(key, h), db=self._snapshots)
            return h

        return self._write(write)

    def latest_snapshot(self, at_most: Optional[int] = None) -> Optional[tuple[int, Value]]:
        """``(number, state)`` of the newest snapshot (with ``at_most``: the
        newest taken at or before that event), or None if there is none."""
        with self._read() as txn, txn.cursor(self._snapshots) as cur:
            if at_most is None:
                found = cur.last()
            elif at_most < 0:
                found = False
            elif cur.set_range(_event_key(at_most + 1)):
                found = cur.prev()
            else:
                found = cur.last()
            if not found:
                return None
            key, raw = cur.item()
            number = _U64.unpack(key)[0] if len(key) == 8 else -1
            h = _payload(key, raw)
            if h is None or len(h) != _HASH:
                raise StoreError(f"store {self.path}: snapshot {number} is damaged (bad checksum)")
            return number, plan.pin_item(self._load_pin(txn, h, f"snapshot {number}"))

    def snapshots(self) -> list[int]:
        """The event numbers that have a snapshot, in order."""
        with self._read() as txn, txn.cursor(self._snapshots) as cur:
            return [_U64.unpack(k)[0] for k in cur.iternext(keys=True, values=False)]

    # ---- internals: transactions

    def _env_or_fail(self) -> lmdb.Environment:
        if self._env is None:
            raise StoreError(f"store {self.path} is closed")
        return self._env

    def _read(self) -> "_Txn":
        """A read transaction whose LMDB errors become StoreErrors."""
        return _Txn(self, self._env_or_fail().begin(write=False))

    def _write(self, fn):
        """Run ``fn(txn)`` in a write transaction and commit it (synced to
        disk); when the map is full, grow it and run again."""
        env = self._env_or_fail()
        while True:
            try:
                with env.begin(write=True) as txn:
                    return fn(txn)
            except lmdb.MapFullError:
                env.set_mapsize(env.info()["map_size"] * 2)
            except lmdb.Error as e:
                raise StoreError(f"store {self.path}: write failed: {e}") from None

    def _read_last_event(self) -> int:
        with self._read() as txn, txn.cursor(self._events) as cur:
            if not cur.last():
                return 0
            key = cur.key()
        if len(key) != 8:
            raise StoreError(f"store {self.path}: the event log is damaged (a key of {len(key)} bytes)")
        return _U64.unpack(key)[0]

    def _load_meta(self) -> None:
        """Read and check the metadata: refuse an unknown format version."""
        values: dict[str, str] = {}
        with self._read() as txn:
            for name in ("format", "created", "machine"):
                key = name.encode()
                raw = txn.get(key, db=self._meta)
                payload = _payload(key, raw)
                if payload is None:
                    state = "missing" if raw is None else "damaged (bad checksum)"
                    raise StoreError(f"store {self.path}: metadata '{name}' is {state}")
                values[name] = payload.decode("utf-8", "replace")
        if values["format"] != str(FORMAT_VERSION):
            raise StoreError(f"store {self.path} has format version {values['format']};"
                             f" this pallas-kernel knows only version {FORMAT_VERSION}")
        self.format_version = FORMAT_VERSION
        self.created = int(values["created"]) if values["created"].isdigit() else 0
        self.machine_id = values["machine"]

    def _event_payload(self, number: int, key: bytes, raw: bytes) -> bytes:
        payload = _payload(key, raw)
        if payload is None:
            raise StoreError(f"store {self.path}: event {number} is damaged (bad checksum)")
        return payload

    # ---- internals: pins

    def _store_pins(self, txn: lmdb.Transaction, top: Value) -> bytes:
        """Write ``top`` and the pins it reaches that are not yet stored, sub-pins
        before the pins that hold them; the top's hash."""
        done: set[bytes] = set()
        stack: list[tuple[Value, Optional[tuple[list[Value], bytes]]]] = [(top, None)]
        with txn.cursor(self._pins) as cur:
            while stack:
                p, germ = stack.pop()
                h = p.pin_hash()
                if h in done:
                    continue
                if germ is None:
                    if cur.set_key(h):          # stored before, with all it reaches
                        done.add(h)
                        continue
                    germ = plan.save_germ(p)
                    stack.append((p, germ))
                    stack.extend((r, None) for r in germ[0])
                    continue
                cur.put(h, _seal(h, _pin_record(*germ)))
                done.add(h)
        return top.pin_hash()

    def _load_pin(self, txn: "_Txn", top: bytes, what: str = "") -> Value:
        """The pin ``top`` rebuilt bottom-up with an explicit stack; every germ
        checked (checksum, shape, decoding, hash)."""
        if len(top) != _HASH:
            raise StoreError(f"store {self.path}: a pin hash has 32 bytes, not {len(top)}")
        built: dict[bytes, Value] = {}
        pending: dict[bytes, tuple[list[bytes], bytes]] = {}
        stack = [top]
        while stack:
            h = stack[-1]
            if h in built:
                stack.pop()
                continue
            germ = pending.get(h)
            if germ is None:
                germ = self._read_germ(txn, h, top, what)
                pending[h] = germ
                missing = [r for r in germ[0] if r not in built]
                if missing:
                    stack.extend(missing)
                    continue
            elif any(r not in built for r in germ[0]):
                raise self._damaged(h, "its sub-pins form a cycle")
            built[h] = self._build_pin(h, germ, built)
            del pending[h]
            stack.pop()
        return built[top]

    def _read_germ(self, txn: "_Txn", h: bytes, top: bytes, what: str) -> tuple[list[bytes], bytes]:
        raw = txn.get(h, db=self._pins)
        if raw is None:
            if h == top:
                owner = f" (of {what})" if what else ""
                raise StoreError(f"store {self.path}: no pin {_hash_name(h)}{owner}")
            raise self._damaged(h, "it is missing (a sub-pin of a stored pin)")
        payload = _payload(h, raw)
        germ = _parse_pin_record(payload) if payload is not None else None
        if germ is None:
            raise self._damaged(h, "bad checksum" if payload is None else "malformed record")
        return germ

    def _build_pin(self, h: bytes, germ: tuple[list[bytes], bytes], built: dict[bytes, Value]) -> Value:
        refs, body = germ
        try:
            p = plan.pin(plan.load_germ([built[r] for r in refs], body))
        except (SeedError, PallasError) as e:
            raise self._damaged(h, f"its germ does not decode: {e}") from None
        if p.pin_hash() != h:
            raise self._damaged(h, "its contents do not match its hash")
        return p

    def _damaged(self, h: bytes, why: str) -> StoreError:
        return StoreError(f"store {self.path}: pin {_hash_name(h)} is damaged ({why})")


class _Txn:
    """A read transaction used as a context manager: LMDB errors inside it
    (corrupted pages, a closed environment) become StoreErrors."""

    def __init__(self, store: Store, txn: lmdb.Transaction) -> None:
        self._store = store
        self._txn = txn

    def __enter__(self) -> "_Txn":
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        self._txn.abort()
        if isinstance(exc, lmdb.Error):
            raise StoreError(f"store {self._store.path}: read failed: {exc}") from None
        return False

    def get(self, key: bytes, db) -> Optional[bytes]:
        return self._txn.get(key, db=db)

    def cursor(self, db) -> lmdb.Cursor:
        return self._txn.cursor(db)


# --------------------------------------------------------------------------
# Opening checks


def _is_pin(value: Value) -> bool:
    return value.kind == "pin"


def _open_env(path: str, map_size: int, create: bool = True) -> lmdb.Environment:
    """The LMDB environment of a store: synced commits, no map writes (a stray
    pointer cannot scribble on the data), four named databases."""
    return lmdb.open(path, map_size=map_size, max_dbs=4, create=create, sync=True,
                     metasync=True, writemap=False, readahead=False, meminit=False)


def _check_size_before_open(path: str, data: str) -> None:
    """Refuse a data file too short to hold LMDB's two meta pages (LMDB would
    take an empty file for a new environment)."""
    size = os.path.getsize(data)
    if size < 2 * mmap.PAGESIZE:
        raise StoreError(f"store {path}: {DATA_FILE} is truncated ({size} bytes,"
                         f" less than its two header pages)")


def _check_size_after_open(path: str, data: str, env: lmdb.Environment) -> None:
    """Refuse a data file shorter than the last page the header says is in
    use: reading such a page through the map would raise SIGBUS."""
    need = (env.info()["last_pgno"] + 1) * env.stat()["psize"]
    size = os.path.getsize(data)
    if size < need:
        raise StoreError(f"store {path}: {DATA_FILE} is truncated ({size} bytes,"
                         f" its header says {need})")


def _check_databases(path: str, env: lmdb.Environment) -> None:
    """Refuse an LMDB environment that lacks one of the store's databases."""
    with env.begin() as txn:
        for name in (b"meta", b"pins", b"events", b"snapshots"):
            if txn.get(name) is None:
                raise StoreError(f"store {path}: not a pallas store (no '{name.decode()}' database)")
