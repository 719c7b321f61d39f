"""The one view of PLAN data (pallas_kernel.plan.view): the same answers for
a tree and for the core value it evaluates to."""

from __future__ import annotations

import pytest

from pallas_kernel import plan
from pallas_kernel.errors import SireError
from pallas_kernel.plan import view
from pallas_kernel.plan.tree import App, Law, text_nat


def both(text: str) -> list:
    """The value the notation spells, as a core value and as a tree."""
    v = plan.read(text).force()
    return [v, v.to_tree()]


@pytest.mark.parametrize("i", [0, 1])
def test_rows_tabs_and_nats_read_alike(i):
    items = view.row_items(both("[1 [2] 3]")[i])
    assert [view.nat_of(items[0]), view.nat_of(items[2])] == [1, 3]
    assert view.row_items(items[1]) is not None
    assert view.row_items(both("[]")[i]) == []
    pairs = view.tab_items(both("#[1=10 5=50]")[i])
    assert [(k, view.nat_of(v)) for k, v in pairs] == [(1, 10), (5, 50)]
    assert view.nat_of(both("(0 1 2)")[i]) is None


def test_not_a_row_is_none_or_the_given_error():
    not_row = App(Law(0, 3, 1), 7)  # body 1: not the row constructor
    assert view.row_items(not_row) is None
    with pytest.raises(SireError, match="the sons is not a row"):
        view.row_items(not_row, "the sons", SireError)
    with pytest.raises(SireError, match="a key of the scope is not a nat"):
        view.tab_items(App(Law(1, 2, App(Law(0, 2, 0), Law(0, 1, 0))), App(Law(0, 2, 0), 4)),
                       "the scope", SireError)


def test_names_print_as_text_or_digits():
    assert view.name_text(text_nat("add")) == "add"
    assert view.name_text(0) == "0"
    assert view.name_text(text_nat("a\nb")) == str(text_nat("a\nb"))
    assert view.name_text(2 ** 200 + 1).isdigit()
