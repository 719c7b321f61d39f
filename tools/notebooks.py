"""The tutorial notebooks (notebooks/*.ipynb) from their sources
(notebooks/src/*.md), run by this checkout's Sire kernel.

A source is Markdown: each fenced block whose info string starts with
``sire`` is a code cell (words after ``sire`` are cell tags, e.g.
``raises-exception`` for a cell that shows an error on purpose); the text
between code cells is one Markdown cell each. A line ``<!-- cell -->``
splits Markdown into two cells. Cell ids are the notebook's position
(``c01``, ``c02``, ...), so a rebuilt notebook differs from the old one only
where its content does.

    python tools/notebooks.py build [NAME ...]   # write and run (all by default)
    python tools/notebooks.py check              # do the notebooks match their sources?

``build`` runs every cell with nbclient on the kernel ``pallas`` of this
checkout (a kernelspec written into a temporary JUPYTER_PATH, the checkout
first on PYTHONPATH, no PALLAS_MACHINE or JPY_SESSION_NAME: each run gets a
fresh temporary machine), without timings, so the saved outputs are what
``pytest --nbval notebooks/`` expects.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import sys
import tempfile
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
SOURCES = NOTEBOOKS / "src"
KERNELSPEC = {"name": "pallas", "display_name": "Sire (Pallas)", "language": "sire"}
CELL_TIMEOUT = 300
FENCE = re.compile(r"^```(\S*)(.*)$")
SPLIT = "<!-- cell -->"


def parse_source(text: str) -> list[tuple[str, str, list[str]]]:
    """The cells of a source: (kind, text, tags), kind "markdown" or "code"."""
    cells: list[tuple[str, str, list[str]]] = []
    prose: list[str] = []

    def end_prose() -> None:
        body = "\n".join(prose).strip("\n")
        if body.strip():
            cells.append(("markdown", body, []))
        prose.clear()

    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = FENCE.match(line)
        if fence and fence.group(1) == "sire":
            end_prose()
            code: list[str] = []
            i += 1
            while i < len(lines) and lines[i] != "```":
                code.append(lines[i])
                i += 1
            if i == len(lines):
                raise ValueError(f"line {len(lines)}: a sire block is not closed")
            cells.append(("code", "\n".join(code), fence.group(2).split()))
        elif fence:                       # another fenced block stays in the prose
            prose.append(line)
            i += 1
            while i < len(lines) and not lines[i].startswith("```"):
                prose.append(lines[i])
                i += 1
            if i < len(lines):
                prose.append(lines[i])
        elif line.strip() == SPLIT:
            end_prose()
        else:
            prose.append(line)
        i += 1
    end_prose()
    return cells


def make_notebook(source: Path):
    """The notebook (nbformat 4.5, no outputs) of a source file."""
    import nbformat.v4 as v4

    nb = v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    for n, (kind, text, tags) in enumerate(parse_source(source.read_text(encoding="utf-8")), 1):
        cell = v4.new_code_cell(text) if kind == "code" else v4.new_markdown_cell(text)
        cell["id"] = f"c{n:02d}"
        if tags:
            cell.metadata["tags"] = tags
        nb.cells.append(cell)
    return nb


@contextlib.contextmanager
def checkout_kernel() -> Iterator[None]:
    """os.environ set so that the kernel ``pallas`` is this checkout's, on a
    fresh temporary machine; restored after."""
    sys.path.insert(0, str(ROOT))
    from pallas_kernel.kernel.install import KERNEL_NAME, write_spec_dir

    keys = ("JUPYTER_PATH", "PYTHONPATH", "PALLAS_MACHINE", "JPY_SESSION_NAME")
    saved = {k: os.environ.get(k) for k in keys}
    with tempfile.TemporaryDirectory(prefix="pallas-notebooks-") as tmp:
        write_spec_dir(Path(tmp) / "kernels" / KERNEL_NAME)
        os.environ["JUPYTER_PATH"] = os.pathsep.join([tmp] + ([saved["JUPYTER_PATH"]] if saved["JUPYTER_PATH"] else []))
        os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT)] + ([saved["PYTHONPATH"]] if saved["PYTHONPATH"] else []))
        os.environ.pop("PALLAS_MACHINE", None)
        os.environ.pop("JPY_SESSION_NAME", None)
        try:
            yield
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v


def build(name: str) -> Path:
    """Write notebooks/NAME.ipynb from notebooks/src/NAME.md and run it."""
    import nbformat
    from nbclient import NotebookClient

    nb = make_notebook(SOURCES / f"{name}.md")
    with checkout_kernel():
        NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNELSPEC["name"],
                       record_timing=False, resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    target = NOTEBOOKS / f"{name}.ipynb"
    nbformat.write(nb, str(target))
    return target


def stale() -> list[str]:
    """Why each notebook differs from its source (cells' kind, text or tags),
    or that a source or a notebook lacks its twin."""
    import nbformat

    problems = []
    sources = {p.stem for p in SOURCES.glob("*.md")}
    books = {p.stem for p in NOTEBOOKS.glob("*.ipynb")}
    problems += [f"{n}.ipynb has no source in notebooks/src/" for n in sorted(books - sources)]
    problems += [f"src/{n}.md has not been built" for n in sorted(sources - books)]
    for name in sorted(sources & books):
        want = make_notebook(SOURCES / f"{name}.md")
        have = nbformat.read(str(NOTEBOOKS / f"{name}.ipynb"), as_version=4)
        if have.metadata.get("kernelspec", {}).get("name") != KERNELSPEC["name"]:
            problems.append(f"{name}.ipynb: kernelspec is not {KERNELSPEC['name']}")
        pairs = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in want.cells]
        got = [(c.cell_type, c.source, c.metadata.get("tags", [])) for c in have.cells]
        if pairs != got:
            at = next((i for i, (a, b) in enumerate(zip(pairs, got)) if a != b), min(len(pairs), len(got)))
            problems.append(f"{name}.ipynb differs from src/{name}.md at cell {at + 1}")
        elif any(c.cell_type == "code" and c.execution_count is None for c in have.cells):
            problems.append(f"{name}.ipynb has cells that were not run")
    return problems


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="tools/notebooks.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="write the notebooks from their sources and run them")
    b.add_argument("names", nargs="*", help="notebook names (default: every source)")
    sub.add_parser("check", help="list the notebooks that differ from their sources")
    args = parser.parse_args(argv)
    if args.command == "check":
        problems = stale()
        for p in problems:
            print(p)
        return 1 if problems else 0
    names = args.names or sorted(p.stem for p in SOURCES.glob("*.md"))
    from nbclient.exceptions import CellExecutionError

    for name in names:
        if not (SOURCES / f"{name}.md").is_file():
            print(f"tools/notebooks.py: no source notebooks/src/{name}.md", file=sys.stderr)
            return 2
        try:
            print(f"built {build(name).relative_to(ROOT)}")
        except CellExecutionError as e:     # a cell failed that is not tagged raises-exception
            print(f"tools/notebooks.py: {name}: {e}", file=sys.stderr)
            return 1
        except ValueError as e:             # a malformed source
            print(f"tools/notebooks.py: notebooks/src/{name}.md: {e}", file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
