/*
** pk_jets_row.c: jets for rows (sire_05) on the canonical row form, a flat
** closure of a cow: element i of a row of n is args[n-1-i].
**
** Indexing jets work on any closure, counting arguments from the right, as
** the reference does; builders fall back to the legal code when an input is
** not a row. Elements are never forced.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"
#include "pk_walk.h"

static uint64_t clo_len(PkVal v) { return pk_is_clo(v) ? pk_obj(v)->n : 0; }

/* argument i of a closure counted from the right, or 0 */
static PkVal from_right(PkVal v, PkVal i) {
    uint64_t n = clo_len(v);
    if (!pk_is_small(i) || pk_small_val(i) >= n) return pk_small(0);
    return pk_clo(v)->args[n - 1 - pk_small_val(i)];
}

/* (_Len x): the number of arguments of a closure (a tab counts 1), else 0 */
static PkVal len(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(clo_len(pk_arg(a, 0))); }

/* (_Get row i), (_Idx i row): element i, 0 when out of range */
static PkVal get(PkRuntime *rt, PkVal *a) { (void)rt; return from_right(pk_arg(a, 0), pk_arg_nat(a, 1)); }
static PkVal idx(PkRuntime *rt, PkVal *a) { (void)rt; return from_right(pk_arg(a, 1), pk_arg_nat(a, 0)); }

/* (_Switch i fallback row) = row[i], or fallback when out of range */
static PkVal switch_(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal row = pk_arg(a, 2), i = pk_arg_nat(a, 0);
    if (!pk_is_small(i) || pk_small_val(i) >= clo_len(row)) return a[1];
    return from_right(row, i);
}

/* a closure with argument i (from the right) replaced by v */
static PkVal put_at(PkRuntime *rt, PkVal row, PkVal i, PkVal v) {
    uint64_t n = clo_len(row);
    if (!pk_is_small(i) || pk_small_val(i) >= n) return row;
    PkClo *c = pk_clo(row);
    PkVal r = pk_value_clo(rt, c->head, c->rem, c->h.n, c->args);
    if (r) pk_clo(r)->args[n - 1 - pk_small_val(i)] = v;
    return r;
}

/* (_Put row k v), (_Mut k v row): the row with element k set to v */
static PkVal put(PkRuntime *rt, PkVal *a) { return put_at(rt, pk_arg(a, 0), pk_arg_nat(a, 1), a[2]); }
static PkVal mut(PkRuntime *rt, PkVal *a) { return put_at(rt, pk_arg(a, 2), pk_arg_nat(a, 0), a[1]); }

/* (_Weld x y) = the row x followed by the row y */
static PkVal weld(PkRuntime *rt, PkVal *a) {
    PkVal x = pk_arg(a, 0), y = pk_arg(a, 1);
    uint64_t nx, ny;
    if (!pk_value_is_row(x, &nx) || !pk_value_is_row(y, &ny)) return PK_JET_FALLBACK;
    PkVal r = pk_value_row(rt, nx + ny, NULL);
    if (!r || nx + ny == 0) return r;
    PkVal *dst = pk_clo(r)->args;           /* dst[n-1-i] is element i */
    for (uint64_t i = 0; i < nx; i++) dst[nx + ny - 1 - i] = pk_value_row_get(x, i);
    for (uint64_t i = 0; i < ny; i++) dst[ny - 1 - i] = pk_value_row_get(y, i);
    return r;
}

/* (_Map f row) = [(f x0) (f x1) ..], each element a lazy application */
static PkVal map(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 1);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) {
        PkVal x = pk_clo(row)->args[i];
        PkVal t = pk_value_thunk(rt, a[0], 1, &x);
        if (!t) return 0;
        pk_clo(r)->args[i] = t;
    }
    return r;
}

/* (_Rev row) = the row reversed */
static PkVal rev(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) pk_clo(r)->args[i] = pk_clo(row)->args[n - 1 - i];
    return r;
}

/* (rowCons x row) = [x row..];  (rowSnoc row x) = [row.. x] */
static PkVal cons_snoc(PkRuntime *rt, PkVal row, PkVal x, bool at_front) {
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    PkVal r = pk_value_row(rt, n + 1, NULL);
    if (!r) return 0;
    PkVal *dst = pk_clo(r)->args;
    for (uint64_t i = 0; i < n; i++) dst[n - (at_front ? 1 + i : i)] = pk_value_row_get(row, i);
    dst[at_front ? n : 0] = x;
    return r;
}
static PkVal row_cons(PkRuntime *rt, PkVal *a) { return cons_snoc(rt, pk_arg(a, 1), a[0], true); }
static PkVal row_snoc(PkRuntime *rt, PkVal *a) { return cons_snoc(rt, pk_arg(a, 0), a[1], false); }

