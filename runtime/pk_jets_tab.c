/*
** pk_jets_tab.c: jets for sets (sire_11) and tabs (sire_12) on their
** canonical forms: a set is the law {1 2 keys} with keys a strictly ascending
** row, and a tab is a set applied to a row of as many values. Keys are
** compared in the _Cmp order, so key arguments are taken in normal form;
** values stay lazy. Inputs of another shape fall back to the legal code.
*/
#include <string.h>
#include "pk_jet.h"
#include "pk_walk.h"

static bool is_set(PkVal v) { return pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_SET; }

/* The keys row and size of a set, or false. */
static bool set_keys(PkVal v, PkVal *keys, uint64_t *n) {
    if (!is_set(v)) return false;
    *keys = pk_law(v)->body;
    return pk_value_is_row(*keys, n);
}

/* The keys and values rows of a tab (in normal enough form), or false. */
static bool tab_parts(PkVal v, PkVal *keys, PkVal *vals, uint64_t *n) {
    uint64_t nv;
    if (!pk_is_clo(v) || pk_obj(v)->n != 1 || !set_keys(pk_clo(v)->head, keys, n)) return false;
    *vals = pk_deref(pk_clo(v)->args[0]);
    return pk_value_is_row(*vals, &nv) && nv == *n;
}

/* Binary search: the index of key in keys, or where it would go (*found 0). */
static uint64_t find(PkRuntime *rt, PkVal keys, uint64_t n, PkVal key, bool *found) {
    uint64_t lo = 0, hi = n;
    *found = false;
    while (lo < hi) {
        uint64_t mid = lo + (hi - lo) / 2;
        int c = pk_walk_cmp(rt, pk_value_row_get(keys, mid), key);
        if (c == 0) { *found = true; return mid; }
        if (c < 0) lo = mid + 1; else hi = mid;
    }
    return lo;
}

/* A row of n + delta items: row's items with one inserted (delta 1) at i, or
** removed (delta -1) at i, or replaced (delta 0) at i. */
static PkVal row_edit(PkRuntime *rt, PkVal row, uint64_t n, uint64_t i, int delta, PkVal item) {
    uint64_t m = n + (uint64_t)(int64_t)delta;
    if (m == 0 || m >= UINT32_MAX) return pk_value_row(rt, m, NULL);
    /* every slot is written below, so the closure is not cleared first */
    PkVal cow = pk_value_law(rt, pk_small(0), pk_small(m + 1), pk_small(0));
    PkVal r = cow ? pk_value_clo(rt, cow, 1, (uint32_t)m, NULL) : 0;
    if (!r) return 0;
    /* Storage is reversed (element j of m at args[m-1-j]), so the elements
    ** before i are the top i slots and those after the edit the bottom ones:
    ** two block copies. */
    PkVal *dst = pk_clo(r)->args;
    if (n) {
        const PkVal *src = pk_clo(row)->args;
        memcpy(dst + m - i, src + n - i, i * sizeof *dst);
        memcpy(dst, src, (n - i - (delta <= 0)) * sizeof *dst);
    }
    if (delta >= 0) dst[m - 1 - i] = item;
    return r;
}

/* keys are ascending by construction (binary search placed each one) */
static PkVal make_set(PkRuntime *rt, PkVal keys) { return pk_value_set(rt, keys); }

static PkVal make_tab(PkRuntime *rt, PkVal keys, PkVal vals) {
    PkVal set = make_set(rt, keys);
    return set ? pk_value_clo(rt, set, 1, 1, &vals) : 0;
}

/* ----- sets ------------------------------------------------------------------ */

/* (isSet x) */
static PkVal is_set_jet(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(is_set(pk_arg(a, 0))); }

/* (setSing x) = %[x] */
static PkVal set_sing(PkRuntime *rt, PkVal *a) {
    PkVal x = pk_arg(a, 0), keys = pk_value_row(rt, 1, &x);
    return keys ? make_set(rt, keys) : 0;
}

/* (setLen s) */
static PkVal set_len(PkRuntime *rt, PkVal *a) {
    PkVal keys;
    uint64_t n;
    if (!set_keys(pk_arg(a, 0), &keys, &n)) return PK_JET_FALLBACK;
    return pk_nat_from_u64(rt, n);
}

