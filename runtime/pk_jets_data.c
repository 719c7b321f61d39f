/*
** pk_jets_data.c: jets over data shapes: type and data tags (sire_21/25),
** hashes (pinhash.sire), and bars (sire_16). A bar is the law {1 1 N} where
** N holds the bytes little-endian with a 0x01 byte on top; these jets fall
** back to the legal code when an input is not a bar.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"
#include "pk_hash.h"

/* ----- tags ----------------------------------------------------------------- */

/* (_DataTag x): a nat itself; an app (row, tab, closure) its last argument,
** which for a row is element 0; anything else 0 */
static PkVal data_tag(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    if (pk_is_nat(v)) return v;
    if (pk_is_clo(v)) return pk_clo(v)->args[pk_obj(v)->n - 1];
    return pk_small(0);
}

static bool is_tab(PkVal v) {
    uint64_t nk, nv;
    return pk_is_clo(v) && pk_obj(v)->n == 1 && pk_is_law(pk_clo(v)->head) &&
           pk_obj(pk_clo(v)->head)->shape == PK_SHAPE_SET &&
           pk_value_is_row(pk_law(pk_clo(v)->head)->body, &nk) &&
           pk_value_is_row(pk_deref(pk_clo(v)->args[0]), &nv) && nk == nv;
}

/* (_TypeTag x): pin 0, law 1, app 2, nat 3, bar 4, row 5, tab 6, cow 7, set 8 */
static PkVal type_tag(PkRuntime *rt, PkVal *a) {
    (void)rt;
    PkVal v = pk_arg(a, 0);
    uint64_t n;
    if (pk_is_clo(v) && pk_obj(v)->n == 1 && pk_is_law(pk_clo(v)->head) &&
        pk_obj(pk_clo(v)->head)->shape == PK_SHAPE_SET && !pk_is_whnf(pk_deref(pk_clo(v)->args[0])))
        return PK_JET_FALLBACK;           /* tab or not depends on a thunk */
    if (pk_value_is_row(v, &n)) return pk_small(5);
    if (is_tab(v)) return pk_small(6);
    if (pk_is_law(v)) {
        switch (pk_obj(v)->shape) {
        case PK_SHAPE_BAR: return pk_small(4);
        case PK_SHAPE_COW: return pk_small(7);
        case PK_SHAPE_SET: return pk_small(8);
        default: return pk_small(1);
        }
    }
    return pk_small(pk_is_pin(v) ? 0 : pk_is_clo(v) ? 2 : 3);
}

/* ----- bars ------------------------------------------------------------------ */

static bool is_bar(PkVal v) { return pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_BAR; }

/* the bytes of a bar (malloc'd), or NULL with *len = SIZE_MAX if not a bar */
static uint8_t *bar_bytes(PkRuntime *rt, PkVal v, size_t *len) {
    *len = SIZE_MAX;
    if (!is_bar(v)) return NULL;
    size_t n;
    uint8_t *b = pk_nat_bytes(rt, pk_law(v)->body, &n);
    if (b) *len = n - 1;                      /* drop the 0x01 on top */
    return b;
}

static PkVal make_bar(PkRuntime *rt, const uint8_t *bytes, size_t n) {
    uint8_t *b = malloc(n + 1);
    if (!b) return pk_fail(rt, PK_ERR_NOMEM, "out of memory");
    if (n) memcpy(b, bytes, n);
    b[n] = 1;
    PkVal nat = pk_nat_from_bytes(rt, b, n + 1);
    free(b);
    return nat ? pk_value_law(rt, pk_small(1), pk_small(1), nat) : 0;
}

/* a bar of a 32-byte hash */
static PkVal hash_bar(PkRuntime *rt, const uint8_t h[32]) { return make_bar(rt, h, 32); }

/* (_PlanHash x): BLAKE3 of the tagged serialization, as a 32-byte bar */
static PkVal plan_hash(PkRuntime *rt, PkVal *a) {
    uint8_t h[32];
    return pk_hash_plan(rt, pk_arg(a, 0), h) ? 0 : hash_bar(rt, h);
}

/* (_PinHash p): a pin's hash as a 32-byte bar, 0 for anything else */
static PkVal pin_hash(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg(a, 0);
    if (!pk_is_pin(v)) return pk_small(0);
    return pk_hash_pin(rt, pk_pin(v)) ? 0 : hash_bar(rt, pk_pin(v)->hash);
}

