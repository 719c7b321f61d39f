/*
** pk_jet.c: the jet table and matching, and the native jets of the core.
**
** The table of accepted (name, hash) pairs comes from the binding (the
** reference's published table, shipped as package data). When a pin of a law
** is made, its name is looked up; only on a name match is the pin hashed,
** and only on a hash match does it get the native code. A name match with a
** different hash is counted as a mismatch (the binding reports it).
**
** Natives here are the ones the evaluator's own tests need; the full set is
** grouped by family in pk_jets_*.c files.
*/
#include <string.h>
#include "pk_jet.h"
#include "pk_hash.h"
#include "pk_nat.h"

/* ----- natives ------------------------------------------------------------ */

/* (_Force x) = x in normal form: the deep mask did the work */
static PkVal jet_force(PkRuntime *rt, PkVal *a) { (void)rt; return a[0]; }

/* (_IsNat x) */
static PkVal jet_isnat(PkRuntime *rt, PkVal *a) { (void)rt; return pk_small(pk_is_nat(pk_deref(a[0]))); }

/* (_If c t e) = NAT(c) ? t : e */
static PkVal jet_if(PkRuntime *rt, PkVal *a) {
    (void)rt;
    return pk_nat_is_zero(pk_nat_cast(pk_deref(a[0]))) ? a[2] : a[1];
}

/* (_ToNat x) = NAT(x) */
static PkVal jet_tonat(PkRuntime *rt, PkVal *a) { (void)rt; return pk_nat_cast(pk_deref(a[0])); }

/* (_Add x y) = NAT(x) + NAT(y) */
static PkVal jet_add(PkRuntime *rt, PkVal *a) {
    return pk_nat_add(rt, pk_nat_cast(pk_deref(a[0])), pk_nat_cast(pk_deref(a[1])));
}

/* (_Times f z n) = f applied NAT(n) times to z, lazily: (f (f .. (f z))) */
static PkVal jet_times(PkRuntime *rt, PkVal *a) {
    PkVal n = pk_nat_cast(pk_deref(a[2]));
    if (!pk_is_small(n)) return PK_JET_FALLBACK;
    PkVal acc = a[1];
    for (uint64_t i = pk_small_val(n); i > 0; i--) {
        acc = pk_value_thunk(rt, a[0], 1, &acc);
        if (!acc) return 0;
    }
    return acc;
}

static PkVal nat2(PkRuntime *rt, PkVal *a, PkVal *x, PkVal *y) {
    (void)rt;
    *x = pk_nat_cast(pk_deref(a[0]));
    *y = pk_nat_cast(pk_deref(a[1]));
    return 1;
}

/* (_Sub x y) = NAT(x) - NAT(y), truncated at 0 */
static PkVal jet_sub(PkRuntime *rt, PkVal *a) {
    PkVal x, y;
    nat2(rt, a, &x, &y);
    return pk_nat_sub(rt, x, y);
}

/* (_Mul x y) = NAT(x) * NAT(y) */
static PkVal jet_mul(PkRuntime *rt, PkVal *a) {
    PkVal x, y;
    nat2(rt, a, &x, &y);
    return pk_nat_mul(rt, x, y);
}

/* (_Div x y) = NAT(x) / NAT(y); x / 0 = 0 (the reference's jet; the legal
** code diverges, so the jet's answer is the one we keep) */
static PkVal jet_div(PkRuntime *rt, PkVal *a) {
    PkVal x, y;
    nat2(rt, a, &x, &y);
    if (pk_nat_is_zero(y)) return pk_small(0);
    if (pk_is_small(x) && pk_is_small(y)) return pk_small(pk_small_val(x) / pk_small_val(y));
    return pk_nat_big_div(rt, x, y);
}

/* (_Mod x y) = NAT(x) mod NAT(y); x mod 0 = x, which is what the legal
** definition x - y * (x / y) gives with x / 0 = 0 (the reference's jet raises
** an uncatchable error there) */
static PkVal jet_mod(PkRuntime *rt, PkVal *a) {
    PkVal x, y;
    nat2(rt, a, &x, &y);
    if (pk_nat_is_zero(y)) return x;
    if (pk_is_small(x) && pk_is_small(y)) return pk_small(pk_small_val(x) % pk_small_val(y));
    return pk_nat_big_mod(rt, x, y);
}

static const PkJet natives[] = {
    {"_Force", 1, 0, 1, NULL, jet_force},
    {"_IsNat", 1, 1, 0, NULL, jet_isnat},
    {"_If",    3, 1, 0, NULL, jet_if},
    {"_ToNat", 1, 1, 0, NULL, jet_tonat},
    {"_Add",   2, 3, 0, "10", jet_add},     /* legal: (times 3 (toNat x) y), y first */
    {"_Times", 3, 4, 0, NULL, jet_times},
    {"_Sub",   2, 3, 0, NULL, jet_sub},
    {"_Mul",   2, 3, 0, NULL, jet_mul},
    {"_Div",   2, 3, 0, NULL, jet_div},
    {"_Mod",   2, 3, 0, NULL, jet_mod},
};

size_t pk_jet_count(void) { return sizeof natives / sizeof natives[0]; }
const PkJet *pk_jet_at(size_t i) { return &natives[i]; }

const PkJet *pk_jet_native(const char *name) {
    for (size_t i = 0; i < sizeof natives / sizeof natives[0]; i++)
        if (!strcmp(natives[i].name, name)) return &natives[i];
    return NULL;
}

/* ----- matching ----------------------------------------------------------- */

int pk_jet_match(PkRuntime *rt, PkPin *pin) {
    if (!rt->njets || !pk_is_law(pin->item)) return 0;
    PkLaw *law = pk_law(pin->item);
    for (size_t i = 0; i < rt->njets; i++) {
        PkJetEntry *e = &rt->jets[i];
        if (!pk_nat_eq(rt, e->name, law->name)) continue;
        if (pk_hash_pin(rt, pin)) return -1;
        if (memcmp(pin->hash, e->hash, 32)) {
            rt->jet_mismatches++;
            return 0;
        }
        rt->jet_matches++;
        if (e->jet && e->jet->arity == law->arity) pin->jet = e->jet;
        return 0;
    }
    return 0;
}
