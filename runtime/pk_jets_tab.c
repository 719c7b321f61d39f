/*
** pk_jets_tab.c: jets for sets (sire_11) and tabs (sire_12) on their
** canonical forms: a set is the law {1 2 keys} with keys a strictly ascending
** row, and a tab is a set applied to a row of as many values. Keys are
** compared in the _Cmp order, so key arguments are taken in normal form;
** values stay lazy. Inputs of another shape fall back to the legal code.
*/
#include <stdlib.h>
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

/* For jets whose legal code forces a tab's value row: the parts of a tab as
** tab_parts gives them, except that a set applied to a value row not yet
** evaluated asks for that row first. Returns 0 when *keys, *vals, *n are
** set, else the jet's result (PK_JET_FORCE or PK_JET_FALLBACK). */
static PkVal tab_forcing_vals(PkRuntime *rt, PkVal t, PkVal *keys, PkVal *vals, uint64_t *n) {
    if (pk_is_clo(t) && pk_obj(t)->n == 1 && is_set(pk_clo(t)->head) && !pk_is_whnf(pk_deref(pk_clo(t)->args[0])))
        return pk_jet_force(rt, pk_clo(t)->args[0], false, 0);
    return tab_parts(t, keys, vals, n) ? 0 : PK_JET_FALLBACK;
}

/* ----- building rows, sets and tabs from parts ---------------------------------- */

/* The row of items from[i0 .. i0+n-1] of a row (index order). */
static PkVal sub_row(PkRuntime *rt, PkVal row, uint64_t i0, uint64_t n) {
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) pk_clo(r)->args[n - 1 - i] = pk_value_row_get(row, i0 + i);
    return r;
}

/* The pair [x y] */
static PkVal pair(PkRuntime *rt, PkVal x, PkVal y) {
    PkVal xy[2] = {x, y};
    return pk_value_row(rt, 2, xy);
}

/* The set of keys[i0 .. i0+n-1] (a slice of an ascending row is ascending). */
static PkVal sub_set(PkRuntime *rt, PkVal keys, uint64_t i0, uint64_t n) {
    PkVal k = sub_row(rt, keys, i0, n);
    return k ? make_set(rt, k) : 0;
}

/* The tab of entries i0 .. i0+n-1 of a tab's keys and values. */
static PkVal sub_tab(PkRuntime *rt, PkVal keys, PkVal vals, uint64_t i0, uint64_t n) {
    PkVal k = sub_row(rt, keys, i0, n), v = k ? sub_row(rt, vals, i0, n) : 0;
    return v ? make_tab(rt, k, v) : 0;
}

/* [(set of the keys before end) (set of the keys from start on)]; end and
** start differ only when splitAt is given a non-nat (see take_cut) */
static PkVal split_set(PkRuntime *rt, PkVal keys, uint64_t n, uint64_t end, uint64_t start) {
    PkVal lo = sub_set(rt, keys, 0, end), hi = lo ? sub_set(rt, keys, start, n - start) : 0;
    return hi ? pair(rt, lo, hi) : 0;
}
static PkVal split_tab(PkRuntime *rt, PkVal keys, PkVal vals, uint64_t n, uint64_t end, uint64_t start) {
    PkVal lo = sub_tab(rt, keys, vals, 0, end), hi = lo ? sub_tab(rt, keys, vals, start, n - start) : 0;
    return hi ? pair(rt, lo, hi) : 0;
}

/* NAT(v) clamped to n */
static uint64_t clamp(PkVal v, uint64_t n) {
    v = pk_nat_cast(v);
    return pk_is_small(v) && pk_small_val(v) < n ? pk_small_val(v) : n;
}

/* Where (take v row) cuts a row of n: at (min v n) in the _Cmp order, so a
** non-nat v takes everything (drop, by contrast, drops NAT(v)). */
static uint64_t take_cut(PkVal v, uint64_t n) { return pk_is_nat(v) ? clamp(v, n) : n; }

/* ----- sets: construction, slices, algebra --------------------------------------- */

/* (_MkSet x) = {1 2 x}: opcode 0 normalizes x; a set only if x is an
** ascending row (the law's shape says so). (_SetToRow s) = lawBody s. */
static PkVal mk_set(PkRuntime *rt, PkVal *a) { return pk_value_law(rt, pk_small(1), pk_small(2), pk_arg(a, 0)); }
static PkVal set_to_row(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_is_law(v) ? pk_law(v)->body : pk_small(0);
}

