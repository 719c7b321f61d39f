/*
** pk_law.h: the internal form of a law body, made on the law's first call.
**
** A body is read once (reference rules, pallas-plan.md 2.1-2.2): the leading
** let chain (1 v b) is peeled off, then each let value and the result are
** turned into postfix code over a value stack:
**
**   REF i     push env[i] (0 self, 1..a args, a+1.. let slots)
**   CONST k   push consts[k] (a literal, or the x of a quote (2 x))
**   APP n     pop f and n args, push the lazy application (f x1 .. xn)
**
** Nested (0 (0 f a) b) becomes one APP 2. Segment i < nlets builds let slot
** i; the last segment computes the result and may branch. It is compiled in
** "spine" mode: the result position is always demanded, so a call of the
** jetted _If there is control flow: the condition is evaluated at once and
** only the branch taken is built (pallas-plan.md 3.2, optimizeSpine):
**
**   EVAL       force the top of the value stack to WHNF
**   EVAL_APP n pop f and n args, push the WHNF of (f x1 .. xn) (no thunk)
**   IF t       pop a WHNF value; if it is not a nonzero nat, jump to t
**   RET        the top of the value stack is the result (APP n just before
**              RET is a tail call: the caller applies f without a thunk)
*/
#ifndef PK_LAW_H
#define PK_LAW_H

#include "pk_value.h"

enum { PK_I_REF = 0, PK_I_CONST, PK_I_APP, PK_I_EVAL, PK_I_EVAL_APP, PK_I_IF, PK_I_RET };
#define pk_instr(op, arg) (((uint64_t)(arg) << 3) | (op))
#define pk_instr_op(i)    ((int)((i) & 7))
#define pk_instr_arg(i)   ((i) >> 3)

typedef struct PkCode {
    uint32_t nlets;
    uint32_t maxstack;     /* deepest value stack of any segment */
    uint32_t *seg;         /* nlets + 2 offsets: segment i is [seg[i], seg[i+1]) */
    uint64_t *instr;
    PkVal *consts;         /* point into the law body, which keeps them alive */
} PkCode;

PkCode *pk_law_compile(PkRuntime *rt, PkLaw *law);
void pk_law_free_code(PkCode *code);

#endif