/* (isBar x) */
static PkVal is_bar_jet(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(is_bar(pk_arg(a, 0))); }

/* (natBar n): the minimal little-endian bytes of NAT(n) */
static PkVal nat_bar(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = pk_nat_bytes(rt, pk_arg_nat(a, 0), &n);
    if (!b) return 0;
    PkVal r = make_bar(rt, b, n);
    free(b);
    return r;
}

/* (barNat bar): the bytes read as a little-endian nat */
static PkVal bar_nat(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 0), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    PkVal r = pk_nat_from_bytes(rt, b, n);
    free(b);
    return r;
}

/* (barLen bar), (barIsEmpty bar) */
static PkVal bar_len(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 0), &n);
    free(b);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    return pk_nat_from_u64(rt, n);
}
static PkVal bar_is_empty(PkRuntime *rt, PkVal *a) {
    PkVal n = bar_len(rt, a);
    return n && !pk_jet_special(n) ? pk_small(n == pk_small(0)) : n;
}

/* (barIdx i bar): byte i, 0 when out of range */
static PkVal bar_idx(PkRuntime *rt, PkVal *a) {
    size_t n;
    PkVal i = pk_arg_nat(a, 0);
    uint8_t *b = bar_bytes(rt, pk_arg(a, 1), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    PkVal r = pk_is_small(i) && pk_small_val(i) < n ? pk_small(b[pk_small_val(i)]) : pk_small(0);
    free(b);
    return r;
}

/* (barTake n bar), (barDrop n bar): the first n bytes, or all but them; as
** for take, barTake cuts at (min n len), everything for a non-nat n, and
** barDrop at NAT(n) */
static PkVal take_drop(PkRuntime *rt, PkVal *a, bool take) {
    size_t n;
    PkVal k = pk_arg(a, 0);
    uint8_t *b = bar_bytes(rt, pk_arg(a, 1), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    size_t cut = pk_is_small(k) && pk_small_val(k) < n ? (size_t)pk_small_val(k) : pk_is_nat(k) || take ? n : 0;
    PkVal r = take ? make_bar(rt, b, cut) : make_bar(rt, b + cut, n - cut);
    free(b);
    return r;
}
static PkVal bar_take(PkRuntime *rt, PkVal *a) { return take_drop(rt, a, true); }
static PkVal bar_drop(PkRuntime *rt, PkVal *a) { return take_drop(rt, a, false); }

/* (barWeld x y): the bytes of x, then those of y */
static PkVal bar_weld(PkRuntime *rt, PkVal *a) {
    size_t nx, ny;
    uint8_t *x = bar_bytes(rt, pk_arg(a, 0), &nx);
    uint8_t *y = nx == SIZE_MAX ? NULL : bar_bytes(rt, pk_arg(a, 1), &ny);
    PkVal r;
    if (nx == SIZE_MAX || ny == SIZE_MAX) {
        r = rt->err ? 0 : PK_JET_FALLBACK;
    } else {
        uint8_t *both = malloc(nx + ny + 1);
        if (!both) { r = pk_fail(rt, PK_ERR_NOMEM, "out of memory"); }
        else {
            memcpy(both, x, nx);
            memcpy(both + nx, y, ny);
            r = make_bar(rt, both, nx + ny);
            free(both);
        }
    }
    free(x);
    free(y);
    return r;
}

/* (_Bar pad) = {1 1 pad}: opcode 0 normalizes pad; a bar only if pad is one */
static PkVal bar_law(PkRuntime *rt, PkVal *a) { return pk_value_law(rt, pk_small(1), pk_small(1), pk_arg(a, 0)); }

/* (_NatToSizedBar sz n) = (_Bar (add (bex (mul 8 sz)) n)): the low bytes of n
** as a bar of sz bytes when n fits. _Add takes n before sz. A size beyond
** 2^56 bytes cannot be held: the legal code runs. */
static PkVal nat_to_sized_bar(PkRuntime *rt, PkVal *a) {
    PkVal sz = pk_arg_nat(a, 0);
    if (!pk_is_small(sz) || pk_small_val(sz) > ((uint64_t)1 << 56)) return PK_JET_FALLBACK;
    PkVal top = pk_nat_big_lsh(rt, pk_small(1), pk_small(8 * pk_small_val(sz)));
    PkVal pad = top ? pk_nat_add(rt, top, pk_arg_nat(a, 1)) : 0;
    return pad ? pk_value_law(rt, pk_small(1), pk_small(1), pad) : 0;
}

/* NAT(v) clamped to [0, n] */
static size_t clamp(PkVal v, size_t n) {
    v = pk_nat_cast(v);
    return pk_is_small(v) && pk_small_val(v) < n ? (size_t)pk_small_val(v) : n;
}

/* (_BarSliceToNat off wid bar) = (barNat (barTake wid (barDrop off bar))):
** bytes off .. off+wid-1 (clamped; a non-nat wid takes the rest, as
** barTake does) read as a little-endian nat. barTake normalizes wid before
** forcing its bar, which forces off, then bar. */
static PkVal bar_slice_to_nat(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 2), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    size_t off = clamp(pk_arg(a, 0), n);
    size_t wid = pk_is_nat(pk_arg(a, 1)) ? clamp(pk_arg(a, 1), n - off) : n - off;
    PkVal r = pk_nat_from_bytes(rt, b + off, wid);
    free(b);
    return r;
}

/* the byte a key stands for, or -1 when no byte equals it */
static int byte_of(PkVal v) { return pk_is_small(v) && pk_small_val(v) < 256 ? (int)pk_small_val(v) : -1; }

/* (barElemIndexEnd e bar): (0 i) for the last index i holding byte e, else
** 0. e is compared only when the bar is not empty, as legally. */
static PkVal bar_elem_index_end(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 1), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    PkVal r = pk_small(0);
    if (n && !pk_known_normal(pk_arg(a, 0))) r = PK_JET_NEED_DEEP(0);
    else if (n) {
        int e = byte_of(pk_arg(a, 0));
        size_t i = n;
        while (i-- > 0 && b[i] != e) {}
        if (i != SIZE_MAX) {
            PkVal ix = pk_nat_from_u64(rt, i);
            r = ix ? pk_value_clo(rt, pk_small(0), 2, 1, &ix) : 0;
        }
    }
    free(b);
    return r;
}

