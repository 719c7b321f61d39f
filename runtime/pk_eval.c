/*
** pk_eval.c: evaluation to weak head normal form and to normal form.
**
** One loop, two labels. `eval` takes the value in `cur` and drives it to WHNF;
** `ret` hands a WHNF value in `cur` to the frame on top of the stack. There is
** no C recursion: whatever must happen after a sub-evaluation is a frame on
** rt->stack, and the sub-evaluation is a jump back to `eval`.
**
** Invariants:
** - The stack holds only PkVals: frame payloads, then a tag word on top of
**   each frame (a small nat: kind | payload size << 8). Between frames, while
**   a call is being set up, the top may hold an "exec region" [self, args..]
**   or a law's env and value stack; a collection never happens then.
** - A collection may only start at `eval`, where the only live value outside
**   the stack is `cur`, which is pushed around it, or at `call_law`, where
**   everything live is in the exec region on the stack.
** - A THUNK under evaluation is BUSY and has an UPDATE frame; entering a BUSY
**   thunk or an unfilled let HOLE is a loop. A CLO being normalized has the
**   WALKING flag; meeting it again is a cycle, also reported as a loop.
** - On failure, `fail` unwinds to the BASE frame of this call, restoring
**   BUSY thunks to THUNK and clearing WALKING flags, so a later evaluation of
**   the same value fails the same way and nothing is left half-updated.
**   A PLAN crash (only that kind of failure) stops at the innermost F_CATCH
**   frame above BASE instead, which _Try pushed: evaluation resumes there
**   with [0 [op val]] as the value (catch_crash).
*/
#include <string.h>
#include "pk_value.h"
#include "pk_nat.h"
#include "pk_law.h"
#include "pk_jet.h"
#include "pk_eval.h"

enum {
    F_BASE,      /* []            return to the C caller                       */
    F_UPDATE,    /* [thunk]       overwrite the thunk with the result (IND)     */
    F_APPLY,     /* [a1..ak]      apply the result to k more arguments          */
    F_INC,       /* []            (3 x): NAT(x)+1                               */
    F_CASE2,     /* [z p]         (2 z p x)                                     */
    F_CASE1,     /* [p l a n]     (1 p l a n x)                                 */
    F_LAW_N,     /* [a b]         (0 n a b) after n                             */
    F_LAW_A,     /* [n b]         ... after a                                   */
    F_LAW_B,     /* [n a]         ... after b is normal                         */
    F_PIN,       /* []            (4 x) after x is normal                       */
    F_CRASH,     /* [k]           (k x), k >= 5, after x is normal              */
    F_NORM,      /* []            bring the result to normal form               */
    F_NORMARGS,  /* [clo i]       normalizing argument i of clo                 */
    F_LAWK,      /* [env.. values.. pc] a law's code waiting for a value      */
    F_JET,       /* [pin a1..an i] forcing the jet's i-th argument in its order;
                 ** i > n: forcing argument i-n-1 that the jet asked for   */
    F_CATCH      /* []            _Try: a normal result becomes [1 v]; a PLAN
                 ** crash above this frame becomes [0 [op val]]            */
};

#define TAG(kind, size) pk_small((uint64_t)(kind) | ((uint64_t)(size) << 8))
#define TAG_KIND(t)     ((int)(pk_small_val(t) & 0xff))
#define TAG_SIZE(t)     ((size_t)(pk_small_val(t) >> 8))

/* Frames are built with these; each must be preceded by a reserve. */
#define S          (rt->stack)
#define PUSH(v)    (S[rt->sp++] = (v))
#define TOP        (S[rt->sp - 1])
#define RESERVE(n) do { if (!pk_gc_stack_reserve(rt, (n))) goto fail; } while (0)
#define CHECK(x)   do { if (pk_unlikely(!(x))) goto fail; } while (0)

/* Undo what failed frames did, from the top down to this call's BASE. */
static void unwind(PkRuntime *rt, size_t base) {
    size_t sp = rt->sp;
    /* The top may hold a partial exec region: skip to the last tag word at or
    ** above base that is really a frame. Callers set rt->sp to a frame
    ** boundary before failing, so sp is one. */
    while (sp > base) {
        PkVal tag = rt->stack[sp - 1];
        size_t size = TAG_SIZE(tag);
        PkVal *payload = &rt->stack[sp - 1 - size];
        switch (TAG_KIND(tag)) {
        case F_UPDATE:
            pk_obj(payload[0])->kind = PK_THUNK;
            break;
        case F_NORMARGS:
            pk_obj(payload[0])->flags &= (uint8_t)~PK_F_WALKING;
            break;
        default:
            break;
        }
        sp -= size + 1;
    }
    rt->sp = base;
}

/* _Try's hook in the unwinder: if a PLAN crash happened above an F_CATCH
** frame of this call, undo the frames above the innermost one (as `unwind`
** does), drop it and give [0 [op val]] as that frame's value. Other failures
** (loops, interrupts, the stack limit, the memory limit) are not PLAN crashes and are
** never caught, as in the reference, whose jet catches only PRIMOP_CRASH. */
static PkVal catch_crash(PkRuntime *rt, size_t base) {
    if (rt->err != PK_ERR_CRASH) return 0;
    size_t sp = rt->sp;
    while (sp > base && TAG_KIND(rt->stack[sp - 1]) != F_CATCH)
        sp -= TAG_SIZE(rt->stack[sp - 1]) + 1;
    if (sp <= base) return 0;
    PkVal crash[2] = {rt->err_op, rt->err_val};
    PkVal inner = pk_value_row(rt, 2, crash);
    PkVal outer[2] = {pk_small(0), inner};
    PkVal r = inner ? pk_value_row(rt, 2, outer) : 0;
    if (!r) return 0;                     /* out of memory: not caught */
    unwind(rt, sp);                       /* the frames above the catch */
    rt->sp = sp - 1;                      /* and the catch frame itself */
    rt->err = PK_OK;
    rt->err_op = rt->err_val = 0;
    return r;
}

/* Fill a let slot: the slot becomes an indirection to its value, unless the
** value is (through indirections) the slot itself, which stays a hole. */
static void fill_slot(PkVal hole, PkVal value) {
    if (pk_deref(value) == hole) return;
    pk_obj(hole)->kind = PK_IND;
    pk_thunk(hole)->fun = value;
}