/* (_IsRow x), (_IsCow x) */
/* (_IsRow r): a row, the empty one included (legally: arity 1, head a cow) */
static PkVal is_row(PkRuntime *rt, PkVal *a) { (void)rt; uint64_t n; return pk_small(pk_value_is_row(pk_arg(a, 0), &n)); }
/* (_IsCow v): a law named 0 with body 0, which the empty row is too */
static PkVal is_cow(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_small(pk_is_law(v) && (pk_obj(v)->shape == PK_SHAPE_COW || pk_obj(v)->shape == PK_SHAPE_ROW0));
}

/* (sum row) = the sum of NAT of each element; elements not yet evaluated
** send it to the legal code, which forces them in order */
static PkVal sum(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0), acc = pk_small(0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    for (uint64_t i = 0; i < n; i++)
        if (!pk_is_whnf(pk_value_row_get(row, i))) return PK_JET_FALLBACK;
    for (uint64_t i = 0; i < n && acc; i++) acc = pk_nat_add(rt, acc, pk_nat_cast(pk_value_row_get(row, i)));
    return acc;
}

/* (take n row), (drop n row): the first n elements, or all but them. Legally
** take cuts at (min n (len row)) in the _Cmp order, where a non-nat n is above
** every length (so it takes everything), and drop at NAT(n). */
static PkVal take_drop(PkRuntime *rt, PkVal *a, bool take) {
    PkVal row = pk_arg(a, 1), k = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    uint64_t cut = pk_is_small(k) && pk_small_val(k) < n ? pk_small_val(k) : pk_is_nat(k) || take ? n : 0;
    uint64_t from = take ? 0 : cut, m = take ? cut : n - cut;
    PkVal r = pk_value_row(rt, m, NULL);
    for (uint64_t i = 0; r && i < m; i++) pk_clo(r)->args[m - 1 - i] = pk_value_row_get(row, from + i);
    return r;
}
static PkVal take(PkRuntime *rt, PkVal *a) { return take_drop(rt, a, true); }
static PkVal drop(PkRuntime *rt, PkVal *a) { return take_drop(rt, a, false); }

/* (zip x y) = [[x0 y0] [x1 y1] ..], as long as the shorter row */
static PkVal zip(PkRuntime *rt, PkVal *a) {
    PkVal x = pk_arg(a, 0), y = pk_arg(a, 1);
    uint64_t nx, ny;
    if (!pk_value_is_row(x, &nx) || !pk_value_is_row(y, &ny)) return PK_JET_FALLBACK;
    uint64_t m = nx < ny ? nx : ny;
    PkVal r = pk_value_row(rt, m, NULL);
    for (uint64_t i = 0; r && i < m; i++) {
        PkVal pair[2] = {pk_value_row_get(x, i), pk_value_row_get(y, i)};
        PkVal p = pk_value_row(rt, 2, pair);
        if (!p) return 0;
        pk_clo(r)->args[m - 1 - i] = p;
    }
    return r;
}

/* (cat rows) = the rows of a row welded in order; elements that are not
** (evaluated) rows send it to the legal code */
static PkVal cat(PkRuntime *rt, PkVal *a) {
    PkVal rows = pk_arg(a, 0);
    uint64_t n, total = 0, k;
    if (!pk_value_is_row(rows, &n)) return PK_JET_FALLBACK;
    for (uint64_t i = 0; i < n; i++) {
        if (!pk_value_is_row(pk_value_row_get(rows, i), &k)) return PK_JET_FALLBACK;
        total += k;
    }
    PkVal r = pk_value_row(rt, total, NULL);
    uint64_t j = 0;
    for (uint64_t i = 0; r && i < n; i++) {
        PkVal row = pk_value_row_get(rows, i);
        pk_value_is_row(row, &k);
        for (uint64_t e = 0; e < k; e++, j++) pk_clo(r)->args[total - 1 - j] = pk_value_row_get(row, e);
    }
    return r;
}

/* (isDigit c): 1 for the bytes '0' to '9' */
static PkVal is_digit(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal c = pk_arg(a, 0);
    return pk_small(pk_is_small(c) && pk_small_val(c) >= '0' && pk_small_val(c) <= '9');
}