/* (barElemIndexOff byte off bar): the first index >= off holding byte, or
** the length. Legally (gte off len) comes first, normalizing off and then
** forcing bar; byte is compared only when off < len. */
static PkVal bar_elem_index_off(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 2), &n);
    if (n == SIZE_MAX) return rt->err ? 0 : PK_JET_FALLBACK;
    PkVal off = pk_arg(a, 1), r;
    size_t i = pk_is_small(off) && pk_small_val(off) < n ? (size_t)pk_small_val(off) : n;
    if (i < n && !pk_known_normal(pk_arg(a, 0))) {
        r = PK_JET_NEED_DEEP(0);
    } else {
        int e = i < n ? byte_of(pk_arg(a, 0)) : -1;
        while (i < n && b[i] != e) i++;
        r = pk_nat_from_u64(rt, i);
    }
    free(b);
    return r;
}

/* name, arity, strict mask, deep mask, order, code, eager */
const PkJet pk_jets_data[] = {
    {"_DataTag", 1, 1, 0, NULL, data_tag, false},
    {"_TypeTag", 1, 1, 0, NULL, type_tag, false},
    {"_PlanHash", 1, 0, 1, NULL, plan_hash, false},
    {"_PinHash", 1, 1, 0, NULL, pin_hash, false},
    {"isBar", 1, 1, 0, NULL, is_bar_jet, false},
    {"natBar", 1, 1, 0, NULL, nat_bar, false},
    {"barNat", 1, 1, 0, NULL, bar_nat, false},
    {"barLen", 1, 1, 0, NULL, bar_len, false},
    {"barIsEmpty", 1, 1, 0, NULL, bar_is_empty, false},
    {"barIdx", 2, 3, 0, NULL, bar_idx, false},
    {"barTake", 2, 2, 1, NULL, bar_take, false},
    {"barDrop", 2, 3, 0, NULL, bar_drop, false},
    {"barWeld", 2, 3, 0, NULL, bar_weld, false},
    {"_Bar", 1, 0, 1, NULL, bar_law, false},
    {"_NatToSizedBar", 2, 3, 0, "10", nat_to_sized_bar, false},
    {"_BarSliceToNat", 3, 5, 2, "102", bar_slice_to_nat, false},
    {"barElemIndexEnd", 2, 2, 0, NULL, bar_elem_index_end, false},
    {"barElemIndexOff", 3, 4, 2, "120", bar_elem_index_off, false},
};
const size_t pk_jets_data_count = sizeof pk_jets_data / sizeof pk_jets_data[0];
