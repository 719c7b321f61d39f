"""The kernel's magics: commands about the notebook's machine, not Sire.

A cell whose first non-blank line starts with ``)`` is a *magic cell*
(after APL's system commands ``)load``, ``)save``): each non-blank line is
one magic, ``)name arguments``, run in order until one fails. A magic cell
is handled before the cell runner and is not recorded as a cell event: it
looks at the machine, it does not change the Sire state.

Why the prefix can never shadow Sire: in Rex a ``)`` only closes a group
that an earlier ``(`` opened, so no Rex block can start with one; the Rex
reader rejects a block that starts with ``)`` ("Unexpected: ')'"). The first
line of a cell is the start of a block, so a cell that starts with ``)`` was
never a Sire cell that ran.

The magics (:data:`MAGICS`, a registry ``name -> Magic`` that others can add
to with :func:`register`):

``)log [N]``
    the machine's last N events (20) as a table: number, kind (cell or
    cog), cell id and execution count, time (UTC), summary;
``)pins``
    how many pins the store holds, their size, the ten largest;
``)at N EXPR``
    EXPR evaluated in the Sire scope as of event N (the session the last
    cell at or before N left; the prelude before any cell), leaving the
    present session and the log as they are;
``)export NAME FILE``
    the value bound to NAME written as a seed file (relative to the
    kernel's working directory);
``)attach PATH``
    record in another machine from now on (one made by ``pallas boot``, or
    another notebook's ``.pallas/<name>``): its last session becomes the
    session, if it has one. ``)attach scratch:NAME`` is a scratch machine,
    made if new, in a temporary directory the kernel removes when it shuts
    down: a notebook can make machines and go back to them;
``)dag EXPR``
    an SVG of the pins EXPR's value reaches (:mod:`.dag`);
``)help``
    this list.

An unknown magic or bad arguments is one error, ``MagicError``, with one
traceback line ``file:line:column: )name: reason``; never a Python
traceback. A Sire failure inside EXPR is reported as a cell's would be,
at its place in the magic's line.
"""

from __future__ import annotations

import dataclasses
import html
import os
import re
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Optional, Protocol, Union

from .. import plan
from ..errors import PallasError
from ..machine.runtime import cell_session_hash, describe_event, is_cell_record, read_cell
from ..machine.store import DATA_FILE
from ..plan import Value, base58
from ..plan.tree import Law, nat_text
from ..plan.view import nat_of
from ..sire.session import Evaluated, Failed, Session, Traced
from .cells import CellRunner, failure_report
from .dag import dag_svg
from .display import STYLE, mime_bundle
from .notebook import NotebookMachine, cell_record

__all__ = ["PREFIX", "MAGICS", "Magic", "MagicCall", "MagicError", "MagicHost", "MagicRun",
           "Display", "Text", "is_magic_cell", "register", "run_magic_cell", "execute"]

PREFIX = ")"
#: events ``)log`` shows when not told
LOG_DEFAULT = 20
#: the largest pins ``)pins`` lists
PINS_LISTED = 10
#: characters of a cell's first line in the log's summary
SUMMARY_CHARS = 80


class MagicError(Exception):
    """A magic that cannot run: the reason, and the column (from 1) of what
    is wrong in the magic's line."""

    def __init__(self, reason: str, column: int = 0):
        super().__init__(reason)
        self.reason = reason
        self.column = column


class _SireFailure(Exception):
    """Sire code given to a magic failed: its Failed events."""

    def __init__(self, failures: list[Failed]):
        super().__init__(failures[0].reason)
        self.failures = failures


class MagicHost(Protocol):
    """What magics work on (the kernel is one): the notebook's machine (None
    when the kernel records nothing), the session and the runner on it."""

    notebook: Optional[NotebookMachine]
    sire: Session
    runner: CellRunner


