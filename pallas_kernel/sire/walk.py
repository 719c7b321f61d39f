"""How the backend walks user-sized data without Python recursion.

The backend's algorithms (inlining, ingest, code generation) are recursive by
nature, and the reference writes them so. A Sire AST can be deeper than
Python's recursion limit (a 10,000-argument application is a 10,000-deep
spine), so each recursive function here is written as a *generator*: where it
would call itself it yields the generator of the sub-call instead, and gets
the sub-call's result back from the ``yield``. :func:`run` drives such
generators with an explicit stack, so the Python stack stays flat whatever
the depth, and the code still reads like the algorithm it follows.

Scopes (de Bruijn environments) are persistent linked lists: pushing a binder
is O(1) and shares the tail, which matters because sibling subterms see the
same outer scope.
"""

from __future__ import annotations

from typing import Any, Callable, Generator, Iterable, Optional, TypeVar

from ..errors import SireError

T = TypeVar("T")

#: A recursive step: yields sub-steps, receives their results, returns its own.
Step = Generator["Step", Any, T]

#: A persistent linked list: ``None`` is empty, ``(head, tail)`` a cell.
Links = Optional[tuple]


def run(step: Step) -> Any:
    """Run a generator-written recursive function to its result.

    Each yielded value must be another such generator (the sub-call); its
    return value is sent back into the caller. Exceptions propagate to the
    caller of :func:`run` unchanged.
    """
    stack = [step]
    push, pop = stack.append, stack.pop
    send = step.send           # the top generator's send, kept out of the loop's lookups
    value: Any = None
    while True:
        try:
            sub = send(value)
        except StopIteration as done:
            pop()
            value = done.value
            if not stack:
                return value
            send = stack[-1].send
            continue
        push(sub)
        send = sub.send
        value = None


def push(item: Any, links: Links) -> Links:
    """The list ``item : links``."""
    return (item, links)


def push_all(items: Iterable[Any], links: Links) -> Links:
    """The list ``items ++ links`` (the first item ends up at the front)."""
    for item in reversed(list(items)):
        links = (item, links)
    return links


def nth(links: Links, index: int, what: Callable[[], str]) -> Any:
    """Element ``index`` of a linked list; a clear error if there is none.

    ``what`` describes the place for the message (called only on error).
    """
    cell = links
    for _ in range(index):
        if cell is None:
            break
        cell = cell[1]
    if cell is None or index < 0:
        raise SireError(f"variable index {index} is not bound in {what()}")
    return cell[0]
