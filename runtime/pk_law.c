/*
** pk_law.c: compiling a law body to postfix code (see pk_law.h).
**
** The walk over the body uses an explicit work list, so a body nested a
** million levels deep compiles without C recursion.
*/
#include <stdlib.h>
#include "pk_law.h"
#include "pk_walk.h"
#include "pk_jet.h"

typedef struct {
    uint64_t *instr; size_t ninstr, icap;
    PkVal *consts; size_t nconsts, ccap;
} Out;

static bool emit(PkRuntime *rt, Out *o, uint64_t ins) {
    if (o->ninstr == o->icap) {
        size_t cap = o->icap ? o->icap * 2 : 16;
        uint64_t *t = realloc(o->instr, cap * sizeof *t);
        if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
        o->instr = t;
        o->icap = cap;
    }
    o->instr[o->ninstr++] = ins;
    return true;
}

/* Add v to the constants; its index goes to *k. */
static bool add_const(PkRuntime *rt, Out *o, PkVal v, size_t *k) {
    if (o->nconsts == o->ccap) {
        size_t cap = o->ccap ? o->ccap * 2 : 8;
        PkVal *t = realloc(o->consts, cap * sizeof *t);
        if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
        o->consts = t;
        o->ccap = cap;
    }
    o->consts[o->nconsts] = v;
    *k = o->nconsts++;
    return true;
}

static bool emit_const(PkRuntime *rt, Out *o, PkVal v) {
    size_t k;
    return add_const(rt, o, v, &k) && emit(rt, o, pk_instr(PK_I_CONST, k));
}

/* (k f x ...) with nat head k and exactly n args? */
static bool is_op(PkVal e, uint64_t k, uint32_t n) {
    return pk_is_clo(e) && pk_clo(e)->head == pk_small(k) && pk_obj(e)->n == n;
}

/* Work items: a value to compile, or "APP n", tagged 2 in the low two bits
** (heap pointers end in 000 and small nats in 1, so the tags cannot clash).
** K_MARK in the argument says the call is an APPK (its head a constant). */
#define APP_MARK(arg) ((((PkVal)(arg)) << 2) | 2)
#define IS_MARK(w)    (((w) & 3) == 2)
#define K_MARK        ((uint64_t)1 << 57)
#define OP_MARK       ((uint64_t)1 << 59)   /* ... an OP_APP (its argument as is) */

static const PkJet *jet_of(PkVal head);
static int op_hint(const PkJet *j);

/* Is the head e of a call, read as code, a constant (not an argument or let
** reference, not a call)? Then its value goes to *v. */
static bool const_head(PkVal e, uint64_t maxref, PkVal *v) {
    e = pk_deref(e);
    if ((pk_is_small(e) && pk_small_val(e) <= maxref) || is_op(e, 0, 2)) return false;
    *v = is_op(e, 2, 1) ? pk_deref(pk_clo(e)->args[0]) : e;
    return true;
}

/* Can argument e of an OP form be named by an operand (an env reference or
** a constant) rather than computed on the value stack? Then *opnd names it. */
static bool operand_of(PkRuntime *rt, Out *o, PkVal e, uint64_t maxref, uint64_t *opnd,
                       bool *ok) {
    e = pk_deref(e);
    if (pk_is_small(e) && pk_small_val(e) <= maxref) {
        if (pk_small_val(e) >= PK_OPND_MAX) return false;
        *opnd = pk_operand(PK_OPND_REF, pk_small_val(e));
        return true;
    }
    size_t k;
    if (is_op(e, 0, 2) || o->nconsts >= PK_OPND_MAX) return false;
    *ok = add_const(rt, o, is_op(e, 2, 1) ? pk_deref(pk_clo(e)->args[0]) : e, &k);
    *opnd = pk_operand(PK_OPND_CONST, k);
    return true;
}

/* The argument of a call of n arguments of head e with the given hint: with
** the K form's constant index (and K_MARK) when e is a constant that fits. */
static bool call_arg(PkRuntime *rt, Out *o, PkVal e, uint64_t maxref, uint32_t n, int hint,
                     uint64_t *arg) {
    PkVal v;
    size_t k;
    *arg = pk_app_arg(n, hint);
    if (o->nconsts >= PK_K_MAX || !const_head(e, maxref, &v)) return true;
    if (!add_const(rt, o, v, &k)) return false;
    *arg |= ((uint64_t)k << 36) | K_MARK;
    return true;
}

