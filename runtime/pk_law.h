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
**   SWAP       swap the top two values: the two arguments of a jet that
**              forces its second first were computed in that order
**   IF t       pop a WHNF value; if it is not a nonzero nat, jump to t
**   IFZ t      pop a WHNF value; if it is not the nat 0, jump to t (_Ifz)
**   SWITCH n   pop a WHNF value k; the n+1 words after the instruction are
**              jump targets: case NAT(k) if it is below n, else the first
**              (_Switch on a row written out in the code)
**   POP        drop the top value (_Seq: its WHNF was only demanded)
**   TRACE      the top is a message: bring it to normal form, hand it to the
**              trace hook (when jets are on) and drop it (_Trace, _DeepTrace)
**   RET        the top of the value stack is the result
**   TAIL n     pop f and n args: the result is the call (f x1 .. xn), made
**              by the caller without a thunk (APP n then RET, in one)
**
** APPK, EVAL_APPK and TAILK are APP, EVAL_APP and TAIL whose head is the
** constant consts[k] (k in the argument), not on the value stack: most calls
** name a law or a jet literally, and this saves pushing it (one dispatch) and,
** for an inline operation, ever touching the head.
*/
#ifndef PK_LAW_H
#define PK_LAW_H

#include "pk_value.h"

enum { PK_I_REF = 0, PK_I_CONST, PK_I_APP, PK_I_EVAL, PK_I_EVAL_APP, PK_I_IF, PK_I_RET, PK_I_SWAP,
       PK_I_IFZ, PK_I_SWITCH, PK_I_POP, PK_I_TRACE, PK_I_TAIL, PK_I_APPK, PK_I_EVAL_APPK,
       PK_I_TAILK };   /* 16 at most: the opcode is 4 bits */
#define pk_instr(op, arg) (((uint64_t)(arg) << 4) | (op))
#define pk_instr_op(i)    ((int)((i) & 15))
#define pk_instr_arg(i)   ((i) >> 4)

/* The inline operation hints of the calls (arg = n | hint << 32 | k << 36:
** the argument count, the hint, and for the K forms the head's constant). */
enum { PK_OP_NONE = 0, PK_OP_ADD, PK_OP_SUB, PK_OP_MUL, PK_OP_EQL, PK_OP_NEQ, PK_OP_LTH,
       PK_OP_LTE, PK_OP_GTH, PK_OP_GTE };
#define pk_app_arg(n, hint) ((uint64_t)(n) | ((uint64_t)(hint) << 32))
#define pk_app_n(arg)       ((uint32_t)((arg) & 0xffffffffu))
#define pk_app_hint(arg)    ((int)(((arg) >> 32) & 15))
#define pk_app_k(arg)       ((uint32_t)((arg) >> 36))
#define PK_K_MAX            (1u << 20)   /* heads of K forms: the first 2^20 constants */

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