/* A call of an eager jet whose forced arguments are in WHNF already (nats,
** for those it wants normal): compute it now (it cannot crash or loop, so
** doing it early is invisible). Returns the result only if it is in WHNF
** (an element of a row may not be), else 0 with rt->err clear: the call
** then stays lazy. */
static inline PkVal try_eager(PkRuntime *rt, const PkJet *j, uint32_t n, const PkVal *xs) {
    PkVal args[4];
    if (n != j->arity || n > 4) return 0;
    for (uint32_t i = 0; i < n; i++) {
        PkVal a = args[i] = pk_deref(xs[i]);
        if (pk_is_small(a)) continue;     /* a nat is normal */
        if (((j->deep >> i) & 1) && !pk_is_nat(a)) return 0;
        if (((j->strict >> i) & 1) && !pk_is_whnf(a)) return 0;
    }
    rt->jet_resume = 0;
    PkVal r = j->fn(rt, args);
    if (!r || pk_jet_special(r)) {        /* it wanted more: the call stays lazy */
        rt->jet_force = 0;
        return 0;
    }
    r = pk_deref(r);
    return pk_is_whnf(r) ? r : 0;
}

/* An inline operation (pk_law.h) on two small nats: the result, or 0 when
** the general path must run (another kind of value, or an overflow). */
static inline PkVal inline_op(int op, PkVal a, PkVal b) {
    a = pk_deref(a);
    b = pk_deref(b);
    if (!pk_is_small(a) || !pk_is_small(b)) return 0;
    uint64_t x = pk_small_val(a), y = pk_small_val(b), r;
    switch (op) {
    case PK_OP_ADD: r = x + y; return r <= PK_SMALL_MAX ? pk_small(r) : 0;
    case PK_OP_SUB: return pk_small(x > y ? x - y : 0);
    case PK_OP_MUL: return __builtin_mul_overflow(x, y, &r) || r > PK_SMALL_MAX ? 0 : pk_small(r);
    case PK_OP_EQL: return pk_small(x == y);
    case PK_OP_NEQ: return pk_small(x != y);
    case PK_OP_LTH: return pk_small(x < y);
    case PK_OP_LTE: return pk_small(x <= y);
    case PK_OP_GTH: return pk_small(x > y);
    case PK_OP_GTE: return pk_small(x >= y);
    default:        return 0;
    }
}

/* The two arguments of an OP form (pk_law.h): its stack operands are
** popped (*sp is then where the result goes) and the values go to xy. */
static inline void op_operands(const PkCode *c, const PkVal *st, size_t env, uint64_t arg,
                               size_t *sp, PkVal *xy) {
    uint32_t oa = pk_op_a(arg), ob = pk_op_b(arg);
    size_t top = *sp - pk_op_nstack(arg);
    /* by kind: the constants, or the stack from the env or from the popped */
    const PkVal *fa = (oa & 3) == PK_OPND_CONST ? c->consts : &st[(oa & 3) == PK_OPND_REF ? env : top];
    const PkVal *fb = (ob & 3) == PK_OPND_CONST ? c->consts : &st[(ob & 3) == PK_OPND_REF ? env : top];
    xy[0] = fa[oa >> 2];
    xy[1] = fb[ob >> 2];
    *sp = top;
}

/* An OP form done inline: its result, or 0 when the general path must run.
** (The hint was given because the head's pin has the jet, and a pin's jet
** never changes; only turning jets off can stop it.) */
static inline PkVal op_inline(PkRuntime *rt, uint64_t arg, const PkVal *xy) {
    return rt->jets_enabled ? inline_op(pk_op_hint(arg), xy[0], xy[1]) : 0;
}

/* Build the lazy application (f x1..xn). */
static PkVal mk_app(PkRuntime *rt, PkVal f, uint32_t n, const PkVal *xs) {
    PkVal d = pk_deref(f);
    if (d == pk_small(3) && n == 1) {     /* (3 k) of a small nat: k + 1 now */
        PkVal k = pk_deref(xs[0]);
        if (pk_is_small(k) && pk_small_val(k) < PK_SMALL_MAX) return pk_small(pk_small_val(k) + 1);
    }
    if (pk_is_pin(d) && pk_pin(d)->jet && pk_pin(d)->jet->eager && rt->jets_enabled) {
        PkVal r = try_eager(rt, pk_pin(d)->jet, n, xs);
        if (r || rt->err) return r;
    }
    if (pk_is_whnf(d)) return pk_value_apply(rt, d, n, xs);
    return pk_value_thunk(rt, f, n, xs);
}

/*
** Run a law's code. The env [self, a1..an] starts at rt->stack[env]; the let
** slots and then the value stack follow it. A fresh call passes pc ==
** UINT32_MAX; a call resumed after an EVAL passes the pc and the value-stack
** top (the evaluated value already pushed).
**
** Calls between compiled laws stay in this function: a call whose head is a
** law of exactly its arity, or a partial application of one that the call
** saturates, is entered here (an EVAL_APP suspends the caller as an F_LAWK
** frame first, a tail call replaces it), and a WHNF result goes
** straight back to an F_LAWK frame just below. Only what needs the general
** machinery (thunks, jets, partial or over-application) goes back to `run`.
** The law that finishes may therefore not be the one `run` started. Outcomes:
**   RUN_VALUE  *out is the result, to be evaluated next; the stack is cut
**              back to that law's env
**   RUN_TAIL   a call [f x1..xn] to make, laid out at *at with n in *tail_n:
**              a law's result (at its env), or a value its code waits for
**              (at the top, above the F_LAWK frame that resumes it)
**   RUN_EVAL   an F_LAWK frame holding the env and value stack was pushed
**              by EVAL: evaluate *out, and the F_LAWK return resumes this code
**   RUN_EVAL_NORM  the same, but *out is wanted in normal form (TRACE)
**   RUN_FAIL   rt->err is set; rt->sp is cut back to a frame boundary
*/
enum { RUN_FAIL = 0, RUN_VALUE, RUN_TAIL, RUN_EVAL, RUN_EVAL_NORM };

/* Dispatch in the result segment. With GCC or Clang each instruction ends
** in its own indirect jump to the next one's code (as Lua's ljumptab.h
** does), which the branch predictor follows far better than the one jump
** of a switch; elsewhere it is the switch in a loop. OP(x) labels the code
** of instruction x for both. */
#if defined(__GNUC__)
#define VM_THREADED
#define NEXT do { ins = c->instr[++pc]; arg = pk_instr_arg(ins); \
                  goto *jump[pk_instr_op(ins)]; } while (0)
#define OP(name) case name: L_##name
#else
#define NEXT continue
#define OP(name) case name
#endif

static PkLaw *law_of_self(PkVal self) {
    return pk_is_law(self) ? pk_law(self) : pk_law(pk_pin(self)->item);
}

