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

static bool emit_const(PkRuntime *rt, Out *o, PkVal v) {
    if (o->nconsts == o->ccap) {
        size_t cap = o->ccap ? o->ccap * 2 : 8;
        PkVal *t = realloc(o->consts, cap * sizeof *t);
        if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
        o->consts = t;
        o->ccap = cap;
    }
    o->consts[o->nconsts] = v;
    return emit(rt, o, pk_instr(PK_I_CONST, o->nconsts++));
}

/* (k f x ...) with nat head k and exactly n args? */
static bool is_op(PkVal e, uint64_t k, uint32_t n) {
    return pk_is_clo(e) && pk_clo(e)->head == pk_small(k) && pk_obj(e)->n == n;
}

/* Work items: a value to compile, or "APP n", tagged 2 in the low two bits
** (heap pointers end in 000 and small nats in 1, so the tags cannot clash). */
#define APP_MARK(n)   ((((PkVal)(n)) << 2) | 2)
#define IS_MARK(w)    (((w) & 3) == 2)

static bool compile_expr(PkRuntime *rt, Out *o, PkVal expr, uint64_t maxref,
                         PkWalkStack *work, uint32_t *maxstack, uint32_t depth) {
    work->n = 0;
    if (!pk_walk_push(rt, work, expr)) return false;
    while (work->n) {
        PkVal w = pk_walk_pop(work);
        if (IS_MARK(w)) {                    /* APP n: pops n+1, pushes 1 */
            uint64_t n = w >> 2;
            if (!emit(rt, o, pk_instr(PK_I_APP, n))) return false;
            depth -= (uint32_t)n;
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
            work->v[mark] = APP_MARK(n);
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

/* A literal pin carrying the native _If jet? (Matched by hash, so its legal
** code is known to mean exactly "if".) */
static bool is_if_pin(PkVal head) {
    head = pk_deref(head);
    return pk_is_pin(head) && pk_pin(head)->jet && pk_pin(head)->jet == pk_jet_native("_If");
}

/* Work items of the spine compiler: an expression, or "patch the jump at
** instruction k to here" (tagged 2 in the low bits, like APP marks). */
#define PATCH(k) ((((PkVal)(k)) << 2) | 2)

/* The jet a literal head carries, if it is a pin with native code. */
static const PkJet *jet_of(PkVal head) {
    head = pk_deref(head);
    return pk_is_pin(head) ? pk_pin(head)->jet : NULL;
}

/* Which arguments of a call of j may be evaluated before the call: those at
** the start of j's forcing order that it forces to WHNF, as long as their
** indexes increase (arguments are laid out, and so evaluated, left to
** right). Evaluating them early is what the jet would do first anyway. */
static uint32_t eager_args(const PkJet *j) {
    uint32_t mask = 0;
    int last = -1;
    for (uint32_t i = 0; i < j->arity; i++) {
        int k = j->order ? j->order[i] - '0' : (int)i;
        if (k <= last || !((j->strict >> k) & 1) || ((j->deep >> k) & 1)) break;
        mask |= 1u << k;
        last = k;
    }
    return mask;
}

/* Calls are compiled strictly (as EVAL_APP) at most this many levels deep;
** below that they are built lazily, which bounds this recursion. */
#define STRICT_LEVELS 4

/* Compile e at value-stack depth `depth`. strict: leave its WHNF (a call is
** evaluated in place, no thunk); otherwise its lazy value. In both cases the
** arguments a strict jet would force first are evaluated before the call. */
static bool compile_call(PkRuntime *rt, Out *o, PkVal e, uint64_t maxref, PkWalkStack *work,
                         uint32_t *maxstack, uint32_t depth, int level, bool strict) {
    PkVal head, args[8];
    e = pk_deref(e);
    uint32_t n = level < STRICT_LEVELS ? split_app(e, &head, args, 8) : 0;
    if (n == 0) {
        return compile_expr(rt, o, e, maxref, work, maxstack, depth) &&
               (!strict || emit(rt, o, pk_instr(PK_I_EVAL, 0)));
    }
    const PkJet *j = jet_of(head);
    uint32_t eager = j && j->arity == n ? eager_args(j) : 0;
    bool ok = compile_expr(rt, o, head, maxref, work, maxstack, depth);
    for (uint32_t i = 0; ok && i < n; i++)
        ok = (eager >> i) & 1 ? compile_call(rt, o, args[i], maxref, work, maxstack, depth + 1 + i, level + 1, true)
                              : compile_expr(rt, o, args[i], maxref, work, maxstack, depth + 1 + i);
    return ok && emit(rt, o, pk_instr(strict ? PK_I_EVAL_APP : PK_I_APP, n));
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
            size_t k = w >> 2;
            o->instr[k] = pk_instr(PK_I_IF, o->ninstr);
            continue;
        }
        PkVal e = pk_deref(w), head, a[3];
        if (split_app(e, &head, a, 3) == 3 && is_if_pin(head)) {
            /* the condition, evaluated at once (in place when it is a call) */
            ok = compile_call(rt, o, a[0], maxref, work, maxstack, 0, 0, true);
            size_t k = o->ninstr;
            ok = ok && emit(rt, o, pk_instr(PK_I_IF, 0));   /* patched below */
            /* then-branch first, then the patch, then the else-branch */
            ok = ok && pk_walk_push(rt, &spine, a[2]) && pk_walk_push(rt, &spine, PATCH(k)) &&
                 pk_walk_push(rt, &spine, a[1]);
            continue;
        }
        ok = compile_call(rt, o, e, maxref, work, maxstack, 0, 0, false) &&
             emit(rt, o, pk_instr(PK_I_RET, 0));
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
