"""The Rex reader: tokens, closed forms, layout, blocks and positions."""

import pytest

from pallas_kernel.rex import read, read_all, read_blocks
from pallas_kernel.rex.lexer import KIND_NAMES, Line, lex_line

from helpers.rex_trees import I, L, N, O, P, S, T, W, assert_reads, assert_tree


def kinds(src):
    """(kind, off, end) of the top-level tokens of one line."""
    return [(KIND_NAMES[t.kind], t.off, t.end) for t in lex_line(Line("f", 1, src.encode()))]


# -- Tokens --------------------------------------------------------------------

@pytest.mark.parametrize("src, want", [
    ('"foo" "foo', [("CORD", 0, 5), ("WYTE", 5, 6), ("CORD", 6, 10), ("TERM", 10, 10)]),
    ("foo bar", [("WORD", 0, 3), ("WYTE", 3, 4), ("WORD", 4, 7), ("TERM", 7, 7)]),
    ("a+b", [("WORD", 0, 1), ("RUNE", 1, 2), ("WORD", 2, 3), ("TERM", 3, 3)]),
    ("()", [("PARA", 0, 2), ("TERM", 2, 2)]),
    ("[x]", [("BRAK", 0, 3), ("TERM", 3, 3)]),
    ("a+-b", [("WORD", 0, 1), ("RUNE", 1, 3), ("WORD", 3, 4), ("TERM", 4, 4)]),
    ("x ;c (", [("WORD", 0, 1), ("WYTE", 1, 2), ("SEMI", 2, 6), ("TERM", 6, 6)]),
    ("{a{b}c}d", [("CORD", 0, 7), ("WORD", 7, 8), ("TERM", 8, 8)]),
    ("}_a b_ x", [("QUOT", 0, 6), ("WYTE", 6, 7), ("WORD", 7, 8), ("TERM", 8, 8)]),
    ("x} a ;b)", [("WORD", 0, 1), ("LINE", 1, 8), ("TERM", 8, 8)]),
    ("}", [("LINE", 0, 1), ("TERM", 1, 1)]),
    ("\tx", [("FAIL", 0, 1), ("WORD", 1, 2), ("TERM", 2, 2)]),
    (")", [("FAIL", 0, 1), ("TERM", 1, 1)]),
    ("a\0 junk", [("WORD", 0, 1), ("TERM", 1, 7)]),
    ("x'", [("WORD", 0, 1), ("RUNE", 1, 2), ("TERM", 2, 2)]),
])
def test_token_kinds_and_spans(src, want):
    assert kinds(src) == want


def test_nested_tokens_hold_their_clumps():
    toks = lex_line(Line("f", 1, b"(a+b c)"))
    para = toks[0]
    assert [[KIND_NAMES[e.kind] for e in c] for c in para.kids] == [["WORD", "RUNE", "WORD"], ["WORD"]]
    assert (para.off, para.end) == (0, 7)


def test_all_rune_and_word_characters():
    runes = "$!#%&*+,-./:<=>?@\\^`'|~"
    assert kinds(runes) == [("RUNE", 0, 23), ("TERM", 23, 23)]
    words = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"
    assert kinds(words) == [("WORD", 0, 63), ("TERM", 63, 63)]


# -- Leaves and strings ----------------------------------------------------------

@pytest.mark.parametrize("src, want", [
    ("x", W("x")), ("123", W("123")), ("_", W("_")), ("0x1F", W("0x1F")),
    ("{abc}", T("abc")), ("{}", T("")), ('"abc"', T("abc")), ('"{foo}"', T("{foo}")),
    ("{a{b}c}", T("a{b}c")), ("{say \"hi\"; ok}", T('say "hi"; ok')),
    ("}_foo_", T("foo")), ("}|a b|", T("a b")), ("}}a}", T("a")), ("}xx", T("")),
    ("} rest of ;line", L("rest of ;line")), ("}  two", L(" two")), ("}", L("")),
    ("{héllo}", T("héllo")),
    ('"', T("")), ("}q", T("")),
])
def test_leaves(src, want):
    assert_reads(src, want)


def test_text_forms_are_the_same_leaf():
    assert_tree(read("{foo}"), read('"foo"'))
    assert_tree(read("{foo}"), read("}_foo_"))


# -- Closed forms ------------------------------------------------------------------

