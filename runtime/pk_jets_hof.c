/*
** pk_jets_hof.c: higher-order jets (sire_07 unfoldr and sumOf; sire_12
** tabMap, tabMapWithKey, tabUnionWith, tabFoldlWithKey, tabAlter,
** _TabFilterWithKey; sire_03 _NatFold and _Bitwise) and _Try and _TryExp
** (plan.sire).
**
** The mechanism. A jet never calls the evaluator. Where the legal code must
** see the WHNF of a call (f x) before it can go on (the step of unfoldr, each
** term of sumOf, each accumulator of the strict fold, the answer of tabAlter's
** function, each test of the filter), the jet returns, as its result, a call
** of an internal continuation pin K whose native code declares that argument
** strict. The evaluator runs that result in tail position: it forces the
** argument with an F_JET frame and calls K's code, which either finishes (its
** result is again evaluated in tail position) or writes the next call into
** its own argument slot on the evaluation stack and returns PK_JET_NEED(slot):
** the evaluator forces that slot and calls K again, under the same frame. So
** a loop of 10^6 steps runs in one F_JET frame (plus one update frame), in
** constant C stack and with only its result growing in memory; every step
** passes the evaluator's loop head, where it polls for Ctrl-C and collects.
** K's code never falls back (the arguments it rewrites are no longer the
** ones the legal code was called with); its pin holds a law whose legal body
** crashes, which runs only if jets are turned off in the middle of a loop.
**
** The continuation pins are made on first use and kept in rt->kont (roots).
** Each jet forces what the legal code forces, in the same order, so that a
** crash is the one the legal code reports; lazy results (tabMap, the values
** of tabUnionWith) hold thunks (f v), as _Map does. Inputs outside a jet's
** fast path (not a canonical tab or row) go to the legal code.
**
** _Try evaluates [f a1 .. an] as (f a1 .. an) to normal form under a catch
** frame (PK_JET_CATCH, F_CATCH in pk_eval.c): [1 v], or [0 [op val]] for a
** PLAN crash. Loops, interrupts and the stack limit are not PLAN crashes and
** pass through, as in the reference, whose jet catches only PRIMOP_CRASH.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"
#include "pk_walk.h"

/* ----- helpers ----------------------------------------------------------- */

/* The keys row, values row and size of a canonical tab, or false. */
static bool tab_parts(PkVal t, PkVal *keys, PkVal *vals, uint64_t *n) {
    uint64_t nk, nv;
    if (!pk_is_clo(t) || pk_obj(t)->n != 1) return false;
    PkVal set = pk_clo(t)->head;
    if (!pk_is_law(set) || pk_obj(set)->shape != PK_SHAPE_SET) return false;
    *keys = pk_law(set)->body;
    *vals = pk_deref(pk_clo(t)->args[0]);
    if (!pk_value_is_row(*keys, &nk) || !pk_value_is_row(*vals, &nv) || nk != nv) return false;
    *n = nk;
    return true;
}

/* The tab of a set law (reused) and a new values row. */
static PkVal tab_with_vals(PkRuntime *rt, PkVal tab, PkVal vals) {
    return pk_value_clo(rt, pk_clo(tab)->head, 1, 1, &vals);
}

/* The tab of an ascending keys row and a values row. */
static PkVal tab_of(PkRuntime *rt, PkVal keys, PkVal vals) {
    PkVal set = pk_value_set(rt, keys);
    return set ? pk_value_clo(rt, set, 1, 1, &vals) : 0;
}

/* (_Cdr x) of a WHNF value that is not a nat: a pin's item, a law's body,
** a closure's last argument. */
static PkVal cdr_of(PkVal x) {
    switch (pk_kind(x)) {
    case PK_PIN: return pk_pin(x)->item;
    case PK_LAW: return pk_law(x)->body;
    case PK_CLO: return pk_clo(x)->args[pk_obj(x)->n - 1];
    default: return pk_small(0);
    }
}

/* (_Idx i v) of a WHNF v: argument i of a closure counted from the right,
** 0 when out of range or not a closure. */
static PkVal idx_of(PkVal v, uint64_t i) {
    if (!pk_is_clo(v) || i >= pk_obj(v)->n) return pk_small(0);
    return pk_clo(v)->args[pk_obj(v)->n - 1 - i];
}

static bool truthy(PkVal v) { return pk_is_nat(v) && v != pk_small(0); }

/* A cons cell of an internal list, (0 x rest): a partial application of
** opcode 0, never seen outside these jets. */
static PkVal cons(PkRuntime *rt, PkVal x, PkVal rest) {
    PkVal xs[2] = {x, rest};
    return pk_value_clo(rt, pk_small(0), 1, 2, xs);
}
#define CONS_HEAD(c) (pk_clo(c)->args[0])
#define CONS_TAIL(c) (pk_clo(c)->args[1])