/* (setDrop n s), (setTake n s): the set of keys after / before the first n */
static PkVal set_slice(PkRuntime *rt, PkVal *a, bool take) {
    PkVal keys;
    uint64_t n;
    if (!set_keys(pk_arg(a, 1), &keys, &n)) return PK_JET_FALLBACK;
    uint64_t cut = take ? take_cut(pk_arg(a, 0), n) : clamp(pk_arg(a, 0), n);
    return take ? sub_set(rt, keys, 0, cut) : sub_set(rt, keys, cut, n - cut);
}
static PkVal set_drop(PkRuntime *rt, PkVal *a) { return set_slice(rt, a, false); }
static PkVal set_take(PkRuntime *rt, PkVal *a) { return set_slice(rt, a, true); }

/* (setSplitAt i s) = [(setTake i s) (setDrop i s)]. The legal result is a
** pair of unevaluated halves, forcing nothing: so the jet works only when
** both arguments are already evaluated, and otherwise lets the legal code
** build that pair. */
static PkVal set_split_at(PkRuntime *rt, PkVal *a) {
    PkVal keys;
    uint64_t n;
    if (!pk_known_normal(pk_arg(a, 0)) || !set_keys(pk_arg(a, 1), &keys, &n)) return PK_JET_FALLBACK;
    return split_set(rt, keys, n, take_cut(pk_arg(a, 0), n), clamp(pk_arg(a, 0), n));
}

/* (setSplitLT k s) = [keys below k, keys from k on]; lazy like setSplitAt,
** and k must already be in normal form to be compared. */
static PkVal set_split_lt(PkRuntime *rt, PkVal *a) {
    PkVal keys;
    uint64_t n;
    bool found;
    if (!pk_known_normal(pk_arg(a, 0)) || !set_keys(pk_arg(a, 1), &keys, &n)) return PK_JET_FALLBACK;
    uint64_t i = find(rt, keys, n, pk_arg(a, 0), &found);
    return rt->err ? 0 : split_set(rt, keys, n, i, i);
}

/* Merge two ascending key rows. mode 0: union; 1: keys of x also in y;
** 2: keys of x not in y. */
static PkVal merge_keys(PkRuntime *rt, PkVal x, uint64_t nx, PkVal y, uint64_t ny, int mode) {
    PkVal *out = malloc(((mode == 0 ? nx + ny : nx) + 1) * sizeof(PkVal));
    if (!out) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    uint64_t i = 0, j = 0, m = 0;
    while (i < nx || (mode == 0 && j < ny)) {
        int c = i == nx ? 1 : j == ny ? -1 : pk_walk_cmp(rt, pk_value_row_get(x, i), pk_value_row_get(y, j));
        if (rt->err) { free(out); return 0; }
        if (c < 0) { if (mode != 1) out[m++] = pk_value_row_get(x, i); i++; }
        else if (c > 0) { if (mode == 0) out[m++] = pk_value_row_get(y, j); j++; }
        else { if (mode != 2) out[m++] = pk_value_row_get(x, i); i++; j++; }
    }
    PkVal r = pk_value_row(rt, m, out);
    free(out);
    return r ? make_set(rt, r) : 0;
}

/* (setWeld x y): the union */
static PkVal set_weld(PkRuntime *rt, PkVal *a) {
    PkVal kx, ky;
    uint64_t nx, ny;
    if (!set_keys(pk_arg(a, 0), &kx, &nx) || !set_keys(pk_arg(a, 1), &ky, &ny)) return PK_JET_FALLBACK;
    return merge_keys(rt, kx, nx, ky, ny, 0);
}

/* (setIntersect a b) = (setFilter (flip setHas a) b): the keys of b also in
** a; a is looked at only when b is not empty */
static PkVal set_intersect(PkRuntime *rt, PkVal *a) {
    PkVal ka, kb;
    uint64_t na, nb;
    if (!set_keys(pk_arg(a, 1), &kb, &nb)) return PK_JET_FALLBACK;
    if (nb == 0) return make_set(rt, kb);
    if (!pk_arg_ready(a, 0)) return PK_JET_NEED(0);
    if (!set_keys(pk_arg(a, 0), &ka, &na)) return PK_JET_FALLBACK;
    return merge_keys(rt, kb, nb, ka, na, 1);
}