@dataclass
class Host:
    """A :class:`MagicHost` outside a kernel (tests, scripts)."""

    notebook: Optional[NotebookMachine]
    sire: Session
    runner: CellRunner = None  # type: ignore[assignment]
    #: the directory of scratch machines (``)attach scratch:NAME``), once made
    scratch: Optional[Path] = None

    def __post_init__(self) -> None:
        if self.runner is None:
            self.runner = CellRunner(self.sire)


@dataclass(frozen=True)
class Text:
    """Output as a stream of text."""

    text: str
    stream: str = "stdout"


@dataclass(frozen=True)
class Display:
    """Output as display data (a MIME bundle)."""

    data: dict[str, str]


Output = Union[Text, Display]


@dataclass(frozen=True)
class MagicCall:
    """One magic line: the magic's name, its argument text, and where they
    are (cell file name, line, the column of the ``)`` and of the
    arguments)."""

    name: str
    args: str
    file: str
    line: int
    column: int
    args_column: int
    text: str

    def words(self) -> list[tuple[str, int]]:
        """The arguments split at blanks, each with its column."""
        return [(m.group(), self.args_column + m.start()) for m in re.finditer(r"\S+", self.args)]

    def split(self, count: int, usage: str) -> list[tuple[str, int]]:
        """The first ``count - 1`` words and the rest of the line as the last
        (kept whole: an expression or a file name with blanks); MagicError
        if there are fewer."""
        out: list[tuple[str, int]] = []
        rest, col = self.args, self.args_column
        for _ in range(count - 1):
            m = re.match(r"(\s*)(\S+)", rest)
            if m is None:
                raise MagicError(f"usage: {usage}", col)
            out.append((m.group(2), col + len(m.group(1))))
            col += m.end()
            rest = rest[m.end():]
        lead = len(rest) - len(rest.lstrip())
        if not rest.strip():
            raise MagicError(f"usage: {usage}", col + lead)
        out.append((rest.strip(), col + lead))
        return out


Handler = Callable[[MagicHost, MagicCall], list[Output]]


@dataclass(frozen=True)
class Magic:
    """A registered magic: its handler, how it is called, what it does."""

    name: str
    handler: Handler
    usage: str
    summary: str


#: every magic, by name (without the prefix)
MAGICS: dict[str, Magic] = {}


def register(name: str, usage: str, summary: str) -> Callable[[Handler], Handler]:
    """Add a magic ``)name`` to :data:`MAGICS` (a decorator)."""

    def add(handler: Handler) -> Handler:
        MAGICS[name] = Magic(name, handler, usage, summary)
        return handler

    return add


@dataclass
class MagicRun:
    """What a magic cell did: its outputs in order, and the error that ended
    it, as ``(ename, evalue, traceback)``, if one did."""

    outputs: list[Output] = field(default_factory=list)
    error: Optional[tuple[str, str, list[str]]] = None


# ----- running a magic cell ------------------------------------------------------------


def is_magic_cell(code: str) -> bool:
    """Whether the cell's first non-blank line starts with the prefix."""
    for line in code.split("\n"):
        if line.strip():
            return line.lstrip().startswith(PREFIX)
    return False


def run_magic_cell(host: MagicHost, code: str, file: str,
                   emit: Optional[Callable[[Output], None]] = None) -> MagicRun:
    """Run each magic line of ``code`` in order, until one fails. Each
    magic's outputs are also given to ``emit`` as soon as it has run, so
    they come in order with what cogs print meanwhile (``)wait``)."""
    run = MagicRun()
    for number, line in enumerate(code.split("\n"), start=1):
        if not line.strip():
            continue
        call: Optional[MagicCall] = None
        try:
            call = parse_line(line, file, number)
            magic = MAGICS.get(call.name)
            if magic is None:
                known = " ".join(PREFIX + n for n in sorted(MAGICS))
                raise MagicError(f"no magic {PREFIX}{call.name} (there are: {known})",
                                 call.column + 1)
            outputs = magic.handler(host, call)
            run.outputs.extend(outputs)
            for out in outputs if emit is not None else ():
                emit(out)
        except MagicError as e:
            run.error = _magic_error(file, number, call, e.reason, e.column)
        except _SireFailure as e:
            run.error = failure_report(e.failures)
        except PallasError as e:            # the machine or a value went wrong under a magic
            run.error = _magic_error(file, number, call, str(e), call.column if call else 1)
        except KeyboardInterrupt:           # Ctrl-C: magics change nothing until they finish
            run.error = _magic_error(file, number, call, "interrupted", call.column if call else 1)
        if run.error is not None:
            break
    return run