/* ----- continuation pins ------------------------------------------------- */

enum { K_IDX, K_UNFOLD, K_SUM, K_FOLD, K_ALTER_EMPTY, K_SING, K_ALTER_FIND, K_ALTER_SET, K_FILTER,
       K_NATFOLD, K_BITWISE, K_COUNT };

static const PkJet konts[K_COUNT];

/* The internal pin of continuation k: <{name arity ("kont" 1)}> with the
** native code attached; its legal body crashes (it only runs with jets off). */
static PkVal kont(PkRuntime *rt, int k) {
    if (rt->kont[k]) return rt->kont[k];
    const PkJet *j = &konts[k];
    PkVal name = pk_nat_from_bytes(rt, (const uint8_t *)j->name, strlen(j->name));
    PkVal tag = pk_nat_from_bytes(rt, (const uint8_t *)"kont", 4);
    if (!name || !tag) return 0;
    PkVal quoted = pk_value_clo(rt, pk_small(2), 2, 1, &tag);          /* (2 "kont") */
    PkVal app[2] = {quoted, pk_small(1)};
    PkVal body = quoted ? pk_value_clo(rt, pk_small(0), 1, 2, app) : 0; /* (0 (2 "kont") 1) */
    PkVal law = body ? pk_value_law(rt, name, pk_small(j->arity), body) : 0;
    PkVal pin = law ? pk_value_pin(rt, law) : 0;
    if (!pin) return 0;
    pk_pin(pin)->jet = j;
    rt->kont[k] = pin;
    return pin;
}

/* The lazy call (K x1 .. xn) of continuation k. */
static PkVal kcall(PkRuntime *rt, int k, uint32_t n, const PkVal *xs) {
    PkVal p = kont(rt, k);
    return p ? pk_value_thunk(rt, p, n, xs) : 0;
}

/* The lazy call (f x1 .. xn). */
static PkVal call(PkRuntime *rt, PkVal f, uint32_t n, const PkVal *xs) {
    return pk_value_thunk(rt, f, n, xs);
}

/* (_Idx i v) now if v is evaluated, else a thunk of K_IDX. */
static PkVal lazy_idx(PkRuntime *rt, PkVal v, uint64_t i) {
    v = pk_deref(v);
    if (pk_is_whnf(v)) return idx_of(v, i);
    PkVal xs[2] = {pk_small(i), v};
    return kcall(rt, K_IDX, 2, xs);
}

/* (K_IDX i v), v strict: (_Idx i v). */
static PkVal k_idx(PkRuntime *rt, PkVal *a) {
    (void)rt;
    return idx_of(pk_arg(a, 1), pk_small_val(pk_arg(a, 0)));
}

/* ----- unfoldr ----------------------------------------------------------- */

/* (unfoldr f seed): legally (go 0 seed) where go forces (f seed); a nat
** ends the row, otherwise v = (cdr r) gives the element (idx 0 v) and the
** next seed (idx 1 v), both lazy. */
static PkVal unfoldr(PkRuntime *rt, PkVal *a) {
    PkVal step = call(rt, a[0], 1, &a[1]);
    PkVal xs[4] = {a[0], pk_small(0), pk_small(0), step};
    return step ? kcall(rt, K_UNFOLD, 4, xs) : 0;
}

/* (K_UNFOLD f count list r), r strict: the elements so far are on list,
** newest first. */
static PkVal k_unfold(PkRuntime *rt, PkVal *a) {
    PkVal r = pk_arg(a, 3);
    uint64_t n = pk_small_val(pk_arg(a, 1));
    if (pk_is_nat(r)) {                          /* NONE: the row */
        PkVal row = pk_value_row(rt, n, NULL);
        PkVal l = pk_deref(a[2]);
        for (uint64_t i = 0; row && i < n; i++, l = CONS_TAIL(l)) pk_clo(row)->args[i] = CONS_HEAD(l);
        return row;
    }
    PkVal v = cdr_of(r);
    PkVal x = lazy_idx(rt, v, 0), seed = x ? lazy_idx(rt, v, 1) : 0;
    PkVal l = seed ? cons(rt, x, a[2]) : 0;
    PkVal next = l ? call(rt, a[0], 1, &seed) : 0;
    if (!next) return 0;
    if (n + 1 >= UINT32_MAX) return pk_fail_memory(rt, "unfoldr: a row of 2^32 items");
    a[1] = pk_small(n + 1);
    a[2] = l;
    a[3] = next;
    return PK_JET_NEED(3);
}

/* ----- sumOf ------------------------------------------------------------- */

/* (sumOf f row) = foldr (x acc & add acc (f x)) 0 row. The legal _Add forces
** its second argument first, so the terms are forced from the first element
** to the last. */
static PkVal sum_of(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 1);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    if (n == 0) return pk_small(0);
    PkVal x = pk_value_row_get(row, 0);
    PkVal t = call(rt, a[0], 1, &x);
    PkVal xs[5] = {a[0], row, pk_small(0), pk_small(0), t};
    return t ? kcall(rt, K_SUM, 5, xs) : 0;
}

