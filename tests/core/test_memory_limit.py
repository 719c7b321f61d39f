"""The memory limit of an evaluation: results too large to make are refused
before GMP is asked for them (it would abort the whole process), a heap that
stays over the limit after a collection stops the evaluation, and either way
the error is PlanMemory ("out of memory: ...") and the runtime is intact.

The dangerous cases also run in a subprocess at the default limit, so that a
regression shows as a dead child (exit code 134 from GMP's abort, or a
kill), never as a dead test run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pallas_kernel import _core, plan
from pallas_kernel.errors import PallasError, PlanLoop, PlanMemory

MiB = 1 << 20
ROOT = Path(__file__).resolve().parents[2]

# grow x = grow [x x]: every step keeps the last row alive in the next one
GROW = '<{"grow" 1 (0 0 (0 (0 {0 3 0} 1) 1))}>'
# deep x = (3 (deep x)): a call that never returns, each waiting on the next
DEEP = '<{"deep" 1 (0 3 (0 0 1))}>'
# dup x n = [x x] doubled n times, each level shared: 2^n leaves, n+1 nodes
DUP = '<{"dup" 2 (0 (0 (0 (2 2) 1) (0 0 (0 (0 {0 3 0} 1) 1))) 2)}>'
# a stand-in legal body for a _Mul accepted by hash in this test
MUL = '<{"_Mul" 2 0}>'
# sq x = let y = _Mul x x in (2 (sq y) (K (sq y)) y): y is forced (opcode 2
# looks at it) before the next step, so the bits double every step
SQ = f'<{{"sq" 1 (1 (0 (0 {MUL} 1) 1) (0 (0 (0 (2 2) (0 0 2)) (0 {{0 2 1}} (0 0 2))) 2))}}>'


def still_works() -> None:
    """A normal evaluation after the failure: arithmetic, a law call, a row."""
    assert plan.read("(3 (3 4))").force().nat == 6
    assert plan.show(plan.read("({0 3 0} 1 2)").force()) == "[2 1]"
    assert plan.read("({0 2 1} 5 6)").force().nat == 5


def jet(name: str, *args):
    return _core.call_jet(name, *args)


@pytest.fixture
def small_limit():
    """64 MiB for the test, the previous limit afterwards."""
    with plan.memory_limit(64 * MiB):
        yield


# ----- (a) results whose size is known in advance ----------------------------------

ABSURD = [
    ("_Lsh", (1, 2 ** 40), "a left shift"),
    ("_Lsh", (3, 2 ** 70), "a left shift"),
    ("_Bex", (2 ** 40,), "a left shift"),
    ("_Bex", (2 ** 64,), "a left shift"),
    ("_Pow", (2, 2 ** 40), "a power"),
    ("_Pow", (3, 2 ** 64), "a power"),
    ("_Pow", (2 ** 100, 2 ** 35), "a power"),
    ("_SetBit", (2 ** 40, 0), "a left shift"),
    ("_NatToSizedBar", (2 ** 50, 7), "a left shift"),
    ("_Gen", (2 ** 31, 0), "an application"),
    ("_Gen", (2 ** 33, 0), "a row of"),
    ("_SizedListToRow", (2 ** 40, 0), "a row of"),
]


@pytest.mark.parametrize("name,args,what", ABSURD, ids=[f"{n}-{i}" for i, (n, _, _) in enumerate(ABSURD)])
def test_absurd_sizes_are_refused_at_the_default_limit(name, args, what):
    with pytest.raises(PlanMemory, match=f"^out of memory: {what}") as e:
        jet(name, *args)
    assert isinstance(e.value, PallasError)
    still_works()


def test_the_message_says_how_much_and_the_limit():
    with plan.memory_limit(64 * MiB):
        with pytest.raises(PlanMemory) as e:
            jet("_Lsh", 1, 2 ** 40)
    text = str(e.value)
    assert "128.0 GiB" in text and "1099511627777 bits" in text and "64.0 MiB" in text


def test_a_product_over_the_limit_is_refused(small_limit):
    x = plan.nat((1 << (8 * 40 * MiB)) - 1)    # 40 MiB of digits; x * x would be 80
    with pytest.raises(PlanMemory, match="^out of memory: a product needs 80.0 MiB .*, over the limit of 64.0 MiB"):
        jet("_Mul", x, x)
    del x
    _core.collect()
    y = (1 << (8 * 16 * MiB)) - 1
    assert jet("_Mul", plan.nat(y), 1 << (8 * 8 * MiB)).nat == y << (8 * 8 * MiB)   # 24 MiB fits
    still_works()


def test_what_stays_live_after_a_collection_is_bounded(small_limit):
    """Three 24 MiB nats can be made (1.5 times the limit may be held between
    collections) but not kept: the next collection finds 72 MiB live."""
    x = plan.nat((1 << (8 * 24 * MiB)) - 1)
    with pytest.raises(PlanMemory, match=r"7\d\.\d MiB is still live after a collection, over the limit of 64.0 MiB"):
        jet("_Mul", x, x)
    del x
    _core.collect()
    still_works()


def test_a_sum_and_a_bar_weld_over_the_limit_stop():
    bar = _core.call_jet("natBar", (1 << (8 * 40 * MiB)) - 1)   # made under the default limit
    assert bar.shape == "bar"
    _core.collect()
    with plan.memory_limit(64 * MiB):
        x = plan.nat((1 << (8 * 30 * MiB)) - 1)
        with pytest.raises(PlanMemory, match="^out of memory: .*(still live|is held)"):
            jet("_Add", x, x)
        del x
        _core.collect()
        with pytest.raises(PlanMemory, match="^out of memory: a big nat needs 80.0 MiB, over the limit"):
            jet("barWeld", bar, bar)
    still_works()


def test_a_squaring_loop_stops_at_the_limit(small_limit):
    plan.accept_jet_hashes([("_Mul", plan.read(MUL).force().pin_hash())])
    with pytest.raises(PlanMemory, match="^out of memory: (a product|.* still live|.* is held)") as e:
        plan.read(f"({SQ} 3)").force()
    assert "MiB" in str(e.value)
    still_works()


# ----- (b) the heap over the limit after a collection --------------------------------

def test_an_ever_growing_structure_stops_at_the_limit(small_limit):
    with pytest.raises(PlanMemory, match="^out of memory: ") as e:
        plan.read(f"({GROW} 0)").force()
    assert "64.0 MiB" in str(e.value)
    _core.collect()
    assert _core.stats()["heap_bytes"] < 64 * MiB
    still_works()


def test_the_failed_thunk_fails_the_same_way_again(small_limit):
    """The black holes of the failed evaluation were restored: evaluating the
    same thunk again runs out of memory again, it does not report a loop."""
    v = plan.read(f"({GROW} 0)")
    for _ in range(2):
        with pytest.raises(PlanMemory):
            v.force()
    with pytest.raises(PlanMemory):
        v.whnf()


def test_the_stack_takes_at_most_half_the_limit():
    """In a fresh process: the core keeps a stack it grew earlier, so in this
    one the figure would depend on the tests before."""
    child = textwrap.dedent(f"""
        from pallas_kernel import _core, plan
        from pallas_kernel.errors import PlanStackLimit
        with plan.memory_limit({16 * MiB}):
            try:
                plan.read({f"({DEEP} 0)"!r}).force()
            except PlanStackLimit:
                print("stack limit", _core.stats()["stack_words"] * 8)
        print(plan.read("(3 41)").force().nat)
    """)
    out = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    first, last = out.stdout.splitlines()
    assert first.startswith("stack limit ") and int(first.split()[-1]) <= 8 * MiB
    assert last == "42"


def test_an_exponential_serialization_is_refused(small_limit):
    """[x x] doubled 40 times: 41 nodes, but its hash serialization would
    write 2^40 leaves out."""
    v = plan.read(f"({DUP} 0 40)").force()
    with pytest.raises(PlanMemory, match="serialization of a value"):
        v.plan_hash()
    with pytest.raises(PlanMemory, match="serialization of a value"):
        plan.read(f"(4 ({DUP} 0 40))").force().pin_hash()
    assert len(plan.save_seed(v)) < 1000      # seeds share: this one is small
    still_works()


# ----- the limit itself ----------------------------------------------------------------

def test_memory_limit_is_restored_after_the_block():
    before = plan.get_memory_limit()
    with plan.memory_limit(32 * MiB):
        assert plan.get_memory_limit() == 32 * MiB
        with pytest.raises(PlanMemory):
            jet("_Bex", 8 * 40 * MiB)
    assert plan.get_memory_limit() == before
    assert jet("_Bex", 8 * 40 * MiB).nat == 1 << (8 * 40 * MiB)   # fits under the default


def test_the_default_is_half_the_physical_memory_within_bounds():
    phys = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    expected = min(max(phys // 2, 256 * MiB), 64 << 30)
    assert abs(plan.DEFAULT_MEMORY_LIMIT - expected) <= 1


def test_a_limit_below_one_mib_is_an_error():
    with pytest.raises(ValueError, match="at least 1 MiB"):
        plan.set_memory_limit(1000)


def test_the_environment_sets_the_limit():
    out = subprocess.run(
        [sys.executable, "-c", "from pallas_kernel import plan; print(plan.get_memory_limit())"],
        capture_output=True, text=True, cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT), PALLAS_MEMORY_LIMIT="48M"),
        timeout=60)
    assert out.stdout.strip() == str(48 * MiB), out.stderr


# ----- the collector's mark stack ---------------------------------------------------

def test_the_collector_survives_a_full_mark_stack():
    """With the mark stack capped at 4 entries, every push beyond is dropped and
    found again by rescanning the heap: nothing live is freed."""
    wide = plan.read("[" + " ".join(f"[{i} {i + 1}]" for i in range(3000)) + "]").force()
    deep = plan.read(f"({DUP} 5 12)").force()
    expected_wide, expected_deep = plan.show(wide), deep.plan_hash()
    _core.set_mark_stack_limit(4)
    try:
        for _ in range(3):
            _core.collect()
            junk = plan.read("[" + " ".join(str(i) for i in range(2000)) + "]").force()
            del junk
    finally:
        _core.set_mark_stack_limit(0)
    assert plan.show(wide) == expected_wide
    assert deep.plan_hash() == expected_deep
    still_works()


# ----- nothing aborts: the dangerous cases in a child process ------------------------

CHILD = textwrap.dedent(f"""
    from pallas_kernel import _core, plan
    from pallas_kernel.errors import PlanMemory
    def attempt(label, thunk):
        try:
            thunk()
            print(label, "no error")
        except PlanMemory as e:
            print(label, e)
    attempt("lsh", lambda: _core.call_jet("_Lsh", 1, 2 ** 40))
    attempt("lsh-big", lambda: _core.call_jet("_Lsh", 7, 2 ** 64))
    attempt("bex", lambda: _core.call_jet("_Bex", 2 ** 62))
    attempt("pow", lambda: _core.call_jet("_Pow", 2, 2 ** 40))
    attempt("pow-big", lambda: _core.call_jet("_Pow", 10, 2 ** 100))
    attempt("gen", lambda: _core.call_jet("_Gen", 2 ** 32 - 2, 0))
    with plan.memory_limit(64 << 20):
        attempt("mul", lambda: _core.call_jet("_Mul", 1 << 2 ** 28, 1 << 2 ** 28))
        attempt("grow", lambda: plan.read('({GROW} 0)').force())
    print("after", plan.read("(3 41)").force().nat)
""")


def test_nothing_aborts_the_process():
    out = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, cwd=ROOT,
                         env=dict(os.environ, PYTHONPATH=str(ROOT)), timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    lines = dict(line.split(" ", 1) for line in out.stdout.splitlines())
    for label in ("lsh", "lsh-big", "bex", "pow", "pow-big", "gen", "mul", "grow"):
        assert lines[label].startswith("out of memory: "), (label, lines[label])
    assert lines["after"] == "42"


def test_no_loop_is_reported_for_memory():
    """PlanMemory is not a PlanLoop nor a crash that _Try could catch."""
    assert not issubclass(PlanMemory, PlanLoop)
    assert issubclass(PlanMemory, MemoryError)