static bool compile_expr(PkRuntime *rt, Out *o, PkVal expr, uint64_t maxref,
                         PkWalkStack *work, uint32_t *maxstack, uint32_t depth) {
    work->n = 0;
    if (!pk_walk_push(rt, work, expr)) return false;
    while (work->n) {
        PkVal w = pk_walk_pop(work);
        if (IS_MARK(w)) {                    /* APP n: pops n+1, pushes 1 */
            uint64_t arg = w >> 2;        /* the count, an inline hint, K */
            if (arg & OP_MARK) {             /* pops its stack operands */
                arg &= ~OP_MARK;
                if (!emit(rt, o, pk_instr(PK_I_OP_APP, arg))) return false;
                depth -= (uint32_t)pk_op_nstack(arg);
                continue;
            }
            int op = arg & K_MARK ? PK_I_APPK : PK_I_APP;
            if (!emit(rt, o, pk_instr(op, arg & ~K_MARK))) return false;
            depth -= pk_app_n(arg);
            continue;
        }
        PkVal e = pk_deref(w);
        if (++depth > *maxstack) *maxstack = depth;
        if (pk_is_small(e) && pk_small_val(e) <= maxref) {
            if (!emit(rt, o, pk_instr(PK_I_REF, pk_small_val(e)))) return false;
        } else if (is_op(e, 0, 2)) {
            /* (0 (0 (0 f a) b) c): collect c, b, a, then f; emit f a b c APP 3 */
            size_t mark = work->n;
            uint64_t n = 0;
            if (!pk_walk_push(rt, work, APP_MARK(0))) return false;
            while (is_op(e, 0, 2)) {
                if (!pk_walk_push(rt, work, pk_clo(e)->args[1])) return false;
                n++;
                e = pk_deref(pk_clo(e)->args[0]);
            }
            const PkJet *j = jet_of(e);
            uint64_t arg;
            if (!call_arg(rt, o, e, maxref, (uint32_t)n,
                          j && j->arity == n ? op_hint(j) : PK_OP_NONE, &arg)) return false;
            work->v[mark] = APP_MARK(arg);
            if ((arg & K_MARK) && pk_app_hint(arg)) {
                /* an OP_APP: the arguments that operands can name are not
                ** compiled; the others are, a first (stack operand 0) */
                PkVal a = pk_walk_pop(work), b = pk_walk_pop(work);   /* a is on top */
                uint64_t oa, ob;
                bool ok = true, sa = !operand_of(rt, o, a, maxref, &oa, &ok);
                bool sb = !operand_of(rt, o, b, maxref, &ob, &ok);
                if (!ok) return false;
                if (sa) oa = pk_operand(PK_OPND_STACK, 0);
                if (sb) ob = pk_operand(PK_OPND_STACK, sa);
                work->v[mark] = APP_MARK(pk_op_arg(pk_app_hint(arg), pk_app_k(arg), oa, ob, sa + sb) |
                                         OP_MARK);
                if ((sb && !pk_walk_push(rt, work, b)) || (sa && !pk_walk_push(rt, work, a)))
                    return false;
                continue;
            }
            if (arg & K_MARK) continue;       /* the head is not pushed */
            depth--;                          /* f is pushed again below */
            if (!pk_walk_push(rt, work, e)) return false;
        } else if (is_op(e, 2, 1)) {
            if (!emit_const(rt, o, pk_deref(pk_clo(e)->args[0]))) return false;
        } else {
            if (!emit_const(rt, o, e)) return false;
        }
    }
    return true;
}

/* Is e, read as code, an application (0 (0 f a) b ..)? Split it: head and
** args in order (args[0] first); returns the number of args, 0 if not. */
static uint32_t split_app(PkVal e, PkVal *head, PkVal *args, uint32_t max) {
    uint32_t n = 0;
    PkVal rev[8];
    while (is_op(e, 0, 2)) {
        if (n == max || n == 8) return 0;
        rev[n++] = pk_clo(e)->args[1];
        e = pk_deref(pk_clo(e)->args[0]);
    }
    for (uint32_t i = 0; i < n; i++) args[i] = rev[n - 1 - i];
    *head = e;
    return n;
}

/* Is head a literal pin carrying the native jet called name? (Matched by
** hash, so its legal code is known to mean exactly what the jet does.) */
static bool is_jet_pin(PkVal head, const char *name) {
    const PkJet *j = pk_jet_native(name);
    head = pk_deref(head);
    return j && pk_is_pin(head) && pk_pin(head)->jet == j;
}