/* Suspend at pc: the values [env, base) become an F_LAWK frame resuming at pc. */
static void suspend(PkRuntime *rt, size_t env, size_t base, uint32_t pc) {
    rt->stack[base] = pk_small(pc);
    rt->stack[base + 1] = TAG(F_LAWK, base - env + 1);
}

/* The law that a call of f (in WHNF) with n arguments enters: f a law of
** arity n, or a pin of one whose jet is not active, or a partial application
** of either that the n arguments saturate (*held is then that closure, whose
** arguments go first); NULL otherwise. *head is what becomes `self`. */
static inline PkLaw *direct_law(PkRuntime *rt, PkVal f, uint32_t n, PkVal *head,
                                const PkClo **held) {
    *held = NULL;
    if (pk_is_small(f)) return NULL;
    int kind = pk_obj(f)->kind;
    if (kind == PK_CLO) {
        const PkClo *cl = pk_clo(f);
        if (cl->rem != n || pk_is_small(cl->head)) return NULL;
        *held = cl;
        n += cl->h.n;
        f = cl->head;
        kind = pk_obj(f)->kind;
    }
    *head = f;
    if (kind == PK_PIN) {
        PkPin *p = pk_pin(f);
        if ((p->jet && rt->jets_enabled) || !pk_is_law(p->item)) return NULL;
        f = p->item;
    } else if (kind != PK_LAW) {
        return NULL;
    }
    return pk_law(f)->arity == n ? pk_law(f) : NULL;
}

/* Lay out the env [head, held's arguments, x1..xn] of a law about to be
** entered at st[at]; the xs are at st[xo..], anywhere above `at`. The stack
** grows if need be (so rt->stack may move); rt->sp ends above the env. */
static bool lay_out_call(PkRuntime *rt, size_t at, PkVal head, const PkClo *held,
                         size_t xo, uint32_t n) {
    uint32_t have = held ? held->h.n : 0;
    size_t top = at + 1 + have + n;
    if (top > rt->stack_cap) {
        rt->sp = xo + n;                  /* all that is live is below */
        if (!pk_gc_stack_reserve(rt, top - rt->sp)) return false;
    }
    /* few words each time: plain loops beat memmove's set-up */
    PkVal *st = rt->stack, *to = &st[at + 1 + have], *from = &st[xo];
    if (to < from) for (uint32_t i = 0; i < n; i++) to[i] = from[i];
    else if (to > from) for (uint32_t i = n; i-- > 0;) to[i] = from[i];
    for (uint32_t i = 0; i < have; i++) st[at + 1 + i] = held->args[i];
    st[at] = head;
    rt->sp = top;
    return true;
}

/* Calls entered here skip call_law's poll, so they count down rt->poll
** themselves; the call that reaches zero takes the slow path, which polls
** (signals, and a collection, which cannot happen inside run_law). */
static bool may_enter(PkRuntime *rt) {
    if (pk_likely(--rt->poll != 0)) return true;
    rt->poll = 1;
    return false;
}

