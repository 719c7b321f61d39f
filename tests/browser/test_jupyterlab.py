"""The real thing in a real browser: JupyterLab started as `make run` starts
it (tests/helpers/lab.py), driven by Playwright in Debian's Chromium.

A copy of the first tutorial (outputs cleared, in a temporary directory, so
the repository's notebook is untouched and every output seen comes from this
run) is opened and run with Run > Run All Cells, as a reader would. Then:
no cell shows an error but those tagged ``raises-exception``; values
rendered as HTML tables; Sire cells are highlighted by the pallas-sire
extension (CodeMirror spans with its ``cm-sire-*`` classes, coloured by the
theme); Tab completion offers prelude names from the kernel. A screenshot
goes to the artifacts directory ($PALLAS_TEST_ARTIFACTS, else
tests/artifacts/); with PALLAS_DOCS_SCREENSHOT=1 (`make screenshot`) it also
replaces docs/screenshot.png, the README's picture.

Chromium is not downloaded (no `playwright install`): the test runs
/usr/bin/chromium, which `.ci/run` installs with apt-get, and fails (not
skips) when it is missing. Takes about 20 s.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Iterator, Optional

import pytest
from playwright.sync_api import expect, sync_playwright

from helpers import REPO
from helpers.lab import Lab, running_lab, wait_for_kernel

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 800}
NOTEBOOK = "01_sire_basics.ipynb"
ARTIFACTS = Path(os.environ.get("PALLAS_TEST_ARTIFACTS") or REPO / "tests" / "artifacts")
DOCS_SCREENSHOT = REPO / "docs" / "screenshot.png"
TIMEOUT_MS = 60_000          # any one wait: page load, a kernel start, a completion
RUN_ALL_TIMEOUT_MS = 180_000  # all cells of the tutorial (a few seconds when idle)

# Every cell rendered into the page (no windowing, so all code cells can be
# read), and no "official Jupyter news?" toast over the screenshot.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension:tracker": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false"},
}

# True once every code cell shows an execution count (`[3]:`) and the kernel is idle.
ALL_RAN = """() => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputArea-prompt')];
  const status = document.querySelector('.jp-Notebook-ExecutionIndicator');
  return prompts.length > 0 && prompts.every(p => /^\\[\\d+\\]:$/.test(p.textContent.trim()))
    && status !== null && status.dataset.status === 'idle';
}"""

# Per code cell, in order: its source and the text of each error output.
CELL_ERRORS = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')].map(cell => ({
  source: cell.querySelector('.cm-content').innerText,
  errors: [...cell.querySelectorAll(
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')].map(e => e.innerText)
}))"""


def cleared_copy(source: Path, target_dir: Path) -> Path:
    """``source`` copied into ``target_dir`` without outputs or counts."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = []
            cell["execution_count"] = None
    target = target_dir / source.name
    target.write_text(json.dumps(nb, indent=1) + "\n", encoding="utf-8")
    return target


def code_sources(notebook: Path, tag: Optional[str] = None) -> list[str]:
    """The sources of the code cells of ``notebook`` (those tagged ``tag``, if given)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"
            and (tag is None or tag in c.get("metadata", {}).get("tags", []))]


