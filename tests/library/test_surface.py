"""Our standard library (sire/, ending in `prelude`): it loads from scratch
with every `=?=` assertion in every module passing, and its prelude binds
the reference prelude's public surface (tests/data/prelude_api.tsv) with the
same kinds and law arities, less the 27 names of the reference's `kern`,
which the machine replaces.

Names not written yet are listed in tests/data/library_missing.txt; the test
fails if any other name is missing or differs, and also if a listed name has
appeared (so the list only shrinks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from helpers.library import api_rows, library_state, scope_kind

from pallas_kernel.plan.view import name_text

DATA = Path(__file__).resolve().parents[1] / "data"


def missing_allowed() -> set[str]:
    """The names the library does not bind yet (one per line)."""
    path = DATA / "library_missing.txt"
    if not path.is_file():
        return set()
    return {ln.strip() for ln in path.read_text("utf-8").splitlines()
            if ln.strip() and not ln.startswith("# ")}


def test_prelude_loads_from_scratch_with_every_assertion():
    state = library_state()
    assert state.scope, "the prelude's scope is empty"


def test_api_names_kinds_and_arities():
    scope = {name_text(k): b for k, b in library_state().scope.items()}
    allowed = missing_allowed()
    wrong, missing = [], []
    for name, kind, arity, module in api_rows():
        if module == "kern":
            continue
        b = scope.get(name)
        if b is None:
            missing.append(name)
            continue
        got = scope_kind(b)
        if got != (kind, arity):
            wrong.append(f"{name}: {got} != {(kind, arity)}")
    assert not wrong, f"{len(wrong)} names differ: " + "; ".join(wrong[:40])
    unexpected = sorted(set(missing) - allowed)
    assert not unexpected, f"{len(unexpected)} names missing: " + " ".join(unexpected[:80])
    now_present = sorted(allowed - set(missing))
    assert not now_present, ("now bound, remove from tests/data/library_missing.txt: "
                             + " ".join(now_present))


def test_api_file_is_the_reference_surface():
    rows = api_rows()
    assert len(rows) == 1060
    assert sum(1 for r in rows if r[3] == "kern") == 27


@pytest.mark.parametrize("name,kind,arity", [("add", "law", 2), ("TRUE", "nat", None),
                                             ("emptyTab", "app", None)])
def test_scope_kind_reads_kinds(name, kind, arity):
    """The kind reader the API test relies on tells the three kinds apart."""
    scope = {name_text(k): b for k, b in library_state().scope.items()}
    if name not in scope:
        pytest.skip(f"{name} is not bound yet")
    assert scope_kind(scope[name]) == (kind, arity)