static int run_law(PkRuntime *rt, PkLaw *law, size_t env, uint32_t pc, size_t sp,
                   PkVal *out, uint32_t *tail_n, size_t *at) {
    PkCode *c;
    PkVal *st, res;
    if (pc != UINT32_MAX) goto resume;

enter:                                    /* rt->sp is just above the env */
    c = law->code;
    if (!c) {
        c = law->code = pk_law_compile(rt, law);
        if (!c) goto fail;
    }
    {
        size_t lets = env + (size_t)law->arity + 1;
        size_t need = c->nlets + c->maxstack + 4;
        if (pk_unlikely(rt->sp + need > rt->stack_cap) && !pk_gc_stack_reserve(rt, need)) goto fail;
        st = rt->stack;
        rt->sp = lets;
        for (uint32_t i = 0; i < c->nlets; i++) {
            PkVal h = pk_value_hole(rt);
            if (!h) goto fail;
            st[rt->sp++] = h;
        }
        size_t vs = rt->sp;               /* value stack base */
        for (uint32_t s = 0; s < c->nlets; s++) {   /* let segments: values only */
            sp = vs;
            for (pc = c->seg[s]; pc < c->seg[s + 1]; pc++) {
                uint64_t ins = c->instr[pc], arg = pk_instr_arg(ins);
                switch (pk_instr_op(ins)) {
                case PK_I_REF:   st[sp++] = st[env + arg]; break;
                case PK_I_CONST: st[sp++] = c->consts[arg]; break;
                case PK_I_APPK: {
                    sp -= pk_app_n(arg);
                    PkVal a = mk_app(rt, c->consts[pk_app_k(arg)], pk_app_n(arg), &st[sp]);
                    if (!a) goto fail;
                    st[sp++] = a;
                    break;
                }
                case PK_I_OP_APP: {
                    PkVal xy[2];
                    op_operands(c, st, env, arg, &sp, xy);
                    PkVal a = op_inline(rt, arg, xy);
                    if (!a) a = mk_app(rt, c->consts[pk_op_k(arg)], 2, xy);
                    if (!a) goto fail;
                    st[sp++] = a;
                    break;
                }
                default: {        /* PK_I_APP */
                    sp -= pk_app_n(arg) + 1;
                    PkVal a = mk_app(rt, st[sp], pk_app_n(arg), &st[sp + 1]);
                    if (!a) goto fail;
                    st[sp++] = a;
                }
                }
            }
            fill_slot(st[lets + s], st[vs]);
        }
        pc = c->seg[c->nlets];
        sp = vs;
        goto body;
    }

resume:                                   /* the awaited value is st[sp-1] */
    /* No reserve: `enter` reserved this law's whole value stack, and the
    ** stack never shrinks while an evaluation is under way. */
    c = law->code;
    rt->sp = sp;

body:
    st = rt->stack;
    uint32_t n;                           /* a call: its argument count, */
    int hint;                             /* inline operation, */
    PkVal f, *xs, xy[2];                  /* head and arguments */
    uint64_t ins, arg;
#ifdef VM_THREADED
    static const void *const jump[PK_I_COUNT] = {
        [PK_I_REF] = &&L_PK_I_REF, [PK_I_CONST] = &&L_PK_I_CONST, [PK_I_APP] = &&L_PK_I_APP,
        [PK_I_EVAL] = &&L_PK_I_EVAL, [PK_I_EVAL_APP] = &&L_PK_I_EVAL_APP, [PK_I_IF] = &&L_PK_I_IF,
        [PK_I_RET] = &&L_PK_I_RET, [PK_I_SWAP] = &&L_PK_I_SWAP, [PK_I_IFZ] = &&L_PK_I_IFZ,
        [PK_I_SWITCH] = &&L_PK_I_SWITCH, [PK_I_POP] = &&L_PK_I_POP, [PK_I_TRACE] = &&L_PK_I_TRACE,
        [PK_I_TAIL] = &&L_PK_I_TAIL, [PK_I_APPK] = &&L_PK_I_APPK,
        [PK_I_EVAL_APPK] = &&L_PK_I_EVAL_APPK, [PK_I_TAILK] = &&L_PK_I_TAILK,
        [PK_I_OP_APP] = &&L_PK_I_OP_APP, [PK_I_OP_EVAL] = &&L_PK_I_OP_EVAL,
        [PK_I_OP_TAIL] = &&L_PK_I_OP_TAIL, [PK_I_CASE] = &&L_PK_I_CASE,
        [PK_I_RETK] = &&L_PK_I_RETK, [PK_I_OP_EVAL_IF] = &&L_PK_I_OP_EVAL_IF,
    };
#endif
    for (;; pc++) {                       /* the result segment */
        ins = c->instr[pc], arg = pk_instr_arg(ins);
        switch (pk_instr_op(ins)) {
        OP(PK_I_REF):   st[sp++] = st[env + arg]; NEXT;
        OP(PK_I_CONST): st[sp++] = c->consts[arg]; NEXT;
        /* Calls. Each form finds its head f, its n arguments xs and the
        ** slot the result goes to (sp, after popping), then goes on below:
        ** [f x1..xn] pushed, or [x1..xn] with f = consts[k] (K forms). */
#define CALL_PUSHED()   (n = pk_app_n(arg), hint = pk_app_hint(arg), \
                         sp -= n + 1, f = st[sp], xs = &st[sp + 1])
#define CALL_OF_CONST() (n = pk_app_n(arg), hint = pk_app_hint(arg), \
                         sp -= n, f = c->consts[pk_app_k(arg)], xs = &st[sp])
/* an OP form not done inline: its two operands laid out as a K call's args */
#define CALL_OF_OPERANDS() (st[sp] = xy[0], st[sp + 1] = xy[1], n = 2, hint = PK_OP_NONE, \
                            f = c->consts[pk_op_k(arg)], xs = &st[sp])
        OP(PK_I_APP):                    /* [f x1..xn] */
            CALL_PUSHED();
            goto lazy_call;
        OP(PK_I_APPK):                   /* [x1..xn], f = consts[k] */
            CALL_OF_CONST();
            goto lazy_call;
        OP(PK_I_OP_APP):                 /* operands, f = consts[k] */
            op_operands(c, st, env, arg, &sp, xy);
            if ((res = op_inline(rt, arg, xy))) {
                st[sp++] = res;
                NEXT;
            }
            CALL_OF_OPERANDS();
        lazy_call: {                      /* -> the lazy call (f x1..xn) */
            if (hint && rt->jets_enabled && pk_pin(f)->jet && (res = inline_op(hint, xs[0], xs[1]))) {
                st[sp++] = res;           /* computed where it is built */
                NEXT;
            }
            PkVal a = mk_app(rt, f, n, xs);
            if (!a) goto fail;
            st[sp++] = a;
            NEXT;
        }

        OP(PK_I_TAIL):
            CALL_PUSHED();
            goto tail_call;
        OP(PK_I_TAILK):
            CALL_OF_CONST();
            goto tail_call;
        OP(PK_I_OP_TAIL):
            op_operands(c, st, env, arg, &sp, xy);
            if ((res = op_inline(rt, arg, xy))) goto returned;
            CALL_OF_OPERANDS();
        tail_call: {                      /* -> the result is the call (f x1..xn) */
            if (hint && rt->jets_enabled && pk_pin(f)->jet && (res = inline_op(hint, xs[0], xs[1])))
                goto returned;
            f = pk_deref(f);
            if (pk_is_pin(f) && pk_pin(f)->jet && pk_pin(f)->jet->eager && rt->jets_enabled) {
                res = try_eager(rt, pk_pin(f)->jet, n, xs);
                if (res) goto returned;
                if (rt->err) goto fail;
            }
            if (f == pk_small(3) && n == 1 && pk_is_small(pk_deref(xs[0])) &&
                pk_small_val(pk_deref(xs[0])) < PK_SMALL_MAX) {   /* (3 k): k + 1 here */
                res = pk_small(pk_small_val(pk_deref(xs[0])) + 1);
                goto returned;
            }
            PkVal head;
            const PkClo *held;
            PkLaw *callee = direct_law(rt, f, n, &head, &held);
            if (callee && may_enter(rt)) {  /* a tail call: replace this law */
                if (held) {
                    if (!lay_out_call(rt, env, head, held, (size_t)(xs - st), n)) goto fail;
                } else {                  /* over this law's env, moving down */
                    for (uint32_t i = 0; i < n; i++) st[env + 1 + i] = xs[i];
                    st[env] = head;
                    rt->sp = env + n + 1;
                }
                law = callee;
                goto enter;
            }
            memmove(&st[env + 1], xs, n * sizeof(PkVal));   /* over this law's env */
            st[env] = f;
            rt->sp = env + n + 1;
            *tail_n = n;                  /* the caller applies */
            *at = env;
            return RUN_TAIL;
        }

        OP(PK_I_EVAL_APP):
            CALL_PUSHED();
            goto eval_call;
        OP(PK_I_EVAL_APPK):
            CALL_OF_CONST();
            goto eval_call;
        OP(PK_I_OP_EVAL_IF):              /* the IF follows */
            op_operands(c, st, env, arg, &sp, xy);
            if ((res = op_inline(rt, arg, xy))) {
                uint64_t cond = c->instr[++pc];
                if (!(pk_is_nat(res) && res != pk_small(0))) pc = (uint32_t)pk_instr_arg(cond) - 1;
                NEXT;
            }
            goto op_eval_call;
        OP(PK_I_OP_EVAL):
            op_operands(c, st, env, arg, &sp, xy);
            if ((res = op_inline(rt, arg, xy))) {
                st[sp++] = res;
                NEXT;
            }
        op_eval_call:
            CALL_OF_OPERANDS();
        eval_call: {                      /* -> LAWK frame, then the call */
            if (hint && rt->jets_enabled && pk_pin(f)->jet && (res = inline_op(hint, xs[0], xs[1]))) {
                st[sp++] = res;
                NEXT;
            }
            PkVal d = pk_deref(f);
            if (pk_is_pin(d) && pk_pin(d)->jet && pk_pin(d)->jet->eager && rt->jets_enabled) {
                PkVal r = try_eager(rt, pk_pin(d)->jet, n, xs);
                if (r) { st[sp++] = r; NEXT; }   /* computed in place */
                if (rt->err) goto fail;
            }
            /* [LAWK frame] then the call [f x1..xn] (or the law's env) */
            PkVal head;
            const PkClo *held;
            PkLaw *callee = direct_law(rt, d, n, &head, &held);
            if (callee && may_enter(rt)) {
                if (held) {
                    if (!lay_out_call(rt, sp + 2, head, held, (size_t)(xs - st), n)) goto fail;
                } else {                  /* moving up, so from the end */
                    for (uint32_t i = n; i-- > 0;) st[sp + 3 + i] = xs[i];
                    st[sp + 2] = head;
                    rt->sp = sp + 3 + n;
                }
                suspend(rt, env, sp, pc + 1);
                env = sp + 2;
                law = callee;
                goto enter;
            }
            if (n == 1) st[sp + 3] = xs[0];   /* moving up, so from the end */
            else for (uint32_t i = n; i-- > 0;) st[sp + 3 + i] = xs[i];
            st[sp + 2] = d;
            suspend(rt, env, sp, pc + 1);
            rt->sp = sp + 3 + n;
            *tail_n = n;
            *at = sp + 2;
            return RUN_TAIL;
        }

        OP(PK_I_EVAL): {
            PkVal v = pk_deref(st[sp - 1]);
            if (pk_is_whnf(v)) { st[sp - 1] = v; NEXT; }
            suspend(rt, env, sp - 1, pc + 1);
            rt->sp = sp + 1;
            *out = v;
            return RUN_EVAL;
        }
        OP(PK_I_CASE): {                 /* (2 z p x): x is on top, p's parts below */
            PkVal k = pk_nat_cast(pk_deref(st[--sp]));
            if (pk_nat_is_zero(k)) {
                sp -= (size_t)(arg >> 32);
                pc = (uint32_t)arg - 1;
                NEXT;
            }
            k = pk_is_small(k) ? pk_small(pk_small_val(k) - 1) : pk_nat_dec(rt, k);
            if (!k) goto fail;
            st[sp++] = k;
            NEXT;
        }
        OP(PK_I_SWAP): {                 /* arguments back in their places */
            PkVal t = st[sp - 2];
            st[sp - 2] = st[sp - 1];
            st[sp - 1] = t;
            NEXT;
        }
        OP(PK_I_IF): {
            PkVal v = st[--sp];
            if (!(pk_is_nat(v) && v != pk_small(0))) pc = (uint32_t)arg - 1;
            NEXT;
        }
        OP(PK_I_IFZ):
            if (st[--sp] != pk_small(0)) pc = (uint32_t)arg - 1;
            NEXT;
        OP(PK_I_SWITCH): {               /* the table follows: fallback, cases */
            PkVal k = pk_nat_cast(st[--sp]);
            uint64_t i = pk_is_small(k) && pk_small_val(k) < arg ? pk_small_val(k) + 1 : 0;
            pc = (uint32_t)c->instr[pc + 1 + i] - 1;
            NEXT;
        }
        OP(PK_I_POP):
            sp--;
            NEXT;
        OP(PK_I_TRACE): {
            PkVal v = pk_deref(st[sp - 1]);
            if (!pk_is_whnf(v) || (pk_is_clo(v) && !(pk_obj(v)->flags & PK_F_NORMAL))) {
                suspend(rt, env, sp - 1, pc);     /* back here once it is normal */
                rt->sp = sp + 1;
                *out = v;
                return RUN_EVAL_NORM;
            }
            rt->sp = --sp;                /* the hook may evaluate: keep ours below */
            if (rt->jets_enabled && rt->trace && rt->trace(rt, v)) goto fail;
            st = rt->stack;               /* which may have moved the stack */
            NEXT;
        }
        OP(PK_I_RETK):
            res = c->consts[arg];
            goto returned;
        OP(PK_I_RET):
        default:
            res = st[sp - 1];
            goto returned;
        }
    }