def _magic_error(file: str, line: int, call: Optional[MagicCall], reason: str,
                 column: int) -> tuple[str, str, list[str]]:
    """A MagicError's (ename, evalue, traceback): one line with the place
    and the magic's name."""
    name = PREFIX + call.name if call is not None else "magic"
    return "MagicError", reason, [f"{file}:{line}:{column or 1}: {name}: {reason}"]


def parse_line(line: str, file: str, number: int) -> MagicCall:
    """A magic line as a :class:`MagicCall`; MagicError if it does not start
    with the prefix and a name."""
    indent = len(line) - len(line.lstrip())
    if not line.lstrip().startswith(PREFIX):
        raise MagicError(f"a magic cell holds one magic per line, each starting with "
                         f"'{PREFIX}' (as )help lists them)", indent + 1)
    m = re.match(r"[A-Za-z_][A-Za-z0-9_-]*", line[indent + 1:])
    if m is None:
        raise MagicError(f"a magic's name follows '{PREFIX}' (try {PREFIX}help)", indent + 2)
    start = indent + 1 + m.end()
    return MagicCall(m.group(), line[start:], file, number, indent + 1, start + 1, line)


def execute(kernel: Any, code: str, silent: bool) -> dict:
    """The kernel's execute of a magic cell: run it on the kernel (a
    :class:`MagicHost` with ``send_response``), send its outputs and error
    on iopub, and give the execute_reply's content."""

    def send(out: Output) -> None:
        if silent:
            return
        if isinstance(out, Text):
            kernel.send_response(kernel.iopub_socket, "stream",
                                 {"name": out.stream, "text": out.text + "\n"})
        else:
            kernel.send_response(kernel.iopub_socket, "display_data",
                                 {"data": out.data, "metadata": {}})

    run = run_magic_cell(kernel, code, f"In[{kernel.execution_count}]", send)
    if run.error is None:
        return {"status": "ok", "execution_count": kernel.execution_count, "payload": [],
                "user_expressions": {}}
    ename, evalue, traceback = run.error
    content = {"ename": ename, "evalue": evalue, "traceback": traceback}
    if not silent:
        kernel.send_response(kernel.iopub_socket, "error", content)
    return {"status": "error", "execution_count": kernel.execution_count, **content}


# ----- helpers ---------------------------------------------------------------------


def _notebook(host: MagicHost, call: MagicCall) -> NotebookMachine:
    if host.notebook is None:
        raise MagicError("this kernel has no machine (it did not open); try )attach PATH",
                         call.column)
    return host.notebook


def _number(word: str, column: int, what: str) -> int:
    if not word.isdigit():
        raise MagicError(f"{what} is a number, not {word!r}", column)
    return int(word)


def _no_more(call: MagicCall, words: list[tuple[str, int]], allowed: int, usage: str) -> None:
    if len(words) > allowed:
        raise MagicError(f"unexpected {words[allowed][0]!r}; usage: {usage}", words[allowed][1])


