/*
** pk_nat.h: nats of any size.
**
** Small nats (< 2^63) are unboxed and their arithmetic is inline here; a nat
** that does not fit is a BIG object holding a Python number (gmpy2's mpz when
** available, CPython int otherwise), and its arithmetic goes through CPython's
** number protocol in pk_nat.c. Results are always canonical: a value that fits
** in a small nat is never BIG.
**
** Functions returning PkVal return 0 on failure with rt->err set.
*/
#ifndef PK_NAT_H
#define PK_NAT_H

#include "pk_value.h"

PkVal pk_nat_from_u64(PkRuntime *rt, uint64_t n);
PkVal pk_nat_from_bytes(PkRuntime *rt, const uint8_t *b, size_t len);  /* little-endian */
uint8_t *pk_nat_bytes(PkRuntime *rt, PkVal v, size_t *len);  /* malloc'd LE, minimal */
size_t pk_nat_bitlen(PkRuntime *rt, PkVal v);
int pk_nat_cmp(PkRuntime *rt, PkVal a, PkVal b);     /* -1, 0, 1 */
PkVal pk_nat_from_py(PkRuntime *rt, void *pyint);    /* borrowed */
void *pk_nat_to_py(PkRuntime *rt, PkVal v);          /* new reference to an int */
void pk_nat_release(PkVal big);                      /* the sweeper's hook */

PkVal pk_nat_big_inc(PkRuntime *rt, PkVal v);
PkVal pk_nat_big_dec(PkRuntime *rt, PkVal v);
PkVal pk_nat_big_add(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_big_sub(PkRuntime *rt, PkVal a, PkVal b);   /* monus */
PkVal pk_nat_big_mul(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_big_div(PkRuntime *rt, PkVal a, PkVal b);   /* b != 0 */
PkVal pk_nat_big_mod(PkRuntime *rt, PkVal a, PkVal b);   /* b != 0 */

PkVal pk_nat_big_lsh(PkRuntime *rt, PkVal a, PkVal b);   /* a << b */
PkVal pk_nat_big_rsh(PkRuntime *rt, PkVal a, PkVal b);   /* a >> b */
PkVal pk_nat_big_and(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_big_or(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_big_xor(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_big_pow(PkRuntime *rt, PkVal a, PkVal b);
PkVal pk_nat_bits_at(PkRuntime *rt, PkVal v, uint64_t off, unsigned w);  /* w <= 63 */
uint64_t pk_nat_popcount(PkRuntime *rt, PkVal v);       /* UINT64_MAX on error */

/* NAT(x): x if it is a nat, else 0 (x in WHNF). */
static inline PkVal pk_nat_cast(PkVal x) { return pk_is_nat(x) ? x : pk_small(0); }

static inline PkVal pk_nat_inc(PkRuntime *rt, PkVal v) {
    if (pk_likely(pk_is_small(v) && pk_small_val(v) < PK_SMALL_MAX)) return v + 2;
    return pk_nat_big_inc(rt, v);
}
static inline PkVal pk_nat_dec(PkRuntime *rt, PkVal v) {   /* 0 -> 0 */
    if (pk_likely(pk_is_small(v))) return pk_small_val(v) ? v - 2 : v;
    return pk_nat_big_dec(rt, v);
}
static inline PkVal pk_nat_add(PkRuntime *rt, PkVal a, PkVal b) {
    if (pk_likely(pk_is_small(a) && pk_is_small(b))) {
        uint64_t s = pk_small_val(a) + pk_small_val(b);   /* < 2^64: no wrap */
        if (pk_likely(s <= PK_SMALL_MAX)) return pk_small(s);
    }
    return pk_nat_big_add(rt, a, b);
}
static inline PkVal pk_nat_sub(PkRuntime *rt, PkVal a, PkVal b) {
    if (pk_likely(pk_is_small(a) && pk_is_small(b)))
        return a >= b ? pk_small(pk_small_val(a) - pk_small_val(b)) : pk_small(0);
    return pk_nat_big_sub(rt, a, b);
}
static inline PkVal pk_nat_mul(PkRuntime *rt, PkVal a, PkVal b) {
    if (pk_likely(pk_is_small(a) && pk_is_small(b))) {
        unsigned __int128 p = (unsigned __int128)pk_small_val(a) * pk_small_val(b);
        if (pk_likely(p <= PK_SMALL_MAX)) return pk_small((uint64_t)p);
    }
    return pk_nat_big_mul(rt, a, b);
}
static inline bool pk_nat_eq(PkRuntime *rt, PkVal a, PkVal b) {
    if (pk_is_small(a) || pk_is_small(b)) return a == b;
    return pk_nat_cmp(rt, a, b) == 0;
}
static inline bool pk_nat_is_zero(PkVal v) { return v == pk_small(0); }

#endif
