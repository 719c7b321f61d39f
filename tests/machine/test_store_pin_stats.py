"""The store's read-only look at its pins (for the kernel's ``)pins``
magic): counts and sizes from one pass over the pins database, and one pin's
germ read without rebuilding it."""

from __future__ import annotations

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import StoreError
from pallas_kernel.machine.store import Store


def test_pin_stats_agrees_with_a_walk_of_the_database(tmp_path):
    with Store.create(tmp_path / "s") as store:
        assert store.pin_stats().count == 0 and store.pin_stats().largest == []
        small = plan.pin(plan.nat(7))
        big = plan.pin(plan.read("[<7> 123456789012345678901234567890 <8>]"))
        store.put_pin(big)
        stats = store.pin_stats(2)
        assert stats.count == 3
        sizes = {}
        for p in [small, big, plan.pin(plan.nat(8))]:
            refs, body = store.pin_germ(p.pin_hash())
            assert refs == [r.pin_hash() for r in plan.save_germ(p)[0]]
            sizes[p.pin_hash()] = 4 + 32 * len(refs) + len(body)
        assert stats.total_bytes == sum(sizes.values())
        assert stats.largest[0] == (big.pin_hash(), sizes[big.pin_hash()])
        assert len(stats.largest) == 2


def test_pin_germ_of_a_missing_pin_names_it(tmp_path):
    with Store.create(tmp_path / "s") as store:
        missing = plan.pin(plan.nat(99)).pin_hash()
        with pytest.raises(StoreError, match=plan.base58.encode(missing)):
            store.pin_germ(missing)