def evaluate(session: Session, expr: str, call: MagicCall, column: int) -> tuple[list[Output], list[Value]]:
    """Run ``expr`` (found at ``column`` of the magic's line) on a copy of
    ``session``, so nothing it does stays: its ``trk`` output and the values
    of its expressions. A failure raises _SireFailure, placed in the cell."""
    scratch = Session(session.state)
    scratch.loader = session.loader
    outputs: list[Output] = []
    values: list[Value] = []
    failures: list[Failed] = []

    def on_event(ev: object) -> None:
        if isinstance(ev, Failed):
            # the text run was the expression behind blanks: show the real line
            failures.append(dataclasses.replace(ev, code=call.text) if ev.line == call.line else ev)
        elif isinstance(ev, Traced):
            outputs.append(Text(scratch.show(ev.value), "stdout" if ev.module is None else "stderr"))
        elif isinstance(ev, Evaluated):
            values.append(ev.value)

    scratch.run(" " * (column - 1) + expr, call.file, call.line, on_event=on_event)
    if failures:
        raise _SireFailure(failures)
    if not values:
        raise MagicError("the expression has no value (a definition?)", column)
    return outputs, values


def _table(head: list[str], rows: list[list[str]], caption: str) -> str:
    """An HTML table (cells already escaped) in the display's style."""
    th = "".join(f"<th>{h}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'{STYLE}<div class="pk-value"><div>{caption}</div>'
            f"<table><tr>{th}</tr>{body}</table></div>")


def _plain_table(head: list[str], rows: list[list[str]]) -> str:
    """The same table as aligned text."""
    widths = [max(len(x) for x in col) for col in zip(head, *rows)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in [head, *rows]]
    return "\n".join(lines)


def _esc(s: str) -> str:
    return html.escape(s)


def _size(n: int) -> str:
    """Bytes for a person: 812 B, 12.3 KiB, 4.0 MiB."""
    if n < 1024:
        return f"{n} B"
    for unit in ("KiB", "MiB", "GiB"):
        n /= 1024
        if n < 1024 or unit == "GiB":
            return f"{n:.1f} {unit}"
    return f"{n} B"