/* Is e, read as code, a row written out: (cow x[n-1] .. x0) with the cow a
** literal law of n? Then its elements, element i first, go to elems. */
#define SWITCH_MAX 64
static uint32_t row_in_code(PkVal e, PkVal *elems) {
    uint32_t n = 0;
    e = pk_deref(e);
    while (is_op(e, 0, 2)) {
        if (n == SWITCH_MAX) return 0;
        elems[n++] = pk_clo(e)->args[1];      /* x0 comes first: the last applied */
        e = pk_deref(pk_clo(e)->args[0]);
    }
    if (n == 0 || !pk_is_law(e) || pk_obj(e)->shape != PK_SHAPE_COW || pk_law(e)->arity != n + 1)
        return 0;
    return n;
}

/* Work items of the spine compiler: an expression, or "patch the jump at
** instruction k to here" (tagged 2 in the low bits, like APP marks; bit 2
** says k is a SWITCH table entry, a bare target). */
#define PATCH(k) ((((PkVal)(k)) << 3) | 2)
#define TABLE(k) ((((PkVal)(k)) << 3) | 6)

/* The jet a literal head carries, if it is a pin with native code. */
static const PkJet *jet_of(PkVal head) {
    head = pk_deref(head);
    return pk_is_pin(head) ? pk_pin(head)->jet : NULL;
}

/* The arguments of a call of j that may be evaluated before the call: the
** leading run of its forcing order that it forces to WHNF (not deeper).
** Evaluating them early, in that order, is what the jet would do first
** anyway. Writes their indexes to first[] and returns how many. */
static uint32_t forced_first(const PkJet *j, uint8_t *first) {
    uint32_t k = 0;
    for (uint32_t i = 0; i < j->arity; i++) {
        uint32_t a = j->order ? (uint32_t)(j->order[i] - '0') : i;
        if (!((j->strict >> a) & 1) || ((j->deep >> a) & 1)) break;
        first[k++] = (uint8_t)a;
    }
    return k;
}

/* The inline operation of a jet's calls (see pk_law.h), by jet identity. */
static int op_hint(const PkJet *j) {
    static const struct { const char *name; int op; } ops[] = {
        {"_Add", PK_OP_ADD}, {"_Sub", PK_OP_SUB}, {"_Mul", PK_OP_MUL}, {"_Eql", PK_OP_EQL},
        {"_Neq", PK_OP_NEQ}, {"_Lth", PK_OP_LTH}, {"_Lte", PK_OP_LTE}, {"_Gth", PK_OP_GTH},
        {"_Gte", PK_OP_GTE},
    };
    if (!j || j->arity != 2) return PK_OP_NONE;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++)
        if (j == pk_jet_native(ops[i].name)) return ops[i].op;
    return PK_OP_NONE;
}

/* Calls are compiled strictly (as EVAL_APP) at most this many levels deep;
** below that they are built lazily, which bounds this recursion. */
#define STRICT_LEVELS 4

/* How compile_call leaves a value: built lazily, evaluated, or returned. */
enum { LAZY, STRICT, TAIL };

static bool compile_call(PkRuntime *rt, Out *o, PkVal e, uint64_t maxref, PkWalkStack *work,
                         uint32_t *maxstack, uint32_t depth, int level, int mode);

/* A call of an inline operation as an OP form: the arguments in the order
** `place` (the first nfirst evaluated, as compile_call does), except those an
** operand names; arg is the K form's argument (hint and head). */
static bool compile_op(PkRuntime *rt, Out *o, const PkVal *args, const uint8_t *place,
                       uint32_t nfirst, uint64_t arg, uint64_t maxref, PkWalkStack *work,
                       uint32_t *maxstack, uint32_t depth, int level, int mode) {
    uint64_t opnd[2];
    uint32_t nstack = 0;
    bool ok = true;
    /* when it cannot be done inline, the two operands are laid out on the
    ** stack even if none came from it */
    if (depth + 2 > *maxstack) *maxstack = depth + 2;
    for (uint32_t k = 0; ok && k < 2; k++) {
        uint32_t i = place[k];
        if (operand_of(rt, o, args[i], maxref, &opnd[i], &ok)) continue;
        ok = k < nfirst ? compile_call(rt, o, args[i], maxref, work, maxstack, depth + 1 + k, level + 1, STRICT)
                        : compile_expr(rt, o, args[i], maxref, work, maxstack, depth + 1 + k);
        opnd[i] = pk_operand(PK_OPND_STACK, nstack++);
    }
    static const int ops[3] = {PK_I_OP_APP, PK_I_OP_EVAL, PK_I_OP_TAIL};
    return ok && emit(rt, o, pk_instr(ops[mode], pk_op_arg(pk_app_hint(arg), pk_app_k(arg), opnd[0],
                                                           opnd[1], nstack)));
}

