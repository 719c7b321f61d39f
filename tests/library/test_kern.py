"""Our cog kernel, `sire/kern.sire` (the protocol of pallas-machine.md,
Appendix A): it loads from scratch with its `=?=` assertions (which play the
machine: start a cog, read its request row, feed it tabs of answers), binds
every name the machine's userland needs with the arity our kernel gives it,
and runs the counters: our `demo_counter` and a counter written like the
Pallas README's Getting Started one."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

from helpers.library import library_loader, scope_kind

from pallas_kernel.plan.view import name_text
from pallas_kernel.sire.library import library_dir
from pallas_kernel.sire.session import Session, Traced

# An action takes its continuation `k`, the thread id and the kernel state
# after its own arguments; request builders are laws of their arguments,
# or rows when they have none.
ACTION = 3
EXPECTED = {
    "runCog": ("law", 1),
    "syscall": ("law", 1 + ACTION),
    "fork": ("law", 1 + ACTION),
    "cancel": ("law", 1 + ACTION),
    "myThreadId": ("law", ACTION),
    "newRef": ("law", 1 + ACTION),
    "readRef": ("law", 1 + ACTION),
    "writeRef": ("law", 2 + ACTION),
    "modifyRef": ("law", 2 + ACTION),
    "freeRef": ("law", 1 + ACTION),
    "newMVar": ("law", 1 + ACTION),
    "newEmptyMVar": ("law", ACTION),
    "putMVar": ("law", 2 + ACTION),
    "takeMVar": ("law", 1 + ACTION),
    "forever": ("law", 1 + ACTION),
    "fullyReplaceCog": ("law", 1 + ACTION),
    "pmap": ("law", 4),             # secs f args, then the continuation
    "TIME_WHEN": ("app", None),
    "TIME_WAIT": ("law", 1),
    "RAND_BYTE": ("law", 1),
    "EVAL": ("law", 2),
    "EVAL1": ("law", 3),
    "EVAL2": ("law", 4),
    "EVAL3": ("law", 5),
    "EVAL4": ("law", 6),
    "COG_SPIN": ("law", 1),
    "COG_REAP": ("law", 1),
    "COG_STOP": ("law", 1),
    "COG_WAIT": ("law", 1),
    "COG_WHO": ("app", None),
    "COG_ASK": ("law", 3),
    "COG_TELL": ("law", 2),
    "WHAT": ("law", 1),
    "HTTP_SERV": ("law", 1),
    "HTTP_HEAR": ("app", None),
    "HTTP_HOLD": ("law", 1),
    "HTTP_ECHO": ("law", 5),
    "HTTP_REQ": ("law", 6),
}


def kern_state():
    """kern loaded from scratch (the shared uncached library loader,
    Loader(include=[library_dir()], cache=None)), so every assertion runs."""
    return library_loader().load("kern")


def session() -> Session:
    """A session whose modules come from that loader (loaded once per run)."""
    s = Session(include=[str(library_dir())])
    s.loader = library_loader()
    return s


def test_kern_loads_with_its_assertions():
    assert kern_state().scope


def test_every_kern_name_is_bound_with_its_arity():
    scope = {name_text(k): b for k, b in kern_state().scope.items()}
    missing = [n for n in EXPECTED if n not in scope]
    assert not missing, "not bound: " + " ".join(missing)
    wrong = {n: scope_kind(scope[n]) for n in EXPECTED if scope_kind(scope[n]) != EXPECTED[n]}
    assert not wrong, wrong


def test_kern_public_definitions_have_doc_comments():
    s = session()
    assert s.load("kern").ok
    undocumented = [n for n in EXPECTED if not s.describe(n).doc]
    assert not undocumented, undocumented


def traces(result) -> list[str]:
    return [ev for ev in result.events if isinstance(ev, Traced)]


def check(s: Session, text: str) -> None:
    r = s.run(text)
    assert r.ok, [f.message() for f in r.failures()]


def test_demo_counter_asks_the_time_first():
    s = session()
    assert s.load("demo_counter").ok
    check(s, "=?= [[%time 0 %when]] (cogRequests main)")
    check(s, "=?= [(TIME_WAIT 101)] (cogRequests (main #[0=100]))")
    check(s, "=?= [TIME_WHEN] (cogRequests (cogFeed main [#[0=100] #[0=0]]))")
    r = s.run("(cogRequests (cogFeed main [#[0=7] #[0=0] #[0=8] #[0=0]]))")
    assert r.ok
    shown = [s.show(ev.value) for ev in traces(r)]
    assert shown == ["[%count 1]", "[%count 2]"]


README_COUNTER = """\
#### readme_counter <- prelude

:| prelude

= (countLoop count k)
| trk [{counter is at} count]
| syscall TIME_WHEN
& now
: resultOfTimeWait < syscall (TIME_WAIT (inc now))
| countLoop (inc count) k

= (main)
| runCog (countLoop 0)
"""


def run_counter(path, module: str) -> None:
    """Load a counter module written like the Getting Started one and check
    it asks the time, waits a second, and counts on each round."""
    s = session()
    s.add_path(str(path))
    try:
        r = s.load(module)
    finally:        # the loader is shared: forget the temporary module
        s.loader.explicit.pop(module, None)
        s.loader.include.remove(str(path.parent))
    assert r.ok, [f.message() for f in r.failures()]
    assert [s.show(ev.value) for ev in traces(r)] == ["[{counter is at} 0]"]
    check(s, "=?= [TIME_WHEN] (cogRequests main)")
    check(s, "=?= [(TIME_WAIT 43)] (cogRequests (main #[0=42]))")
    r = s.run("(cogRequests (cogFeed main [#[0=42] #[0=0]]))")
    assert r.ok
    assert [s.show(ev.value) for ev in traces(r)] == ["[{counter is at} 1]"]


def test_the_readme_counter_shape_runs_on_our_prelude(tmp_path):
    """The Getting Started counter: `countLoop count k` with trk, syscall,
    `&` and `:` continuations, and a one-argument runCog, on `:| prelude`."""
    path = tmp_path / "readme_counter.sire"
    path.write_text(textwrap.dedent(README_COUNTER))
    run_counter(path, "readme_counter")


@pytest.mark.skipif(not os.environ.get("PALLAS_REFERENCE"), reason="PALLAS_REFERENCE is not set")
def test_the_references_demo_count_up_runs_unmodified(tmp_path):
    """The reference's own demo_count_up.sire, read from the checkout and
    copied byte for byte into a temporary directory, runs on our prelude."""
    ref = Path(os.environ["PALLAS_REFERENCE"])
    src = (ref / "sire" if (ref / "sire").is_dir() else ref) / "demo_count_up.sire"
    path = tmp_path / "demo_count_up.sire"
    path.write_bytes(src.read_bytes())
    run_counter(path, "demo_count_up")


@pytest.mark.parametrize("event", ["0", "[1 2]", "(add 1)"])
def test_an_event_that_is_not_a_tab_crashes_the_cog(event):
    s = session()
    assert s.load("kern").ok
    r = s.run(f"(runCog (syscall TIME_WHEN) {event})")
    assert not r.ok
