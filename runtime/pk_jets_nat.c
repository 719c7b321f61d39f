/*
** pk_jets_nat.c: jets for nat arithmetic and bit operations (sire_03).
**
** Arguments are cast with NAT (a non-nat counts as 0). Where the reference's
** jet and legal code disagree, we follow the jet where the legal result is
** bottom and the legal code elsewhere (DESIGN section 2): _Div x 0 = 0, and so
** _Mod x 0 = x; _Mul looks at x only when y is not 0, as the legal code does.
*/
#include <stdlib.h>
#include "pk_jet.h"

/* (_ToNat x) = NAT(x);  (_Dec x) = NAT(x) - 1, with 0 - 1 = 0 */
static PkVal to_nat(PkRuntime *rt, PkVal *a) { (void)rt; return pk_arg_nat(a, 0); }
static PkVal dec(PkRuntime *rt, PkVal *a) { return pk_nat_dec(rt, pk_arg_nat(a, 0)); }

/* (_Add x y) = NAT(x) + NAT(y) */
static PkVal add(PkRuntime *rt, PkVal *a) { return pk_nat_add(rt, pk_arg_nat(a, 0), pk_arg_nat(a, 1)); }

/* (_Sub x y) = NAT(x) - NAT(y), truncated at 0 */
static PkVal sub(PkRuntime *rt, PkVal *a) { return pk_nat_sub(rt, pk_arg_nat(a, 0), pk_arg_nat(a, 1)); }

/* (_Mul x y) = NAT(x) * NAT(y); legally (times (add x) 0 y), so x is not
** touched when y is 0 */
static PkVal mul(PkRuntime *rt, PkVal *a) {
    PkVal y = pk_arg_nat(a, 1);
    if (pk_nat_is_zero(y)) return pk_small(0);
    if (!pk_arg_ready(a, 0)) return PK_JET_NEED(0);
    return pk_nat_mul(rt, pk_arg_nat(a, 0), y);
}

static PkVal div_nat(PkRuntime *rt, PkVal x, PkVal y) {
    if (pk_nat_is_zero(y)) return pk_small(0);
    if (pk_is_small(x) && pk_is_small(y)) return pk_small(pk_small_val(x) / pk_small_val(y));
    return pk_nat_big_div(rt, x, y);
}

static PkVal mod_nat(PkRuntime *rt, PkVal x, PkVal y) {
    if (pk_nat_is_zero(y)) return x;
    if (pk_is_small(x) && pk_is_small(y)) return pk_small(pk_small_val(x) % pk_small_val(y));
    return pk_nat_big_mod(rt, x, y);
}

/* (_Div x y) = floor(x / y), x / 0 = 0 */
static PkVal div_(PkRuntime *rt, PkVal *a) { return div_nat(rt, pk_arg_nat(a, 0), pk_arg_nat(a, 1)); }
/* (_Mod x y) = x mod y, x mod 0 = x */
static PkVal mod_(PkRuntime *rt, PkVal *a) { return mod_nat(rt, pk_arg_nat(a, 0), pk_arg_nat(a, 1)); }

/* (_DivMod x y) = (0 q r): the pair as a partial application of opcode 0 */
static PkVal divmod(PkRuntime *rt, PkVal *a) {
    PkVal x = pk_arg_nat(a, 0), y = pk_arg_nat(a, 1);
    PkVal qr[2] = {div_nat(rt, x, y), 0};
    if (!qr[0]) return 0;
    qr[1] = mod_nat(rt, x, y);
    if (!qr[1]) return 0;
    return pk_value_clo(rt, pk_small(0), 1, 2, qr);
}

/* (_Bex n) = 2^n */
static PkVal bex(PkRuntime *rt, PkVal *a) {
    PkVal n = pk_arg_nat(a, 0);
    if (pk_is_small(n) && pk_small_val(n) < 63) return pk_small((uint64_t)1 << pk_small_val(n));
    return pk_nat_big_lsh(rt, pk_small(1), n);
}

/* (_Lsh v n) = v << n */
static PkVal lsh(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg_nat(a, 0), n = pk_arg_nat(a, 1);
    if (pk_nat_is_zero(v)) return v;
    if (pk_is_small(v) && pk_is_small(n) && pk_small_val(n) < 64) {
        uint64_t x = pk_small_val(v), s = pk_small_val(n);
        if (s == 0 || x >> (63 - s) == 0) return pk_small(x << s);
    }
    return pk_nat_big_lsh(rt, v, n);
}