/* (setSub a b) = (setFoldl (flip setDel) a b): the keys of a not in b; when
** b is empty the result is a itself, not even evaluated */
static PkVal set_sub(PkRuntime *rt, PkVal *a) {
    PkVal ka, kb;
    uint64_t na, nb;
    if (!set_keys(pk_arg(a, 1), &kb, &nb)) return PK_JET_FALLBACK;
    if (nb == 0) return a[0];
    if (!pk_arg_ready(a, 0)) return PK_JET_NEED(0);
    if (!set_keys(pk_arg(a, 0), &ka, &na)) return PK_JET_FALLBACK;
    return merge_keys(rt, ka, na, kb, nb, 2);
}

/* (setCatRowAsc ss) = (_MkSet (catMap _SetToRow ss)): the keys of a row of
** sets joined; the result is a set only when they ascend across the sets
** (otherwise a plain law, as legally). Elements are forced in order. */
static PkVal set_cat_row_asc(PkRuntime *rt, PkVal *a) {
    PkVal ss = pk_arg(a, 0), keys = 0;
    uint64_t n, k = 0, total = 0;
    if (!pk_value_is_row(ss, &n)) return PK_JET_FALLBACK;
    for (uint64_t i = rt->jet_resume; i < n; i++) {            /* those before: sets */
        PkVal s = pk_value_row_get(ss, i);
        if (!pk_is_whnf(s)) return pk_jet_force(rt, s, false, i);
        if (!set_keys(s, &keys, &k)) return PK_JET_FALLBACK;
    }
    for (uint64_t i = 0; i < n; i++) {
        set_keys(pk_value_row_get(ss, i), &keys, &k);
        total += k;
    }
    PkVal r = pk_value_row(rt, total, NULL);
    for (uint64_t i = 0, j = 0; r && i < n; i++) {
        set_keys(pk_value_row_get(ss, i), &keys, &k);
        for (uint64_t e = 0; e < k; e++, j++) pk_clo(r)->args[total - 1 - j] = pk_value_row_get(keys, e);
    }
    return r ? pk_value_law(rt, pk_small(1), pk_small(2), r) : 0;
}

/* ----- tabs: construction, conversion, splitting, merging --------------------------- */

/* (_MkTab keys vals) = ({1 2 keys} vals): keys normalized, vals lazy */
static PkVal mk_tab(PkRuntime *rt, PkVal *a) {
    PkVal law = pk_value_law(rt, pk_small(1), pk_small(2), pk_arg(a, 0));
    return law ? pk_value_clo(rt, law, 1, 1, &a[1]) : 0;
}

/* (tabToPairs t) = [[k0 v0] [k1 v1] ..] */
static PkVal tab_to_pairs(PkRuntime *rt, PkVal *a) {
    PkVal keys, vals, bad;
    uint64_t n;
    if ((bad = tab_forcing_vals(rt, pk_arg(a, 0), &keys, &vals, &n))) return bad;
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) {
        PkVal p = pair(rt, pk_value_row_get(keys, i), pk_value_row_get(vals, i));
        if (!p) return 0;
        pk_clo(r)->args[n - 1 - i] = p;
    }
    return r;
}

/* (tabToPairList t) = [[k0 v0] [[k1 v1] .. 0]], a list; (_TabKeysList t) =
** (listFromRow (lawBody (car t))), the list of keys, which looks at the key
** set only (so any set applied to one argument will do) */
static PkVal tab_list(PkRuntime *rt, PkVal *a, bool with_values) {
    PkVal t = pk_arg(a, 0), keys, vals = 0;
    uint64_t n;
    if (with_values ? !tab_parts(t, &keys, &vals, &n)
                    : !pk_is_clo(t) || pk_obj(t)->n != 1 || !set_keys(pk_clo(t)->head, &keys, &n))
        return PK_JET_FALLBACK;
    PkVal cell = pk_small(0);
    for (uint64_t i = n; cell && i-- > 0;) {
        PkVal x = pk_value_row_get(keys, i);
        if (with_values) x = pair(rt, x, pk_value_row_get(vals, i));
        cell = x ? pair(rt, x, cell) : 0;
    }
    return cell;
}
static PkVal tab_to_pair_list(PkRuntime *rt, PkVal *a) { return tab_list(rt, a, true); }
static PkVal tab_keys_list(PkRuntime *rt, PkVal *a) { return tab_list(rt, a, false); }

