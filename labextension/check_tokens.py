"""Checks that the JupyterLab tokenizer (src/sire.ts, run by node through
tokens.mjs) and the Pygments lexer (pallas_kernel/kernel/lexer.py) give the
same token classes to every token of the files named on the command line.
Run by `make labextension` after the build; needs node_modules and lib/."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pygments.token import (Comment, Error, Keyword, Name, Number, Operator, Punctuation, String,
                            Whitespace)

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from pallas_kernel.kernel.lexer import SireLexer  # noqa: E402

# Most specific first: Pygments type -> the tokenizer's class.
CLASSES = [
    (Whitespace, None), (Comment, "sireComment"), (String.Heredoc, "sireLine"),
    (String.Affix, "sireBar"), (String.Symbol, "sireAtom"), (String, "sireString"),
    (Number, "sireNumber"), (Keyword.Namespace, "sireHeader"), (Keyword, "sireKeyword"),
    (Name.Namespace, "sireModule"), (Name, "sireWord"), (Operator, "sireRune"), (Error, "sireError"),
]


def pygments_tokens(text: str) -> list[list]:
    """[class, text] pairs, merging what the tokenizer does not split."""
    out = []
    for ttype, value in SireLexer(stripnl=False, ensurenl=False).get_tokens(text):
        if ttype in Punctuation:
            cls = "sireParen" if value in "()" else "sireBracket"
        else:
            cls = next(c for t, c in CLASSES if ttype in t)
        for piece in value.split("\n"):     # the tokenizer sees one line at a time
            if piece:
                out.append([cls, piece])
            out.append([None, "\n"])
        out.pop()
    return out


def normal(toks: list[list]) -> list[list]:
    """Adjacent unclassed pieces (spaces, newlines) joined."""
    out: list[list] = []
    for cls, text in toks:
        if out and cls is None and out[-1][0] is None:
            out[-1][1] += text
        else:
            out.append([cls, text])
    return out


def main(files: list[str]) -> int:
    run = subprocess.run(["node", "--no-warnings", "--experimental-detect-module", "tokens.mjs", *files],
                         cwd=HERE, capture_output=True, text=True, check=True)
    theirs = json.loads(run.stdout)
    bad = 0
    for f in files:
        text = Path(f).read_text(encoding="utf-8")
        a, b = normal(pygments_tokens(text + "\n")), normal(theirs[f])
        if a != b:
            bad += 1
            diff = next(i for i, (x, y) in enumerate(zip(a + [None], b + [None])) if x != y)
            print(f"{f}: token {diff}: pygments {a[diff:diff + 3]} codemirror {b[diff:diff + 3]}")
    print(f"{len(files) - bad}/{len(files)} files: CodeMirror and Pygments tokens agree")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main([str(Path(f).resolve()) for f in sys.argv[1:]]))
