"""Jets on our own standard library: the shipped hashes
(pallas_kernel/jet_hashes_library.tsv) are what `make jet-hashes` makes of
the current sire/ files; every law of ours the table names carries its
native jet once the prelude is loaded; and each of those jets agrees with
our legal code on sample arguments (results and crashes)."""

from __future__ import annotations

from helpers.jet_legal import compare, jetted_pins
from helpers.library import library_state

from pallas_kernel import plan
from pallas_kernel.plan import base58
from pallas_kernel.sire.library import format_jet_hashes, library_jet_hashes


def test_shipped_jet_hashes_are_current():
    """Regenerating gives the shipped file: run `make jet-hashes` if not."""
    shipped = dict(plan.library_jet_table())
    fresh = dict(library_jet_hashes())
    stale = sorted(n for n in fresh.keys() | shipped.keys() if fresh.get(n) != shipped.get(n))
    assert not stale, "stale jet hashes (run `make jet-hashes`): " + " ".join(stale)
    assert format_jet_hashes(sorted(fresh.items())).count("\n") == len(fresh) + 2


def test_every_table_name_we_define_is_jetted():
    """Each law of ours named like a table jet got the jet when loaded."""
    ours = {h for _, h in plan.library_jet_table()}
    pins = jetted_pins(library_state(), ours)
    table = dict(plan.library_jet_table())
    missing = sorted(set(table) - set(pins))
    assert not missing, "defined but not jetted: " + " ".join(missing)
    assert all(plan.pin_hash(p) == table[n] for n, p in pins.items())
    assert all(base58.encode(h) for h in table.values())


def test_every_jet_agrees_with_our_legal_code():
    ours = {h for _, h in plan.library_jet_table()}
    pins = jetted_pins(library_state(), ours)
    checked, disagree = compare(pins)
    detail = "; ".join(f"{d[0]} {d[1]}: jet {str(d[2])[:80]} legal {str(d[3])[:80]}"
                       for d in disagree[:20])
    assert not disagree, f"{len(disagree)} disagreements: {detail}"
    assert len(checked) >= 0.9 * len(pins), f"only {len(checked)} of {len(pins)} jets checked"


def test_jet_report_of_our_prelude(tmp_path):
    """`pallas sire --jet-report prelude`: every table name our library
    defines matched, none mismatched, no unknown jet-like law."""
    import subprocess
    import sys
    run = subprocess.run([sys.executable, "-m", "pallas_kernel", "sire", "-q", "--no-cache",
                          "--jet-report", "prelude"], stdin=subprocess.DEVNULL,
                         capture_output=True, text=True, cwd=tmp_path, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    lines = {ln.split(" (")[0]: ln for ln in run.stdout.splitlines() if ln.startswith("jets ")}
    matched = set(lines["jets matched"].split(": ", 1)[1].split())
    assert set(dict(plan.library_jet_table())) <= matched
    assert lines["jets mismatched"].endswith("(0): ")
    assert lines["jets unknown"].endswith("(0): ")
