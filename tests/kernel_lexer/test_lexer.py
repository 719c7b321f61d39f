"""The Pygments lexer for Sire (pallas_kernel/kernel/lexer.py): every Sire
file of the standard library (and every code cell of the tutorial notebooks)
lexes with no Error token and gives back its exact text; each form gets its
token class; strings and comments cover exactly what the Rex reader reads as
strings and comments; pyproject registers it under the names Pygments looks
up. (That `get_lexer_by_name("sire")` finds it through the installed entry
point is checked on the built wheel, in tests/library/test_wheel.py.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from pygments import highlight, lexers
from pygments.formatters import HtmlFormatter
from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Whitespace)

from pallas_kernel.kernel.lexer import SireLexer
from pallas_kernel.rex import lexer as rexlex

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - 3.10
    tomllib = None

ROOT = Path(__file__).resolve().parents[2]
SIRE_FILES = sorted((ROOT / "sire").glob("*.sire"))
NOTEBOOKS = sorted((ROOT / "notebooks").glob("**/*.ipynb")) if (ROOT / "notebooks").is_dir() else []


def tokens(text: str) -> list[tuple]:
    """(token type, text) pairs, with Pygments' newline trimming off so the
    pieces must add up to the input exactly."""
    return list(SireLexer(stripnl=False, ensurenl=False).get_tokens(text))


def visible(text: str) -> list[tuple]:
    """The tokens of ``text`` without whitespace."""
    return [(t, v) for t, v in tokens(text) if t not in Whitespace]


def assert_clean(text: str, where: str) -> None:
    """No Error token, and the token texts concatenate back to ``text``."""
    toks = tokens(text)
    bad = [v for t, v in toks if t in Error]
    assert not bad, f"{where}: error tokens {bad[:10]}"
    assert "".join(v for _, v in toks) == text, where


def test_the_standard_library_is_there():
    assert len(SIRE_FILES) > 20


@pytest.mark.parametrize("path", SIRE_FILES, ids=lambda p: p.name)
def test_every_sire_file_lexes_cleanly(path):
    assert_clean(path.read_text(encoding="utf-8"), path.name)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_code_cell_lexes_cleanly(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    for n, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code":
            src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
            assert_clean(src, f"{path.name} cell {n}")


# --- each form ----------------------------------------------------------------

@pytest.mark.parametrize("src, expected", [
    ("add", [(Name, "add")]),
    ("a_B9", [(Name, "a_B9")]),
    ("|", [(Operator, "|")]),
    ("a+-b", [(Name, "a"), (Operator, "+-"), (Name, "b")]),   # runes are greedy
    ("'x", [(Operator, "'"), (Name, "x")]),                   # ' and ` are rune characters
    ("`(f $x)", [(Operator, "`"), (Punctuation, "("),
                (Name, "f"), (Operator, "$"), (Name, "x"), (Punctuation, ")")]),
    ("=?= 3 (add 1 2)", [(Keyword, "=?="), (Number.Integer, "3"), (Punctuation, "("),
                         (Name, "add"), (Number.Integer, "1"), (Number.Integer, "2"),
                         (Punctuation, ")")]),
    ("=?=?", [(Operator, "=?=?")]),                           # a longer rune is not the assertion
    ("42 0xff 0x0A", [(Number.Integer, "42"), (Number.Hex, "0xff"), (Number.Hex, "0x0A")]),
    ("42a 0xfg", [(Name, "42a"), (Name, "0xfg")]),           # a word that is not a number
    ("%atom %a_1", [(String.Symbol, "%atom"), (String.Symbol, "%a_1")]),
    ("{text}", [(String, "{text}")]),
    ("{a{b}c}d", [(String, "{a{b}c}"), (Name, "d")]),        # braces nest
    ("{a{b", [(String, "{a{b")]),                            # unterminated: to end of line
    ('"q" "open', [(String.Double, '"q"'), (String.Double, '"open')]),
    ('"{"', [(String.Double, '"{"')]),
    ("}_foo_ x", [(String.Other, "}_foo_"), (Name, "x")]),
    ("}}a} x", [(String.Other, "}}a}"), (Name, "x")]),
    ("}|a b| x", [(String.Other, "}|a b|"), (Name, "x")]),
    ("= x } a line ; not a comment", [(Operator, "="), (Name, "x"),
                                      (String.Heredoc, "} a line ; not a comment")]),
    ("}", [(String.Heredoc, "}")]),
    ("x ; note (", [(Name, "x"), (Comment.Single, "; note (")]),
    ("b#{hi {n}} b#abc x#0a0b", [(String.Affix, "b#"), (String, "{hi {n}}"), (String.Affix, "b#"),
                                 (String, "abc"), (String.Affix, "x#"), (String, "0a0b")]),
    ('b#"q" b#} rest', [(String.Affix, "b#"), (String.Double, '"q"'), (String.Affix, "b#"),
                        (String.Heredoc, "} rest")]),
    ("ab#c", [(Name, "ab"), (Operator, "#"), (Name, "c")]),   # not a bar: b is inside a word
    ("#### demo <- prelude", [(Keyword.Namespace, "####"), (Name.Namespace, "demo"),
                              (Operator, "<-"), (Name.Namespace, "prelude")]),
    ("#### base", [(Keyword.Namespace, "####"), (Name.Namespace, "base")]),
    ("x #### y", [(Name, "x"), (Operator, "####"), (Name, "y")]),  # only at the start of a line
])
def test_each_form_gets_its_token(src, expected):
    assert visible(src) == expected


@pytest.mark.parametrize("src, bad", [
    ("a\tb", "\t"),
    ("caf\u00e9", "\u00e9"),
    ("x \x00", "\x00"),
])
def test_what_the_reader_rejects_is_an_error_token(src, bad):
    assert (Error, bad) in tokens(src)


def test_non_ascii_inside_strings_and_comments_is_fine():
    assert_clean('{caf\u00e9} "\u00fc" ; \u2603\n', "unicode")


def test_deep_nesting_costs_no_recursion():
    src = "{" * 50000 + "}" * 50000 + " x"
    assert visible(src) == [(String, "{" * 50000 + "}" * 50000), (Name, "x")]


# --- agreement with the Rex reader ---------------------------------------------

def rex_tokens(line: bytes) -> list:
    """Every token the Rex reader's lexer makes for one line, nested ones
    included (an explicit stack: no recursion on the line's nesting)."""
    out = []
    todo = [rexlex.lex_line(rexlex.Line("x", 1, line))]
    while todo:
        for t in todo.pop():
            if t.kind in (rexlex.PARA, rexlex.BRAK):
                todo.extend(t.kids)
            else:
                out.append(t)
    return out


def byte_spans(line: str) -> list[tuple]:
    """Our tokens of one line as (type, byte offset, byte end)."""
    spans = []
    pos = 0
    for _, ttype, text in SireLexer().get_tokens_unprocessed(line):
        n = len(text.encode("utf-8"))
        spans.append((ttype, pos, pos + n))
        pos += n
    return spans


@pytest.mark.parametrize("path", SIRE_FILES, ids=lambda p: p.name)
def test_strings_comments_and_runes_are_what_the_reader_reads(path):
    """A Rex string or comment is exactly one of our String/Comment tokens;
    each rune we colour is a Rex rune; every other token of ours lies inside
    one Rex token (only atoms and bar prefixes join two)."""
    for lineno, line in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        ours = byte_spans(line)
        by_span = {(o, e): t for t, o, e in ours}
        rex = rex_tokens(line.encode("utf-8"))
        for r in rex:
            if r.kind in (rexlex.CORD, rexlex.QUOT, rexlex.LINE):
                assert by_span.get((r.off, r.end)) in String, (lineno, line)
            elif r.kind == rexlex.SEMI:
                assert by_span.get((r.off, r.end)) in Comment, (lineno, line)
            elif r.kind == rexlex.RUNE and (r.off, r.end) in by_span:
                assert by_span[(r.off, r.end)] in Operator or by_span[(r.off, r.end)] in Keyword
        runes = {(r.off, r.end) for r in rex if r.kind == rexlex.RUNE}
        for t, o, e in ours:
            if t in Operator or t in Keyword:
                assert (o, e) in runes, (lineno, line, o, e)
            elif t in Comment or t in Whitespace or t in String.Symbol or t in String.Affix:
                continue
            elif t not in Punctuation:
                assert any(r.off <= o and e <= r.end for r in rex), (lineno, line, t, o, e)


# --- registration --------------------------------------------------------------

def test_pyproject_registers_the_entry_point_and_the_dependency():
    if tomllib is None:
        pytest.skip("tomllib needs Python 3.11")
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert meta["entry-points"]["pygments.lexers"]["sire"] == "pallas_kernel.kernel.lexer:SireLexer"
    assert any(d.split(">")[0].split("=")[0].strip().lower() == "pygments" for d in meta["dependencies"])


def test_pygments_loads_it_from_its_file_with_its_names():
    lexer = lexers.load_lexer_from_file(str(ROOT / "pallas_kernel" / "kernel" / "lexer.py"), "SireLexer")
    assert lexer.name == "Sire"
    assert {"sire", "rex"} <= set(lexer.aliases)
    assert "*.sire" in lexer.filenames and "text/x-sire" in lexer.mimetypes


def test_html_export_colours_a_cell():
    html = highlight("=?= 5 (add 2 3) ; five\n", SireLexer(), HtmlFormatter())
    assert '<span class="k">=?=</span>' in html
    assert '<span class="c1">; five</span>' in html
    assert '<span class="mi">5</span>' in html