/* (tabSwitch k fallback t): the value at k, or fallback. Legally
** (ifNot (_TabHas k t) fallback (tabIdx k t)): t first, then k only when t
** is not empty. */
static PkVal tab_switch(PkRuntime *rt, PkVal *a) {
    PkVal t = pk_arg(a, 2), keys, vals;
    uint64_t n;
    bool found;
    if (!pk_is_clo(t) || pk_obj(t)->n != 1 || !set_keys(pk_clo(t)->head, &keys, &n)) return PK_JET_FALLBACK;
    if (n == 0) return a[1];
    if (!pk_known_normal(pk_arg(a, 0))) return PK_JET_NEED_DEEP(0);
    uint64_t i = find(rt, keys, n, pk_arg(a, 0), &found);
    if (rt->err) return 0;
    if (!found) return a[1];
    PkVal bad = tab_forcing_vals(rt, t, &keys, &vals, &n);   /* the values only now */
    return bad ? bad : pk_value_row_get(vals, i);
}

/* (tabSplitAt i t), (tabSplitLT k t): [first part, rest] as tabs; lazy like
** setSplitAt, so only for arguments already evaluated (and k normal) */
static PkVal tab_split_at(PkRuntime *rt, PkVal *a) {
    if (!pk_known_normal(pk_arg(a, 0))) return PK_JET_FALLBACK;
    TAB_ARG(1);
    return split_tab(rt, keys, vals, n, take_cut(pk_arg(a, 0), n), clamp(pk_arg(a, 0), n));
}
static PkVal tab_split_lt(PkRuntime *rt, PkVal *a) {
    if (!pk_known_normal(pk_arg(a, 0))) return PK_JET_FALLBACK;
    TAB_ARG(1);
    bool found;
    uint64_t i = find(rt, keys, n, pk_arg(a, 0), &found);
    return rt->err ? 0 : split_tab(rt, keys, vals, n, i, i);
}

/* (tabWeld x y): the union, x's value where both have a key */
static PkVal tab_weld(PkRuntime *rt, PkVal *a) {
    PkVal kx, vx, ky, vy, bad;
    uint64_t nx, ny;
    if ((bad = tab_forcing_vals(rt, pk_arg(a, 0), &kx, &vx, &nx))) return bad;
    if ((bad = tab_forcing_vals(rt, pk_arg(a, 1), &ky, &vy, &ny))) return bad;
    PkVal *ks = malloc((nx + ny + 1) * 2 * sizeof(PkVal)), *vs = ks ? ks + nx + ny + 1 : NULL;
    if (!ks) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    uint64_t i = 0, j = 0, m = 0;
    while (i < nx || j < ny) {
        int c = i == nx ? 1 : j == ny ? -1 : pk_walk_cmp(rt, pk_value_row_get(kx, i), pk_value_row_get(ky, j));
        if (rt->err) { free(ks); return 0; }
        if (c <= 0) { ks[m] = pk_value_row_get(kx, i); vs[m++] = pk_value_row_get(vx, i++); if (c == 0) j++; }
        else { ks[m] = pk_value_row_get(ky, j); vs[m++] = pk_value_row_get(vy, j++); }
    }
    PkVal k = pk_value_row(rt, m, ks), v = k ? pk_value_row(rt, m, vs) : 0;
    free(ks);
    return v ? make_tab(rt, k, v) : 0;
}

/* Sort idx[0..n) by key (stable merge sort; keys in normal form). */
static bool sort_by_key(PkRuntime *rt, const PkVal *key, uint64_t *idx, uint64_t n) {
    uint64_t *tmp = malloc((n + 1) * sizeof *tmp);
    if (!tmp) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
    for (uint64_t w = 1; w < n; w *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * w) {
            uint64_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            uint64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) {
                int c = pk_walk_cmp(rt, key[idx[j]], key[idx[i]]);
                if (rt->err) { free(tmp); return false; }
                tmp[k++] = c < 0 ? idx[j++] : idx[i++];
            }
            while (i < mid) tmp[k++] = idx[i++];
            while (j < hi) tmp[k++] = idx[j++];
        }
        memcpy(idx, tmp, n * sizeof *tmp);
    }
    free(tmp);
    return true;
}