/* (implode row): a row of evaluated bytes 1..255 as the nat spelling them
** (element 0 the lowest byte); any other input goes to the legal code */
static PkVal implode(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    uint8_t *b = malloc(n ? n : 1);
    if (!b) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        PkVal c = pk_value_row_get(row, i);
        if (!pk_is_small(c) || pk_small_val(c) < 1 || pk_small_val(c) > 255) { free(b); return PK_JET_FALLBACK; }
        b[i] = (uint8_t)pk_small_val(c);
    }
    PkVal r = pk_nat_from_bytes(rt, b, n);
    free(b);
    return r;
}

/* ----- reflection on closures (sire_05) ------------------------------------- */

/* (_Null x) = x is not an app */
static PkVal null_(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(!pk_is_clo(pk_arg(a, 0))); }

/* (_Head x): the head of an app (closures are flat, so one step), else x */
static PkVal head(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_is_clo(v) ? pk_clo(v)->head : v;
}

/* (_Last xs) = (_Idx (dec (_Len xs)) xs): the first argument applied, else 0 */
static PkVal last(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    return pk_is_clo(v) ? pk_clo(v)->args[0] : pk_small(0);
}

/* (_Arity x): a law its arity; a nat 3, 5, 3 for 0, 1, 2 and 1 otherwise; a
** pin the arity of its item; an app the arity of its head minus one per
** argument, with dec 0 = 0 (legally one opcode-1 step per layer). */
static PkVal arity(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg(a, 0);
    uint64_t applied = 0;
    for (;;) {                            /* pins and heads nest, so a loop */
        if (pk_is_pin(v)) v = pk_pin(v)->item;
        else if (pk_is_clo(v)) { applied += pk_obj(v)->n; v = pk_clo(v)->head; }
        else break;
    }
    PkVal base;
    if (pk_is_law(v)) base = pk_law(v)->arity_val;
    else if (pk_is_small(v) && pk_small_val(v) <= 2) base = pk_small(pk_small_val(v) == 1 ? 5 : 3);
    else base = pk_small(1);
    return pk_nat_sub(rt, base, pk_nat_from_u64(rt, applied));
}

/* (_Cow n) = the law {0 n+1 0}; (_CowSize c) = (lawArgs c) - 1, 0 for a
** non-law */
static PkVal cow(PkRuntime *rt, PkVal *a) {
    PkVal n1 = pk_nat_inc(rt, pk_arg_nat(a, 0));
    return n1 ? pk_value_law(rt, pk_small(0), n1, pk_small(0)) : 0;
}
static PkVal cow_size(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg(a, 0);
    return pk_is_law(v) ? pk_nat_dec(rt, pk_law(v)->arity_val) : pk_small(0);
}

/* The length of a row to build from the nat n, or fail: a row that long
** cannot be held (the legal code would exhaust memory instead). */
static bool row_length(PkRuntime *rt, PkVal n, uint64_t *len) {
    if (!pk_is_small(n) || pk_small_val(n) >= UINT32_MAX) {
        pk_fail_memory(rt, "a row of %s items (at most %u can be held)",
                       pk_is_small(n) ? "2^32 or more" : "2^63 or more", UINT32_MAX - 1);
        return false;
    }
    *len = pk_small_val(n);
    return true;
}

/* (_Gen n f) = [(f 0) (f 1) .. (f n-1)], each element a lazy application */
static PkVal gen(PkRuntime *rt, PkVal *a) {
    uint64_t n;
    if (!row_length(rt, pk_arg_nat(a, 0), &n)) return 0;
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) {
        PkVal ix = pk_small(i), t = pk_value_thunk(rt, a[1], 1, &ix);
        if (!t) return 0;
        pk_clo(r)->args[n - 1 - i] = t;
    }
    return r;
}

/* ----- lists to rows and binary search (sire_07) -------------------------------- */

