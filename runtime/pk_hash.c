/*
** pk_hash.c: the tagged serialization of values and the hashes made from it.
**
**   pin  0x00 hash(pin)            law  0x01 nat(name) nat(arity) ser(body)
**   app  0x02 u64(n) head args     nat  0x03 nat(n)
**   bar  0x04 u64(len) bytes       cow  0x05 nat(n)
**   row  0x06 u64(len) x0 ..       set  0x07 u64(len) keys
**   tab  0x08 u64(len) keys vals   nat(n) = u64(limbs) limbs, little-endian
**
** Data jets are recognised by structure in the order tab, set, row, cow, bar,
** then the plain kinds, as the reference's _PlanHash does. The walk is a
** preorder on an explicit stack. Hashing a pin first hashes, in post-order,
** every pin below it that has no hash yet; each hash is computed once.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_hash.h"
#include "pk_nat.h"
#include "pk_walk.h"

typedef struct { uint8_t *b; size_t n, cap; } Buf;

static bool put(PkRuntime *rt, Buf *o, const void *p, size_t n) {
    if (o->n + n > o->cap) {
        size_t cap = o->cap ? o->cap : 256;
        while (cap < o->n + n) cap *= 2;
        /* shared subvalues are written out once per use: this can grow
        ** exponentially with the value's size, so it is bounded */
        if (!pk_gc_admit_buffer(rt, cap, "the serialization of a value")) return false;
        uint8_t *t = realloc(o->b, cap);
        if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
        o->b = t;
        o->cap = cap;
    }
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return true;
}

static bool put_u64(PkRuntime *rt, Buf *o, uint64_t x) {
    uint8_t w[8];
    for (int i = 0; i < 8; i++) w[i] = (uint8_t)(x >> (8 * i));
    return put(rt, o, w, 8);
}

static bool put_tag(PkRuntime *rt, Buf *o, uint8_t tag) { return put(rt, o, &tag, 1); }

/* nat(n): limb count, then the limbs little-endian */
static bool put_nat(PkRuntime *rt, Buf *o, PkVal n) {
    if (pk_is_small(n)) {
        uint64_t x = pk_small_val(n);
        return x ? put_u64(rt, o, 1) && put_u64(rt, o, x) : put_u64(rt, o, 0);
    }
    size_t len;
    uint8_t *b = pk_nat_bytes(rt, n, &len);
    if (!b) return false;
    size_t limbs = (len + 7) / 8;
    static const uint8_t zeros[8] = {0};
    bool ok = put_u64(rt, o, limbs) && put(rt, o, b, len) && put(rt, o, zeros, limbs * 8 - len);
    free(b);
    return ok;
}

static bool is_set(PkVal v) { return pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_SET; }

/* A tab: a set law applied to a row of as many values as it has keys. */
static bool is_tab(PkVal v, PkVal *set, PkVal *vals) {
    uint64_t nk, nv;
    if (!pk_is_clo(v) || pk_obj(v)->n != 1 || !is_set(pk_clo(v)->head)) return false;
    *set = pk_clo(v)->head;
    *vals = pk_deref(pk_clo(v)->args[0]);
    return pk_value_is_row(pk_law(*set)->body, &nk) && pk_value_is_row(*vals, &nv) && nk == nv;
}

/* Push the elements of a row so that element 0 pops first. */
static bool push_row(PkRuntime *rt, PkWalkStack *s, PkVal row, uint64_t len) {
    for (uint64_t i = len; i-- > 0;)
        if (!pk_walk_push(rt, s, pk_value_row_get(row, i))) return false;
    return true;
}

static bool ser_one(PkRuntime *rt, Buf *o, PkWalkStack *s, PkVal v) {
    PkVal set, vals;
    uint64_t len;
    v = pk_deref(v);
    if (is_tab(v, &set, &vals)) {
        PkVal keys = pk_law(set)->body;
        pk_value_is_row(keys, &len);
        return put_tag(rt, o, 8) && put_u64(rt, o, len) &&
               push_row(rt, s, vals, len) && push_row(rt, s, keys, len);
    }
    if (is_set(v)) {
        PkVal keys = pk_law(v)->body;
        pk_value_is_row(keys, &len);
        return put_tag(rt, o, 7) && put_u64(rt, o, len) && push_row(rt, s, keys, len);
    }
    if (pk_value_is_row(v, &len))
        return put_tag(rt, o, 6) && put_u64(rt, o, len) && (len == 0 || push_row(rt, s, v, len));
    if (pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_COW)
        {
        PkVal n = pk_nat_dec(rt, pk_law(v)->arity_val);
        return n && put_tag(rt, o, 5) && put_nat(rt, o, n);
    }
    if (pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_BAR) {
        size_t n;
        uint8_t *b = pk_nat_bytes(rt, pk_law(v)->body, &n);
        if (!b) return false;
        bool ok = put_tag(rt, o, 4) && put_u64(rt, o, n - 1) && put(rt, o, b, n - 1);
        free(b);
        return ok;
    }
    switch (pk_kind(v)) {
    case 0: case PK_BIG:
        return put_tag(rt, o, 3) && put_nat(rt, o, v);
    case PK_CLO: {
        PkClo *c = pk_clo(v);
        for (uint32_t i = c->h.n; i-- > 0;)
            if (!pk_walk_push(rt, s, c->args[i])) return false;
        return put_tag(rt, o, 2) && put_u64(rt, o, c->h.n) && pk_walk_push(rt, s, c->head);
    }
    case PK_LAW: {
        PkLaw *l = pk_law(v);
        return put_tag(rt, o, 1) && put_nat(rt, o, l->name) && put_nat(rt, o, l->arity_val) &&
               pk_walk_push(rt, s, l->body);
    }
    case PK_PIN:
        return put_tag(rt, o, 0) && put(rt, o, pk_pin(v)->hash, 32);
    default:
        pk_fail(rt, PK_ERR_BADARG, "hashing a value that is not in normal form");
        return false;
    }
}

