"""The kernel's rich display (pallas_kernel/kernel/display.py): each kind of
value in HTML, well-formed, bounded in size and depth, deterministic."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from pallas_kernel import plan
from pallas_kernel.kernel.display import HTML_LIMIT, MAX_DEPTH, MAX_ITEMS, mime_bundle, to_html
from pallas_kernel.sire.show import Names

VOID = {"br", "hr", "img", "meta", "link", "input", "wbr"}


class _Balance(HTMLParser):
    """Checks that every element is closed, in order."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open[-1] == tag, (self.open[-3:], tag)
        self.open.pop()

    def handle_data(self, data):
        self.text.append(data)


def parsed(html: str) -> str:
    """The HTML's text, after checking it is balanced."""
    p = _Balance()
    p.feed(html)
    p.close()
    assert p.open == []
    return "".join(p.text)


def value(text: str) -> plan.Value:
    return plan.read(text).force()


def body(html: str) -> str:
    """The HTML without its style block."""
    return html.split("</style>", 1)[1]


def test_plain_is_sire_notation():
    b = mime_bundle(value('[1 2 "hello world"]'))
    assert b["text/plain"] == "[1 2 {hello world}]"
    parsed(b["text/html"])


def test_small_nat_is_a_number_only():
    h = body(to_html(5))
    assert ">5<" in h and "hex" not in h and "text" not in h


def test_nat_as_number_text_and_hex():
    n = int.from_bytes(b"hello world", "little")
    text = parsed(to_html(n))
    assert str(n) in text
    assert 'text "hello world"' in text
    assert "hex 0x" + format(n, "x") in text


def test_name_nat_shows_its_name():
    assert "%foldl" in parsed(to_html(int.from_bytes(b"foldl", "little")))


def test_huge_nat_is_shortened_with_a_marker():
    n = 7 ** 20000
    html = to_html(n)
    text = parsed(html)
    assert "more digits" in text and "more characters" in text
    assert len(html) < 2000


def test_pin_has_name_short_hash_full_hash_on_hover_and_expandable_item():
    pin = value('<{"dbl" 1 (0 (0 0 1) 1)}>')
    full = plan.hash_b58(pin)
    names = Names([("dbl", pin)])
    html = body(to_html(pin, names))
    parsed(html)
    assert html.startswith('<div class="pk-value"><details class="pk-pin">')
    assert "<b>dbl</b>" in html
    assert f'title="{full}">#{full[:8]}</code>' in html
    assert "<b>dbl</b> 1</code>" in html  # the item: the law, name and arity
    unnamed = body(to_html(pin))
    assert "<summary>pin <code" in unnamed


def test_law_shows_name_arity_and_body():
    html = body(to_html(value('{"f" 2 (0 (0 0 1) 2)}')))
    text = parsed(html)
    assert "f 2" in text
    assert "<pre>" in html


def test_row_is_a_table_and_nested_rows_are_closed_details():
    html = body(to_html(value("[1 2 [3 4]]")))
    parsed(html)
    assert html.count("<details") == 2
    assert '<details class="pk-row" open><summary>row · 3 items</summary>' in html
    assert '<details class="pk-row"><summary>row · 2 items</summary>' in html
    assert html.count("<tr><td>") == 5


def test_tab_shows_keys_and_values():
    html = body(to_html(value('#["a"=1 "b"=[2]]')))
    parsed(html)
    assert "tab · 2 entries" in html
    assert "<td><code>a</code></td>" in html and "<td><code>b</code></td>" in html
    assert "row · 1 item" in html


def test_set_is_a_one_column_table():
    html = body(to_html(value("%[1 2 3]")))
    parsed(html)
    assert "set · 3 elements" in html and "<th>element</th>" in html
    assert html.count("<tr><td>") == 3


def test_bar_as_text_and_hex():
    text = parsed(to_html(value('b#"hi"')))
    assert "bar · 2 bytes" in text and 'b#"hi"' in text and "x#6869" in text
    binary = parsed(to_html(value("x#00ff")))
    assert "x#00ff" in binary and 'b#"' not in binary


def test_empty_structures():
    assert "row · 0 items" in parsed(to_html(value("[]")))
    assert "tab · 0 entries" in parsed(to_html(value("#[]")))


def test_long_row_shows_a_bounded_number_of_items_and_says_how_many_more():
    n = 10_000
    row = value("[" + " ".join(map(str, range(n))) + "]")
    html = body(to_html(row))
    parsed(html)
    assert html.count("<tr><td>") == MAX_ITEMS
    assert f"… {n - MAX_ITEMS:,} more items" in html


def test_output_is_bounded_and_the_cut_is_marked():
    inner = "[" + " ".join(f'"item number {i} with text"' for i in range(40)) + "]"
    big = value("[" + " ".join([inner] * 40) + "]")
    html = to_html(big, limit=5000)
    text = parsed(html)
    assert "output cut at 5,000 characters" in text
    assert len(html) < 5000 + 2000
    full = to_html(big)
    assert len(full) < HTML_LIMIT + 5000


def test_deep_nesting_is_bounded_without_recursion():
    depth = 100_000
    deep = value("[" * depth + "]" * depth)
    html = to_html(deep)
    parsed(html)
    assert html.count("<details") == MAX_DEPTH
    assert len(html) < 5000


def test_deep_pins_are_bounded_too():
    depth = 50_000
    deep = value("<" * depth + "7" + ">" * depth)
    html = to_html(deep)
    parsed(html)
    assert html.count("<details") == MAX_DEPTH


def test_output_is_deterministic():
    text = '[1 "two" #["k"=[3 4]] %[5] b#"six" <{"f" 1 1}> {"g" 2 1} (0 0 3 0 5)]'
    first = to_html(value(text))
    again = to_html(value(text))
    assert first == again
    assert not re.search(r"id=|0x7f", first)