/* Compile e at value-stack depth `depth`. STRICT: leave its WHNF (a call is
** evaluated in place, no thunk); LAZY: its lazy value; TAIL: return it (a
** call is made by the caller, without a thunk). In all cases the arguments a
** strict jet would force first are evaluated before the call, in the jet's
** order, and the rest are built lazily; for two arguments forced right to
** left, SWAP then puts them back in their places. */
static bool compile_call(PkRuntime *rt, Out *o, PkVal e, uint64_t maxref, PkWalkStack *work,
                         uint32_t *maxstack, uint32_t depth, int level, int mode) {
    PkVal head, args[8];
    e = pk_deref(e);
    uint32_t n = level < STRICT_LEVELS ? split_app(e, &head, args, 8) : 0;
    if (n == 0) {
        /* a constant of the body is in normal form already: no EVAL */
        bool constant = !is_op(e, 0, 2) && !(pk_is_small(e) && pk_small_val(e) <= maxref);
        if (!compile_expr(rt, o, e, maxref, work, maxstack, depth)) return false;
        if (mode == STRICT) return constant || emit(rt, o, pk_instr(PK_I_EVAL, 0));
        if (mode == LAZY) return true;
        /* TAIL: a call (of more than 8 arguments) just built is returned as a
        ** call, not as a thunk; anything else is returned as it is */
        uint64_t *last = &o->instr[o->ninstr - 1];
        int op = pk_instr_op(*last);
        int tail = op == PK_I_APP ? PK_I_TAIL : op == PK_I_APPK ? PK_I_TAILK
                 : op == PK_I_OP_APP ? PK_I_OP_TAIL : -1;
        if (op == PK_I_CONST) {           /* a constant returned: RETK */
            *last = pk_instr(PK_I_RETK, pk_instr_arg(*last));
            return true;
        }
        if (tail < 0) return emit(rt, o, pk_instr(PK_I_RET, 0));
        *last = pk_instr(tail, pk_instr_arg(*last));
        return true;
    }
    const PkJet *j = jet_of(head);
    uint8_t place[8];                     /* place[k]: the index of the k-th emitted */
    uint32_t nfirst = j && j->arity == n ? forced_first(j, place) : 0, k;
    /* out of order only for two arguments (SWAP): with more, keep
    ** the run that is already in order */
    for (k = 0; n != 2 && k < nfirst; k++)
        if (place[k] != k) nfirst = k;
    k = nfirst;
    for (uint32_t i = 0; i < n; i++) {
        bool early = false;
        for (uint32_t f = 0; f < nfirst; f++) early |= place[f] == i;
        if (!early) place[k++] = (uint8_t)i;
    }
    uint64_t arg;
    bool ok = call_arg(rt, o, head, maxref, n, j && j->arity == n ? op_hint(j) : PK_OP_NONE, &arg);
    bool konst = arg & K_MARK;
    if (ok && konst && pk_app_hint(arg))
        return compile_op(rt, o, args, place, nfirst, arg, maxref, work, maxstack, depth, level, mode);
    ok = ok && (konst || compile_expr(rt, o, head, maxref, work, maxstack, depth));
    bool swap = false;
    for (uint32_t k = 0; ok && k < n; k++) {
        ok = k < nfirst ? compile_call(rt, o, args[place[k]], maxref, work, maxstack, depth + 1 + k, level + 1, STRICT)
                        : compile_expr(rt, o, args[place[k]], maxref, work, maxstack, depth + 1 + k);
        swap |= place[k] != k;
    }
    if (ok && swap) ok = emit(rt, o, pk_instr(PK_I_SWAP, 0));
    static const int ops[3][2] = {{PK_I_APP, PK_I_APPK}, {PK_I_EVAL_APP, PK_I_EVAL_APPK},
                                  {PK_I_TAIL, PK_I_TAILK}};
    return ok && emit(rt, o, pk_instr(ops[mode][konst], arg & ~K_MARK));
}

