"""``pallas rex FILE`` and ``pallas rex --hash FILE``."""

from pallas_kernel.cli import main
from pallas_kernel.rex import plan_hash_b58, read, read_blocks, equal


SOURCE = "= (f x)\n| add x 1\n\n(a b\n\nx=3\n} hi\n} there\n"


def write(tmp_path, text):
    path = tmp_path / "t.sire"
    path.write_text(text)
    return str(path)


def test_rex_prints_blocks_and_reports_errors(tmp_path, capsys):
    path = write(tmp_path, SOURCE)
    assert main(["rex", path]) == 1
    out, err = capsys.readouterr()
    assert out == "= (f x)\n| add x 1\n\nx=3\n\n} hi\n} there\n"
    assert err.startswith(f"{path}:4:1 error: unterminated nesting\n    (a b\n    ^^^^\n")
    # what it printed reads back as the same blocks
    want = [b.rex for b in read_blocks(SOURCE) if b.rex is not None]
    got = [b.rex for b in read_blocks(out)]
    assert len(got) == len(want) and all(equal(a, b) for a, b in zip(got, want))


def test_rex_hash_prints_one_line_per_block(tmp_path, capsys):
    path = write(tmp_path, SOURCE)
    assert main(["rex", "--hash", path]) == 1
    out, _ = capsys.readouterr()
    lines = out.splitlines()
    assert lines[0] == plan_hash_b58(read("= (f x)\n| add x 1"))
    assert lines[1] == "ERROR 4:1 unterminated nesting"
    assert lines[2] == plan_hash_b58(read("x=3"))
    assert lines[3] == plan_hash_b58(read("} hi\n} there"))
    assert len(lines) == 4 and len(set(lines)) == 4


def test_rex_clean_file_exits_zero(tmp_path, capsys):
    assert main(["rex", write(tmp_path, "a\n")]) == 0
    assert capsys.readouterr().out == "a\n"


def test_rex_missing_file(tmp_path, capsys):
    assert main(["rex", str(tmp_path / "nope.sire")]) == 1
    assert "nope.sire" in capsys.readouterr().err


def test_rex_reads_stdin(monkeypatch, capsys):
    import io
    import sys

    class FakeStdin:
        buffer = io.BytesIO(b"= x\n  | f y\n")

    monkeypatch.setattr(sys, "stdin", FakeStdin())
    assert main(["rex", "-"]) == 0
    assert capsys.readouterr().out == "= x | f y\n"
