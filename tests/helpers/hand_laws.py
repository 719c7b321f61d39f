"""Hand-built PLAN laws in the shapes the Sire compiler emits, for tests and
benchmarks of the law compiler: the reference's _If, _Add, _Times and _ToNat
(whose hashes are in the published table), and _Dec, _Sub and _Lth written
here (accepted under their own hashes with accept()), plus nfib."""

from pallas_kernel import plan

TIMES = '<{"_Times" 3 (0 (0 (0 (2 2) 2) (0 (0 0 1) (0 1 2))) 3)}>'
TONAT = '<{"_ToNat" 1 (0 (2 0 3) 1)}>'
ADD = f'<{{"_Add" 2 (0 (0 ({TIMES} 3) (0 {TONAT} 1)) 2)}}>'
IF = '<{"_If" 3 (0 (0 (0 (2 2) 3) (0 {0 2 1} 2)) 1)}>'
DEC = '<{"_Dec" 1 (0 (0 (0 2 (2 0)) {0 1 1}) 1)}>'            # (2 0 id x)
SUB = f'<{{"_Sub" 2 (0 (0 (0 {TIMES} {DEC}) 1) 2)}}>'         # times dec x y
# y - x != 0; opcode 2 is quoted, (2 2), because a bare 2 here would be y
LTH = f'<{{"_Lth" 2 (0 (0 (0 (2 2) (2 0)) {{0 1 (2 1)}}) (0 (0 {SUB} 2) 1))}}>'
# nfib n = if (n < 2) 1 (1 + nfib (n - 1) + nfib (n - 2))
NFIB = (f'<{{"nfib" 1 (0 (0 (0 {IF} (0 (0 {LTH} 1) (2 2))) (2 1)) '
        f'(0 (0 {ADD} (2 1)) (0 (0 {ADD} (0 0 (0 (0 {SUB} 1) (2 1)))) '
        f'(0 0 (0 (0 {SUB} 1) (2 2))))))}}>')


def value(text: str) -> plan.Value:
    return plan.read(text).force()


def accept() -> None:
    """Accept the hand-built _Dec, _Sub and _Lth as jets (test-only hashes)."""
    plan.accept_jet_hashes([(name, value(text).pin_hash())
                            for name, text in (("_Dec", DEC), ("_Sub", SUB), ("_Lth", LTH))])


def py_nfib(n: int) -> int:
    return 1 if n < 2 else py_nfib(n - 1) + py_nfib(n - 2) + 1