@pytest.mark.parametrize("src, want", [
    ("a+b", S("+", W("a"), W("b"))),
    ("a+b+c", S("+", W("a"), W("b"), W("c"))),
    ("a+b*c", S("*", S("+", W("a"), W("b")), W("c"))),
    ("a+b+c*d", S("*", S("+", W("a"), W("b"), W("c")), W("d"))),
    ("a.b:c", S(":", S(".", W("a"), W("b")), W("c"))),
    ("-a", P("-", W("a"))),
    ("-a+b", P("-", S("+", W("a"), W("b")))),
    (":red-rover", P(":", S("-", W("red"), W("rover")))),
    ("%a+b", P("%", S("+", W("a"), W("b")))),
    ("$} x", P("$", L("x"))),
    ("a+-b", S("+-", W("a"), W("b"))),
    ("()", N("|")), ("(|)", N("|")), ("(~)", N("~")),
    ("(a)", W("a")), ("((a))", W("a")), ("(a+b)", S("+", W("a"), W("b"))),
    ("(f x)", N("|", W("f"), W("x"))), ("(| f x)", N("|", W("f"), W("x"))),
    ("(| x)", N("|", W("x"))),
    ("(+ a b)", N("+", W("a"), W("b"))),
    ("(+ a - b c)", N("+", W("a"), N("-", W("b"), W("c")))),
    ("(, a , b + c)", N(",", W("a"), N(",", W("b"), N("+", W("c"))))),
    ("(a + b)", I("+", W("a"), W("b"))),
    ("(f x + g y)", I("+", N("|", W("f"), W("x")), N("|", W("g"), W("y")))),
    ("(a , b + c)", I("+", I(",", W("a"), W("b")), W("c"))),
    ("(nat*nat > nat > nat)", I(">", S("*", W("nat"), W("nat")), W("nat"), W("nat"))),
    ("(a + - b)", I("+", W("a"), N("-", W("b")))),
    ("(a +)", I("+", W("a"), N("|"))),
    ("( 3 , 4 )", I(",", W("3"), W("4"))), ("(3, 4)", I(",", W("3"), W("4"))),
    ("(3,4)", S(",", W("3"), W("4"))),
    ("[]", N(",")), ("[a b]", N(",", W("a"), W("b"))), ("[a +b]", N(",", W("a"), P("+", W("b")))),
    ("(, a b)", N(",", W("a"), W("b"))),
    ("(#(V3 1) a b)", N("|", P("#", N("|", W("V3"), W("1"))), W("a"), W("b"))),
    ("(+3 + +4)", I("+", P("+", W("3")), P("+", W("4")))),
    ("(=x, =y)", I(",", P("=", W("x")), P("=", W("y")))),
])
def test_closed_forms(src, want):
    assert_reads(src, want)


@pytest.mark.parametrize("src, want", [
    ("f(x)", W("f", W("x"))),
    ("{a}b", T("a", W("b"))),
    ("[x]y", N(",", W("x"), h=W("y"))),
    ("(a b)(c d)e", N("|", W("a"), W("b"), h=N("|", W("c"), W("d"), h=W("e")))),
    ("x(a(b))c", W("x", W("a", W("b", W("c"))))),
    ("(a+b)c", S("+", W("a"), W("b"), h=W("c"))),
    ("a(b+c)", W("a", S("+", W("b"), W("c")))),
    ("x} foo", W("x", L("foo"))),
    ("[][]", N(",", h=N(","))),
    ("(x:y)()", S(":", W("x"), W("y"), h=N("|"))),
    ("f(x)+g(y)", S("+", W("f", W("x")), W("g", W("y")))),
])
def test_heirs_by_juxtaposition(src, want):
    assert_reads(src, want)


# -- Open forms and layout --------------------------------------------------------

