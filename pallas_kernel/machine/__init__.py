"""The Pallas machine: cogs whose state lives in an event log plus snapshots.

The durable part is :mod:`pallas_kernel.machine.store` (one LMDB
environment per store directory: pins by hash, events by number, snapshots,
metadata); :mod:`pallas_kernel.machine.runtime` keeps the cogs' state in step
with it (boot, replay, deliver answers, snapshot). Devices build on these.
"""

from __future__ import annotations

from ..errors import MachineError, StoreError
from .runtime import RUNTIME_FORMAT, Machine
from .store import FORMAT_VERSION, Store

__all__ = ["FORMAT_VERSION", "RUNTIME_FORMAT", "Machine", "MachineError", "Store", "StoreError"]