/* Is e, read as code, the call (2 z p x) of opcode 2? Either written out,
** with 2 a constant (z p x are code), or a constant partial call (2 z p)
** applied to x (z and p are then values, not code). Fills zpx. */
static bool nat_case(PkVal e, uint64_t maxref, PkVal *zpx, bool *zp_values) {
    PkVal head, a[3], v;
    if (split_app(e, &head, a, 3) == 3 && const_head(head, maxref, &v) && v == pk_small(2)) {
        zpx[0] = a[0], zpx[1] = a[1], zpx[2] = a[2];
        *zp_values = false;
        return true;
    }
    if (split_app(e, &head, a, 1) == 1 && const_head(head, maxref, &v) && is_op(v, 2, 2)) {
        zpx[0] = pk_clo(v)->args[0], zpx[1] = pk_clo(v)->args[1], zpx[2] = a[0];
        *zp_values = true;
        return true;
    }
    return false;
}

/* A result (2 z p x) as a CASE (pk_law.h): p's head and arguments are built
** first (lazily), then x is evaluated; CASE either drops them and goes to z
** (returned, through the spine work list when it is code), or pushes k and
** falls through to the tail call (p k). */
static bool compile_case(PkRuntime *rt, Out *o, const PkVal *zpx, bool zp_values, uint64_t maxref,
                         PkWalkStack *work, uint32_t *maxstack, PkWalkStack *spine) {
    PkVal head = zpx[1], args[7];
    uint32_t n = zp_values ? 0 : split_app(zpx[1], &head, args, 7);
    uint64_t arg = pk_app_arg(n + 1, PK_OP_NONE);
    size_t k;
    bool ok;
    if (zp_values && o->nconsts < PK_K_MAX) {          /* p is a value: K */
        ok = add_const(rt, o, pk_deref(head), &k);
        arg |= ((uint64_t)k << 36) | K_MARK;
    } else if (zp_values) {
        ok = emit_const(rt, o, pk_deref(head));
    } else {
        ok = call_arg(rt, o, head, maxref, n + 1, PK_OP_NONE, &arg) &&
             ((arg & K_MARK) || compile_expr(rt, o, head, maxref, work, maxstack, 0));
    }
    uint32_t m = (arg & K_MARK) ? n : n + 1;  /* the values built for p */
    for (uint32_t i = 0; ok && i < n; i++)
        ok = compile_expr(rt, o, args[i], maxref, work, maxstack, m - n + i);
    ok = ok && compile_call(rt, o, zpx[2], maxref, work, maxstack, m, 0, STRICT);
    size_t at = o->ninstr;
    ok = ok && emit(rt, o, pk_instr(PK_I_CASE, (uint64_t)m << 32)) &&
         emit(rt, o, pk_instr((arg & K_MARK) ? PK_I_TAILK : PK_I_TAIL, arg & ~K_MARK));
    if (!ok) return false;
    if (!zp_values)                       /* z is code: compiled by the spine */
        return pk_walk_push(rt, spine, zpx[0]) && pk_walk_push(rt, spine, PATCH(at));
    o->instr[at] = pk_instr(PK_I_CASE, ((uint64_t)m << 32) | o->ninstr);
    size_t kz;
    return add_const(rt, o, pk_deref(zpx[0]), &kz) && emit(rt, o, pk_instr(PK_I_RETK, kz));
}

