/*
** pk_jets_seed.c: the serialization jets of sire_22_seed (_SaveSeed,
** _LoadSeed, _SaveGerm, _LoadGerm) on the C codec of pk_seed.c.
**
** Saving follows the legal `save`: atoms strictly descending (the reference's
** C encoder orders bignats of equal width and top limb otherwise; its jet and
** the legal code disagree there, and we follow the legal code), germ refs in
** the legal pinRefs order (first seen, a closure's head before its
** arguments), deduplicated by equality. Loading builds normal parts as values
** and anything that needs evaluation as a lazy application, as the legal
** loader does; malformed bytes go to the legal loader (PK_JET_FALLBACK).
*/
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"
#include "pk_seed.h"

/* The bar of n bytes: {1 1 N}, N the little-endian nat of the bytes and 1. */
static PkVal bar_of(PkRuntime *rt, uint8_t *b, size_t n) {
    uint8_t *t = realloc(b, n + 1);
    if (!t) { free(b); return pk_fail(rt, PK_ERR_NOMEM, "out of memory"); }
    t[n] = 1;
    PkVal nat = pk_nat_from_bytes(rt, t, n + 1);
    free(t);
    return nat ? pk_value_law(rt, pk_small(1), pk_small(1), nat) : 0;
}

/* The bytes of a bar (malloc'd), or NULL with *ok set when v is no bar. */
static uint8_t *bar_bytes(PkRuntime *rt, PkVal v, size_t *n, bool *is_bar) {
    *is_bar = pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_BAR;
    if (!*is_bar) return NULL;
    size_t len;
    uint8_t *b = pk_nat_bytes(rt, pk_law(v)->body, &len);
    if (!b) return NULL;
    *n = len - 1;                                 /* drop the end marker */
    return b;
}

/* A failed load: bad bytes go to the legal loader, other failures stand. */
static PkVal load_failed(PkRuntime *rt) {
    if (rt->err != PK_ERR_BADARG) return 0;
    rt->err = PK_OK;
    rt->err_msg = NULL;
    return PK_JET_FALLBACK;
}

/* (_SaveSeed v), v normal: the seed of v as a bar. */
static PkVal save_seed(PkRuntime *rt, PkVal *a) {
    size_t n;
    uint8_t *b = pk_seed_save(rt, pk_arg(a, 0), NULL, 0, false, &n);
    return b ? bar_of(rt, b, n) : 0;
}

/* (_LoadSeed bar): the value of the seed in the bar. */
static PkVal load_seed(PkRuntime *rt, PkVal *a) {
    size_t n;
    bool is_bar, normal;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 0), &n, &is_bar);
    if (!is_bar) return PK_JET_FALLBACK;
    if (!b) return 0;
    PkVal v = pk_seed_load(rt, b, n, NULL, 0, true, &normal);
    free(b);
    return v ? v : load_failed(rt);
}

/* (_SaveGerm pin) = [refs bar], the pin's item saved with its direct
** sub-pins as holes; 0 for anything but a pin. */
static PkVal save_germ(PkRuntime *rt, PkVal *a) {
    PkVal pin = pk_arg(a, 0);
    if (!pk_is_pin(pin)) return pk_small(0);
    size_t nrefs, n;
    PkVal *refs = pk_seed_pin_refs(rt, pin, &nrefs);
    if (!refs && rt->err) return 0;
    uint8_t *b = pk_seed_save(rt, pk_pin(pin)->item, refs ? refs : (PkVal[]){0}, nrefs, false, &n);
    PkVal row = b ? pk_value_row(rt, nrefs, refs) : 0;
    free(refs);
    PkVal bar = row ? bar_of(rt, b, n) : (free(b), 0);
    PkVal pair[2] = {row, bar};
    return bar ? pk_value_row(rt, 2, pair) : 0;
}

/* (_LoadGerm refs bar) = the pin whose item the germ holds, its holes
** filled with refs (a row of pins); other inputs go to the legal code. */
static PkVal load_germ(PkRuntime *rt, PkVal *a) {
    PkVal refs = pk_arg(a, 0);
    uint64_t nrefs;
    if (!pk_value_is_row(refs, &nrefs)) return PK_JET_FALLBACK;
    for (uint64_t i = 0; i < nrefs; i++)
        if (!pk_is_pin(pk_value_row_get(refs, i))) return PK_JET_FALLBACK;
    size_t n;
    bool is_bar, normal;
    uint8_t *b = bar_bytes(rt, pk_arg(a, 1), &n, &is_bar);
    if (!is_bar) return PK_JET_FALLBACK;
    if (!b) return 0;
    PkVal *holes = malloc((nrefs ? nrefs : 1) * sizeof *holes);
    if (!holes) { free(b); return pk_fail(rt, PK_ERR_NOMEM, "out of memory"); }
    for (uint64_t i = 0; i < nrefs; i++) holes[i] = pk_value_row_get(refs, i);
    PkVal v = pk_seed_load(rt, b, n, holes, nrefs, true, &normal);
    free(b);
    free(holes);
    if (!v) return load_failed(rt);
    if (!normal) return pk_value_thunk(rt, pk_small(4), 1, &v);   /* (4 v), lazily */
    PkVal p = pk_value_pin(rt, v);
    if (p && pk_jet_match(rt, pk_pin(p))) return 0;
    return p;
}

/* name, arity, strict mask, deep mask, order, code */
const PkJet pk_jets_seed[] = {
    {"_SaveSeed", 1, 0, 1, NULL, save_seed},
    {"_LoadSeed", 1, 1, 0, NULL, load_seed},
    {"_SaveGerm", 1, 1, 0, NULL, save_germ},
    {"_LoadGerm", 2, 3, 0, NULL, load_germ},
};
const size_t pk_jets_seed_count = sizeof pk_jets_seed / sizeof pk_jets_seed[0];