/* (_Rsh v n) = v >> n */
static PkVal rsh(PkRuntime *rt, PkVal *a) {
    PkVal v = pk_arg_nat(a, 0), n = pk_arg_nat(a, 1);
    if (!pk_is_small(n)) return pk_small(0);          /* more bits than exist */
    if (pk_is_small(v)) {
        uint64_t s = pk_small_val(n);
        return pk_small(s >= 64 ? 0 : pk_small_val(v) >> s);
    }
    return pk_nat_big_rsh(rt, v, n);
}

#define BITWISE(fname, op, big)                                                   \
    static PkVal fname(PkRuntime *rt, PkVal *a) {                                 \
        PkVal x = pk_arg_nat(a, 0), y = pk_arg_nat(a, 1);                         \
        if (pk_is_small(x) && pk_is_small(y))                                     \
            return pk_small(pk_small_val(x) op pk_small_val(y));                  \
        return big(rt, x, y);                                                     \
    }
/* (_Dis x y) = x | y;  (_Con x y) = x & y;  (_Mix x y) = x ^ y */
BITWISE(dis, |, pk_nat_big_or)
BITWISE(con, &, pk_nat_big_and)
BITWISE(mix, ^, pk_nat_big_xor)
#undef BITWISE

/* (_Met n) = the number of bits of n (met 0 = 0) */
static PkVal met(PkRuntime *rt, PkVal *a) { return pk_nat_from_u64(rt, pk_nat_bitlen(rt, pk_arg_nat(a, 0))); }

/* (_PopCount n) = the number of 1 bits of n */
static PkVal popcount(PkRuntime *rt, PkVal *a) {
    uint64_t c = pk_nat_popcount(rt, pk_arg_nat(a, 0));
    return c == UINT64_MAX ? 0 : pk_nat_from_u64(rt, c);
}

/* n mod 2^w */
static PkVal trunc_nat(PkRuntime *rt, PkVal w, PkVal n) {
    if (!pk_is_small(w) || pk_nat_bitlen(rt, n) <= pk_small_val(w)) return n;
    if (pk_small_val(w) < 63) {
        uint64_t mask = ((uint64_t)1 << pk_small_val(w)) - 1;
        if (pk_is_small(n)) return pk_small(pk_small_val(n) & mask);
    }
    PkVal one = pk_nat_big_lsh(rt, pk_small(1), w);
    PkVal mask = one ? pk_nat_dec(rt, one) : 0;
    return mask ? pk_nat_big_and(rt, n, mask) : 0;
}

/* (_Trunc w n) = n mod 2^w */
static PkVal trunc_(PkRuntime *rt, PkVal *a) { return trunc_nat(rt, pk_arg_nat(a, 0), pk_arg_nat(a, 1)); }

/* (_BitSlice o w n) = (n >> o) mod 2^w; a narrow slice of a big nat is read
** in place, without shifting the whole number */
static PkVal bit_slice(PkRuntime *rt, PkVal *a) {
    PkVal o = pk_arg_nat(a, 0), w = pk_arg_nat(a, 1), n = pk_arg_nat(a, 2);
    if (!pk_is_small(o)) return pk_small(0);
    if (pk_is_small(w) && pk_small_val(w) <= 63) return pk_nat_bits_at(rt, n, pk_small_val(o), (unsigned)pk_small_val(w));
    PkVal shifted = rsh(rt, (PkVal[]){n, o});
    return shifted ? trunc_nat(rt, w, shifted) : 0;
}

/* (_TestBit i n) = bit i of n, read in place */
static PkVal test_bit(PkRuntime *rt, PkVal *a) {
    PkVal i = pk_arg_nat(a, 0);
    if (!pk_is_small(i)) return pk_small(0);          /* beyond any held nat */
    return pk_nat_bits_at(rt, pk_arg_nat(a, 1), pk_small_val(i), 1);
}

/* (_SetBit i n), (_ClearBit i n): n with bit i set or cleared */
static PkVal set_bit(PkRuntime *rt, PkVal *a) {
    PkVal b = bex(rt, a);
    return b ? dis(rt, (PkVal[]){pk_arg_nat(a, 1), b}) : 0;
}
static PkVal clear_bit(PkRuntime *rt, PkVal *a) {
    PkVal t = test_bit(rt, a);
    if (!t || t == pk_small(0)) return t ? pk_arg(a, 1) : 0;    /* as it was, nat or not */
    PkVal b = bex(rt, a);
    return b ? mix(rt, (PkVal[]){pk_arg_nat(a, 1), b}) : 0;
}

