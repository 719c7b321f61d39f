"""The machine's store (pallas_kernel/machine/store.py): pins, events and
snapshots round trip and survive reopening; damage, truncation and unknown
formats are refused with a StoreError that names the place; the lock file
keeps a second process out; a commit survives SIGKILL right after it returns."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import lmdb
import pytest

from pallas_kernel import _core, plan
from pallas_kernel.errors import PallasError
from pallas_kernel.machine import FORMAT_VERSION, Store, StoreError
from pallas_kernel.machine import store as store_module

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


# --- helpers -------------------------------------------------------------------------------

def raw_env(path):
    """The store's LMDB environment opened directly (the Store must be closed)."""
    return lmdb.open(str(path), max_dbs=4, create=False)


def count_pins(path) -> int:
    env = raw_env(path)
    try:
        with env.begin() as txn:
            return txn.stat(env.open_db(b"pins", txn=txn))["entries"]
    finally:
        env.close()


def flip_byte_after(path, marker: bytes, offset: int = 0) -> None:
    """Flip one byte of the data file where ``marker`` occurs (exactly once)."""
    data = os.path.join(str(path), "data.mdb")
    with open(data, "r+b") as f:
        content = f.read()
        at = content.find(marker)
        assert at >= 0 and content.find(marker, at + 1) < 0, "marker must occur exactly once"
        f.seek(at + offset)
        f.write(bytes([content[at + offset] ^ 0x40]))


def run_python(code: str, timeout: float = 20) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, timeout=timeout, env=env)


def same(a, b) -> bool:
    return a.pin_hash() == b.pin_hash() if a.kind == "pin" else plan.save_seed(a) == plan.save_seed(b)


# --- pins ----------------------------------------------------------------------------------

def test_nested_pin_round_trips(tmp_path):
    v = plan.read('<[1 <2> <{"f" 1 (0 <3> 1)}> <[<2> "hi" x#ff00]> #[7=<2>]]>').force()
    with Store.create(tmp_path / "s") as s:
        h = s.put_pin(v)
        assert h == v.pin_hash()
        back = s.get_pin(h)
        assert plan.show(back) == plan.show(v) and back.pin_hash() == h
    with Store.open(tmp_path / "s") as s:
        assert plan.show(s.get_pin(h)) == plan.show(v)


def test_a_non_pin_is_stored_as_its_pin(tmp_path):
    with Store.create(tmp_path / "s") as s:
        h = s.put_pin(plan.read("[1 2 3]").force())
        assert plan.show(s.get_pin(h)) == "<[1 2 3]>"


def test_shared_sub_pins_are_stored_once(tmp_path):
    shared = plan.read('<"shared">').force()
    v = plan.read('<[<"shared"> <"shared"> <[<"shared"> 5]> <[<"shared"> 5]>]>').force()
    with Store.create(tmp_path / "s") as s:
        s.put_pin(v)
        assert s.has_pin(shared.pin_hash())
        s.put_pin(v)                                   # again: nothing new
        s.put_pin(plan.read('<[<"shared"> 6]>').force())   # one new pin
    assert count_pins(tmp_path / "s") == 4             # <"shared">, <[<"shared"> 5]>, v, <[.. 6]>


def test_big_pins_round_trip(tmp_path):
    bar = _core.call_jet("natBar", plan.nat(int.from_bytes(os.urandom(3_000_000), "little") | 1)).force()
    big = plan.pin(bar)
    wide = plan.pin(plan.read("[" + " ".join(f"<{i}>" for i in range(2000)) + "]"))
    with Store.create(tmp_path / "s") as s:
        for v in (big, wide):
            assert s.get_pin(s.put_pin(v)).pin_hash() == v.pin_hash()
    assert count_pins(tmp_path / "s") == 2 + 2000


