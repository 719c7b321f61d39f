"""Rex: the syntax of Sire. Reader, printer, PLAN encoding and cell checks.

    read(text)          the tree of a one-block source
    read_blocks(text)   every block of a file: tree or errors, in order
    read_lines(lines)   the same from lines arriving one at a time (a REPL)
    show(rex)           the tree printed in tall/wide form (reads back the same)
    to_plan / from_plan the PLAN values Sire macros see
    cell_status(text)   complete / incomplete / invalid, for the kernel
"""

from .model import Embed, Leaf, Node, Rex, Span, add_heir, equal, describe
from .reader import Block, read, read_all, read_blocks, read_lines
from .printer import Unprintable, readable, show, wide
from .encoding import from_plan, to_plan
from .cell import CellStatus, cell_status

__all__ = ["Embed", "Leaf", "Node", "Rex", "Span", "add_heir", "equal", "describe",
           "Block", "read", "read_all", "read_blocks", "read_lines",
           "Unprintable", "readable", "show", "wide", "from_plan", "to_plan",
           "CellStatus", "cell_status", "plan_hash_b58"]


def plan_hash_b58(rex: Rex) -> str:
    """The base58 BLAKE3 plan hash of a tree's PLAN encoding (``pallas rex --hash``)."""
    from .. import plan
    from ..plan import base58

    return base58.encode(plan.from_tree(to_plan(rex)).force().plan_hash())