/* (_Times f z n) = f applied NAT(n) times to z, lazily: (f (f .. (f z))) */
static PkVal times(PkRuntime *rt, PkVal *a) {
    PkVal n = pk_arg_nat(a, 2);
    if (!pk_is_small(n)) return PK_JET_FALLBACK;
    PkVal acc = a[1];
    for (uint64_t i = pk_small_val(n); i > 0; i--) {
        acc = pk_value_thunk(rt, a[0], 1, &acc);
        if (!acc) return 0;
    }
    return acc;
}

/* (_Pow b p) = NAT(b) ^ NAT(p); legally (times (mul b) 1 p), so b is looked
** at only when p is not 0. A result over the memory limit (always, for a
** bignat p and b >= 2) fails at once with an out-of-memory error, where the
** legal code would multiply until memory ran out. */
static PkVal pow_(PkRuntime *rt, PkVal *a) {
    PkVal p = pk_arg_nat(a, 1);
    if (pk_nat_is_zero(p)) return pk_small(1);
    if (!pk_arg_ready(a, 0)) return PK_JET_NEED(0);
    PkVal b = pk_arg_nat(a, 0);
    if (b == pk_small(0) || b == pk_small(1)) return b;
    if (pk_is_small(b) && pk_is_small(p)) {                 /* small results without a bignat */
        unsigned __int128 r = 1, base = pk_small_val(b);
        uint64_t e = pk_small_val(p);
        while (e && r <= PK_SMALL_MAX) { r *= base; e--; }
        if (!e && r <= PK_SMALL_MAX) return pk_small((uint64_t)r);
    }
    return pk_nat_big_pow(rt, b, p);
}

/* (_OrdWeld x y) = x == 1 ? y : x */
static PkVal ord_weld(PkRuntime *rt, PkVal *a) { (void)rt; return pk_arg(a, 0) == pk_small(1) ? a[1] : a[0]; }

/* (_Bix i n) = (mod (rsh n i) 2): bit i of NAT(n) */
static PkVal bix(PkRuntime *rt, PkVal *a) {
    PkVal i = pk_arg_nat(a, 0), n = pk_arg_nat(a, 1);
    if (!pk_is_small(i)) return pk_small(0);          /* beyond any held nat */
    return pk_nat_bits_at(rt, n, pk_small_val(i), 1);
}

/* name, arity, strict mask, deep mask, order, code, eager (omitted: false) */
const PkJet pk_jets_nat[] = {
    {"_ToNat", 1, 1, 0, NULL, to_nat, true},
    {"_Dec", 1, 1, 0, NULL, dec, true},
    {"_Add", 2, 3, 0, "10", add, true},      /* legally (times 3 (toNat x) y): y first */
    {"_Sub", 2, 3, 0, "10", sub, true},
    {"_Mul", 2, 2, 0, NULL, mul},
    {"_Div", 2, 3, 0, NULL, div_, true},
    {"_Mod", 2, 3, 0, NULL, mod_, true},
    {"_DivMod", 2, 3, 0, NULL, divmod, true},
    {"_Bex", 1, 1, 0, NULL, bex},
    {"_Lsh", 2, 3, 0, NULL, lsh},
    {"_Rsh", 2, 3, 0, NULL, rsh, true},
    {"_Dis", 2, 3, 0, NULL, dis, true},
    {"_Con", 2, 3, 0, NULL, con, true},
    {"_Mix", 2, 3, 0, NULL, mix, true},
    {"_Met", 1, 1, 0, NULL, met, true},
    {"_PopCount", 1, 1, 0, NULL, popcount, true},
    {"_Trunc", 2, 3, 0, NULL, trunc_, true},
    {"_BitSlice", 3, 7, 0, NULL, bit_slice},
    {"_TestBit", 2, 3, 0, NULL, test_bit, true},
    {"_SetBit", 2, 3, 0, NULL, set_bit},
    {"_ClearBit", 2, 3, 0, NULL, clear_bit},
    {"_Times", 3, 4, 0, NULL, times},
    {"_Pow", 2, 2, 0, NULL, pow_},
    {"_OrdWeld", 2, 1, 0, NULL, ord_weld},
    {"_Bix", 2, 3, 0, "10", bix, true},
};
const size_t pk_jets_nat_count = sizeof pk_jets_nat / sizeof pk_jets_nat[0];
