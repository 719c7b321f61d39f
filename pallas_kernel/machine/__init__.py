"""The Pallas machine: cogs whose state lives in an event log plus snapshots.

So far the machine's durable part, :mod:`pallas_kernel.machine.store` (one
LMDB environment per store directory: pins by hash, events by number,
snapshots, metadata). The runtime, devices and CLI build on it.
"""

from __future__ import annotations

from ..errors import StoreError
from .store import FORMAT_VERSION, Store

__all__ = ["FORMAT_VERSION", "Store", "StoreError"]
