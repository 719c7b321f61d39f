"""Docs from the source: every public name of our prelude has a doc comment
in its module file, and the shipped library reference (docs/library.md and
pallas_kernel/library_reference.json) is what `make library-docs` makes of
the current sire/ files."""

from __future__ import annotations

import functools
from pathlib import Path

from helpers.library import api_rows

from pallas_kernel.sire.library import LAST_MODULE, library_dir
from pallas_kernel.sire.library_reference import build_reference, load_reference, to_json, to_markdown
from pallas_kernel.sire.session import Session

ROOT = Path(__file__).resolve().parents[2]


@functools.lru_cache(maxsize=None)
def prelude_session() -> Session:
    s = Session(include=[str(library_dir())])
    s.load(LAST_MODULE)
    return s


def test_every_public_name_has_a_doc_comment():
    s = prelude_session()
    undocumented = []
    for name, _, _, module in api_rows():
        if module == "kern":
            continue
        info = s.describe(name)
        if info is not None and not info.doc:
            undocumented.append(f"{name} ({info.module})")
    assert not undocumented, f"{len(undocumented)} without a doc comment: " + " ".join(undocumented[:60])


def test_the_shipped_reference_is_current():
    entries = build_reference()
    json_path = ROOT / "pallas_kernel" / "library_reference.json"
    md_path = ROOT / "docs" / "library.md"
    assert json_path.read_text("utf-8") == to_json(entries), "run `make library-docs`"
    assert md_path.read_text("utf-8") == to_markdown(entries), "run `make library-docs`"


def test_the_reference_covers_the_public_names_bound():
    ref = load_reference()
    s = prelude_session()
    bound = [n for n, _, _, m in api_rows() if m != "kern" and s.describe(n) is not None]
    # a name bound to another name's value (`seq=_Seq`) is documented under its own line
    absent = [n for n in bound if n not in ref]
    assert not absent, "not in the reference: " + " ".join(absent[:60])
    for e in ref.values():
        assert e.summary, e.name
        assert e.line > 0 and (library_dir() / f"{e.module}.sire").is_file()


def test_doc_examples_hold():
    """Each doc example `expr == result` holds in the prelude."""
    s = prelude_session()
    wrong = []
    for e in load_reference().values():
        if " == " not in e.example:
            continue
        lhs, rhs = e.example.rsplit(" == ", 1)
        result = s.run(f"=?= ({rhs}) ({lhs})", file=f"{e.module}.sire:{e.line}")
        if not result.ok:
            wrong.append(f"{e.name}: {e.example}")
    assert not wrong, f"{len(wrong)} examples fail: " + "; ".join(wrong[:20])