def test_deep_pin_chains_need_no_recursion(tmp_path):
    p = plan.pin(plan.nat(0))
    for _ in range(20_000):                            # <<<...<0>...>>>, 20001 pins
        p = plan.pin(p)
    with Store.create(tmp_path / "s") as s:
        back = s.get_pin(s.put_pin(p))
        assert back.pin_hash() == p.pin_hash()
    assert count_pins(tmp_path / "s") == 20_001


def test_missing_pin_is_a_store_error(tmp_path):
    with Store.create(tmp_path / "s") as s:
        with pytest.raises(StoreError, match="no pin"):
            s.get_pin(bytes(32))
        with pytest.raises(StoreError, match="32 bytes"):
            s.get_pin(b"short")


# --- events --------------------------------------------------------------------------------

def test_events_keep_their_order_across_reopen(tmp_path):
    records = [f"event {i}".encode() * (i % 7) for i in range(2600)]   # > 256 and > one read chunk
    with Store.create(tmp_path / "s") as s:
        assert s.last_event() == 0 and list(s.events()) == []
        assert s.append_events(records[:300]) == 1
        assert s.append_events([]) == 301                  # nothing written
        for r in records[300:]:
            s.append_events([r])
    with Store.open(tmp_path / "s") as s:
        assert s.last_event() == 2600
        assert list(s.events()) == list(enumerate(records, 1))
        assert list(s.events(2599)) == [(2599, records[2598]), (2600, records[2599])]
        assert s.event(257) == records[256]
        assert s.append_events([b"next"]) == 2601
        with pytest.raises(StoreError, match="no event 9999"):
            s.event(9999)


def test_a_batch_is_one_transaction(tmp_path):
    with Store.create(tmp_path / "s") as s:
        before = s._env.info()["last_txnid"]
        assert s.append_events([b"x" * 100] * 500) == 1
        assert s._env.info()["last_txnid"] == before + 1
        assert s.last_event() == 500


# --- snapshots -----------------------------------------------------------------------------

def test_snapshots(tmp_path):
    with Store.create(tmp_path / "s") as s:
        assert s.latest_snapshot() is None
        s.put_snapshot(0, plan.read("[0 0]").force())
        s.append_events([b"a", b"b", b"c"])
        s.put_snapshot(2, plan.read('<[2 "two"]>').force())   # a pin state comes back a pin
        with pytest.raises(StoreError, match="snapshot 4 is not an event"):
            s.put_snapshot(4, plan.nat(4))
    with Store.open(tmp_path / "s") as s:
        n, state = s.latest_snapshot()
        assert n == 2 and plan.show(state) == '<[2 "two"]>'
        n, state = s.latest_snapshot(at_most=1)
        assert n == 0 and plan.show(state) == "[0 0]"
        assert s.latest_snapshot(at_most=3)[0] == 2
        assert s.latest_snapshot(at_most=-1) is None
        assert s.snapshots() == [0, 2]


# --- refusals: format, not a store, closed --------------------------------------------------

def test_unknown_format_version_is_refused(tmp_path):
    path = tmp_path / "s"
    Store.create(path).close()
    env = raw_env(path)
    with env.begin(write=True) as txn:
        txn.put(b"format", store_module._seal(b"format", b"99"), db=env.open_db(b"meta", txn=txn))
    env.close()
    with pytest.raises(StoreError) as e:
        Store.open(path)
    assert str(path) in str(e.value) and "version 99" in str(e.value) and f"version {FORMAT_VERSION}" in str(e.value)
    assert isinstance(e.value, PallasError)
    Store.create(tmp_path / "t").close()               # the refusal released the lock
    with pytest.raises(StoreError, match="version 99"):
        Store.open(path)


def test_not_a_store_is_refused(tmp_path):
    with pytest.raises(StoreError, match="not a store"):
        Store.open(tmp_path)
    lmdb.open(str(tmp_path / "foreign")).close()      # an LMDB environment, not ours
    with pytest.raises(StoreError, match="not a pallas store"):
        Store.open(tmp_path / "foreign")
    Store.create(tmp_path / "s").close()
    with pytest.raises(StoreError, match="already holds a store"):
        Store.create(tmp_path / "s")


