"""Shared test helpers, importable from every test folder as ``helpers.*``
(pyproject puts ``tests`` on the path): hand-built laws, jet call shorthands,
random PLAN programs, Rex tree constructors and the Sire term notation."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
"""The checkout's root (for tools/ and running the package from source)."""

DATA = REPO / "tests" / "data"
"""The test data: the reference's vectors, seeds and Sire files."""
