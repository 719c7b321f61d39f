"""The compile cache: the state after each module, saved as a seed.

An entry's key is a hash of the predecessor's key and the module file's
bytes, so a changed file (or a changed predecessor) misses and everything
after it is compiled again. The value is the state row
``[nextKey context scope modules]`` as a seed; loading it rebuilds the
bindings (their code included), so macros and the inliner see the same
state as after a compile. A damaged entry is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Optional

from .. import plan
from ..errors import PallasError
from .state import State


def chain_key(prev_key: bytes, data: bytes) -> bytes:
    """The key of a module: its predecessor's key and its bytes."""
    return hashlib.blake2b(prev_key + b"\0" + data, digest_size=32).digest()


class Cache:
    """Seeds of states in a directory, one file per key."""

    def __init__(self, directory: Path):
        self.directory = directory

    @staticmethod
    def default() -> "Cache":
        """``$PALLAS_SIRE_CACHE``, else ``~/.cache/pallas-kernel/sire``."""
        d = os.environ.get("PALLAS_SIRE_CACHE")
        if d:
            return Cache(Path(d))
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        return Cache(Path(base) / "pallas-kernel" / "sire")

    def _path(self, key: bytes) -> Path:
        return self.directory / f"{key.hex()}.seed"

    def has(self, key: bytes) -> bool:
        """Whether an entry exists (it may still be unreadable)."""
        return self._path(key).is_file()

    def get(self, key: bytes) -> Optional[State]:
        """The state stored under ``key``, or None (also for a bad entry)."""
        p = self._path(key)
        try:
            data = p.read_bytes()
        except OSError:
            return None
        try:
            st = State()
            st.adopt(plan.load_seed(data))
            return st
        except (PallasError, ValueError):
            return None

    def put(self, key: bytes, state: State) -> None:
        """Store a state (written to a temporary file, then renamed, so a
        reader never sees half an entry). Errors writing are ignored: the
        cache is only an optimisation."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            data = plan.save_seed(state.to_plan())
            tmp = self._path(key).with_suffix(f".tmp{os.getpid()}")
            tmp.write_bytes(data)
            os.replace(tmp, self._path(key))
        except OSError:
            pass
