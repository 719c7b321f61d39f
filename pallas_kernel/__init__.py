"""pallas-kernel: Pallas (PLAN, Rex, Sire) with an optimizing C core.

Layers, each importing only the ones before it: the C core (``_core``, faced by
``plan``), then rex, sire, machine and kernel.
"""

__version__ = "0.1.0"
