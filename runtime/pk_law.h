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
** i; the last segment is the result.
*/
#ifndef PK_LAW_H
#define PK_LAW_H

#include "pk_value.h"

enum { PK_I_REF = 0, PK_I_CONST = 1, PK_I_APP = 2 };
#define pk_instr(op, arg) (((uint64_t)(arg) << 2) | (op))
#define pk_instr_op(i)    ((int)((i) & 3))
#define pk_instr_arg(i)   ((i) >> 2)

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