def _utc(seconds: int) -> str:
    if not seconds:
        return ""
    return datetime.fromtimestamp(seconds, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ----- the magics ---------------------------------------------------------------------


@register("help", ")help", "this list")
def magic_help(host: MagicHost, call: MagicCall) -> list[Output]:
    _no_more(call, call.words(), 0, ")help")
    rows = [[m.usage, m.summary] for m in sorted(MAGICS.values(), key=lambda m: m.name)]
    text = "Magics (a cell that starts with ')', one per line):\n" + _plain_table(["magic", "what"], rows)
    html_rows = [[f"<code>{_esc(u)}</code>", _esc(s)] for u, s in rows]
    return [Display({"text/plain": text,
                     "text/html": _table(["magic", "what"], html_rows,
                                         "Magics (a cell that starts with <code>)</code>, one per line)")})]


@register("log", ")log [N]", "the machine's last N events (20): number, kind, cell, time, summary")
def magic_log(host: MagicHost, call: MagicCall) -> list[Output]:
    words = call.words()
    _no_more(call, words, 1, ")log [N]")
    count = _number(*words[0], "N") if words else LOG_DEFAULT
    notebook = _notebook(host, call)
    store = notebook.machine.store
    last = store.last_event()
    first = max(1, last - count + 1)
    show = lambda v: host.sire.show(v, 200)  # noqa: E731
    rows = []
    for number, record in store.events(first) if count else []:
        rows.append(_log_row(store, number, record, show))
    head = ["event", "kind", "cell", "time (UTC)", "summary"]
    shown = f"events {first} to {last}" if rows else "no events"
    caption = f"{notebook.label()} · {last} event{'s' if last != 1 else ''} · {shown}"
    text = caption + ("\n" + _plain_table(head, rows) if rows else "")
    html_rows = [[_esc(c) if i != 4 else f"<code>{_esc(c)}</code>" for i, c in enumerate(r)] for r in rows]
    return [Display({"text/plain": text, "text/html": _table(head, html_rows, _esc(caption))})]


def _log_row(store: Any, number: int, record: bytes, show: Callable[[Value], str]) -> list[str]:
    if is_cell_record(record):
        cell = cell_record(number, read_cell(store, number, record, session=False)[0])
        lines = [ln for ln in cell.source.split("\n") if ln.strip()]
        first = lines[0] if lines else ""
        if len(first) > SUMMARY_CHARS:
            first = first[:SUMMARY_CHARS - 1] + "…"
        more = " …" if len(lines) > 1 else ""
        who = f"[{cell.count}]" + (f" {cell.cell}" if cell.cell else "")
        return [str(number), "cell", who, _utc(cell.time), f"{first}{more} · {cell.status}"]
    text = describe_event(store, number, record, show)
    summary = text.split(" ", 1)[1] if " " in text else text
    return [str(number), "cog", "", "", summary]


@register("pins", ")pins", "how many pins the machine stores, their size, the 10 largest")
def magic_pins(host: MagicHost, call: MagicCall) -> list[Output]:
    _no_more(call, call.words(), 0, ")pins")
    notebook = _notebook(host, call)
    store = notebook.machine.store
    stats = store.pin_stats(PINS_LISTED)
    names = host.sire.scope_names()
    rows = []
    for h, size in stats.largest:
        rows.append([base58.encode(h)[:8], _size(size), _pin_name(store, h, names)])
    caption = f"{stats.count:,} pins, {_size(stats.total_bytes)} stored ({stats.total_bytes:,} bytes)"
    head = ["pin", "size", "what"]
    text = caption + ("\nlargest:\n" + _plain_table(head, rows) if rows else "")
    html_rows = [[f'<code title="{base58.encode(h)}">#{_esc(r[0])}</code>', _esc(r[1]), _esc(r[2])]
                 for (h, _), r in zip(stats.largest, rows)]
    return [Display({"text/plain": text, "text/html": _table(head, html_rows, _esc(caption))})]


def _pin_name(store: Any, h: bytes, names: Any) -> str:
    """What a stored pin is: the name it is bound to in scope, else ``law
    NAME`` for a law, else the shape of its item (``row``, ``tab``, ``nat``,
    ...). Read from the pin's germ alone, its sub-pins left as holes, so
    nothing large is loaded."""
    bound = names.pin_hash_name(h)
    if bound:
        return bound
    refs, body = store.pin_germ(h)
    try:
        item = plan.load_germ([_HOLE] * len(refs), body)
    except PallasError:
        return "?"
    if item.kind == "law":
        t = item.layer()
        text = nat_text(nat_of(t.name) or 0) if isinstance(t, Law) else None
        return f"law {text}" if text and text.isprintable() else "law"
    return item.shape or item.kind


_HOLE = plan.pin(0)


@register("at", ")at N EXPR", "EXPR evaluated in the scope as of event N (the present is left as it is)")
def magic_at(host: MagicHost, call: MagicCall) -> list[Output]:
    usage = ")at N EXPR"
    (word, col), (expr, expr_col) = call.split(2, usage)
    event = _number(word, col, "the event N")
    notebook = _notebook(host, call)
    store = notebook.machine.store
    last = store.last_event()
    if event > last:
        raise MagicError(f"there is no event {event}: the log has {last}", col)
    session, which = _session_at(host, store, event)
    outputs, values = evaluate(session, expr, call, expr_col)
    outputs.insert(0, Text(f"as of event {event} ({which})"))
    names = session.scope_names()
    return outputs + [Display(mime_bundle(v, names)) for v in values]


def _session_at(host: MagicHost, store: Any, event: int) -> tuple[Session, str]:
    """The session as of ``event``: restored from the last cell event at or
    before it, or (none) one with the prelude, as a kernel starts."""
    found = None
    for number, record in store.events(1):
        if number > event:
            break
        if is_cell_record(record):
            found = (number, record)
    if found is None:
        from .kernel import start_session       # the kernel imports this module
        session, problem = start_session(None)
        if problem:
            raise MagicError(f"no cell before event {event}, and the prelude did not load: {problem}")
        return session, "no cell yet: the prelude"
    number, record = found
    pin = store.get_pin(cell_session_hash(number, record))
    session = Session.restore(pin, cache=host.sire.loader.cache)
    return session, f"the session cell event {number} left"


@register("export", ")export NAME FILE", "the value bound to NAME written as a seed file")
def magic_export(host: MagicHost, call: MagicCall) -> list[Output]:
    usage = ")export NAME FILE"
    (name, col), (file, file_col) = call.split(2, usage)
    info = host.sire.describe(name)
    if info is None:
        raise MagicError(f"{name!r} is not bound in scope", col)
    data = plan.save_seed(info.value)
    path = Path(os.getcwd()) / Path(file).expanduser()
    try:
        path.write_bytes(data)
    except OSError as e:
        raise MagicError(f"cannot write {file}: {e.strerror}", file_col) from None
    return [Text(f"wrote {name} to {file}: {len(data):,} bytes (a seed; "
                 f"pallas_kernel.plan.load_seed reads it back)")]


@register("attach", ")attach PATH", "record in the machine at PATH (scratch:NAME: a scratch machine) "
          "from now on; its last session becomes the session")
def magic_attach(host: MagicHost, call: MagicCall) -> list[Output]:
    (where, col), = call.split(1, ")attach PATH")
    if where.startswith(SCRATCH):
        name = where[len(SCRATCH):]
        if not re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", name):
            raise MagicError(f"a scratch machine's name is letters, digits, '_', '.' and '-', "
                             f"not {name!r}", col)
        path = scratch_dir(host) / name
        label = where
    else:
        path = Path(os.getcwd()) / Path(where).expanduser()
        label = ""
        if not (path / DATA_FILE).is_file():
            raise MagicError(f"no machine at {where} (no {DATA_FILE}; make one with pallas boot, "
                             f"or use a scratch machine, {SCRATCH}NAME)", col)
    if host.notebook is not None and _same_dir(host.notebook.path, path):
        raise MagicError(f"this kernel is already attached to {where}", col)
    try:
        other = NotebookMachine.open(path)
    except PallasError as e:
        raise MagicError(f"cannot attach {where}: {e}", col) from None
    other.name = label
    try:
        pin = other.session()
        session = Session.restore(pin, cache=host.sire.loader.cache) if pin is not None else None
    except PallasError as e:
        other.close()
        raise MagicError(f"cannot attach {where}: its session does not load: {e}", col) from None
    old = host.notebook
    detach = getattr(host, "detach_cogs", None)     # a kernel stops the old machine's cogs first
    if detach is not None:
        detach()
    host.notebook = other
    if session is not None:
        host.sire = session
        host.runner = CellRunner(session)
    if old is not None:
        old.close()
    attach = getattr(host, "attach_cogs", None)     # and runs the new machine's cogs
    if attach is not None:
        attach()
    last = other.machine.last_event()
    cogs = len(other.machine.cogs)
    kept = ("its last session is now the session" if session is not None
            else "it has no cell: the session is kept")
    return [Text(f"attached {where} ({last} event{'s' if last != 1 else ''}, "
                 f"{cogs} cog{'s' if cogs != 1 else ''}); {kept}; later cells are recorded there")]


#: the prefix of a scratch machine's name in ``)attach``
SCRATCH = "scratch:"


def scratch_dir(host: Any) -> Path:
    """The host's directory of scratch machines: made on first use, a
    temporary directory the kernel removes when it shuts down (the host's
    ``scratch`` attribute)."""
    where = getattr(host, "scratch", None)
    if where is None:
        where = Path(tempfile.mkdtemp(prefix="pallas-scratch-"))
        host.scratch = where
    return where


def _same_dir(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


@register("dag", ")dag EXPR", "an SVG of the pins EXPR's value reaches, sized by their serialized size")
def magic_dag(host: MagicHost, call: MagicCall) -> list[Output]:
    (expr, col), = call.split(1, ")dag EXPR")
    outputs, values = evaluate(host.sire, expr, call, col)
    names = host.sire.scope_names()
    for v in values:
        svg = dag_svg(v, names)
        outputs.append(Display({"image/svg+xml": svg,
                                "text/plain": f"<pin DAG of {host.sire.show(v, 60)}>"}))
    return outputs
