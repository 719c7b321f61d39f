"""The tutorial notebooks are built from notebooks/src/*.md by
tools/notebooks.py: each notebook has the cells of its source (kind, text,
tags), in order, all run, on the kernel `pallas`; lesson 7 quotes
sire/demo_pmap.sire as it is; and the source reader splits cells as its
documentation says. (Running the notebooks is nbval's job: `make test`.)"""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def load_tool():
    spec = importlib.util.spec_from_file_location("tool_notebooks", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_matches_its_source():
    assert load_tool().stale() == []


def test_the_tutorials_are_there():
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    for want in ("01_sire_basics.ipynb", "02_plan_from_first_principles.ipynb",
                 "03_data_structures_and_jets.ipynb", "04_macros_and_rex.ipynb",
                 "05_persistence_and_cogs.ipynb", "06_inspecting_persisted_state.ipynb",
                 "07_parallel_eval.ipynb"):
        assert want in names


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_saved_outputs_are_clean(path):
    """Outputs are saved, have no errors except in cells tagged
    raises-exception, and hold nothing that varies between runs (temporary
    paths, Python object addresses); no timing metadata."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    assert nb["metadata"]["kernelspec"]["name"] == "pallas"
    assert nb["metadata"]["language_info"]["name"] == "sire"
    for cell in nb["cells"]:
        if cell["cell_type"] != "code":
            continue
        assert cell["outputs"], cell["source"]
        assert "execution" not in cell["metadata"]
        tagged = "raises-exception" in cell["metadata"].get("tags", [])
        errors = [o for o in cell["outputs"] if o["output_type"] == "error"]
        assert bool(errors) == tagged, cell["source"]
        text = json.dumps(cell["outputs"])
        for varying in ("/tmp/", "object at 0x", "pallas-notebook-"):
            assert varying not in text, (cell["source"], varying)


def test_only_what_varies_is_sanitized():
    """The sanitizer (notebooks/sanitize.cfg, given to nbval by
    notebooks/conftest.py) replaces times and HTTP ports, nothing else; and
    no tutorial hides a cell's output from nbval."""
    text = (NOTEBOOKS / "sanitize.cfg").read_text(encoding="utf-8")
    patterns = re.findall(r"^regex: (.*)$\n^replace: (.*)$", text, flags=re.MULTILINE)
    assert [r for _, r in patterns] == ["TIME", "_http_port=PORT"]
    samples = {"TIME": "1  cell  [1]  2026-12-03T12:15:46Z  price=10 · ok",
               "_http_port=PORT": "pallas: _http_port=39739"}
    for regex, replace in patterns:
        assert re.sub(regex, replace, samples[replace]) != samples[replace]
        assert re.sub(regex, replace, "[%count 3] 2,895 pins, 73.6 KiB, request 1: /again") == \
            "[%count 3] 2,895 pins, 73.6 KiB, request 1: /again"
    for path in NOTEBOOKS.glob("*.ipynb"):
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            tags = cell.get("metadata", {}).get("tags", [])
            assert not {"nbval-ignore-output", "nbval-skip", "skip-execution"} & set(tags), path.name


def test_lesson_7_quotes_the_demo_file():
    nb = json.loads((NOTEBOOKS / "07_parallel_eval.ipynb").read_text(encoding="utf-8"))
    prose = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    demo = (ROOT / "sire" / "demo_pmap.sire").read_text(encoding="utf-8").rstrip("\n")
    assert "````sire\n" + demo + "\n````" in prose


def test_the_source_reader():
    tool = load_tool()
    text = "# Title\n\nprose\n\n```sire\n(add 1 2)\n```\n\nmore\n<!-- cell -->\nnext\n\n" \
           "```sire raises-exception\n(die 1)\n\n= x 3\n```\n````sire\nquoted\n````\n```sh\n$ ls\n```\n"
    cells = tool.parse_source(text)
    assert cells == [("markdown", "# Title\n\nprose", []), ("code", "(add 1 2)", []),
                     ("markdown", "more", []), ("markdown", "next", []),
                     ("code", "(die 1)\n\n= x 3", ["raises-exception"]),
                     ("markdown", "````sire\nquoted\n````\n```sh\n$ ls\n```", [])]
    with pytest.raises(ValueError, match="not closed"):
        tool.parse_source("```sire\n(add 1 2)\n")