/* (_SizedListToRow sz list): the first sz items of a list [x rest] ending in
** a nat, padded with 0; the Rev form reverses them. The legal code walks the
** spine with listCase (a nat ends it; any other cell gives idx 0 and idx 1)
** and stops after sz cells without looking at the next one. An unevaluated
** cell is forced and the spine walked again from the head; after
** SPINE_ROUNDS such walks the legal code takes over, so a lazy spine costs
** O(n) walks at most, not one per cell. */
#define SPINE_ROUNDS 64
static PkVal sized_list(PkRuntime *rt, PkVal *a, bool reverse) {
    uint64_t n;
    if (!row_length(rt, pk_arg_nat(a, 0), &n)) return 0;
    if (n && !pk_arg_ready(a, 1)) return PK_JET_NEED(1);
    PkVal cell = pk_arg(a, 1);
    for (uint64_t i = 0; i < n && !pk_is_nat(cell); i++) {   /* is the spine evaluated? */
        if (!pk_is_whnf(cell))
            return rt->jet_resume < SPINE_ROUNDS ? pk_jet_force(rt, cell, false, rt->jet_resume + 1)
                                                 : PK_JET_FALLBACK;
        cell = i + 1 < n ? pk_deref(from_right(cell, pk_small(1))) : pk_small(0);
    }
    PkVal r = pk_value_row(rt, n, NULL);
    if (!r) return 0;
    cell = pk_arg(a, 1);
    for (uint64_t i = 0; i < n; i++) {
        PkVal x = pk_small(0);
        if (!pk_is_nat(cell)) {
            x = from_right(cell, pk_small(0));
            cell = i + 1 < n ? pk_deref(from_right(cell, pk_small(1))) : pk_small(0);
        }
        pk_clo(r)->args[reverse ? i : n - 1 - i] = x;
    }
    return r;
}
static PkVal sized_list_to_row(PkRuntime *rt, PkVal *a) { return sized_list(rt, a, false); }
static PkVal sized_list_to_row_rev(PkRuntime *rt, PkVal *a) { return sized_list(rt, a, true); }

/* (bsearch key row): 2*i+1 when element i equals key, else 2*i with i where
** key would go; row is any closure (indexed from the right). Like the legal
** code it looks at key only when the row is not empty, and compares (in
** normal form) only the elements the search probes. */
static PkVal bsearch_jet(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 1), key = pk_arg(a, 0);
    uint64_t lo = 0, hi = clo_len(row);
    if (hi && !pk_known_normal(key)) return PK_JET_NEED_DEEP(0);
    while (lo < hi) {
        uint64_t mid = (lo + hi) >> 1;
        PkVal e = pk_deref(pk_clo(row)->args[pk_obj(row)->n - 1 - mid]);
        if (!pk_known_normal(e)) return pk_jet_force(rt, e, true, 0);
        int c = pk_walk_cmp(rt, key, e);
        if (rt->err) return 0;
        if (c == 0) return pk_nat_from_u64(rt, mid * 2 + 1);
        if (c < 0) hi = mid; else lo = mid + 1;
    }
    return pk_nat_from_u64(rt, lo * 2);
}

/* (sort row): the elements in ascending _Cmp order, by a stable merge sort.
** Not in the reference's table: our library's `sort` (sire/data.sire) is an
** O(n log n) merge sort in legal code, and this is its twin. The legal code
** compares every element when there are two or more, and a comparison
** evaluates both sides, so the jet may evaluate each element to WHNF (in
** index order, resuming where it stopped); an element that is then still not
** known to be normal (a closure with unevaluated parts, which a comparison
** might or might not look into) sends the whole call to the legal code.
** Elements equal under _Cmp are identical, so stability is unobservable and
** any correct sort gives the legal result. */
static int sort_cmp(PkRuntime *rt, PkVal x, PkVal y) {
    if (pk_is_small(x) && pk_is_small(y)) return (x > y) - (x < y);
    PkVal need = 0;
    int c = pk_walk_cmp_lazy(rt, x, y, &need);
    return c == PK_WALK_NEED ? 0 : c;         /* unreachable: both are normal */
}

static void merge_sort(PkRuntime *rt, PkVal *v, PkVal *tmp, uint64_t n) {
    for (uint64_t width = 1; width < n; width *= 2) {
        for (uint64_t lo = 0; lo < n; lo += 2 * width) {
            uint64_t mid = lo + width < n ? lo + width : n;
            uint64_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            uint64_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi) tmp[k++] = sort_cmp(rt, v[j], v[i]) < 0 ? v[j++] : v[i++];
            while (i < mid) tmp[k++] = v[i++];
            while (j < hi) tmp[k++] = v[j++];
        }
        memcpy(v, tmp, n * sizeof *v);
    }
}

static PkVal sort_row(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    if (n < 2) return row;
    for (uint64_t i = rt->jet_resume; i < n; i++) {
        PkVal e = pk_deref(pk_value_row_get(row, i));
        if (!pk_is_whnf(e)) return pk_jet_force(rt, e, false, i);
        if (!pk_known_normal(e)) return PK_JET_FALLBACK;
    }
    PkVal *v = malloc(2 * n * sizeof *v);
    if (!v) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) v[i] = pk_deref(pk_value_row_get(row, i));
    merge_sort(rt, v, v + n, n);
    PkVal r = pk_value_row(rt, n, NULL);
    for (uint64_t i = 0; r && i < n; i++) pk_clo(r)->args[n - 1 - i] = v[i];
    free(v);
    return r;
}