returned: {
    /* A WHNF result for a law waiting just below resumes it here. */
    PkVal d = pk_deref(res), below = st[env - 1];
    if (pk_is_whnf(d) && pk_is_small(below) && TAG_KIND(below) == F_LAWK) {
        size_t top = env - 1;
        pc = (uint32_t)pk_small_val(st[top - 1]);
        st[top - 1] = d;                  /* the value takes the pc's place */
        sp = top;
        env = top - TAG_SIZE(below);
        law = law_of_self(st[env]);
        goto resume;
    }
    *out = res;
    rt->sp = env;
    return RUN_VALUE;
}

fail:
    rt->sp = env;
    return RUN_FAIL;
}

/* Remove the exec-region placeholder at base: [_, a1..an] -> [a1..an]. */
static void drop_self(PkRuntime *rt, size_t base, size_t n) {
    memmove(&rt->stack[base], &rt->stack[base + 1], n * sizeof(PkVal));
    rt->sp = base + n;
}

static PkVal run(PkRuntime *rt, PkVal cur, size_t base) {
    PkVal *a;                     /* scratch pointer into the stack, never kept */
    PkLaw *law;                   /* call_law: the law to run ...            */
    size_t x;                     /* ... with its env [self, args] at S[x]   */
    int how;                      /* law_done: what run_law did,             */
    PkVal got;                    /* ... the value it gave,                  */
    uint32_t tail_n;              /* ... or the size of its tail call        */
    size_t x_tail;                /* ... laid out at S[x_tail]               */

eval:
    if (pk_unlikely(--rt->poll == 0)) {
        rt->poll = PK_POLL_STEPS;
        if (rt->poll_signals && rt->poll_signals(rt)) goto fail;
    }
    /* Collect as soon as enough was allocated (not only when polling), so
    ** that memory freed by the last collection is reused while it is warm:
    ** a jet that copies large rows allocates a lot in few steps. */
    if (pk_unlikely(PK_GC_STRESS ? rt->poll == PK_POLL_STEPS : rt->since_gc > rt->gc_trigger)) {
        RESERVE(1);
        PUSH(cur);
        bool fits = pk_gc_safepoint(rt);
        cur = S[--rt->sp];
        if (!fits) goto fail;             /* over the memory limit */
    }
    rt->steps++;
    cur = pk_deref(cur);
    if (pk_is_whnf(cur)) goto ret;
    switch (pk_obj(cur)->kind) {
    case PK_THUNK: {
        /* (f x1..xn): evaluate f, then apply it; update the thunk after */
        PkThunk *t = pk_thunk(cur);
        uint32_t n = t->h.n;
        RESERVE(n + 5);
        t->h.kind = PK_BUSY;
        PUSH(cur);
        PUSH(TAG(F_UPDATE, 1));
        /* a known head with exactly its arity: lay out its exec region now */
        PkVal f = pk_deref(t->fun);
        if (pk_is_pin(f) || pk_is_law(f)) {
            const PkJet *j = pk_is_pin(f) && rt->jets_enabled ? pk_pin(f)->jet : NULL;
            PkVal item = pk_is_pin(f) ? pk_pin(f)->item : f;
            if ((j && j->arity == n) || (!j && pk_is_law(item) && pk_law(item)->arity == n)) {
                x = rt->sp;
                PUSH(f);
                memcpy(&S[rt->sp], t->args, n * sizeof(PkVal));
                rt->sp += n;
                if (j) {
                    PUSH(pk_small(0));
                    PUSH(TAG(F_JET, n + 2));
                    goto jet_step;
                }
                law = pk_law(item);
                goto call_law;
            }
        }
        if (f == pk_small(3) && n == 1) {      /* (3 x), the commonest of the opcodes */
            PUSH(TAG(F_INC, 0));
            cur = t->args[0];
            goto eval;
        }
        memcpy(&S[rt->sp], t->args, n * sizeof(PkVal));
        rt->sp += n;
        PUSH(TAG(F_APPLY, n));
        cur = t->fun;
        goto eval;
    }
    default:                      /* BUSY or HOLE: a black hole */
        pk_fail(rt, PK_ERR_LOOP, "<<loop>>");
        goto fail;
    }

ret: {
    PkVal tag = TOP;
    size_t size = TAG_SIZE(tag);
    size_t fb = rt->sp - 1 - size;      /* payload base */
    switch (TAG_KIND(tag)) {
    case F_BASE:
        rt->sp--;
        return cur;

    case F_UPDATE: {
        PkVal t = S[fb];
        pk_obj(t)->kind = PK_IND;
        pk_thunk(t)->fun = cur;
        rt->sp = fb;
        goto ret;
    }

    case F_APPLY: {
        uint64_t rem = pk_value_arity(cur);
        if (size < rem) {         /* still partial: a closure */
            PkVal c = pk_value_apply(rt, cur, (uint32_t)size, &S[fb]);
            CHECK(c);
            rt->sp = fb;
            cur = c;
            goto ret;
        }
        /* Saturated. Leave the extra arguments as a smaller APPLY frame and
        ** lay out the exec region [self, args of the head] above it. */
        PkVal head = cur;
        uint32_t have = 0;
        if (pk_is_clo(cur)) { head = pk_clo(cur)->head; have = pk_obj(cur)->n; }
        size_t extra = size - rem;
        size_t total = have + rem;
        RESERVE(total + rem + 3);
        a = &S[rt->sp];                       /* park the used args above */
        memcpy(a, &S[fb], rem * sizeof(PkVal));
        memmove(&S[fb], &S[fb + rem], extra * sizeof(PkVal));
        rt->sp = fb + extra;
        if (extra) PUSH(TAG(F_APPLY, extra));
        x = rt->sp;                           /* exec region */
        PkVal *parked = &S[fb + size + 1];
        memmove(&S[x + 1 + have], parked, rem * sizeof(PkVal));
        if (have) memcpy(&S[x + 1], pk_clo(cur)->args, have * sizeof(PkVal));
        S[x] = head;
        rt->sp = x + 1 + total;

        /* ---- dispatch on the head: region is S[x] = head, S[x+1..] args */
        if (pk_is_nat(head)) {
            uint64_t op = pk_is_small(head) ? pk_small_val(head) : UINT64_MAX;
            a = &S[x + 1];
            switch (op) {
            case 0: {   /* (0 n a b): NAT(n), NAT(a) (crash if 0), normal b */
                PkVal n = a[0], ar = a[1], b = a[2];
                rt->sp = x;
                PUSH(ar); PUSH(b); PUSH(TAG(F_LAW_N, 2));
                cur = n;
                goto eval;
            }
            case 1: {   /* (1 p l a n x): case on the kind of x */
                PkVal p = a[0], l = a[1], ap = a[2], nn = a[3], v = a[4];
                rt->sp = x;
                PUSH(p); PUSH(l); PUSH(ap); PUSH(nn); PUSH(TAG(F_CASE1, 4));
                cur = v;
                goto eval;
            }
            case 2: {   /* (2 z p x): k = NAT(x); k == 0 ? z : (p (k-1)) */
                PkVal z = a[0], p = a[1], v = a[2];
                rt->sp = x;
                PUSH(z); PUSH(p); PUSH(TAG(F_CASE2, 2));
                cur = v;
                goto eval;
            }
            case 3: {   /* (3 x): NAT(x) + 1 */
                PkVal v = a[0];
                rt->sp = x;
                PUSH(TAG(F_INC, 0));
                cur = v;
                goto eval;
            }
            case 4: {   /* (4 x): normalize x, make a pin */
                PkVal v = a[0];
                rt->sp = x;
                PUSH(TAG(F_PIN, 0)); PUSH(TAG(F_NORM, 0));
                cur = v;
                goto eval;
            }
            default: {  /* (k x), k >= 5: normalize x, then crash with (k, x) */
                PkVal v = a[0];
                rt->sp = x;
                PUSH(head); PUSH(TAG(F_CRASH, 1)); PUSH(TAG(F_NORM, 0));
                cur = v;
                goto eval;
            }
            }
        }
        if (pk_is_pin(head)) {
            PkPin *p = pk_pin(head);
            if (p->jet && rt->jets_enabled) {
                /* [pin a1..an] + [i] + tag: force the jet's arguments */
                PUSH(pk_small(0));
                PUSH(TAG(F_JET, total + 2));
                goto jet_step;
            }
            if (!pk_is_law(p->item)) {       /* a pin of a non-law is its item */
                drop_self(rt, x, total);
                PUSH(TAG(F_APPLY, total));
                cur = p->item;
                goto eval;
            }
            law = pk_law(p->item);           /* self stays the pin */
        } else {
            law = pk_law(head);
        }
        goto call_law;
    }

    case F_JET: {                     /* an argument is back */
        const PkJet *j = pk_pin(S[fb])->jet;
        size_t n = size - 2;
        uint64_t i = pk_small_val(S[rt->sp - 2]);
        if (i >= 2 * n + 1) goto jet_step;  /* a value inside an argument: call again */
        if (i > n) {                      /* one the jet asked for: call again */
            S[fb + 1 + (i - n - 1)] = cur;
            S[rt->sp - 2] = pk_small(n);
            goto jet_step;
        }
        size_t k = j->order ? (size_t)(j->order[i] - '0') : i;
        S[fb + 1 + k] = cur;
        S[rt->sp - 2] += 2;                  /* i + 1 */
        goto jet_step;
    }

    case F_LAWK: {                    /* a value the law's code waited for */
        x = fb;
        law = law_of_self(S[x]);
        uint32_t pc = (uint32_t)pk_small_val(S[rt->sp - 2]);
        S[rt->sp - 2] = cur;              /* the value takes the pc's place */
        rt->sp--;                         /* and the tag goes */
        how = run_law(rt, law, x, pc, rt->sp, &got, &tail_n, &x_tail);
        goto law_done;
    }

    case F_INC: {
        PkVal r = pk_nat_inc(rt, pk_nat_cast(cur));
        CHECK(r);
        rt->sp = fb;
        cur = r;
        goto ret;
    }

    case F_CASE2: {
        PkVal k = pk_nat_cast(cur), z = S[fb], p = S[fb + 1];
        rt->sp = fb;
        if (pk_nat_is_zero(k)) { cur = z; goto eval; }
        PkVal d = pk_nat_dec(rt, k);
        CHECK(d);
        PUSH(d); PUSH(TAG(F_APPLY, 1));
        cur = p;
        goto eval;
    }

    case F_CASE1: {
        PkVal p = S[fb], l = S[fb + 1], ap = S[fb + 2], nn = S[fb + 3];
        rt->sp = fb;
        RESERVE(4);
        switch (pk_kind(cur)) {
        case PK_PIN:                  /* <i>: (p i) */
            PUSH(pk_pin(cur)->item); PUSH(TAG(F_APPLY, 1));
            cur = p;
            break;
        case PK_LAW: {                /* {n a b}: (l n a b) */
            PkLaw *lw = pk_law(cur);
            PUSH(lw->name); PUSH(lw->arity_val); PUSH(lw->body); PUSH(TAG(F_APPLY, 3));
            cur = l;
            break;
        }
        case PK_CLO: {                /* (f y): (a f y), y the last argument */
            PkClo *c = pk_clo(cur);
            uint32_t n = c->h.n;
            PkVal f = n == 1 ? c->head
                             : pk_value_clo(rt, c->head, c->rem + 1, n - 1, c->args);
            CHECK(f);
            PUSH(f); PUSH(c->args[n - 1]); PUSH(TAG(F_APPLY, 2));
            cur = ap;
            break;
        }
        default:                      /* nat: (n x) */
            PUSH(cur); PUSH(TAG(F_APPLY, 1));
            cur = nn;
            break;
        }
        goto eval;
    }

    case F_LAW_N:                     /* [a b] -> [NAT(n) b], evaluate a */
        cur = pk_nat_cast(cur);
        {
            PkVal ar = S[fb];
            S[fb] = cur;
            TOP = TAG(F_LAW_A, 2);
            cur = ar;
        }
        goto eval;

    case F_LAW_A: {                   /* [n b] -> [n NAT(a)], normalize b */
        PkVal ar = pk_nat_cast(cur);
        if (pk_nat_is_zero(ar)) {
            rt->sp = fb;
            pk_crash(rt, pk_small(0), pk_small(0));
            goto fail;
        }
        PkVal b = S[fb + 1];
        S[fb + 1] = ar;
        TOP = TAG(F_LAW_B, 2);
        RESERVE(1);
        PUSH(TAG(F_NORM, 0));
        cur = b;
        goto eval;
    }

    case F_LAW_B: {
        PkVal l = pk_value_law(rt, S[fb], S[fb + 1], cur);
        rt->sp = fb;
        CHECK(l);
        cur = l;
        goto ret;
    }

    case F_PIN: {
        PkVal p = pk_value_pin(rt, cur);
        rt->sp = fb;
        CHECK(p);
        if (pk_jet_match(rt, pk_pin(p))) goto fail;
        cur = p;
        goto ret;
    }

    case F_CRASH: {
        PkVal k = S[fb];
        rt->sp = fb;
        pk_crash(rt, k, cur);
        goto fail;
    }

    case F_CATCH: {                   /* _Try succeeded: [1 v] */
        PkVal ok[2] = {pk_small(1), cur};
        rt->sp = fb;
        cur = pk_value_row(rt, 2, ok);
        CHECK(cur);
        goto ret;
    }

    case F_NORM:
        if (!pk_is_clo(cur) || (pk_obj(cur)->flags & PK_F_NORMAL)) {
            rt->sp = fb;
            goto ret;
        }
        if (pk_obj(cur)->flags & PK_F_WALKING) {
            rt->sp = fb;
            pk_fail(rt, PK_ERR_LOOP, "<<loop>> (cyclic value)");
            goto fail;
        }
        RESERVE(2);
        pk_obj(cur)->flags |= PK_F_WALKING;
        S[fb] = cur;
        PUSH(pk_small(0));
        PUSH(TAG(F_NORMARGS, 2));
        goto normargs;

    case F_NORMARGS:                  /* argument i is back, normalized */
        pk_clo(S[fb])->args[pk_small_val(S[fb + 1])] = cur;
        S[fb + 1] += 2;
        goto normargs;

    default:
        pk_fail(rt, PK_ERR_BADARG, "corrupt evaluation stack");
        goto fail;
    }
}

normargs: {
    /* F_NORMARGS [clo i] on top: find the next argument not yet normal */
    size_t fb = rt->sp - 3;
    PkClo *c = pk_clo(S[fb]);
    uint64_t i = pk_small_val(S[fb + 1]);
    for (; i < c->h.n; i++) {
        PkVal v = pk_deref(c->args[i]);
        c->args[i] = v;
        if (!pk_is_whnf(v)) break;
        if (pk_is_clo(v) && !(pk_obj(v)->flags & PK_F_NORMAL)) break;
    }
    if (i == c->h.n) {
        c->h.flags = (uint8_t)((c->h.flags & ~PK_F_WALKING) | PK_F_NORMAL);
        cur = S[fb];
        rt->sp = fb;
        goto ret;
    }
    S[fb + 1] = pk_small(i);
    RESERVE(1);
    PUSH(TAG(F_NORM, 0));
    cur = c->args[i];
    goto eval;
}

jet_step: {
    /* the F_JET frame [pin a1..an i] is on top: force the next argument the
    ** jet needs, or call it */
    size_t jsize = TAG_SIZE(TOP);
    size_t jb = rt->sp - 1 - jsize, n = jsize - 2;
    const PkJet *j = pk_pin(S[jb])->jet;
    uint64_t i = pk_small_val(S[rt->sp - 2]);   /* position in the order */
    for (; i < n; i++) {
        size_t k = j->order ? (size_t)(j->order[i] - '0') : i;
        if (k >= n || !(((j->strict | j->deep) >> k) & 1)) continue;
        S[rt->sp - 2] = pk_small(i);
        cur = S[jb + 1 + k];
        if ((j->deep >> k) & 1) { RESERVE(1); PUSH(TAG(F_NORM, 0)); }
        goto eval;
    }
    rt->jet_calls++;
    rt->jet_resume = i > 2 * n ? i - 2 * n - 1 : 0;   /* called again after a FORCE */
    PkVal r = j->fn(rt, &S[jb + 1]);
    if (pk_unlikely(r == PK_JET_FORCE)) {  /* force a value inside an argument */
        S[rt->sp - 2] = pk_small(2 * n + 1 + rt->jet_force_at);
        cur = rt->jet_force;
        rt->jet_force = 0;
        if (rt->jet_force_deep) { RESERVE(1); PUSH(TAG(F_NORM, 0)); }
        goto eval;
    }
    if (pk_unlikely(r && pk_jet_special(r) && r != PK_JET_FALLBACK)) {
        size_t k = pk_jet_need_arg(r);  /* force argument k, then call again */
        S[rt->sp - 2] = pk_small(n + 1 + k);
        cur = S[jb + 1 + k];
        if (pk_jet_need_deep(r)) { RESERVE(1); PUSH(TAG(F_NORM, 0)); }
        goto eval;
    }
    if (r == PK_JET_CATCH) {          /* _Try: normalize args[0] under a catch */
        cur = S[jb + 1];
        rt->sp = jb;
        RESERVE(2);
        PUSH(TAG(F_CATCH, 0)); PUSH(TAG(F_NORM, 0));
        goto eval;
    }
    if (r == PK_JET_FALLBACK) {       /* the legal code, on the same args */
        PkPin *p = pk_pin(S[jb]);
        rt->sp = jb + 1 + n;
        if (!pk_is_law(p->item)) {
            drop_self(rt, jb, n);
            PUSH(TAG(F_APPLY, n));
            cur = p->item;
            goto eval;
        }
        law = pk_law(p->item);
        x = jb;
        goto call_law;
    }
    rt->sp = jb;
    if (!r) goto fail;
    cur = r;
    goto eval;
}

call_law:
    /* run law with env [self a1..an] at S[x]; its result is evaluated next.
    ** Calls can loop without passing `eval`, so they poll too; the law is
    ** reachable from S[x], so a collection here is safe. */
    rt->sp = x + 1 + (size_t)law->arity;
    if (pk_unlikely(--rt->poll == 0)) {
        rt->poll = PK_POLL_STEPS;
        if (rt->poll_signals && rt->poll_signals(rt)) { rt->sp = x; goto fail; }
        if (!pk_gc_safepoint(rt)) { rt->sp = x; goto fail; }
    }
    how = run_law(rt, law, x, UINT32_MAX, 0, &got, &tail_n, &x_tail);

law_done:
    if (how == RUN_FAIL) goto fail;       /* run_law left sp at a frame boundary */
    if (how == RUN_EVAL_NORM) { RESERVE(1); PUSH(TAG(F_NORM, 0)); }
    if (how != RUN_TAIL) { cur = got; goto eval; }
    x = x_tail;
    {                                /* RUN_TAIL: [f x1..xn] at x: apply f */
        /* A known head with exactly its arity: [f x1..xn] is already the
        ** exec region of the call, so enter it directly (no APPLY frame). */
        PkVal f = pk_deref(S[x]);
        if (pk_is_pin(f) && pk_pin(f)->jet && rt->jets_enabled && pk_pin(f)->jet->arity == tail_n) {
            S[x] = f;
            rt->sp = x + 1 + tail_n;
            RESERVE(2);
            PUSH(pk_small(0));
            PUSH(TAG(F_JET, tail_n + 2));
            goto jet_step;
        }
        if (pk_is_pin(f) && !(pk_pin(f)->jet && rt->jets_enabled) && pk_is_law(pk_pin(f)->item) &&
            pk_law(pk_pin(f)->item)->arity == tail_n) {
            S[x] = f;                     /* self is the pin */
            law = pk_law(pk_pin(f)->item);
            goto call_law;
        }
        if (pk_is_law(f) && pk_law(f)->arity == tail_n) {
            S[x] = f;
            law = pk_law(f);
            goto call_law;
        }
        cur = S[x];
        memmove(&S[x], &S[x + 1], tail_n * sizeof(PkVal));
        rt->sp = x + tail_n;
        PUSH(TAG(F_APPLY, tail_n));
        goto eval;
    }

fail: {
    PkVal caught = catch_crash(rt, base);
    if (caught) { cur = caught; goto ret; }
    unwind(rt, base);
    return 0;
}
}

