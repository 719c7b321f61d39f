"""The doc tool (pallas_kernel/sire/docs.py) on every form that binds a
name at the top of a module file, each name with the `;` lines right above
its own line; and `describe` falling back to a name's first doc when a later
module binds it again without one."""

from __future__ import annotations

from pathlib import Path

from pallas_kernel.sire.docs import definitions, module_definitions
from pallas_kernel.sire.session import Session


def docs_of(tmp_path: Path, text: str) -> dict[str, tuple[int, str]]:
    path = tmp_path / "m.sire"
    path.write_text(text)
    return {d.name: (d.line, d.doc) for d in definitions(path)}


def test_plain_definitions_and_their_docs(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; Three.",                       # 1
        "; > three == 3",
        "three=3",
        "",
        ";;;; a banner, not a doc",        # 5
        "= (four x)",
        "| x",
        "",
        ";; A macro.",
        "= ({#m} st rex err ok) | 0",      # 10
    ]))
    assert got["three"] == (3, "Three.\n> three == 3")
    assert got["four"] == (6, "")
    assert got["#m"] == (10, "A macro.")


def test_a_run_of_definitions_each_on_its_line(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; One.",
        "= one 1",
        ";; Two.",
        "= two 2",
        "= three 3",
    ]))
    assert got == {"one": (2, "One."), "two": (4, "Two."), "three": (5, "")}


def test_raw_definitions_with_key_and_props(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; Five, with props.",
        "#= 0 someProps five 5",
        "#= 0 (mk 1 2) six 6",
        "",
        ";; Seven.",
        "#= 0 seven 7",
        "#= eight 8",
    ]))
    assert got["five"] == (2, "Five, with props.")
    assert got["six"][0] == 3
    assert got["seven"] == (6, "Seven.")
    assert got["eight"][0] == 7
    assert "0" not in got


def test_datatype_names_the_type_and_each_constructor(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; Shapes.",                      # 1
        "# datatype (Shape a)",
        ";; A dot.",
        "* DOT",
        ";; A line of some length.",       # 5
        "* LINE=ln len:Nat",
        "* (LABEL = lbl) text:a",
        "* RECT w:Nat h:Nat",
    ]))
    assert got["Shape"] == (2, "Shapes.")
    assert got["DOT"] == (4, "A dot.")
    assert got["LINE"] == (6, "A line of some length.")
    assert got["LABEL"] == (7, "")
    assert got["RECT"] == (8, "")
    assert not {"len", "text", "w", "a", "Nat"} & set(got)


def test_record_names_the_type_and_its_constructor_not_its_fields(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; Points.",
        "# record Point",
        ";; Make a point.",
        "| POINT",
        "* px : Nat",
        "* py : Nat",
        "",
        ";; Pairs.",
        "# record (Pair a b)",
        "| PAIR fst:a snd:b",
        "",
        ";; A unit.",
        "record#Unit#UNIT",
        "record#(Box a)#(BOX item:a)",
    ]))
    assert got["Point"] == (2, "Points.") and got["POINT"] == (4, "Make a point.")
    assert got["Pair"] == (9, "Pairs.") and got["PAIR"] == (10, "")
    assert got["Unit"] == (13, "A unit.") and got["UNIT"] == (13, "A unit.")
    assert got["Box"][0] == 14 and got["BOX"][0] == 14
    assert not {"px", "py", "fst", "item"} & set(got)


def test_abstype_typedef_and_backfill(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        ";; Opaque things.",
        "abstype#Thing",
        ";; Boxes of a.",
        "abstype#(Box a)",
        ";; Symbols are nats.",
        "typedef#Sym#Nat",
        "",
        ";; Pairs of a.",
        "# typedef (Two a) (a, a)",
        "",
        ";; Now inc has a type.",
        "# backfill inc (Nat > Nat)",
        "",
        "# abstype Other",
    ]))
    assert got["Thing"] == (2, "Opaque things.")
    assert got["Box"] == (4, "Boxes of a.")
    assert got["Sym"] == (6, "Symbols are nats.")
    assert got["Two"] == (9, "Pairs of a.")
    assert got["inc"] == (12, "Now inc has a type.")
    assert got["Other"] == (14, "")
    assert not {"Nat", "a", "abstype", "typedef", "backfill"} & set(got)


def test_commands_grouped_by_star_and_mutual_definitions(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        "* # backfill TRUE Bit",           # 1
        "* # backfill add (Nat > Nat > Nat)",
        "",
        "* x=3",
        "* (twice f y)=(f (f y))",         # 5
        "",
        ";; Even and odd.",
        "# mutual evenOdd",
        "= (even n)",
        "    | n",                        # 10
        ";; Odd.",
        "= (odd n)",
        "    | n",
    ]))
    assert got["TRUE"][0] == 1 and got["add"][0] == 2
    assert got["x"][0] == 4 and got["twice"][0] == 5
    assert got["even"] == (9, "")
    assert got["odd"] == (12, "Odd.")


def test_other_blocks_bind_nothing(tmp_path):
    got = docs_of(tmp_path, "\n".join([
        "#### m <- a",
        ":| a",
        "=?= 3 three",
        "!! eql 3 3",
        "# switch 3",
        "* 3 4",
        "# datatype",
    ]))
    assert got == {}


def test_module_definitions_prefers_a_documented_definition(tmp_path):
    path = tmp_path / "m.sire"
    path.write_text("\n".join([
        "abstype#Thing",
        "",
        ";; Things.",
        "# backfill Thing Type",
        "",
        "# backfill Thing Type",
    ]))
    assert module_definitions(path)["Thing"] == (4, "Things.")


def test_describe_falls_back_to_the_first_definitions_doc(tmp_path):
    (tmp_path / "ma.sire").write_text("#### ma\n\n;; The number three.\nthree=3\n\n;; Four.\nfour=4\n")
    (tmp_path / "mb.sire").write_text("#### mb <- ma\n:| ma\n\nthree=3\n\n;; Four again.\nfour=4\n")
    (tmp_path / "mc.sire").write_text("#### mc <- mb\n:| mb\n\n#= 0 0 three 3\nfive=5\n")
    s = Session(include=[str(tmp_path)])
    assert s.load("mc").failed == 0
    three = s.describe("three")
    assert three.module == "mc" and three.line == 4 and three.doc == "The number three."
    assert s.describe("four").doc == "Four again."
    assert s.describe("five").doc == ""