/* Serialize v; every pin inside must already be hashed. */
static bool serialize(PkRuntime *rt, Buf *o, PkVal v) {
    PkWalkStack s = {0};
    bool ok = pk_walk_push(rt, &s, v);
    while (ok && s.n) ok = ser_one(rt, o, &s, pk_walk_pop(&s));
    pk_walk_done(&s);
    return ok;
}

/* Push the pins directly below v (not inside other pins) that lack a hash.
** A shared subvalue is visited once: its object's GC mark (always clear
** outside a collection, and none can happen here) says it was seen, and
** the seen list clears the marks again. Without this, a value with much
** sharing (x doubled n times) would take 2^n steps here. */
static bool push_unhashed_pins(PkRuntime *rt, PkWalkStack *pins, PkVal v) {
    PkWalkStack s = {0}, seen = {0};
    bool ok = pk_walk_push(rt, &s, v);
    while (ok && s.n) {
        PkVal x = pk_deref(pk_walk_pop(&s));
        if (pk_is_small(x) || pk_obj(x)->mark) continue;
        pk_obj(x)->mark = 1;
        if (!(ok = pk_walk_push(rt, &seen, x))) { pk_obj(x)->mark = 0; break; }
        switch (pk_kind(x)) {
        case PK_PIN:
            if (!(pk_obj(x)->flags & PK_F_HASHED)) ok = pk_walk_push(rt, pins, x);
            break;
        case PK_LAW:
            ok = pk_walk_push(rt, &s, pk_law(x)->body);
            break;
        case PK_CLO:
            ok = pk_walk_push(rt, &s, pk_clo(x)->head);
            for (uint32_t i = 0; ok && i < pk_obj(x)->n; i++) ok = pk_walk_push(rt, &s, pk_clo(x)->args[i]);
            break;
        default:
            break;
        }
    }
    for (size_t i = 0; i < seen.n; i++) pk_obj(seen.v[i])->mark = 0;
    pk_walk_done(&seen);
    pk_walk_done(&s);
    return ok;
}

static int hash_bytes(PkRuntime *rt, Buf *o, uint8_t out[32]) {
    int r = rt->blake3(rt, o->b, o->n, out);
    if (r) rt->err = PK_ERR_PYTHON;
    return r;
}

/* Hash every unhashed pin reachable from v, children before parents. */
static int hash_pins_below(PkRuntime *rt, PkVal v) {
    PkWalkStack pins = {0};
    Buf o = {0};
    int r = push_unhashed_pins(rt, &pins, v) ? 0 : -1;
    while (!r && pins.n) {
        PkPin *p = pk_pin(pins.v[pins.n - 1]);
        if (p->h.flags & PK_F_HASHED) { pins.n--; continue; }
        if (!(p->h.flags & PK_F_VISIT)) {        /* first visit: children first */
            p->h.flags |= PK_F_VISIT;
            if (!push_unhashed_pins(rt, &pins, p->item)) r = -1;
            continue;
        }
        o.n = 0;                                  /* children done: hash it */
        if (!serialize(rt, &o, p->item) || hash_bytes(rt, &o, p->hash)) { r = -1; break; }
        p->h.flags = (uint8_t)((p->h.flags & ~PK_F_VISIT) | PK_F_HASHED);
        pins.n--;
    }
    for (size_t i = 0; i < pins.n; i++) pk_obj(pins.v[i])->flags &= (uint8_t)~PK_F_VISIT;
    pk_walk_done(&pins);
    free(o.b);
    return r;
}

int pk_hash_pin(PkRuntime *rt, PkPin *pin) {
    if (pin->h.flags & PK_F_HASHED) return 0;
    return hash_pins_below(rt, (PkVal)pin);
}

uint8_t *pk_hash_serialize(PkRuntime *rt, PkVal v, size_t *len) {
    Buf o = {0};
    if (hash_pins_below(rt, v) || !serialize(rt, &o, v)) { free(o.b); return NULL; }
    *len = o.n;
    return o.b;
}

int pk_hash_plan(PkRuntime *rt, PkVal v, uint8_t out[32]) {
    Buf o = {0};
    size_t len;
    o.b = pk_hash_serialize(rt, v, &len);
    if (!o.b) return -1;
    o.n = len;
    int r = hash_bytes(rt, &o, out);
    free(o.b);
    return r;
}
