"""Sire: the language of Pallas, compiled to PLAN.

What is here so far is the backend, the part of the compiler that does not
depend on the Rex reader: the Sire AST (:mod:`.ast`), the inliner
(:mod:`.inline`), ingest with its simplifications (:mod:`.ingest`), lambda
lifting and code generation (:mod:`.codegen`), the entry points
(:mod:`.backend`), and the PLAN encoding of ASTs and bindings that macros
see (:mod:`.noun`). The same AST yields the same PLAN, bit for bit, as the
reference's bootstrap compiler (``lib/Sire/Backend.hs``), so pins get the
same hashes.
"""

from .ast import A, Bind, F, G, K, L, Lam, M, R, V, Sire, has_ref_to, make_lam
from .backend import compile_expr, compile_lambda, evaluate, expr_tree, lazy_value
from .noun import bind_of_pin, bind_pin, decode_ast, encode_ast

__all__ = [
    "A", "Bind", "F", "G", "K", "L", "Lam", "M", "R", "V", "Sire", "has_ref_to",
    "make_lam", "compile_expr", "compile_lambda", "evaluate", "expr_tree", "lazy_value",
    "bind_of_pin", "bind_pin", "decode_ast", "encode_ast",
]