@pytest.mark.parametrize("src, want", [
    ("x", W("x")),
    ("f x y", O("|", W("f"), W("x"), W("y"))),
    ("a+ c", O("|", W("a"), O("+", W("c")))),
    ("a+b c", O("|", S("+", W("a"), W("b")), W("c"))),
    ("f x | g y", O("|", W("f"), W("x"), O("|", W("g"), W("y")))),
    ("= x | add 1 2", O("=", W("x"), O("|", W("add"), W("1"), W("2")))),
    ("| f | g x", O("|", W("f"), O("|", W("g"), W("x")))),
    ("=", O("=")),
    ("= x ; comment", O("=", W("x"))),
    ("| a\n| b", O("|", W("a"), h=O("|", W("b")))),
    ("| a\n  | b", O("|", W("a"), O("|", W("b")))),
    ("| f\n        | a\n    | b", O("|", W("f"), O("|", W("a")), O("|", W("b")))),
    ("| f\n            | a\n        | b\n    | c",
     O("|", W("f"), O("|", W("a")), O("|", W("b")), O("|", W("c")))),
    ("| f\n    | a\n    | b", O("|", W("f"), O("|", W("a"), h=O("|", W("b"))))),
    (":| foo\n:| bar", O(":|", W("foo"), h=O(":|", W("bar")))),
    ("= a\n++ b", O("=", W("a"), O("++", W("b")))),
    ("== f\n = a", O("==", W("f"), h=O("=", W("a")))),
    (">>\n  |\n  x\n  z", O(">>", O("|", W("x"), h=W("z")))),
    (">>\n  |\n  x\n    y", O(">>", O("|", W("x"), h=W("y")))),
    ("= (f x)\n| add x x", O("=", N("|", W("f"), W("x")), h=O("|", W("add"), W("x"), W("x")))),
    ("= x\n  ; a comment inside\n  y", O("=", W("x"), W("y"))),
    ("| x\ng=g\ng=g", O("|", W("x"), S("=", W("g"), W("g")), h=S("=", W("g"), W("g")))),
    ("= x\n    } a\n    } b", O("=", W("x"), L("a", L("b")))),
    ("= x } a\n    } b", O("=", W("x"), L("a", L("b")))),
    ("= x } foo\n      } bar", O("=", W("x"), L("foo"), L("bar"))),
    ("= x\n    } a\n      } b", O("=", W("x"), L("a"), L("b"))),
    ("= a\n  x} foo\n   } bar", O("=", W("a"), W("x", L("foo", L("bar"))))),
    ("= x\n  } a\n\n  ; no", O("=", W("x"), L("a"))),
])
def test_open_forms(src, want):
    assert_reads(src, want)


def test_line_string_chain_across_lines():
    assert_reads("} a\n} b\n} c", L("a", L("b", L("c"))))


# -- Blocks --------------------------------------------------------------------------

def tops(src):
    return [(b.line, b.rex) for b in read_blocks(src)]


def test_blank_line_ends_a_block():
    got = tops("= a\n  b\n\n= c\n   \n= d\n")
    assert [n for n, _ in got] == [1, 4, 6]
    assert_tree(got[0][1], O("=", W("a"), W("b")))


def test_comment_lines_are_skipped_between_blocks_and_kept_inside():
    got = tops("; head\n= a\n; inside\n  b\n;; tail\n\nx")
    assert [n for n, _ in got] == [2, 7]
    assert_tree(got[0][1], O("=", W("a"), W("b")))


def test_less_indented_line_starts_a_new_block():
    got = tops("  = a\n b\n")
    assert [n for n, _ in got] == [1, 2]
    assert_tree(got[0][1], O("=", W("a")))
    assert_tree(got[1][1], W("b"))


def test_closed_form_line_is_a_block_of_its_own():
    got = tops("x y\n  | z\na=b\nc=d")
    assert [n for n, _ in got] == [1, 2, 3, 4]
    assert_tree(got[0][1], O("|", W("x"), W("y")))
    assert_tree(got[1][1], O("|", W("z")))


def test_text_blocks_end_on_column_change_or_comment():
    got = tops("} a\n  } b\n} c\n; c\n} d")
    assert [n for n, _ in got] == [1, 2, 3, 5]
    assert_tree(got[0][1], L("a"))


def test_rune_block_takes_lines_at_or_right_of_its_depth():
    got = tops("== a\n  b\n c\n= d\n")
    assert [n for n, _ in got] == [1, 4]
    assert_tree(got[0][1], O("==", W("a"), W("b"), h=W("c")))


def test_crlf_and_final_newline():
    assert [n for n, _ in tops("a\nb\n")] == [1, 2]
    assert list(read_blocks("")) == []
    assert list(read_blocks("\n\n; only a comment\n")) == []


# -- Positions -------------------------------------------------------------------------

def test_every_node_knows_its_line_and_column():
    r = read("= (f x)\n  | add {s} x+y", "m.sire")
    assert (r.span.file, r.span.line, r.span.column) == ("m.sire", 1, 1)
    nest, inner = r.sons
    assert (nest.span.line, nest.span.column) == (1, 3)
    assert (nest.sons[1].span.line, nest.sons[1].span.column) == (1, 6)
    assert (inner.span.line, inner.span.column) == (2, 3)
    text, shut = inner.sons[1], inner.sons[2]
    assert (text.span.line, text.span.column) == (2, 9)
    assert (shut.span.column, shut.sons[1].span.column) == (13, 15)