/* (strCat row): the strings of a row joined, element 0 first: each nat's
** bytes (lowest first, without trailing zeros), a non-nat counting as the
** empty string. Not in the reference's table: our library's `strCat`
** (sire/str.sire) welds the pieces in a balanced tree in legal code, and
** this is its twin, linear in the total length. An element not yet evaluated
** sends the call to the legal code, which decides what to force first. */
static PkVal str_cat(PkRuntime *rt, PkVal *a) {
    PkVal row = pk_arg(a, 0);
    uint64_t n;
    if (!pk_value_is_row(row, &n)) return PK_JET_FALLBACK;
    for (uint64_t i = 0; i < n; i++)
        if (!pk_is_whnf(pk_value_row_get(row, i))) return PK_JET_FALLBACK;
    size_t cap = 64, len = 0;
    uint8_t *buf = malloc(cap);
    if (!buf) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    for (uint64_t i = 0; i < n; i++) {
        PkVal e = pk_deref(pk_value_row_get(row, i));
        if (!pk_is_nat(e) || e == pk_small(0)) continue;
        uint8_t small[8], *bytes = small;
        size_t k = 0;
        if (pk_is_small(e)) {
            for (uint64_t v = pk_small_val(e); v; v >>= 8) small[k++] = (uint8_t)v;
        } else if (!(bytes = pk_nat_bytes(rt, e, &k))) {
            free(buf);
            return 0;
        }
        if (len + k > cap) {
            while (len + k > cap) cap *= 2;
            uint8_t *grown = realloc(buf, cap);
            if (!grown) { free(buf); if (bytes != small) free(bytes); return pk_fail(rt, PK_ERR_NOMEM, "out of memory"); }
            buf = grown;
        }
        memcpy(buf + len, bytes, k);
        len += k;
        if (bytes != small) free(bytes);
    }
    PkVal r = pk_nat_from_bytes(rt, buf, len);
    free(buf);
    return r;
}

/* name, arity, strict mask, deep mask, order, code, eager (omitted: false) */
const PkJet pk_jets_row[] = {
    {"strCat", 1, 1, 0, NULL, str_cat},
    {"sort", 1, 1, 0, NULL, sort_row},
    {"take", 2, 2, 1, NULL, take},
    {"drop", 2, 3, 0, NULL, drop},
    {"zip", 2, 3, 0, NULL, zip},
    {"cat", 1, 1, 0, NULL, cat},
    {"isDigit", 1, 1, 0, NULL, is_digit},
    {"implode", 1, 1, 0, NULL, implode},
    {"sum", 1, 1, 0, NULL, sum},
    {"_Len", 1, 1, 0, NULL, len, true},
    {"_Get", 2, 3, 0, NULL, get, true},
    {"_Idx", 2, 3, 0, NULL, idx, true},
    {"_Switch", 3, 5, 0, NULL, switch_},
    {"_Put", 3, 3, 0, NULL, put},
    {"_Mut", 3, 5, 0, NULL, mut},
    {"_Weld", 2, 3, 0, NULL, weld},
    {"_Map", 2, 2, 0, NULL, map},
    {"_Rev", 1, 1, 0, NULL, rev},
    {"rowCons", 2, 2, 0, NULL, row_cons},
    {"rowSnoc", 2, 1, 0, NULL, row_snoc},
    {"_IsRow", 1, 1, 0, NULL, is_row},
    {"_IsCow", 1, 1, 0, NULL, is_cow},
    {"_Null", 1, 1, 0, NULL, null_, true},
    {"_Head", 1, 1, 0, NULL, head, true},
    {"_Last", 1, 1, 0, NULL, last},
    {"_Arity", 1, 1, 0, NULL, arity, true},
    {"_Cow", 1, 1, 0, NULL, cow},
    {"_CowSize", 1, 1, 0, NULL, cow_size, true},
    {"_Gen", 2, 1, 0, NULL, gen},
    {"_SizedListToRow", 2, 1, 0, NULL, sized_list_to_row},
    {"_SizedListToRowRev", 2, 1, 0, NULL, sized_list_to_row_rev},
    {"bsearch", 2, 2, 0, NULL, bsearch_jet},
};
const size_t pk_jets_row_count = sizeof pk_jets_row / sizeof pk_jets_row[0];