#undef NEXT
#undef OP
#undef CALL_PUSHED
#undef CALL_OF_CONST
#undef CALL_OF_OPERANDS
#undef S
#undef PUSH
#undef TOP
#undef RESERVE
#undef CHECK

PkVal pk_eval_whnf(PkRuntime *rt, PkVal v) {
    if (!pk_gc_stack_reserve(rt, 2)) return 0;
    size_t base = rt->sp;
    rt->err = PK_OK;
    rt->stack[rt->sp++] = TAG(F_BASE, 0);
    return run(rt, v, base);
}

PkVal pk_eval_catch(PkRuntime *rt, PkVal v) {
    if (!pk_gc_stack_reserve(rt, 3)) return 0;
    size_t base = rt->sp;
    rt->err = PK_OK;
    rt->stack[rt->sp++] = TAG(F_BASE, 0);
    rt->stack[rt->sp++] = TAG(F_CATCH, 0);
    rt->stack[rt->sp++] = TAG(F_NORM, 0);
    return run(rt, v, base);
}

PkVal pk_eval_normal(PkRuntime *rt, PkVal v) {
    if (!pk_gc_stack_reserve(rt, 2)) return 0;
    size_t base = rt->sp;
    rt->err = PK_OK;
    rt->stack[rt->sp++] = TAG(F_BASE, 0);
    rt->stack[rt->sp++] = TAG(F_NORM, 0);
    return run(rt, v, base);
}