/* (K_SUM f row i acc r), r strict: r is (f row[i]). */
static PkVal k_sum(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 1);
    uint64_t i = pk_small_val(pk_arg(a, 2)), n;
    PkVal acc = pk_nat_add(rt, pk_arg(a, 3), pk_nat_cast(pk_arg(a, 4)));
    if (!acc) return 0;
    pk_value_is_row(row, &n);
    if (i + 1 == n) return acc;
    PkVal x = pk_value_row_get(row, i + 1);
    PkVal t = call(rt, a[0], 1, &x);
    if (!t) return 0;
    a[2] = pk_small(i + 1);
    a[3] = acc;
    a[4] = t;
    return PK_JET_NEED(4);
}

/* ----- tabFoldlWithKey --------------------------------------------------- */

/* (tabFoldlWithKey fun start tab): acc = (fun acc k v) for each pair in key
** order, each acc forced before the next step (foldl with seq); an empty
** tab gives start itself (unforced until the caller needs it). */
static PkVal tab_foldl(PkRuntime *rt, PkVal *a) {
    PkVal tab = pk_arg(a, 2), keys, vals;
    uint64_t n;
    if (!tab_parts(tab, &keys, &vals, &n)) return PK_JET_FALLBACK;
    if (n == 0) return a[1];
    PkVal args[3] = {a[1], pk_value_row_get(keys, 0), pk_value_row_get(vals, 0)};
    PkVal t = call(rt, a[0], 3, args);
    PkVal xs[4] = {a[0], tab, pk_small(1), t};
    return t ? kcall(rt, K_FOLD, 4, xs) : 0;
}

/* (K_FOLD fun tab i acc), acc strict. */
static PkVal k_fold(PkRuntime *rt, PkVal *a) {
    PkVal keys, vals, acc = pk_arg(a, 3);
    uint64_t n, i = pk_small_val(pk_arg(a, 2));
    tab_parts(pk_arg(a, 1), &keys, &vals, &n);
    if (i == n) return acc;
    PkVal args[3] = {acc, pk_value_row_get(keys, i), pk_value_row_get(vals, i)};
    PkVal t = call(rt, a[0], 3, args);
    if (!t) return 0;
    a[2] = pk_small(i + 1);
    a[3] = t;
    return PK_JET_NEED(3);
}

/* ----- tabMap, tabMapWithKey, tabUnionWith ------------------------------- */

/* The tab with each value v replaced by the thunk (f v), or (f k v). */
static PkVal tab_map_common(PkRuntime *rt, PkVal f, PkVal tab, bool with_key) {
    PkVal keys, vals;
    uint64_t n;
    if (!tab_parts(tab, &keys, &vals, &n)) return PK_JET_FALLBACK;
    PkVal out = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; out && i < n; i++) {
        PkVal kv[2] = {pk_value_row_get(keys, i), pk_value_row_get(vals, i)};
        PkVal t = with_key ? call(rt, f, 2, kv) : call(rt, f, 1, &kv[1]);
        if (!t) return 0;
        pk_clo(out)->args[n - 1 - i] = t;
    }
    return out ? tab_with_vals(rt, tab, out) : 0;
}
static PkVal tab_map(PkRuntime *rt, PkVal *a) { return tab_map_common(rt, a[0], pk_arg(a, 1), false); }
static PkVal tab_map_with_key(PkRuntime *rt, PkVal *a) { return tab_map_common(rt, a[0], pk_arg(a, 1), true); }

/* (tabUnionWith fun a b): every key of either tab; a key in both gets the
** thunk (fun va vb). */
static PkVal tab_union_with(PkRuntime *rt, PkVal *a) {
    PkVal ka, va, kb, vb;
    uint64_t na, nb;
    if (!tab_parts(pk_arg(a, 1), &ka, &va, &na) || !tab_parts(pk_arg(a, 2), &kb, &vb, &nb))
        return PK_JET_FALLBACK;
    uint64_t i = 0, j = 0, m = 0;
    while (i < na && j < nb) {                   /* count the union */
        int c = pk_walk_cmp(rt, pk_value_row_get(ka, i), pk_value_row_get(kb, j));
        if (rt->err) return 0;
        i += c <= 0;
        j += c >= 0;
        m++;
    }
    m += (na - i) + (nb - j);
    PkVal keys = pk_value_row(rt, m, NULL), vals = keys ? pk_value_row(rt, m, NULL) : 0;
    if (!vals) return 0;
    i = j = 0;
    for (uint64_t o = 0; o < m; o++) {
        int c = i == na ? 1 : j == nb ? -1 : pk_walk_cmp(rt, pk_value_row_get(ka, i), pk_value_row_get(kb, j));
        PkVal k, v;
        if (c < 0) { k = pk_value_row_get(ka, i); v = pk_value_row_get(va, i); i++; }
        else if (c > 0) { k = pk_value_row_get(kb, j); v = pk_value_row_get(vb, j); j++; }
        else {
            PkVal both[2] = {pk_value_row_get(va, i), pk_value_row_get(vb, j)};
            k = pk_value_row_get(ka, i);
            v = call(rt, a[0], 2, both);
            if (!v) return 0;
            i++, j++;
        }
        pk_clo(keys)->args[m - 1 - o] = k;
        pk_clo(vals)->args[m - 1 - o] = v;
    }
    return tab_of(rt, keys, vals);
}