def save_screenshot(page, name: str) -> Path:
    """A PNG of the page in the artifacts directory."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path))
    return path


@pytest.fixture(scope="module")
def chromium() -> Path:
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"{CHROMIUM} is missing: the browser test drives Debian's Chromium; install "
                    "it with `apt-get install -y chromium` (.ci/run does)", pytrace=False)
    return CHROMIUM


@pytest.fixture(scope="module")
def notebook_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("notebooks")
    cleared_copy(REPO / "notebooks" / NOTEBOOK, root)
    return root


@pytest.fixture(scope="module")
def lab(tmp_path_factory, notebook_dir) -> Iterator[Lab]:
    with running_lab(tmp_path_factory.mktemp("lab"), notebook_dir, LAB_SETTINGS) as lab:
        yield lab


@pytest.fixture(scope="module")
def browser(chromium):
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                             args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


def open_and_run_all(page, lab: Lab) -> None:
    """Open the tutorial, wait for its kernel, Run > Run All Cells, wait until done."""
    page.goto(lab.url(f"/lab/tree/{NOTEBOOK}"))
    page.locator(".jp-Notebook .jp-CodeCell").first.wait_for()
    wait_for_kernel(lab, NOTEBOOK)      # the page's indicator says idle before there is a kernel
    page.wait_for_function(
        "() => document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status === 'idle'")
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.locator(".lm-Menu .lm-Menu-itemLabel").get_by_text("Run All Cells", exact=True).click()
    page.wait_for_function(ALL_RAN, timeout=RUN_ALL_TIMEOUT_MS, polling=250)


@pytest.fixture(scope="module")
def page(chromium, lab, browser):
    """The tutorial, every cell run (a screenshot is saved if that fails)."""
    failed = ARTIFACTS / "jupyterlab-failed-run.png"
    failed.unlink(missing_ok=True)                        # from an earlier run
    page = browser.new_page(viewport=VIEWPORT)
    page.set_default_timeout(TIMEOUT_MS)
    try:
        try:
            open_and_run_all(page, lab)
        except Exception:
            save_screenshot(page, failed.name)
            raise
        yield page
    finally:
        page.close()


def cell(page, source: str, whole: bool = False):
    """The first code cell whose source starts with ``source`` (or, if
    ``whole``, is exactly ``source``)."""
    pattern = re.compile("^" + re.escape(source) + ("$" if whole else ""))
    return page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".cm-content", has_text=pattern)).first


def test_no_errors_but_in_the_cells_tagged_raises_exception(page, notebook_dir):
    cells = page.evaluate(CELL_ERRORS)
    assert len(cells) == len(code_sources(notebook_dir / NOTEBOOK))
    expected = [s.strip() for s in code_sources(notebook_dir / NOTEBOOK, "raises-exception")]
    assert expected, "the tutorial shows an error on purpose (a raises-exception cell)"
    with_errors = [c for c in cells if c["errors"]]
    assert [c["source"].strip() for c in with_errors] == expected, with_errors
    assert "Unresolved symbol: nope" in with_errors[0]["errors"][0]


def test_values_render_as_html_tables(page):
    tab = cell(page, "ada", whole=True).locator(
        '.jp-OutputArea-output[data-mime-type="text/html"] table').first   # the tab's (a row nests)
    tab.wait_for()
    text = tab.inner_text()
    assert "born" in text and "1815" in text and "Ada Lovelace" in text
    assert page.locator(".jp-OutputArea-output table").count() >= 5


def test_sire_cells_are_highlighted_by_the_extension(page):
    fact = cell(page, "= (fact n)")
    classes = fact.locator(".cm-content span[class*='cm-sire-']").evaluate_all(
        "spans => spans.map(s => [[...s.classList].find(c => c.startsWith('cm-sire-')), s.textContent])")
    assert ["cm-sire-word", "fact"] in classes
    assert ["cm-sire-rune", "="] in classes
    assert ["cm-sire-number", "1"] in classes
    # and the theme colours them: a number is not the colour of plain text
    number = fact.locator(".cm-sire-number").first.evaluate("e => getComputedStyle(e).color")
    plain = fact.locator(".cm-content").evaluate("e => getComputedStyle(e).color")
    assert number != plain


def test_screenshot(page):
    """The notebook with highlighted code and tables, sidebar closed, for the README."""
    current = page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
    current.click()                                       # the open panel's tab closes it
    current.wait_for(state="detached")
    # the Tabs section: a definition (runes, strings, numbers), a tab and a row as tables
    start = page.locator(".jp-MarkdownCell", has=page.locator("h2", has_text="Tabs")).first
    start.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_function("e => e.getBoundingClientRect().top < 150", arg=start.element_handle())
    path = save_screenshot(page, "jupyterlab-01_sire_basics.png")
    assert path.stat().st_size > 10_000
    if os.environ.get("PALLAS_DOCS_SCREENSHOT") == "1":
        shutil.copyfile(path, DOCS_SCREENSHOT)


def test_tab_completes_prelude_names(page):
    cells = page.locator(".jp-Notebook .jp-CodeCell")
    count = cells.count()
    cells.last.locator(".jp-InputArea-prompt").click()    # select it, command mode
    page.keyboard.press("b")                              # a new cell below it
    expect(cells).to_have_count(count + 1)
    cells.last.locator(".cm-content").click()
    page.keyboard.type("(fol")
    page.keyboard.press("Tab")
    completer = page.locator(".jp-Completer")
    completer.wait_for(state="visible")
    items = completer.locator(".jp-Completer-item .jp-Completer-match").all_inner_texts()
    assert "foldl" in items, items