def test_a_closed_store_refuses_work(tmp_path):
    s = Store.create(tmp_path / "s")
    s.close()
    s.close()
    with pytest.raises(StoreError, match="closed"):
        s.append_events([b"x"])


# --- damage --------------------------------------------------------------------------------

def test_a_flipped_byte_in_an_event_is_detected(tmp_path):
    path = tmp_path / "s"
    with Store.create(path) as s:
        s.append_events([b"first", b"EVENT-MARKER-two", b"third"])
    flip_byte_after(path, b"EVENT-MARKER-two", 6)
    with Store.open(path) as s:
        assert s.event(1) == b"first" and s.event(3) == b"third"
        with pytest.raises(StoreError, match=r"event 2 is damaged"):
            s.event(2)
        with pytest.raises(StoreError, match=r"event 2 is damaged"):
            list(s.events())


def test_a_bad_event_record_written_directly_is_detected(tmp_path):
    path = tmp_path / "s"
    with Store.create(path) as s:
        s.append_events([b"a", b"b"])
    env = raw_env(path)
    with env.begin(write=True) as txn:
        txn.put((2).to_bytes(8, "big"), b"\0\0\0\0wrong", db=env.open_db(b"events", txn=txn))
        txn.put((1).to_bytes(8, "big"), b"\0", db=env.open_db(b"events", txn=txn))
    env.close()
    with Store.open(path) as s:
        for n in (1, 2):
            with pytest.raises(StoreError, match=f"event {n} is damaged"):
                s.event(n)


def test_a_flipped_byte_in_a_pin_is_detected(tmp_path):
    path = tmp_path / "s"
    inner = plan.pin(plan.from_bytes(b"PIN-MARKER-inner-pin"))
    top = plan.pin(_core.call_jet("rowCons", inner, plan.read("[1 2]")))
    with Store.create(path) as s:
        s.put_pin(top)
    flip_byte_after(path, b"PIN-MARKER-inner", 4)
    name = plan.hash_b58(inner)
    with Store.open(path) as s:
        with pytest.raises(StoreError, match=f"pin {name} is damaged"):
            s.get_pin(top.pin_hash())


def test_a_pin_record_with_a_valid_checksum_but_wrong_content_is_detected(tmp_path):
    path = tmp_path / "s"
    a, b = plan.pin(plan.nat(1)), plan.pin(plan.nat(2))
    with Store.create(path) as s:
        s.put_pin(a)
        s.put_pin(b)
    env = raw_env(path)
    with env.begin(write=True) as txn:                 # b's germ under a's hash, sealed right
        db = env.open_db(b"pins", txn=txn)
        payload = store_module._payload(b.pin_hash(), txn.get(b.pin_hash(), db=db))
        txn.put(a.pin_hash(), store_module._seal(a.pin_hash(), payload), db=db)
    env.close()
    with Store.open(path) as s:
        with pytest.raises(StoreError, match="do not match its hash"):
            s.get_pin(a.pin_hash())
        assert s.get_pin(b.pin_hash()).pin_hash() == b.pin_hash()


def test_a_missing_sub_pin_is_detected(tmp_path):
    path = tmp_path / "s"
    inner = plan.pin(plan.nat(77))
    top = plan.pin(_core.call_jet("rowCons", inner, plan.read("[1]")))
    with Store.create(path) as s:
        s.put_pin(top)
    env = raw_env(path)
    with env.begin(write=True) as txn:
        txn.delete(inner.pin_hash(), db=env.open_db(b"pins", txn=txn))
    env.close()
    with Store.open(path) as s:
        with pytest.raises(StoreError, match=f"pin {plan.hash_b58(inner)} is damaged .it is missing"):
            s.get_pin(top.pin_hash())


