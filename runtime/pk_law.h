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
**   CASE m t   opcode 2 as control flow, for a result (2 z p x): pop a WHNF
**              value; if NAT of it is 0, drop the m values below it (the
**              parts of p, built before x) and jump to t, which returns z;
**              else push NAT - 1, and the TAIL after makes the call (p k)
**   RET        the top of the value stack is the result
**   RETK k     the result is consts[k] (CONST k then RET, in one)
**   OP_EVAL_IF an OP_EVAL followed by an IF: when done inline, the IF after
**              it is done at once (else the call's value comes back to it)
**   TAIL n     pop f and n args: the result is the call (f x1 .. xn), made
**              by the caller without a thunk (APP n then RET, in one)
**
** APPK, EVAL_APPK and TAILK are APP, EVAL_APP and TAIL whose head is the
** constant consts[k] (k in the argument), not on the value stack: most calls
** name a law or a jet literally, and this saves pushing it (one dispatch) and,
** for an inline operation, ever touching the head.
**
** OP_APP, OP_EVAL and OP_TAIL are the same three for a call of two arguments
** with an inline operation (an arithmetic or comparison jet, K form): the
** argument also says where each of the two is (an operand: popped from the
** value stack, an env reference or a constant), so `n - 1` and `a < b` are
** one instruction. When the operation cannot be done inline, the arguments are
** pushed and the instruction goes on as APPK, EVAL_APPK or TAILK; the jet
** then forces them in its order, which is what EVAL before the call did.
*/
#ifndef PK_LAW_H
#define PK_LAW_H

#include "pk_value.h"

enum { PK_I_REF = 0, PK_I_CONST, PK_I_APP, PK_I_EVAL, PK_I_EVAL_APP, PK_I_IF, PK_I_RET, PK_I_SWAP,
       PK_I_IFZ, PK_I_SWITCH, PK_I_POP, PK_I_TRACE, PK_I_TAIL, PK_I_APPK, PK_I_EVAL_APPK,
       PK_I_TAILK, PK_I_OP_APP, PK_I_OP_EVAL, PK_I_OP_TAIL, PK_I_CASE, PK_I_RETK,
       PK_I_OP_EVAL_IF, PK_I_COUNT };
#define pk_instr(op, arg) (((uint64_t)(arg) << 5) | (op))
#define pk_instr_op(i)    ((int)((i) & 31))
#define pk_instr_arg(i)   ((i) >> 5)

/* The argument of the OP forms: hint (4 bits), the head's constant k (20),
** operands a and b (16 bits each: kind | index << 2), then how many of the
** two are on the stack (2 bits). The operand kinds: */
enum { PK_OPND_STACK = 0,  /* the index-th of the values popped (first pushed = 0) */
       PK_OPND_REF,        /* env[index] */
       PK_OPND_CONST };    /* consts[index] */
#define PK_OPND_MAX         (1u << 14)   /* the indexes an operand can name */
#define pk_operand(kind, index) ((uint64_t)(kind) | ((uint64_t)(index) << 2))
#define pk_op_arg(hint, k, a, b, nstack) \
    ((uint64_t)(hint) | ((uint64_t)(k) << 4) | ((uint64_t)(a) << 24) | ((uint64_t)(b) << 40) | \
     ((uint64_t)(nstack) << 56))
#define pk_op_hint(arg)     ((int)((arg) & 15))
#define pk_op_k(arg)        ((uint32_t)(((arg) >> 4) & 0xfffff))
#define pk_op_a(arg)        ((uint32_t)(((arg) >> 24) & 0xffff))
#define pk_op_b(arg)        ((uint32_t)(((arg) >> 40) & 0xffff))
#define pk_op_nstack(arg)   ((size_t)(((arg) >> 56) & 3))

/* The inline operation hints of the calls (arg = n | hint << 32 | k << 36:
** the argument count, the hint, and for the K forms the head's constant). */
enum { PK_OP_NONE = 0, PK_OP_ADD, PK_OP_SUB, PK_OP_MUL, PK_OP_EQL, PK_OP_NEQ, PK_OP_LTH,
       PK_OP_LTE, PK_OP_GTH, PK_OP_GTE };
#define pk_app_arg(n, hint) ((uint64_t)(n) | ((uint64_t)(hint) << 32))
#define pk_app_n(arg)       ((uint32_t)((arg) & 0xffffffffu))
#define pk_app_hint(arg)    ((int)(((arg) >> 32) & 15))
#define pk_app_k(arg)       ((uint32_t)(((arg) >> 36) & 0xfffff))
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