/* (setHas k s) */
static PkVal set_has(PkRuntime *rt, PkVal *a) {
    PkVal keys;
    uint64_t n;
    bool found;
    if (!set_keys(pk_arg(a, 1), &keys, &n)) return PK_JET_FALLBACK;
    find(rt, keys, n, pk_arg(a, 0), &found);
    return rt->err ? 0 : pk_small(found);
}

/* (setIns x s), (setDel x s): s with x added or taken out */
static PkVal set_edit(PkRuntime *rt, PkVal *a, bool insert) {
    PkVal keys, s = pk_arg(a, 1);
    uint64_t n;
    bool found;
    if (!set_keys(s, &keys, &n)) return PK_JET_FALLBACK;
    uint64_t i = find(rt, keys, n, pk_arg(a, 0), &found);
    if (rt->err) return 0;
    if (found == insert) return s;        /* already there, or nothing to take */
    PkVal k = row_edit(rt, keys, n, i, insert ? 1 : -1, pk_arg(a, 0));
    return k ? make_set(rt, k) : 0;
}
static PkVal set_ins(PkRuntime *rt, PkVal *a) { return set_edit(rt, a, true); }
static PkVal set_del(PkRuntime *rt, PkVal *a) { return set_edit(rt, a, false); }

/* (setIsEmpty s) */
static PkVal set_is_empty(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal keys;
    uint64_t n;
    if (!set_keys(pk_arg(a, 0), &keys, &n)) return PK_JET_FALLBACK;
    return pk_small(n == 0);
}

/* (setMin s): the least key, 0 when empty */
static PkVal set_min(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal keys;
    uint64_t n;
    if (!set_keys(pk_arg(a, 0), &keys, &n)) return PK_JET_FALLBACK;
    return n ? pk_value_row_get(keys, 0) : pk_small(0);
}

/* ----- tabs ------------------------------------------------------------------- */

/* (isTab x) */
static PkVal is_tab(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal k, v, x = pk_arg(a, 0);
    uint64_t n;
    if (pk_is_clo(x) && pk_obj(x)->n == 1 && is_set(pk_clo(x)->head) && !pk_is_whnf(pk_deref(pk_clo(x)->args[0])))
        return PK_JET_FALLBACK;
    return pk_small(tab_parts(x, &k, &v, &n));
}

/* (tabSing k v) = #[k=v] */
static PkVal tab_sing(PkRuntime *rt, PkVal *a) {
    PkVal k = pk_arg(a, 0), keys = pk_value_row(rt, 1, &k);
    PkVal vals = keys ? pk_value_row(rt, 1, &a[1]) : 0;
    return vals ? make_tab(rt, keys, vals) : 0;
}

#define TAB_ARG(i)                                                        \
    PkVal keys, vals;                                                     \
    uint64_t n;                                                           \
    if (!tab_parts(pk_arg(a, i), &keys, &vals, &n)) return PK_JET_FALLBACK

/* (_TabLen t), (_TabKeys t) the key set, (_TabVals t) the value row,
** (_TabKeysRow t) the key row, (tabMinKey t) 0 when empty */
static PkVal tab_len(PkRuntime *rt, PkVal *a) { TAB_ARG(0); (void)vals; (void)keys; return pk_nat_from_u64(rt, n); }
static PkVal tab_keys(PkRuntime *rt, PkVal *a) { (void)rt; TAB_ARG(0); (void)vals; (void)keys; return pk_clo(pk_arg(a, 0))->head; }
static PkVal tab_vals(PkRuntime *rt, PkVal *a) { (void)rt; TAB_ARG(0); (void)keys; return vals; }
static PkVal tab_keys_row(PkRuntime *rt, PkVal *a) { (void)rt; TAB_ARG(0); (void)vals; return keys; }
static PkVal tab_is_empty(PkRuntime *rt, PkVal *a) { (void)rt; TAB_ARG(0); (void)vals; (void)keys; return pk_small(n == 0); }
static PkVal tab_min_key(PkRuntime *rt, PkVal *a) {
    (void)rt;
    TAB_ARG(0);
    (void)vals;
    return n ? pk_value_row_get(keys, 0) : pk_small(0);
}

