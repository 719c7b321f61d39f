/*
** pk_jets_word.c: fixed-width words (w32.sire, w64.sire), for widths 32 and
** 64. Each operation first truncates its inputs to the width, as the legal
** definitions do, and the result follows the legal definition exactly, also
** for shifts of the width or more (the result is then 0) and for sub with
** inputs wider than the width (its borrow branch uses them untruncated).
*/
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"

/* the low 64 bits of a nat */
static uint64_t low64(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) return pk_small_val(v);
    size_t n;
    uint8_t *b = pk_nat_bytes(rt, v, &n);
    uint64_t x = 0;
    for (size_t i = 0; b && i < n && i < 8; i++) x |= (uint64_t)b[i] << (8 * i);
    free(b);
    return x;
}

static uint64_t mask(int w) { return w == 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1; }
static uint64_t word(PkRuntime *rt, PkVal *a, int i, int w) { return low64(rt, pk_arg_nat(a, i)) & mask(w); }

static PkVal lsh_w(PkRuntime *rt, uint64_t x, uint64_t y, int w) {
    return pk_nat_from_u64(rt, y >= (uint64_t)w ? 0 : (x << y) & mask(w));
}
static PkVal rsh_w(PkRuntime *rt, uint64_t x, uint64_t y, int w) {
    return pk_nat_from_u64(rt, y >= (uint64_t)w ? 0 : x >> y);
}

/* sub: if (w y <= w x) then (w x - w y) else (2^w + x) - y, x and y raw */
static PkVal sub_w(PkRuntime *rt, PkVal *a, int w) {
    uint64_t x = word(rt, a, 0, w), y = word(rt, a, 1, w);
    if (y <= x) return pk_nat_from_u64(rt, x - y);
    PkVal bex = w == 64 ? pk_nat_add(rt, pk_nat_from_u64(rt, UINT64_MAX), pk_small(1))
                        : pk_small((uint64_t)1 << w);
    PkVal s = bex ? pk_nat_add(rt, bex, pk_arg_nat(a, 0)) : 0;
    return s ? pk_nat_sub(rt, s, pk_arg_nat(a, 1)) : 0;
}

/* ror x y = (rsh x y) | (lsh x (sub w y));  rol x y = (lsh x y) | (rsh x (sub w y)) */
static PkVal rot_w(PkRuntime *rt, PkVal *a, int w, bool right) {
    uint64_t x = word(rt, a, 0, w), y = word(rt, a, 1, w);
    PkVal back = sub_w(rt, (PkVal[]){pk_small((uint64_t)w), pk_arg_nat(a, 1)}, w);
    if (!back) return 0;
    uint64_t b = low64(rt, back) & mask(w);
    PkVal p = right ? rsh_w(rt, x, y, w) : lsh_w(rt, x, y, w);
    PkVal q = right ? lsh_w(rt, x, b, w) : rsh_w(rt, x, b, w);
    if (!p || !q) return 0;
    return pk_nat_from_u64(rt, low64(rt, p) | low64(rt, q));
}

#define WORD_JETS(W)                                                                              \
    static PkVal w##W(PkRuntime *rt, PkVal *a) { return pk_nat_from_u64(rt, word(rt, a, 0, W)); } \
    static PkVal add##W(PkRuntime *rt, PkVal *a) {                                                \
        return pk_nat_from_u64(rt, (word(rt, a, 0, W) + word(rt, a, 1, W)) & mask(W)); }           \
    static PkVal mul##W(PkRuntime *rt, PkVal *a) {                                                \
        return pk_nat_from_u64(rt, (word(rt, a, 0, W) * word(rt, a, 1, W)) & mask(W)); }           \
    static PkVal div##W(PkRuntime *rt, PkVal *a) {   /* x / 0 = 0, as _Div */                     \
        uint64_t y = word(rt, a, 1, W);                                                           \
        return pk_nat_from_u64(rt, y ? word(rt, a, 0, W) / y : 0); }                             \
    static PkVal and##W(PkRuntime *rt, PkVal *a) { return pk_nat_from_u64(rt, word(rt, a, 0, W) & word(rt, a, 1, W)); } \
    static PkVal or##W(PkRuntime *rt, PkVal *a) { return pk_nat_from_u64(rt, word(rt, a, 0, W) | word(rt, a, 1, W)); }  \
    static PkVal xor##W(PkRuntime *rt, PkVal *a) { return pk_nat_from_u64(rt, word(rt, a, 0, W) ^ word(rt, a, 1, W)); } \
    static PkVal lsh##W(PkRuntime *rt, PkVal *a) { return lsh_w(rt, word(rt, a, 0, W), word(rt, a, 1, W), W); }        \
    static PkVal rsh##W(PkRuntime *rt, PkVal *a) { return rsh_w(rt, word(rt, a, 0, W), word(rt, a, 1, W), W); }        \
    static PkVal sub##W(PkRuntime *rt, PkVal *a) { return sub_w(rt, a, W); }                      \
    static PkVal ror##W(PkRuntime *rt, PkVal *a) { return rot_w(rt, a, W, true); }                \
    static PkVal rol##W(PkRuntime *rt, PkVal *a) { return rot_w(rt, a, W, false); }

WORD_JETS(32)
WORD_JETS(64)
#undef WORD_JETS

/* (iDiv64 x y): signed 64-bit division as the legal code does it: the
** magnitudes (two's complement) divided, rounded toward zero, negated when
** the signs differ. By 0 it gives 0 (div64 follows _Div there), and
** iMin64 / -1 gives iMin64; the reference's native floors instead. */
static PkVal idiv64(PkRuntime *rt, PkVal *a) {
    uint64_t x = word(rt, a, 0, 64), y = word(rt, a, 1, 64);
    bool nx = x >> 63, ny = y >> 63;
    uint64_t ax = nx ? 0 - x : x, ay = ny ? 0 - y : y;
    uint64_t q = ay ? ax / ay : 0;
    return pk_nat_from_u64(rt, nx != ny ? 0 - q : q);
}

#define WORD_TABLE(W)                                   \
    {"w" #W, 1, 1, 0, NULL, w##W, true},               \
    {"add" #W, 2, 3, 0, NULL, add##W, true},           \
    {"mul" #W, 2, 3, 0, NULL, mul##W, true},           \
    {"div" #W, 2, 3, 0, NULL, div##W, true},           \
    {"and" #W, 2, 3, 0, NULL, and##W, true},           \
    {"or" #W, 2, 3, 0, NULL, or##W, true},             \
    {"xor" #W, 2, 3, 0, NULL, xor##W, true},           \
    {"lsh" #W, 2, 3, 0, NULL, lsh##W, true},           \
    {"rsh" #W, 2, 3, 0, NULL, rsh##W, true},           \
    {"sub" #W, 2, 3, 0, NULL, sub##W, true},           \
    {"ror" #W, 2, 3, 0, NULL, ror##W, true},           \
    {"rol" #W, 2, 3, 0, NULL, rol##W, true},

/* name, arity, strict mask, deep mask, order, code, eager */
const PkJet pk_jets_word[] = {
    WORD_TABLE(32)
    WORD_TABLE(64)
    {"iDiv64", 2, 3, 0, NULL, idiv64, true},
};
const size_t pk_jets_word_count = sizeof pk_jets_word / sizeof pk_jets_word[0];
