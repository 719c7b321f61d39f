"""The collector's pacing (runtime/pk_gc.c, set_trigger): a collection comes
once the bytes allocated since the last one pass the live heap that one left
(or a floor), so a large live heap is marked rarely, in proportion to the
allocation; and the counters stats() reports for it.

Not marked `core`: the stress build collects at every safe point on purpose,
so collection counts mean nothing there.
"""

from __future__ import annotations

from pallas_kernel import _core, plan

MiB = 1 << 20


def snoc_loop(n: int) -> None:
    """A row built by n rowSnoc calls: O(n^2) bytes allocated, little kept."""
    r = plan.read("[]").force()
    for i in range(n):
        r = _core.call_jet("rowSnoc", r, plan.nat(i)).force()
    assert _core.call_jet("_Len", r).force().nat == n


def run_counted(fn) -> dict:
    """The change of the collection counters over fn()."""
    before = plan.stats()
    fn()
    after = plan.stats()
    return {k: after[k] - before[k] for k in ("gc_count", "gc_seconds", "allocated")}


def test_stats_report_collections_time_and_allocation():
    d = run_counted(lambda: snoc_loop(8000))   # 256 MB: past the 64 MB floor
    assert d["allocated"] >= 8000 * 8000 * 8 // 2        # each step copies the row
    assert d["gc_count"] >= 1 and d["gc_seconds"] > 0
    stats = plan.stats()
    assert 0 < stats["heap_live"] <= stats["heap_bytes"] or stats["heap_bytes"] == 0


def test_a_large_live_heap_is_collected_in_proportion_to_allocation():
    live = plan.nat(1 << (160 * MiB * 8))      # 160 MiB of digits, live throughout
    _core.collect()                             # the live heap now counts it
    d = run_counted(lambda: snoc_loop(10_000))
    # Each collection leaves at least the 160 MiB number live, so the next one
    # waits for 160 MiB more allocation (the floor alone would collect every
    # 64 MiB): at most one per 160 MiB, plus the first.
    assert d["allocated"] > 320 * MiB, d                   # enough to need collections
    assert d["gc_count"] <= d["allocated"] // (160 * MiB) + 1, d
    assert plan.stats()["heap_live"] >= 160 * MiB
    del live
