/*
** pk_value.c: making values, arity, and the canonical data-jet shapes.
**
** Laws are classified once, when made (law->shape): the empty row {0 1 0},
** cows {0 n+1 0}, bars {1 1 N} and sets {1 2 row}. Rows and tabs need no
** conversion at all: a flat closure of a cow with n args is already an array,
** and a tab is a set law with its value row applied.
*/
#include <string.h>
#include "pk_value.h"
#include "pk_nat.h"
#include "pk_walk.h"

/* Arity of an opcode or other nat in head position. */
static inline uint64_t nat_arity(PkVal v) {
    if (!pk_is_small(v)) return 1;
    switch (pk_small_val(v)) {
    case 0: return 3;
    case 1: return 5;
    case 2: return 3;
    default: return 1;
    }
}

uint64_t pk_value_arity(PkVal v) {
    switch (pk_kind(v)) {
    case 0: case PK_BIG: return nat_arity(v);
    case PK_PIN: return pk_pin(v)->arity;
    case PK_LAW: return pk_law(v)->arity;
    case PK_CLO: return pk_clo(v)->rem;
    default: return 1;   /* not in WHNF: callers never ask */
    }
}

bool pk_value_is_row(PkVal v, uint64_t *len) {
    if (pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_ROW0) { *len = 0; return true; }
    if (!pk_is_clo(v)) return false;
    PkVal h = pk_clo(v)->head;
    if (!pk_is_law(h) || pk_obj(h)->shape != PK_SHAPE_COW) return false;
    if (pk_law(h)->arity != (uint64_t)pk_obj(v)->n + 1) return false;
    *len = pk_obj(v)->n;
    return true;
}

PkVal pk_value_row_get(PkVal v, uint64_t i) {
    return pk_deref(pk_clo(v)->args[pk_obj(v)->n - 1 - i]);
}

static int law_shape(PkRuntime *rt, PkLaw *l) {
    PkVal name = l->name, body = pk_deref(l->body);
    if (name == pk_small(0) && body == pk_small(0))
        return l->arity == 1 ? PK_SHAPE_ROW0 : PK_SHAPE_COW;
    if (name != pk_small(1)) return PK_SHAPE_PLAIN;
    if (l->arity == 1 && pk_is_nat(body) && body != pk_small(0)) {
        size_t bits = pk_nat_bitlen(rt, body);
        return (bits - 1) % 8 == 0 ? PK_SHAPE_BAR : PK_SHAPE_PLAIN;
    }
    uint64_t n;
    if (l->arity == 2 && pk_value_is_row(body, &n)) {
        for (uint64_t i = 1; i < n; i++)
            if (pk_walk_cmp(rt, pk_value_row_get(body, i - 1), pk_value_row_get(body, i)) >= 0)
                return PK_SHAPE_PLAIN;
        return PK_SHAPE_SET;
    }
    return PK_SHAPE_PLAIN;
}

PkVal pk_value_law(PkRuntime *rt, PkVal name, PkVal arity, PkVal body) {
    PkLaw *l = pk_gc_alloc(rt, PK_LAW, sizeof(PkLaw));
    if (!l) return 0;
    l->name = name;
    l->arity_val = arity;
    l->arity = pk_is_small(arity) ? pk_small_val(arity) : UINT64_MAX;
    l->body = pk_deref(body);
    l->code = NULL;
    l->h.shape = (uint8_t)law_shape(rt, l);
    return (PkVal)l;
}

PkVal pk_value_pin(PkRuntime *rt, PkVal item) {
    PkPin *p = pk_gc_alloc(rt, PK_PIN, sizeof(PkPin));
    if (!p) return 0;
    p->item = pk_deref(item);
    p->arity = pk_value_arity(p->item);
    p->jet = NULL;
    memset(p->hash, 0, sizeof p->hash);
    return (PkVal)p;
}

PkVal pk_value_clo(PkRuntime *rt, PkVal head, uint64_t rem, uint32_t n, const PkVal *args) {
    PkClo *c = pk_gc_alloc(rt, PK_CLO, sizeof(PkClo) + n * sizeof(PkVal));
    if (!c) return 0;
    c->h.n = n;
    c->head = head;
    c->rem = rem;
    if (args) memcpy(c->args, args, n * sizeof(PkVal));
    return (PkVal)c;
}

PkVal pk_value_thunk(PkRuntime *rt, PkVal fun, uint32_t n, const PkVal *args) {
    PkThunk *t = pk_gc_alloc(rt, PK_THUNK, sizeof(PkThunk) + n * sizeof(PkVal));
    if (!t) return 0;
    t->h.n = n;
    t->fun = fun;
    if (args) memcpy(t->args, args, n * sizeof(PkVal));
    return (PkVal)t;
}

PkVal pk_value_hole(PkRuntime *rt) {
    PkThunk *t = pk_gc_alloc(rt, PK_HOLE, sizeof(PkThunk));
    if (!t) return 0;
    t->fun = 0;
    return (PkVal)t;
}

PkVal pk_value_apply(PkRuntime *rt, PkVal f, uint32_t n, const PkVal *args) {
    PkVal head = f;
    uint32_t have = 0;
    uint64_t rem;
    if (pk_is_clo(f)) {
        head = pk_clo(f)->head;
        have = pk_obj(f)->n;
        rem = pk_clo(f)->rem;
    } else {
        rem = pk_value_arity(f);
    }
    PkVal v = n < rem ? pk_value_clo(rt, head, rem - n, have + n, NULL)
                      : pk_value_thunk(rt, head, have + n, NULL);
    if (!v) return 0;
    /* usually a few words: loops, not memcpy's set-up */
    PkVal *dst = n < rem ? pk_clo(v)->args : pk_thunk(v)->args;
    const PkVal *held = have ? pk_clo(f)->args : NULL;
    for (uint32_t i = 0; i < have; i++) dst[i] = held[i];
    for (uint32_t i = 0; i < n; i++) dst[have + i] = args[i];
    return v;
}

PkVal pk_value_row(PkRuntime *rt, uint64_t n, const PkVal *items) {
    if (n >= UINT32_MAX)
        return pk_fail_memory(rt, "a row of %llu items (at most %u can be held)",
                              (unsigned long long)n, UINT32_MAX - 1);
    PkVal cow = pk_value_law(rt, pk_small(0), pk_small(n + 1), pk_small(0));
    if (!cow || n == 0) return cow;
    PkVal r = pk_value_clo(rt, cow, 1, (uint32_t)n, NULL);
    if (!r) return 0;
    for (uint64_t i = 0; i < n; i++) pk_clo(r)->args[n - 1 - i] = items ? items[i] : pk_small(0);
    return r;
}

PkVal pk_value_set(PkRuntime *rt, PkVal keys) {
    PkLaw *l = pk_gc_alloc(rt, PK_LAW, sizeof(PkLaw));
    if (!l) return 0;
    l->name = pk_small(1);
    l->arity_val = pk_small(2);
    l->arity = 2;
    l->body = pk_deref(keys);
    l->code = NULL;
    l->h.shape = PK_SHAPE_SET;
    return (PkVal)l;
}