def test_multibyte_rune_position_is_its_start_and_layout_uses_its_end():
    r = read(":= a\n:= b\n := c")
    assert r.span.column == 1
    assert_tree(r, O(":=", W("a"), h=O(":=", W("b"), O(":=", W("c")))))


# -- Depth and size ----------------------------------------------------------------------

def test_deeply_nested_parens_do_not_recurse():
    depth = 5000
    r = read("(" * depth + "x" + ")" * depth)
    assert_tree(r, W("x"))
    r = read("(| " * depth + "x" + ")" * depth)
    for _ in range(depth):
        assert r.shape == "NEST"
        r = r.sons[0]
    assert_tree(r, W("x"))


def test_deep_layout_staircase():
    lines = ["| x" + str(k) for k in range(300)]
    src = "\n".join(" " * (2 * k) + line for k, line in enumerate(lines))
    r = read(src)
    for k in range(300):
        assert r.sons[0].text == f"x{k}"
        r = r.sons[1] if k < 299 else None


def test_read_all_and_read_need_the_right_number_of_blocks():
    assert len(read_all("a\nb\nc")) == 3
    with pytest.raises(Exception, match="expected one block, found 2"):
        read("a\nb")


# -- More layout and policy cases (the shapes the reference's own Sire port checks) --

@pytest.mark.parametrize("src, want", [
    ("# a # b\n    # c\n  # d\n# e+(e)",
     O("#", W("a"), O("#", W("b"), h=O("#", W("c"))), O("#", W("d")),
       h=O("#", S("+", W("e"), W("e"))))),
    ("# a\n b", O("#", W("a"), W("b"))),
    ("# a\n b\nc\nd", O("#", W("a"), W("b"), W("c"), h=W("d"))),
    ("# {a}\n# b", O("#", T("a"), h=O("#", W("b")))),
    ("b#} abc", S("#", W("b"), L("abc"))),
    ("# (3+4)\n    # } lol", O("#", S("+", W("3"), W("4")), O("#", L("lol")))),
    ("# (3+4)\n# } lol", O("#", S("+", W("3"), W("4")), h=O("#", L("lol")))),
    ("% hi\n% hi", O("%", W("hi"), h=O("%", W("hi")))),
    ("({(} x)", N("|", T("("), W("x"))),
    ("a-b+ c.d", O("|", S("-", W("a"), W("b")), O("+", S(".", W("c"), W("d"))))),
    ("(a , b) (a, b) (a,b)", O("|", I(",", W("a"), W("b")), I(",", W("a"), W("b")), S(",", W("a"), W("b")))),
    ("{a b , c}", T("a b , c")),
    ("(a b c)", N("|", W("a"), W("b"), W("c"))),
    ("(, a b c)", N(",", W("a"), W("b"), W("c"))),
])
def test_more_layout_and_policy(src, want):
    assert_reads(src, want)


def test_add_heir_appends_at_the_end_of_the_chain():
    from pallas_kernel.rex import add_heir
    assert_tree(add_heir(read("3(4)"), W("5")), read("3(4(5))"))
    assert_tree(add_heir(read("3(4)"), W("5")), W("3", W("4", W("5"))))


def test_long_juxtaposition_chain():
    n = 20000
    r = read("f" + "(x)" * n)
    count = 0
    while r.heir is not None:
        r = r.heir
        count += 1
    assert count == n


def test_blocks_come_out_as_soon_as_a_line_ends_them():
    from pallas_kernel.rex import read_lines
    fed = []

    def lines():
        for x in ["= a", "  b", "", "c", "= d", "e=f"]:
            fed.append(x)
            yield x

    got = []
    for block in read_lines(lines(), "repl"):
        got.append((block.line, len(fed)))
    # "= a / b" ends at the blank line (3 lines taken); "c" is a block at once;
    # "= d" takes "e=f" (column 0 is not left of its rune) and ends with the input.
    assert got == [(1, 3), (4, 4), (5, 6)]


def test_read_lines_takes_a_file_object():
    import io
    from pallas_kernel.rex import read_lines
    blocks = list(read_lines(io.StringIO("= x\n  y\n\nz\r\n")))
    assert_tree(blocks[0].rex, O("=", W("x"), W("y")))
    assert blocks[1].errors[0].reason == "Unexpected: '\\r'"
