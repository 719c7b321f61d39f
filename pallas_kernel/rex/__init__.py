"""Rex: the syntax of Sire. Reader, printer, PLAN encoding and cell checks.

    read(text)          the tree of a one-block source
    read_blocks(text)   every block of a file: tree or errors, in order
    show(rex)           the tree printed in tall/wide form (reads back the same)
    to_plan / from_plan the PLAN values Sire macros see
    cell_status(text)   complete / incomplete / invalid, for the kernel
"""

from .model import Embed, Leaf, Node, Rex, Span, equal, describe
from .reader import Block, read, read_all, read_blocks

__all__ = ["Embed", "Leaf", "Node", "Rex", "Span", "equal", "describe",
           "Block", "read", "read_all", "read_blocks"]