/* ----- tabAlter ---------------------------------------------------------- */

/* A row of n + delta items: row's items with item inserted at i (delta 1),
** removed at i (delta -1) or put at i (delta 0). */
static PkVal row_edit(PkRuntime *rt, PkVal row, uint64_t n, uint64_t at, int delta, PkVal item) {
    uint64_t m = n + (uint64_t)(int64_t)delta;
    PkVal r = pk_value_row(rt, m, NULL);
    for (uint64_t o = 0, i = 0; r && o < m; o++) {
        if (o == at && delta >= 0) {
            pk_clo(r)->args[m - 1 - o] = item;
            i += delta == 0;
            continue;
        }
        if (i == at && delta < 0) i++;
        pk_clo(r)->args[m - 1 - o] = pk_value_row_get(row, i++);
    }
    return r;
}

/* (tabAlter fun key tab): fun gets NONE (0) or (SOME v) = (0 v) and its
** answer r is forced; a nat deletes the key (or leaves the tab alone),
** anything else stores (cdr r). The legal code forces the tab, then the key
** (to search, when the tab is not empty), then r, and an empty tab's key
** only when r stores something. */
static PkVal tab_alter(PkRuntime *rt, PkVal *a) {
    PkVal tab = pk_arg(a, 2), keys, vals;
    uint64_t n;
    if (!tab_parts(tab, &keys, &vals, &n)) return PK_JET_FALLBACK;
    if (n == 0) {
        PkVal none = pk_small(0);
        PkVal r = call(rt, a[0], 1, &none);
        PkVal xs[3] = {a[1], tab, r};
        return r ? kcall(rt, K_ALTER_EMPTY, 3, xs) : 0;
    }
    PkVal xs[3] = {a[0], a[1], tab};
    return kcall(rt, K_ALTER_FIND, 3, xs);
}

/* (K_ALTER_EMPTY key tab r), r strict: the empty tab, or #[key=(cdr r)]. */
static PkVal k_alter_empty(PkRuntime *rt, PkVal *a) {
    PkVal r = pk_arg(a, 2);
    if (pk_is_nat(r)) return pk_arg(a, 1);
    PkVal xs[2] = {a[0], cdr_of(r)};
    return kcall(rt, K_SING, 2, xs);
}

/* (K_SING key val), key normal: #[key=val]. */
static PkVal k_sing(PkRuntime *rt, PkVal *a) {
    PkVal k = pk_arg(a, 0), keys = pk_value_row(rt, 1, &k);
    PkVal vals = keys ? pk_value_row(rt, 1, &a[1]) : 0;
    return vals ? tab_of(rt, keys, vals) : 0;
}

