/*
** pk_walk.c: comparison of values, without C recursion.
**
** The order is the reference runtime's Ord instance: nats first, then pins,
** then laws, then closures; laws compare by (name, arity, body); closures by
** their number of arguments first, then head and arguments left to right.
** Data jets compare as their PLAN shapes, which is automatic here since rows
** and tabs are closures and bars, sets and cows are laws.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_walk.h"
#include "pk_nat.h"

bool pk_walk_push(PkRuntime *rt, PkWalkStack *s, PkVal v) {
    if (s->n == s->cap) {
        /* a walk of a cyclic value never ends: stop it where evaluation would */
        if (s->cap >= PK_STACK_MAX || s->cap >= rt->mem_limit / 2 / sizeof(PkVal)) { pk_fail(rt, PK_ERR_STACK, "walk stack limit reached"); return false; }
        size_t cap = s->cap ? s->cap * 2 : 256;
        PkVal *t = realloc(s->v, cap * sizeof(PkVal));
        if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
        s->v = t;
        s->cap = cap;
    }
    s->v[s->n++] = v;
    return true;
}

static int rank(PkVal v) {
    switch (pk_kind(v)) {
    case 0: case PK_BIG: return 0;
    case PK_PIN: return 1;
    case PK_LAW: return 2;
    default: return 3;
    }
}

static int sign(int c) { return (c > 0) - (c < 0); }

/* Compare one pair; push sub-pairs (b first, then a, so a pops first) when
** the answer depends on them. Returns the decided order or 0 to go on. */
static int step(PkRuntime *rt, PkWalkStack *s, PkVal a, PkVal b, PkVal *need) {
    a = pk_deref(a);
    b = pk_deref(b);
    if (a == b) return 0;
    if (!pk_is_whnf(a) || !pk_is_whnf(b)) {        /* only in a lazy walk */
        *need = pk_is_whnf(a) ? b : a;
        return PK_WALK_NEED;
    }
    int ra = rank(a), rb = rank(b);
    if (ra != rb) return ra < rb ? -1 : 1;
    switch (ra) {
    case 0: return pk_nat_cmp(rt, a, b);
    case 1: {
        PkPin *x = pk_pin(a), *y = pk_pin(b);
        if ((x->h.flags & y->h.flags & PK_F_HASHED) && !memcmp(x->hash, y->hash, 32)) return 0;
        if (pk_walk_push(rt, s, y->item)) pk_walk_push(rt, s, x->item);
        return 0;
    }
    case 2: {
        PkLaw *x = pk_law(a), *y = pk_law(b);
        int c = pk_nat_cmp(rt, x->name, y->name);
        if (!c) c = pk_nat_cmp(rt, x->arity_val, y->arity_val);
        if (c) return c;
        if (pk_walk_push(rt, s, y->body)) pk_walk_push(rt, s, x->body);
        return 0;
    }
    default: {
        PkClo *x = pk_clo(a), *y = pk_clo(b);
        uint32_t n = x->h.n;
        if (n != y->h.n) return n < y->h.n ? -1 : 1;
        for (uint32_t i = n; i-- > 0;)
            if (!pk_walk_push(rt, s, y->args[i]) || !pk_walk_push(rt, s, x->args[i])) return 0;
        if (pk_walk_push(rt, s, y->head)) pk_walk_push(rt, s, x->head);
        return 0;
    }
    }
}

static int walk_cmp(PkRuntime *rt, PkVal a, PkVal b, PkVal *need) {
    a = pk_deref(a);
    b = pk_deref(b);
    if (pk_is_nat(a) && pk_is_nat(b)) return sign(pk_nat_cmp(rt, a, b));  /* no stack */
    PkWalkStack s = {0};
    int c = step(rt, &s, a, b, need);
    while (!c && s.n >= 2 && !rt->err) {
        PkVal x = pk_walk_pop(&s), y = pk_walk_pop(&s);
        c = step(rt, &s, x, y, need);
    }
    pk_walk_done(&s);
    return c == PK_WALK_NEED ? c : sign(c);
}

int pk_walk_cmp(PkRuntime *rt, PkVal a, PkVal b) {
    PkVal need = 0;
    int c = walk_cmp(rt, a, b, &need);
    if (c == PK_WALK_NEED) {                  /* the caller promised normal forms */
        pk_fail(rt, PK_ERR_BADARG, "comparison of a value not in normal form");
        return 0;
    }
    return c;
}

int pk_walk_cmp_lazy(PkRuntime *rt, PkVal a, PkVal b, PkVal *need) {
    return walk_cmp(rt, a, b, need);
}
