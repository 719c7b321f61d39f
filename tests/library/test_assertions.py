"""Tests inside the library: every module of the chain has `=?=` assertions,
and every public name our prelude binds is exercised by at least one of them
(the assertions themselves run when the prelude loads: test_surface.py)."""

from __future__ import annotations

from helpers.library import api_rows, library_state

from pallas_kernel.plan.view import name_text
from pallas_kernel.rex import Leaf, Node, read_blocks
from pallas_kernel.sire.library import library_dir, module_chain


def words_in(rex) -> set[str]:
    """Every word, string and rune in a Rex tree (explicit stack)."""
    found: set[str] = set()
    stack = [rex]
    while stack:
        r = stack.pop()
        if isinstance(r, Node):
            found.add(r.rune)
            stack.extend(r.sons)
            if r.heir is not None:
                stack.append(r.heir)
        elif isinstance(r, Leaf):
            found.add(r.text)
            if r.heir is not None:
                stack.append(r.heir)
    return found


def asserted_words(module: str) -> tuple[int, set[str]]:
    """How many `=?=` blocks a module has, and the words they use."""
    path = library_dir() / f"{module}.sire"
    count, words = 0, set()
    for block in read_blocks(path.read_bytes(), str(path)):
        rex = block.rex
        if isinstance(rex, Node) and rex.rune == "=?=":
            words |= words_in(rex)
            while isinstance(rex, Node) and rex.rune == "=?=":   # one per line of a run
                count += 1
                rex = rex.heir
    return count, words


def test_every_module_has_assertions():
    empty = [m for m in module_chain() if m != "prelude" and asserted_words(m)[0] < 3]
    assert not empty, "modules with fewer than 3 assertions: " + " ".join(empty)


def test_every_public_name_is_exercised_by_an_assertion():
    words: set[str] = set()
    for m in module_chain():
        words |= asserted_words(m)[1]
    bound = {name_text(k) for k in library_state().scope}
    untested = [n for n, _, _, m in api_rows() if m != "kern" and n in bound and n not in words]
    assert not untested, f"{len(untested)} public names in no assertion: " + " ".join(untested[:80])