/* (K_ALTER_FIND fun key tab), key normal: search, then ask fun. */
static PkVal k_alter_find(PkRuntime *rt, PkVal *a) {
    PkVal keys, vals, key = pk_arg(a, 1);
    uint64_t n, lo = 0, hi;
    tab_parts(pk_arg(a, 2), &keys, &vals, &n);
    bool found = false;
    for (hi = n; lo < hi;) {
        uint64_t mid = lo + (hi - lo) / 2;
        int c = pk_walk_cmp(rt, pk_value_row_get(keys, mid), key);
        if (rt->err) return 0;
        if (c == 0) { found = true; lo = mid; break; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    PkVal arg = pk_small(0);
    if (found) {                                 /* SOME prev = (0 prev) */
        PkVal prev = pk_clo(vals)->args[n - 1 - lo];
        arg = pk_value_clo(rt, pk_small(0), 2, 1, &prev);
        if (!arg) return 0;
    }
    PkVal r = call(rt, a[0], 1, &arg);
    PkVal xs[4] = {key, a[2], pk_small(lo * 2 + found), r};
    return r ? kcall(rt, K_ALTER_SET, 4, xs) : 0;
}

/* (K_ALTER_SET key tab pos r), r strict; pos = index * 2 + found. */
static PkVal k_alter_set(PkRuntime *rt, PkVal *a) {
    PkVal tab = pk_arg(a, 1), keys, vals, r = pk_arg(a, 3);
    uint64_t n, pos = pk_small_val(pk_arg(a, 2)), at = pos >> 1;
    bool found = pos & 1;
    tab_parts(tab, &keys, &vals, &n);
    if (pk_is_nat(r)) {
        if (!found) return tab;
        PkVal nk = row_edit(rt, keys, n, at, -1, 0);
        PkVal nv = nk ? row_edit(rt, vals, n, at, -1, 0) : 0;
        return nv ? tab_of(rt, nk, nv) : 0;
    }
    PkVal v = cdr_of(r);
    if (found) {
        PkVal nv = row_edit(rt, vals, n, at, 0, v);
        return nv ? tab_with_vals(rt, tab, nv) : 0;
    }
    PkVal nk = row_edit(rt, keys, n, at, 1, pk_arg(a, 0));
    PkVal nv = nk ? row_edit(rt, vals, n, at, 1, v) : 0;
    return nv ? tab_of(rt, nk, nv) : 0;
}

/* ----- _TabFilterWithKey ------------------------------------------------- */

/* (_TabFilterWithKey f tab): the pairs for which (f k v) is true, tested in
** key order. */
static PkVal tab_filter(PkRuntime *rt, PkVal *a) {
    PkVal tab = pk_arg(a, 1), keys, vals;
    uint64_t n;
    if (!tab_parts(tab, &keys, &vals, &n)) return PK_JET_FALLBACK;
    if (n == 0) return tab;
    PkVal kv[2] = {pk_value_row_get(keys, 0), pk_value_row_get(vals, 0)};
    PkVal t = call(rt, a[0], 2, kv);
    PkVal xs[5] = {a[0], tab, pk_small(0), pk_small(0), t};
    return t ? kcall(rt, K_FILTER, 5, xs) : 0;
}

/* (K_FILTER f tab i kept r), r strict: r is (f k_i v_i); kept lists the
** indices kept so far, newest first. */
static PkVal k_filter(PkRuntime *rt, PkVal *a) {
    PkVal tab = pk_arg(a, 1), keys, vals, kept = pk_deref(a[3]);
    uint64_t n, i = pk_small_val(pk_arg(a, 2));
    tab_parts(tab, &keys, &vals, &n);
    if (truthy(pk_arg(a, 4))) {
        kept = cons(rt, pk_small(i), kept);
        if (!kept) return 0;
    }
    if (i + 1 < n) {
        PkVal kv[2] = {pk_value_row_get(keys, i + 1), pk_value_row_get(vals, i + 1)};
        PkVal t = call(rt, a[0], 2, kv);
        if (!t) return 0;
        a[2] = pk_small(i + 1);
        a[3] = kept;
        a[4] = t;
        return PK_JET_NEED(4);
    }
    uint64_t m = 0;
    for (PkVal l = kept; l != pk_small(0); l = CONS_TAIL(l)) m++;
    if (m == n) return tab;
    PkVal nk = pk_value_row(rt, m, NULL), nv = nk ? pk_value_row(rt, m, NULL) : 0;
    if (!nv) return 0;
    uint64_t o = m;                              /* the list is descending */
    for (PkVal l = kept; l != pk_small(0); l = CONS_TAIL(l)) {
        uint64_t k = pk_small_val(CONS_HEAD(l));
        o--;
        pk_clo(nk)->args[m - 1 - o] = pk_value_row_get(keys, k);
        pk_clo(nv)->args[m - 1 - o] = pk_clo(vals)->args[n - 1 - k];
    }
    return tab_of(rt, nk, nv);
}

/* ----- _NatFold --------------------------------------------------------- */

/* The low bit and the rest of a nat. */
static bool split_bit(PkRuntime *rt, PkVal n, PkVal *bit, PkVal *rest) {
    if (pk_is_small(n)) {
        *bit = pk_small(pk_small_val(n) & 1);
        *rest = pk_small(pk_small_val(n) >> 1);
        return true;
    }
    *bit = pk_nat_big_mod(rt, n, pk_small(2));
    *rest = *bit ? pk_nat_big_rsh(rt, n, pk_small(1)) : 0;
    return *rest != 0;
}

/* (_NatFold f z n): z = (f z bit) for each bit of n from the lowest, each z
** forced before the next step; a zero or non-nat n gives z itself. */
static PkVal nat_fold(PkRuntime *rt, PkVal *a) {
    PkVal n = pk_arg(a, 2), bit, rest;
    if (!pk_is_nat(n) || n == pk_small(0)) return a[1];
    if (!split_bit(rt, n, &bit, &rest)) return 0;
    PkVal args[2] = {a[1], bit};
    PkVal t = call(rt, a[0], 2, args);
    PkVal xs[3] = {a[0], rest, t};
    return t ? kcall(rt, K_NATFOLD, 3, xs) : 0;
}

/* (K_NATFOLD f rest acc), acc strict. */
static PkVal k_nat_fold(PkRuntime *rt, PkVal *a) {
    PkVal n = pk_arg(a, 1), bit, rest;
    if (n == pk_small(0)) return pk_arg(a, 2);
    if (!split_bit(rt, n, &bit, &rest)) return 0;
    PkVal args[2] = {pk_arg(a, 2), bit};
    PkVal t = call(rt, a[0], 2, args);
    if (!t) return 0;
    a[1] = rest;
    a[2] = t;
    return PK_JET_NEED(2);
}

/* ----- _Bitwise --------------------------------------------------------- */

/* (_Bitwise f x y) legally loops (go a b off acc) from (x y 0 0): it stops
** with acc once (add a b) is 0, else acc' = (add acc (lsh (f a%2 b%2) off))
** is forced, (f ..) included, and it goes on with (a/2 b/2 off+1 acc'). So f
** is called once per bit position below the longer of x and y (non-nats
** count as 0), from the lowest, each call forced to WHNF before the next is
** made, and its result counts as a nat (non-nats as 0; a result above 1 is
** added at its position, carries and all).
**
** Big nats live in Python, so peeling one bit at a time would cost O(bits)
** per step. Instead the inputs are cut into chunks of BW_CHUNK bits (small
** nats), and small results (bits, the usual case) are summed in a small word
** pend that is added to acc once per chunk; a result too big for pend is
** added to acc at once. The value so far is always acc + (pend << base). */
#define BW_CHUNK 62
#define BW_MASK ((UINT64_C(1) << BW_CHUNK) - 1)

/* The state's slots: f; the bits of x and y above the current chunk; what
** is left of the chunk of each; how many positions the chunk has left; the
** position of the next call; the chunk's first position (pend's bit 0); acc;
** pend; and the pending call (f bx by), the strict slot. */
enum { BW_F, BW_AHI, BW_BHI, BW_ALO, BW_BLO, BW_LEFT, BW_OFF, BW_BASE, BW_ACC, BW_PEND, BW_T,
       BW_N };

/* Cut the low BW_CHUNK bits off n: *lo gets them (a small nat), *hi the rest. */
static bool chunk_off(PkRuntime *rt, PkVal n, PkVal *lo, PkVal *hi) {
    if (pk_is_small(n)) {
        *lo = pk_small(pk_small_val(n) & BW_MASK);
        *hi = pk_small(pk_small_val(n) >> BW_CHUNK);
        return true;
    }
    *lo = pk_nat_big_and(rt, n, pk_small(BW_MASK));
    *hi = *lo ? pk_nat_big_rsh(rt, n, pk_small(BW_CHUNK)) : 0;
    return *hi != 0;
}

/* acc + (v << off), for nats acc and v. */
static PkVal add_at(PkRuntime *rt, PkVal acc, PkVal v, uint64_t off) {
    if (v == pk_small(0)) return acc;
    PkVal o = pk_nat_from_u64(rt, off);
    PkVal shifted = o ? pk_nat_big_lsh(rt, v, o) : 0;
    return shifted ? pk_nat_add(rt, acc, shifted) : 0;
}

/* Move pend into acc. */
static bool bw_flush(PkRuntime *rt, PkVal *st) {
    PkVal acc = add_at(rt, pk_arg(st, BW_ACC), pk_arg(st, BW_PEND), pk_small_val(pk_arg(st, BW_BASE)));
    if (!acc) return false;
    st[BW_ACC] = acc;
    st[BW_PEND] = pk_small(0);
    return true;
}

/* Go on from state st, whose results so far are all counted: the answer
** once no bits are left (the legal (add a b) is 0), else 0 with the next
** call (f bx by) in st[BW_T]; 0 with *err set on an error. */
static PkVal bw_next(PkRuntime *rt, PkVal *st, bool *err) {
    *err = true;
    if (pk_arg(st, BW_LEFT) == pk_small(0)) {            /* the chunk is used up */
        if (!bw_flush(rt, st)) return 0;
        PkVal ahi = pk_arg(st, BW_AHI), bhi = pk_arg(st, BW_BHI), alo, blo;
        if (ahi == pk_small(0) && bhi == pk_small(0)) { *err = false; return st[BW_ACC]; }
        if (!chunk_off(rt, ahi, &alo, &ahi) || !chunk_off(rt, bhi, &blo, &bhi)) return 0;
        st[BW_AHI] = ahi; st[BW_BHI] = bhi; st[BW_ALO] = alo; st[BW_BLO] = blo;
        st[BW_LEFT] = pk_small(BW_CHUNK);
        st[BW_BASE] = st[BW_OFF];
    }
    uint64_t alo = pk_small_val(pk_arg(st, BW_ALO)), blo = pk_small_val(pk_arg(st, BW_BLO));
    if (!alo && !blo && pk_arg(st, BW_AHI) == pk_small(0) && pk_arg(st, BW_BHI) == pk_small(0)) {
        if (!bw_flush(rt, st)) return 0;
        *err = false;
        return st[BW_ACC];
    }
    PkVal bits[2] = {pk_small(alo & 1), pk_small(blo & 1)};
    PkVal t = call(rt, st[BW_F], 2, bits);
    if (!t) return 0;
    st[BW_ALO] = pk_small(alo >> 1);
    st[BW_BLO] = pk_small(blo >> 1);
    st[BW_LEFT] = pk_small(pk_small_val(pk_arg(st, BW_LEFT)) - 1);
    st[BW_T] = t;
    *err = false;
    return 0;
}

/* (_Bitwise f x y), x and y forced (y first, as the legal add does). */
static PkVal bitwise(PkRuntime *rt, PkVal *a) {
    PkVal st[BW_N] = {
        [BW_F] = a[0], [BW_AHI] = pk_arg_nat(a, 1), [BW_BHI] = pk_arg_nat(a, 2),
        [BW_ALO] = pk_small(0), [BW_BLO] = pk_small(0), [BW_LEFT] = pk_small(0),
        [BW_OFF] = pk_small(0), [BW_BASE] = pk_small(0), [BW_ACC] = pk_small(0),
        [BW_PEND] = pk_small(0), [BW_T] = pk_small(0),
    };
    bool err;
    PkVal r = bw_next(rt, st, &err);
    if (err) return 0;
    return r ? r : kcall(rt, K_BITWISE, BW_N, st);
}

/* (K_BITWISE state..), the call in BW_T forced: count its result, go on. */
static PkVal k_bitwise(PkRuntime *rt, PkVal *a) {
    PkVal r = pk_nat_cast(pk_arg(a, BW_T));
    uint64_t off = pk_small_val(pk_arg(a, BW_OFF));
    uint64_t p = off - pk_small_val(pk_arg(a, BW_BASE)), pend = pk_small_val(pk_arg(a, BW_PEND));
    if (pk_is_small(r) && pk_small_val(r) < (UINT64_C(1) << (BW_CHUNK - p))
        && pend + (pk_small_val(r) << p) <= PK_SMALL_MAX) {      /* fits in pend */
        a[BW_PEND] = pk_small(pend + (pk_small_val(r) << p));
    } else if (r != pk_small(0)) {
        PkVal acc = add_at(rt, pk_arg(a, BW_ACC), r, off);
        if (!acc) return 0;
        a[BW_ACC] = acc;
    }
    a[BW_OFF] = pk_small(off + 1);
    bool err;
    PkVal res = bw_next(rt, a, &err);
    if (err) return 0;
    return res ? res : PK_JET_NEED(BW_T);
}

/* ----- _Try -------------------------------------------------------------- */

/* (_Try [f a1 .. an]), the row normal: the call under a catch frame. Any
** other argument (not a row, or the empty row) goes to the legal code. */
static PkVal try_(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n) || n == 0) return PK_JET_FALLBACK;
    PkVal f = pk_value_row_get(row, 0);
    if (n > 1) {
        PkVal *xs = &pk_clo(row)->args[0];       /* a1 .. an: args n-2 .. 0 */
        PkVal t = pk_value_thunk(rt, f, (uint32_t)(n - 1), NULL);
        if (!t) return 0;
        for (uint64_t i = 1; i < n; i++) pk_thunk(t)->args[i - 1] = xs[n - 1 - i];
        f = t;
    }
    a[0] = f;
    return PK_JET_CATCH;
}