/* The result segment: nested _If calls become branches; every other result
** is returned (a call in tail position, with its strict arguments
** evaluated first). */
static bool compile_spine(PkRuntime *rt, Out *o, PkVal body, uint64_t maxref,
                          PkWalkStack *work, uint32_t *maxstack) {
    PkWalkStack spine = {0};
    bool ok = pk_walk_push(rt, &spine, body);
    while (ok && spine.n) {
        PkVal w = pk_walk_pop(&spine);
        if (IS_MARK(w)) {                       /* patch a jump target */
            size_t k = w >> 3;
            if (w & 4) o->instr[k] = o->ninstr;                       /* a table entry */
            else o->instr[k] = pk_instr(pk_instr_op(o->instr[k]),     /* IF, IFZ, CASE */
                                        (pk_instr_arg(o->instr[k]) & ~(uint64_t)0xffffffff) | o->ninstr);
            continue;
        }
        PkVal e = pk_deref(w), head, a[3], cases[SWITCH_MAX];
        uint32_t nargs = split_app(e, &head, a, 3), ncases;
        if (nargs == 3 && (is_jet_pin(head, "_If") || is_jet_pin(head, "_Ifz"))) {
            /* the condition, evaluated at once (in place when it is a call) */
            ok = compile_call(rt, o, a[0], maxref, work, maxstack, 0, 0, STRICT);
            size_t k = o->ninstr;
            /* an inline comparison as the condition of _If: one instruction */
            if (ok && k && is_jet_pin(head, "_If") && pk_instr_op(o->instr[k - 1]) == PK_I_OP_EVAL)
                o->instr[k - 1] = pk_instr(PK_I_OP_EVAL_IF, pk_instr_arg(o->instr[k - 1]));
            ok = ok && emit(rt, o, pk_instr(is_jet_pin(head, "_If") ? PK_I_IF : PK_I_IFZ, 0));
            /* then-branch first, then the patch, then the else-branch */
            ok = ok && pk_walk_push(rt, &spine, a[2]) && pk_walk_push(rt, &spine, PATCH(k)) &&
                 pk_walk_push(rt, &spine, a[1]);
            continue;
        }
        if (nargs == 3 && is_jet_pin(head, "_Switch") && (ncases = row_in_code(a[2], cases))) {
            /* the index, then a jump table: fallback, case 0 .. case n-1 */
            ok = compile_call(rt, o, a[0], maxref, work, maxstack, 0, 0, STRICT) &&
                 emit(rt, o, pk_instr(PK_I_SWITCH, ncases));
            size_t table = o->ninstr;
            for (uint32_t i = 0; ok && i <= ncases; i++) ok = emit(rt, o, 0);
            /* each branch: patch its table entry to here, then its code */
            for (uint32_t i = ncases + 1; ok && i-- > 0;)
                ok = pk_walk_push(rt, &spine, i ? cases[i - 1] : a[1]) &&
                     pk_walk_push(rt, &spine, TABLE(table + i));
            continue;
        }
        PkVal zpx[3];
        bool zp_values;
        if (nat_case(e, maxref, zpx, &zp_values)) {
            ok = compile_case(rt, o, zpx, zp_values, maxref, work, maxstack, &spine);
            continue;
        }
        if (nargs == 2 && (is_jet_pin(head, "_Trace") || is_jet_pin(head, "_DeepTrace"))) {
            /* the message, built lazily and normalized by TRACE, then the rest */
            ok = compile_expr(rt, o, a[0], maxref, work, maxstack, 0) &&
                 emit(rt, o, pk_instr(PK_I_TRACE, 0)) && pk_walk_push(rt, &spine, a[1]);
            continue;
        }
        if (nargs == 2 && is_jet_pin(head, "_Seq")) {
            /* the first argument's WHNF is demanded, then dropped */
            ok = compile_call(rt, o, a[0], maxref, work, maxstack, 0, 0, STRICT) &&
                 emit(rt, o, pk_instr(PK_I_POP, 0)) && pk_walk_push(rt, &spine, a[1]);
            continue;
        }
        ok = compile_call(rt, o, e, maxref, work, maxstack, 0, 0, TAIL);
    }
    pk_walk_done(&spine);
    return ok;
}

PkCode *pk_law_compile(PkRuntime *rt, PkLaw *law) {
    PkWalkStack lets = {0}, work = {0};
    Out o = {0};
    PkCode *c = calloc(1, sizeof *c);
    if (!c) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return NULL; }
    PkVal body = pk_deref(law->body);
    while (is_op(body, 1, 2)) {               /* the let chain (1 v b) */
        if (!pk_walk_push(rt, &lets, pk_clo(body)->args[0])) goto fail;
        body = pk_deref(pk_clo(body)->args[1]);
    }
    c->nlets = (uint32_t)lets.n;
    c->seg = malloc((lets.n + 2) * sizeof *c->seg);
    if (!c->seg) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); goto fail; }
    uint64_t maxref = law->arity + lets.n;
    for (size_t i = 0; i <= lets.n; i++) {
        c->seg[i] = (uint32_t)o.ninstr;
        bool ok = i < lets.n ? compile_expr(rt, &o, lets.v[i], maxref, &work, &c->maxstack, 0)
                             : compile_spine(rt, &o, body, maxref, &work, &c->maxstack);
        if (!ok) goto fail;
    }
    c->seg[lets.n + 1] = (uint32_t)o.ninstr;
    c->instr = o.instr;
    c->consts = o.consts;
    pk_walk_done(&lets);
    pk_walk_done(&work);
    return c;
fail:
    pk_walk_done(&lets);
    pk_walk_done(&work);
    free(o.instr);
    free(o.consts);
    free(c->seg);
    free(c);
    return NULL;
}

void pk_law_free_code(PkCode *c) {
    free(c->seg);
    free(c->instr);
    free(c->consts);
    free(c);
}