/* (tabIdx k t): the value at k, 0 when missing; (_TabHas k t);
** (_TabLookup k t): 0, or (0 v) when found */
static PkVal lookup(PkRuntime *rt, PkVal *a, int mode) {
    TAB_ARG(1);
    bool found;
    uint64_t i = find(rt, keys, n, pk_arg(a, 0), &found);
    if (rt->err) return 0;
    if (mode == 1) return pk_small(found);
    if (!found) return pk_small(0);
    PkVal v = pk_value_row_get(vals, i);
    return mode == 0 ? v : pk_value_clo(rt, pk_small(0), 2, 1, &v);
}
static PkVal tab_idx(PkRuntime *rt, PkVal *a) { return lookup(rt, a, 0); }
static PkVal tab_has(PkRuntime *rt, PkVal *a) { return lookup(rt, a, 1); }
static PkVal tab_lookup(PkRuntime *rt, PkVal *a) { return lookup(rt, a, 2); }

/* (tabElemIdx i t): [k v] for the i-th key, 0 when out of range */
static PkVal tab_elem_idx(PkRuntime *rt, PkVal *a) {
    TAB_ARG(1);
    PkVal i = pk_arg_nat(a, 0);
    if (!pk_is_small(i) || pk_small_val(i) >= n) return pk_small(0);
    PkVal kv[2] = {pk_value_row_get(keys, pk_small_val(i)), pk_value_row_get(vals, pk_small_val(i))};
    return pk_value_row(rt, 2, kv);
}

/* (tabIns k v t): t with k mapped to v */
static PkVal tab_ins(PkRuntime *rt, PkVal *a) {
    TAB_ARG(2);
    bool found;
    PkVal k = pk_arg(a, 0);
    uint64_t i = find(rt, keys, n, k, &found);
    if (rt->err) return 0;
    PkVal nk = found ? keys : row_edit(rt, keys, n, i, 1, k);
    PkVal nv = nk ? row_edit(rt, vals, n, i, found ? 0 : 1, a[1]) : 0;
    if (!nv) return 0;
    if (found) {                       /* same keys: reuse the set law */
        PkVal set = pk_clo(pk_arg(a, 2))->head;
        return pk_value_clo(rt, set, 1, 1, &nv);
    }
    return make_tab(rt, nk, nv);
}

/* name, arity, strict mask, deep mask, order, code, eager */
const PkJet pk_jets_tab[] = {
    {"isSet", 1, 1, 0, NULL, is_set_jet, false},
    {"setSing", 1, 0, 1, NULL, set_sing, false},
    {"setLen", 1, 1, 0, NULL, set_len, false},
    {"setHas", 2, 2, 1, NULL, set_has, false},
    {"setIns", 2, 2, 1, NULL, set_ins, false},
    {"setDel", 2, 2, 1, NULL, set_del, false},
    {"setMin", 1, 1, 0, NULL, set_min, false},
    {"setIsEmpty", 1, 1, 0, NULL, set_is_empty, false},
    {"_TabIsEmpty", 1, 1, 0, NULL, tab_is_empty, false},
    {"isTab", 1, 1, 0, NULL, is_tab, false},
    {"tabSing", 2, 0, 1, NULL, tab_sing, false},
    {"_TabLen", 1, 1, 0, NULL, tab_len, false},
    {"_TabKeys", 1, 1, 0, NULL, tab_keys, false},
    {"_TabVals", 1, 1, 0, NULL, tab_vals, false},
    {"_TabKeysRow", 1, 1, 0, NULL, tab_keys_row, false},
    {"tabMinKey", 1, 1, 0, NULL, tab_min_key, false},
    {"tabIdx", 2, 2, 1, NULL, tab_idx, false},
    {"_TabHas", 2, 2, 1, NULL, tab_has, false},
    {"_TabLookup", 2, 2, 1, NULL, tab_lookup, false},
    {"tabElemIdx", 2, 3, 0, NULL, tab_elem_idx, false},
    {"tabIns", 3, 4, 1, NULL, tab_ins, false},
};
const size_t pk_jets_tab_count = sizeof pk_jets_tab / sizeof pk_jets_tab[0];