/* ----- _TryExp ----------------------------------------------------------- */

/* (_TryExp x) legally (plan.sire) normalizes x, loads the PlanExp tree x
** into an explicit evaluation graph and normalizes it under a catch: the
** same as _Try on the PLAN expression the tree stands for. A node is
** (VALUE v) = [%VALUE v], the value v, or (APPLY xs) = [%APPLY xs] with xs a
** row: [] is 0, [e] is e, [e0 e1 .. en] is (e0 e1 .. en), arguments lazy.
** Any other shape (an unknown tag, which the legal datacase answers with 0,
** a field that is not a row, a row of another length) goes to the legal
** code, so the jet runs only where the two agree. The tree is walked with an
** explicit stack: APPLY nests without limit. */
#define TAG_VALUE UINT64_C(0x45554C4156)      /* "VALUE" as a nat */
#define TAG_APPLY UINT64_C(0x594C505041)      /* "APPLY" as a nat */

/* An APPLY node being built: its row, the next element, the call so far. */
typedef struct { PkVal xs; uint64_t i, n; PkVal call; } ExpFrame;

/* The tag and field of a node [tag field], or false. */
static bool exp_node(PkVal node, uint64_t *tag, PkVal *field) {
    uint64_t n;
    node = pk_deref(node);
    if (!pk_value_is_row(node, &n) || n != 2) return false;
    PkVal t = pk_deref(pk_value_row_get(node, 0));
    if (t != pk_small(TAG_VALUE) && t != pk_small(TAG_APPLY)) return false;
    *tag = pk_small_val(t);
    *field = pk_deref(pk_value_row_get(node, 1));
    return true;
}