/* (tabFromPairs ps) = (foldl (t p & tabIns (fst p) (snd p) t) #[] ps): the
** later pair wins for a repeated key. Legally each step forces the pair and
** then its key (normalized); a pair that is not an app reads as [0 0]. */
static PkVal tab_from_pairs(PkRuntime *rt, PkVal *a) {
    PkVal ps = pk_arg(a, 0);
    uint64_t n = pk_is_clo(ps) ? pk_obj(ps)->n : 0;
    for (uint64_t i = rt->jet_resume; i < n; i++) {           /* those before: ready */
        PkVal p = pk_deref(pk_clo(ps)->args[n - 1 - i]);
        if (!pk_is_whnf(p)) return pk_jet_force(rt, p, false, i);
        if (!pk_is_clo(p)) continue;
        PkVal k = pk_deref(pk_clo(p)->args[pk_obj(p)->n - 1]);
        if (!pk_known_normal(k)) return pk_jet_force(rt, k, true, i);
    }
    PkVal *kv = malloc((2 * n + 1) * sizeof(PkVal));
    uint64_t *idx = malloc((n + 1) * sizeof *idx);
    PkVal r = 0;
    if (!kv || !idx) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); goto done; }
    for (uint64_t i = 0; i < n; i++) {           /* fst p = idx 0 p, snd p = idx 1 p */
        PkVal p = pk_deref(pk_clo(ps)->args[n - 1 - i]);
        uint32_t m = pk_is_clo(p) ? pk_obj(p)->n : 0;
        kv[i] = m >= 1 ? pk_deref(pk_clo(p)->args[m - 1]) : pk_small(0);
        kv[n + i] = m >= 2 ? pk_clo(p)->args[m - 2] : pk_small(0);
        idx[i] = i;
    }
    if (!sort_by_key(rt, kv, idx, n)) goto done;
    uint64_t m = 0;                              /* keep the last of equal keys */
    for (uint64_t i = 0; i < n; i++) {
        if (i + 1 < n) {
            int c = pk_walk_cmp(rt, kv[idx[i]], kv[idx[i + 1]]);
            if (rt->err) goto done;
            if (c == 0) continue;
        }
        idx[m++] = idx[i];
    }
    r = pk_value_row(rt, m, NULL);
    PkVal vals = r ? pk_value_row(rt, m, NULL) : 0;
    for (uint64_t i = 0; vals && i < m; i++) {
        pk_clo(r)->args[m - 1 - i] = kv[idx[i]];
        pk_clo(vals)->args[m - 1 - i] = kv[n + idx[i]];
    }
    r = vals ? make_tab(rt, r, vals) : 0;
done:
    free(kv);
    free(idx);
    return r;
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
    {"_MkSet", 1, 0, 1, NULL, mk_set, false},
    {"_SetToRow", 1, 1, 0, NULL, set_to_row, false},
    {"setDrop", 2, 3, 0, NULL, set_drop, false},
    {"setTake", 2, 2, 1, NULL, set_take, false},
    {"setSplitAt", 2, 0, 0, NULL, set_split_at, false},
    {"setSplitLT", 2, 0, 0, NULL, set_split_lt, false},
    {"setWeld", 2, 3, 0, NULL, set_weld, false},
    {"setIntersect", 2, 2, 0, NULL, set_intersect, false},
    {"setSub", 2, 2, 0, NULL, set_sub, false},
    {"setCatRowAsc", 1, 1, 0, NULL, set_cat_row_asc, false},
    {"_MkTab", 2, 0, 1, NULL, mk_tab, false},
    {"tabToPairs", 1, 1, 0, NULL, tab_to_pairs, false},
    {"tabToPairList", 1, 1, 0, NULL, tab_to_pair_list, false},
    {"_TabKeysList", 1, 1, 0, NULL, tab_keys_list, false},
    {"tabSwitch", 3, 4, 0, NULL, tab_switch, false},
    {"tabSplitAt", 2, 0, 0, NULL, tab_split_at, false},
    {"tabSplitLT", 2, 0, 0, NULL, tab_split_lt, false},
    {"tabWeld", 2, 3, 0, NULL, tab_weld, false},
    {"tabFromPairs", 1, 1, 0, NULL, tab_from_pairs, false},
};
const size_t pk_jets_tab_count = sizeof pk_jets_tab / sizeof pk_jets_tab[0];
