/*
** pk_jets_core.c: jets for primitives and reflection (sire_01), bits
** (sire_02) and comparison (sire_04).
**
** Each jet's comment is its meaning. NAT(x) is x if x is a nat, else 0;
** bit(x) is 1 for a nonzero nat and 0 for anything else.
*/
#include "pk_jet.h"
#include "pk_walk.h"

/* ----- primitives and reflection ------------------------------------------ */

/* (_Force x) = x in normal form (the deep mask did it) */
static PkVal force(PkRuntime *rt, PkVal *a) { (void)rt; return a[0]; }

/* (_Seq a b) = b, once a is in WHNF */
static PkVal seq(PkRuntime *rt, PkVal *a) { (void)rt; return a[1]; }

/* (par a b) = b: legally nothing more (natively it could spark a) */
static PkVal par(PkRuntime *rt, PkVal *a) { (void)rt; return a[1]; }

/* (_Trace msg x) = x, after handing the normal form of msg to the trace hook */
static PkVal trace(PkRuntime *rt, PkVal *a) {
    if (rt->trace && rt->trace(rt, pk_arg(a, 0))) return 0;
    return a[1];
}

static PkVal is_pin(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_is_pin(pk_arg(a, 0))); }
static PkVal is_law(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_is_law(pk_arg(a, 0))); }
static PkVal is_app(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_is_clo(pk_arg(a, 0))); }
static PkVal is_nat(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_is_nat(pk_arg(a, 0))); }

/* (_PlanTag x): pin 0, law 1, app 2, nat 3 */
static PkVal plan_tag(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_small(pk_is_pin(v) ? 0 : pk_is_law(v) ? 1 : pk_is_clo(v) ? 2 : 3);
}

/* (_PinItem p): the item of a pin, else 0 */
static PkVal pin_item(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_is_pin(v) ? pk_pin(v)->item : pk_small(0);
}

/* (_LawName l), (_LawArgs l), (_LawBody l): the fields of a law, else 0 */
static PkVal law_name(PkRuntime *rt, PkVal *a) { (void)rt; PkVal v = pk_arg(a, 0); return pk_is_law(v) ? pk_law(v)->name : pk_small(0); }
static PkVal law_args(PkRuntime *rt, PkVal *a) { (void)rt; PkVal v = pk_arg(a, 0); return pk_is_law(v) ? pk_law(v)->arity_val : pk_small(0); }
static PkVal law_body(PkRuntime *rt, PkVal *a) { (void)rt; PkVal v = pk_arg(a, 0); return pk_is_law(v) ? pk_law(v)->body : pk_small(0); }

/* (f x) without its last argument */
static PkVal init_of(PkRuntime *rt, PkVal v) {
    PkClo *c = pk_clo(v);
    if (c->h.n == 1) return c->head;
    return pk_value_clo(rt, c->head, c->rem + 1, c->h.n - 1, c->args);
}

/* (_Car x): pin 4; law (0 n a); app (f x) f; nat 0 */
static PkVal car(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg(a, 0);
    if (pk_is_pin(v)) return pk_small(4);
    if (pk_is_law(v)) {
        PkVal xs[2] = {pk_law(v)->name, pk_law(v)->arity_val};
        return pk_value_clo(rt, pk_small(0), 1, 2, xs);
    }
    if (pk_is_clo(v)) return init_of(rt, v);
    return pk_small(0);
}

/* (_Cdr x): pin its item; law its body; app (f x) x; nat 0 */
static PkVal cdr(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    if (pk_is_pin(v)) return pk_pin(v)->item;
    if (pk_is_law(v)) return pk_law(v)->body;
    if (pk_is_clo(v)) return pk_clo(v)->args[pk_obj(v)->n - 1];
    return pk_small(0);
}

/* (_Eqz x) = 1 exactly when x is the nat 0 */
static PkVal eqz(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_arg(a, 0) == pk_small(0)); }

/* ----- bits ----------------------------------------------------------------- */

/* (_If c t e) = bit(c) ? t : e */
static PkVal if_(PkRuntime *rt, PkVal *a) { (void)rt; return pk_arg_bit(a, 0) ? a[1] : a[2]; }
/* (_Not x) = 1 - bit(x);  (_Bit x) = bit(x) */
static PkVal not_(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(!pk_arg_bit(a, 0)); }
static PkVal bit(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_arg_bit(a, 0)); }

/* (_And x y) = bit(x) ? bit(y) : 0   -- y is looked at only when x holds */
static PkVal and_(PkRuntime *rt, PkVal *a) {
    (void)rt;
    if (!pk_arg_bit(a, 0)) return pk_small(0);
    if (!pk_arg_ready(a, 1)) return PK_JET_NEED(1);
    return pk_small(pk_arg_bit(a, 1));
}

/* (_Or x y) = bit(x) ? 1 : bit(y)   -- y is looked at only when x fails */
static PkVal or_(PkRuntime *rt, PkVal *a) {
    (void)rt;
    if (pk_arg_bit(a, 0)) return pk_small(1);
    if (!pk_arg_ready(a, 1)) return PK_JET_NEED(1);
    return pk_small(pk_arg_bit(a, 1));
}

/* (_Xor x y) = bit(x) != bit(y) */
static PkVal xor_(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_arg_bit(a, 0) != pk_arg_bit(a, 1)); }

/* (_Ifz x t e) = (_If (isZero x) t e): t exactly when x is the nat 0 */
static PkVal ifz(PkRuntime *rt, PkVal *a) { (void)rt; return pk_arg(a, 0) == pk_small(0) ? a[1] : a[2]; }