/* The lazy expression of tree x; PK_JET_FALLBACK for a shape outside the
** format, 0 on an error. */
static PkVal exp_build(PkRuntime *rt, PkVal x) {
    ExpFrame *st = NULL;
    size_t sp = 0, cap = 0;
    PkVal out = PK_JET_FALLBACK, node = x, r = 0;
    for (;;) {
        uint64_t tag, n;
        PkVal field;
        if (!exp_node(node, &tag, &field)) goto done;
        if (tag == TAG_VALUE) {
            r = field;
        } else if (!pk_value_is_row(field, &n)) {
            goto done;
        } else if (n == 0) {
            r = pk_small(0);
        } else {                                      /* descend into element 0 */
            if (sp == cap) {
                size_t nc = cap ? 2 * cap : 16;
                ExpFrame *ns = realloc(st, nc * sizeof *ns);
                if (!ns) { out = pk_fail(rt, PK_ERR_NOMEM, "_TryExp: out of memory"); goto done; }
                st = ns, cap = nc;
            }
            st[sp++] = (ExpFrame){field, 0, n, 0};
            node = pk_value_row_get(field, 0);
            continue;
        }
        /* r is the expression of a finished node: hand it to the frames */
        for (;;) {
            if (sp == 0) { out = r; goto done; }
            ExpFrame *f = &st[sp - 1];
            if (f->i == 0) {
                f->call = r;
            } else {
                f->call = pk_value_thunk(rt, f->call, 1, &r);
                if (!f->call) { out = 0; goto done; }
            }
            if (++f->i < f->n) { node = pk_value_row_get(f->xs, f->i); break; }
            r = f->call;
            sp--;
        }
    }
done:
    free(st);
    return out;
}

