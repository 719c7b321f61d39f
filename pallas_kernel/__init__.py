"""pallas-kernel: Pallas (PLAN, Rex, Sire) with an optimizing C core.

Layers, each importing only the ones before it: the C core (``_core``, faced by
``plan``), then rex, sire, machine and kernel.
"""

__version__ = "0.1.0"
__all__ = ["__version__", "plan"]

# The core is always loaded through its one door: plan imports _core, whose
# initialisation reads the tree classes from plan.tree (already importable
# then). Importing _core first would run plan's __init__ inside the core's
# initialisation and load the extension twice.
from . import plan  # noqa: E402