/* (_Nand x y) = bit(x) ? not(y) : 1   -- y is looked at only when x holds */
static PkVal nand_(PkRuntime *rt, PkVal *a) {
    (void)rt;
    if (!pk_arg_bit(a, 0)) return pk_small(1);
    if (!pk_arg_ready(a, 1)) return PK_JET_NEED(1);
    return pk_small(!pk_arg_bit(a, 1));
}

/* (_Nor x y) = bit(x) ? 0 : not(y)   -- y is looked at only when x fails */
static PkVal nor_(PkRuntime *rt, PkVal *a) {
    (void)rt;
    if (pk_arg_bit(a, 0)) return pk_small(0);
    if (!pk_arg_ready(a, 1)) return PK_JET_NEED(1);
    return pk_small(!pk_arg_bit(a, 1));
}

/* (_Xnor x y) = bit(x) == bit(y) */
static PkVal xnor_(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_arg_bit(a, 0) == pk_arg_bit(a, 1)); }

/* ----- comparison (the _Cmp order, forcing as the legal code does) ----------- */

/* Comparisons force only what the answer depends on, in the legal order, so
** two infinite (cyclic) values that differ early compare fine. A part not yet
** evaluated is forced (PK_JET_FORCE) and the comparison starts again; after
** CMP_RESTARTS of those, both sides are normalized instead, which bounds the
** work on long lazily built values. The restart count rides in the resume
** word. */
#define CMP_RESTARTS 32
#define CMP_WAIT 2                           /* not a comparison result */

static int cmp2(PkRuntime *rt, PkVal *a, PkVal *wait) {
    PkVal x = pk_arg(a, 0), y = pk_arg(a, 1), need = 0;
    if (pk_is_small(x) && pk_is_small(y)) return (x > y) - (x < y);
    int c = pk_walk_cmp_lazy(rt, x, y, &need);
    if (c != PK_WALK_NEED) return c;
    uint64_t restarts = rt->jet_resume;
    if (restarts < CMP_RESTARTS) *wait = pk_jet_force(rt, need, false, restarts + 1);
    else *wait = pk_flat_normal(x) ? PK_JET_NEED_DEEP(1) : PK_JET_NEED_DEEP(0);
    return CMP_WAIT;
}

#define CMP_JET(fname, expr)                                        \
    static PkVal fname(PkRuntime *rt, PkVal *a) {                   \
        PkVal wait = 0;                                             \
        int c = cmp2(rt, a, &wait);                                 \
        if (rt->err) return 0;                                      \
        if (c == CMP_WAIT) return wait;                             \
        return expr;                                                \
    }
/* (_Cmp x y): 0 less, 1 equal, 2 greater */
CMP_JET(cmp, pk_small((uint64_t)(c + 1)))
CMP_JET(eql, pk_small(c == 0))
CMP_JET(neq, pk_small(c != 0))
CMP_JET(lth, pk_small(c < 0))
CMP_JET(lte, pk_small(c <= 0))
CMP_JET(gth, pk_small(c > 0))
CMP_JET(gte, pk_small(c >= 0))
CMP_JET(min, c <= 0 ? a[0] : a[1])
CMP_JET(max, c >= 0 ? a[0] : a[1])
#undef CMP_JET

/* name, arity, strict mask, deep mask, order, code, eager (omitted: false) */
const PkJet pk_jets_core[] = {
    {"_Force", 1, 0, 1, NULL, force},
    {"_Seq", 2, 1, 0, NULL, seq},
    {"pseq", 2, 1, 0, NULL, seq},
    {"par", 2, 0, 0, NULL, par},
    {"_Trace", 2, 0, 1, NULL, trace},
    {"_DeepTrace", 2, 0, 1, NULL, trace},
    {"_IsPin", 1, 1, 0, NULL, is_pin},
    {"_IsLaw", 1, 1, 0, NULL, is_law},
    {"_IsApp", 1, 1, 0, NULL, is_app},
    {"_IsNat", 1, 1, 0, NULL, is_nat, true},
    {"_PlanTag", 1, 1, 0, NULL, plan_tag},
    {"_PinItem", 1, 1, 0, NULL, pin_item},
    {"_LawName", 1, 1, 0, NULL, law_name},
    {"_LawArgs", 1, 1, 0, NULL, law_args},
    {"_LawBody", 1, 1, 0, NULL, law_body},
    {"_Car", 1, 1, 0, NULL, car},
    {"_Cdr", 1, 1, 0, NULL, cdr},
    {"_Eqz", 1, 1, 0, NULL, eqz, true},
    {"_If", 3, 1, 0, NULL, if_},
    {"_Not", 1, 1, 0, NULL, not_, true},
    {"_Bit", 1, 1, 0, NULL, bit, true},
    {"_And", 2, 1, 0, NULL, and_},
    {"_Or", 2, 1, 0, NULL, or_},
    {"_Xor", 2, 3, 0, NULL, xor_, true},
    {"_Ifz", 3, 1, 0, NULL, ifz},
    {"_Nand", 2, 1, 0, NULL, nand_},
    {"_Nor", 2, 1, 0, NULL, nor_},
    {"_Xnor", 2, 3, 0, NULL, xnor_, true},
    {"_Cmp", 2, 3, 0, NULL, cmp, true},
    {"_Eql", 2, 3, 0, NULL, eql, true},
    {"_Neq", 2, 3, 0, NULL, neq, true},
    {"_Lth", 2, 3, 0, NULL, lth, true},
    {"_Lte", 2, 3, 0, NULL, lte, true},
    {"_Gth", 2, 3, 0, NULL, gth, true},
    {"_Gte", 2, 3, 0, NULL, gte, true},
    {"_Min", 2, 3, 0, NULL, min},
    {"_Max", 2, 3, 0, NULL, max},
};
const size_t pk_jets_core_count = sizeof pk_jets_core / sizeof pk_jets_core[0];