/* (_TryExp x), x normal: the expression under a catch frame, as _Try. */
static PkVal try_exp(PkRuntime *rt, PkVal *a) {
    PkVal e = exp_build(rt, pk_arg(a, 0));
    if (!e || e == PK_JET_FALLBACK) return e;
    a[0] = e;
    return PK_JET_CATCH;
}

/* ----- tables ------------------------------------------------------------ */

/* name, arity, strict mask, deep mask, order, code */
static const PkJet konts[K_COUNT] = {
    [K_IDX] = {"_KontIdx", 2, 2, 0, NULL, k_idx},
    [K_UNFOLD] = {"_KontUnfoldr", 4, 8, 0, NULL, k_unfold},
    [K_SUM] = {"_KontSumOf", 5, 16, 0, NULL, k_sum},
    [K_FOLD] = {"_KontTabFoldl", 4, 8, 0, NULL, k_fold},
    [K_ALTER_EMPTY] = {"_KontAlterEmpty", 3, 4, 0, NULL, k_alter_empty},
    [K_SING] = {"_KontSing", 2, 0, 1, NULL, k_sing},
    [K_ALTER_FIND] = {"_KontAlterFind", 3, 0, 2, NULL, k_alter_find},
    [K_ALTER_SET] = {"_KontAlterSet", 4, 8, 0, NULL, k_alter_set},
    [K_FILTER] = {"_KontFilter", 5, 16, 0, NULL, k_filter},
    [K_NATFOLD] = {"_KontNatFold", 3, 4, 0, NULL, k_nat_fold},
    [K_BITWISE] = {"_KontBitwise", BW_N, 1u << BW_T, 0, NULL, k_bitwise},
};

const PkJet pk_jets_hof[] = {
    {"unfoldr", 2, 0, 0, NULL, unfoldr},
    {"sumOf", 2, 2, 0, NULL, sum_of},
    {"tabFoldlWithKey", 3, 4, 0, NULL, tab_foldl},
    {"tabMap", 2, 2, 0, NULL, tab_map},
    {"tabMapWithKey", 2, 2, 0, NULL, tab_map_with_key},
    {"tabUnionWith", 3, 6, 0, NULL, tab_union_with},
    {"tabAlter", 3, 4, 0, NULL, tab_alter},
    {"_TabFilterWithKey", 2, 2, 0, NULL, tab_filter},
    {"_NatFold", 3, 4, 0, NULL, nat_fold},
    {"_Try", 1, 0, 1, NULL, try_},
    {"_Bitwise", 3, 6, 0, "210", bitwise},
    {"_TryExp", 1, 0, 1, NULL, try_exp},   /* legally (add x y) first: y, then x */
};
const size_t pk_jets_hof_count = sizeof pk_jets_hof / sizeof pk_jets_hof[0];