def test_a_damaged_snapshot_record_is_detected(tmp_path):
    path = tmp_path / "s"
    with Store.create(path) as s:
        s.append_events([b"a", b"b"])
        s.put_snapshot(2, plan.nat(5))
    env = raw_env(path)
    with env.begin(write=True) as txn:
        txn.put((2).to_bytes(8, "big"), b"\1\2\3\4" + bytes(32), db=env.open_db(b"snapshots", txn=txn))
    env.close()
    with Store.open(path) as s:
        with pytest.raises(StoreError, match="snapshot 2 is damaged"):
            s.latest_snapshot()


def test_a_data_file_of_garbage_is_refused(tmp_path):
    path = tmp_path / "s"
    Store.create(path).close()
    (path / "data.mdb").write_bytes(os.urandom(3 * 4096))
    with pytest.raises(StoreError, match=f"store {path}: cannot open"):
        Store.open(path)


def test_event_numbers_out_of_range_are_store_errors(tmp_path):
    with Store.create(tmp_path / "s") as s:
        with pytest.raises(StoreError, match="out of range"):
            s.event(-1)
        assert list(s.events(1 << 70)) == []


@pytest.mark.parametrize("keep", [0, 100, 5000, "half"])
def test_a_truncated_data_file_is_refused(tmp_path, keep):
    path = tmp_path / "s"
    with Store.create(path) as s:
        s.put_pin(plan.pin(plan.from_bytes(os.urandom(400_000))))
        s.append_events([b"e"] * 10)
    data = path / "data.mdb"
    size = data.stat().st_size
    os.truncate(data, size // 2 if keep == "half" else keep)
    with pytest.raises(StoreError, match="data.mdb is truncated"):
        Store.open(path)


# --- the lock ------------------------------------------------------------------------------

OPEN_IN_CHILD = """
    import sys
    from pallas_kernel.machine import Store, StoreError
    try:
        Store.open(sys.argv[1] if len(sys.argv) > 1 else {path!r}).close()
    except StoreError as e:
        print(e, file=sys.stderr)
        sys.exit(3)
    print("opened")
"""


def test_a_second_process_is_refused_at_once_while_the_store_is_open(tmp_path):
    path = str(tmp_path / "s")
    s = Store.create(path)
    try:
        with pytest.raises(StoreError, match="already open in this process"):
            Store.open(path)
        child = run_python(OPEN_IN_CHILD.format(path=path), timeout=20)
        assert child.returncode == 3
        assert f"store {path} is in use by another process (pid {os.getpid()})" in child.stderr
    finally:
        s.close()
    child = run_python(OPEN_IN_CHILD.format(path=path))
    assert child.returncode == 0 and child.stdout.strip() == "opened"


# --- durability ----------------------------------------------------------------------------

APPEND_THEN_WAIT = """
    import sys, time
    from pallas_kernel.machine import Store
    s = Store.open({path!r})
    for i in range({rounds}):
        first = s.append_events([b"batch %d record %d" % (i, j) for j in range(i % 3 + 1)])
        print(first, flush=True)
    print("committed", flush=True)
    time.sleep(60)
"""


@pytest.mark.parametrize("rounds", [1, 20])
def test_events_survive_sigkill_right_after_commit(tmp_path, rounds):
    path = str(tmp_path / "s")
    Store.create(path).close()
    env = dict(os.environ, PYTHONPATH=ROOT)
    child = subprocess.Popen([sys.executable, "-c", textwrap.dedent(APPEND_THEN_WAIT.format(
        path=path, rounds=rounds))], stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = []
        for line in child.stdout:
            if line.strip() == "committed":
                break
            lines.append(line)
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
        child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    expected = [b"batch %d record %d" % (i, j) for i in range(rounds) for j in range(i % 3 + 1)]
    with Store.open(path) as s:                        # the dead child's lock is gone
        assert [r for _, r in s.events()] == expected
        assert s.last_event() == len(expected) == int(lines[-1]) + (rounds - 1) % 3
