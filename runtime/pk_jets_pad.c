/*
** pk_jets_pad.c: pads (sire_15) and the bar jets built on them (sire_16,
** blake3.sire).
**
** A pad is a bit string held in a nat with a 1 bit on top as an end marker;
** a nat that is 0 or not a nat at all reads as the empty pad 1. A bar is the
** law {1 1 pad} whose pad holds whole bytes. Welding pads concatenates their
** bits, the first pad's bits lowest. Every jet here is total: it reads any
** value as the legal code does, so none falls back. Row elements are forced
** one at a time in the legal order (PK_JET_FORCE); the tree walkers take
** their argument in normal form (the legal walk forces every node too).
*/
#include <stdlib.h>
#include <string.h>
#include "pk_jet.h"
#include "pk_walk.h"

/* ----- a growing bit string ------------------------------------------------- */

typedef struct { uint8_t *b; size_t nbits, cap; } PadBuf;

static bool pad_room(PkRuntime *rt, PadBuf *p, size_t nbytes) {
    if (nbytes <= p->cap) return true;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < nbytes) cap *= 2;
    if (!pk_gc_admit_buffer(rt, cap, "a pad")) return false;
    uint8_t *b = realloc(p->b, cap);
    if (!b) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
    memset(b + p->cap, 0, cap - p->cap);
    p->b = b;
    p->cap = cap;
    return true;
}

/* Append the first nbits bits of src (little-endian). */
static bool pad_bits(PkRuntime *rt, PadBuf *p, const uint8_t *src, size_t nbits) {
    if (!pad_room(rt, p, (p->nbits + nbits) / 8 + 2)) return false;
    size_t shift = p->nbits % 8, at = p->nbits / 8, whole = nbits / 8, rest = nbits % 8;
    if (shift == 0) {
        memcpy(p->b + at, src, whole);            /* aligned: bars take this way */
    } else {
        for (size_t j = 0; j < whole; j++) {
            p->b[at + j] |= (uint8_t)(src[j] << shift);
            p->b[at + j + 1] |= (uint8_t)(src[j] >> (8 - shift));
        }
    }
    if (rest) {
        unsigned v = src[whole] & ((1u << rest) - 1);
        p->b[at + whole] |= (uint8_t)(v << shift);
        if (shift + rest > 8) p->b[at + whole + 1] |= (uint8_t)(v >> (8 - shift));
    }
    p->nbits += nbits;
    return true;
}

/* Append the bits of the pad v (toPad: 0 and non-nats are empty). */
static bool pad_append(PkRuntime *rt, PadBuf *p, PkVal v) {
    if (!pk_is_nat(v) || v == pk_small(0)) return true;
    if (pk_is_small(v)) {
        uint8_t le[8];
        for (int i = 0; i < 8; i++) le[i] = (uint8_t)(pk_small_val(v) >> (8 * i));
        return pad_bits(rt, p, le, pk_nat_bitlen(rt, v) - 1);   /* the marker is not data */
    }
    size_t n;
    uint8_t *b = pk_nat_bytes(rt, v, &n);       /* minimal: b[n-1] holds the marker */
    if (!b) return false;
    size_t width = 8 * (n - 1);
    for (unsigned top = b[n - 1]; top > 1; top >>= 1) width++;
    bool ok = pad_bits(rt, p, b, width);
    free(b);
    return ok;
}

/* The pad of the bits so far (the marker set on top); frees the buffer. */
static PkVal pad_finish(PkRuntime *rt, PadBuf *p) {
    PkVal r = 0;
    if (pad_room(rt, p, p->nbits / 8 + 1)) {
        p->b[p->nbits / 8] |= (uint8_t)(1u << (p->nbits % 8));
        r = pk_nat_from_bytes(rt, p->b, p->nbits / 8 + 1);
    }
    free(p->b);
    p->b = NULL;
    return r;
}

static PkVal bar_of_pad(PkRuntime *rt, PkVal pad) {
    return pad ? pk_value_law(rt, pk_small(1), pk_small(1), pad) : 0;
}

/* lawBody of a law, else 0 (as the legal bar code reads any value) */
static PkVal body_of(PkVal v) { return pk_is_law(v) ? pk_law(v)->body : pk_small(0); }

static bool is_bar(PkVal v) { return pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_BAR; }

/* ----- pads ---------------------------------------------------------------------- */

/* (padWeld x y): the bits of x, then those of y. Legally
** (add (sub x (bex wid)) (lsh y wid)) with _Add taking its second argument
** first, so y is forced before x. */
static PkVal pad_weld(PkRuntime *rt, PkVal *a) {
    PadBuf p = {0};
    if (!pad_append(rt, &p, pk_arg(a, 0)) || !pad_append(rt, &p, pk_arg(a, 1))) { free(p.b); return 0; }
    return pad_finish(rt, &p);
}

/* The first element of the closure v, in index order (element 0 is the last
** argument) from element `from`, that is not in WHNF; n when there is none. */
static uint64_t first_unforced(PkVal v, uint64_t from, uint64_t n) {
    for (uint64_t i = from; i < n; i++)
        if (!pk_is_whnf(pk_deref(pk_clo(v)->args[n - 1 - i]))) return i;
    return n;
}

/* The same, walking from the last element to the first (from counts steps). */
static uint64_t last_unforced(PkVal v, uint64_t from, uint64_t n) {
    for (uint64_t s = from; s < n; s++)
        if (!pk_is_whnf(pk_deref(pk_clo(v)->args[s]))) return s;
    return n;
}

/* (padCat xs) = (foldl padWeld 1 xs): the pads of the arguments of a closure
** in index order welded (a strict left fold, so element 0 is forced first);
** anything else gives the empty pad. */
static PkVal pad_cat(PkRuntime *rt, PkVal *a) {
    PkVal xs = pk_arg(a, 0);
    uint64_t n = pk_is_clo(xs) ? pk_obj(xs)->n : 0, i = first_unforced(xs, rt->jet_resume, n);
    if (i < n) return pk_jet_force(rt, pk_clo(xs)->args[n - 1 - i], false, i);
    PadBuf p = {0};
    for (i = 0; i < n; i++)
        if (!pad_append(rt, &p, pk_deref(pk_clo(xs)->args[n - 1 - i]))) { free(p.b); return 0; }
    return pad_finish(rt, &p);
}

/* ----- trees of closures ------------------------------------------------------------ */

/* Visit the leaves of a tree of closures in the legal order: depth first,
** each closure's arguments in index order, appending pad_of(leaf) for each
** leaf (a non-closure). The tree comes normalized (the legal code forces
** every node of it too; a node still unevaluated is asked for all the same).
** Returns true when done; otherwise *out is the jet's result (PK_JET_FORCE,
** or 0 on error). */
typedef PkVal (*LeafPad)(PkVal leaf);

static bool tree_pads(PkRuntime *rt, PkVal root, LeafPad pad_of, PadBuf *p, PkVal *out) {
    PkWalkStack st = {0};
    bool ok = pk_walk_push(rt, &st, root);
    *out = 0;
    while (ok && st.n) {
        PkVal v = pk_deref(pk_walk_pop(&st));
        if (!pk_is_whnf(v)) { *out = pk_jet_force(rt, v, true, 0); ok = false; break; }
        if (pk_is_clo(v)) {
            for (uint32_t i = 0; ok && i < pk_obj(v)->n; i++)   /* element 0 on top */
                ok = pk_walk_push(rt, &st, pk_clo(v)->args[i]);
        } else {
            ok = pad_append(rt, p, pad_of(v));
        }
    }
    pk_walk_done(&st);
    if (!ok) { free(p->b); p->b = NULL; }
    return ok;
}

static PkVal nat_pad(PkVal leaf) { return leaf; }                 /* toPad is in pad_append */
static PkVal bar_pad(PkVal leaf) { return is_bar(leaf) ? pk_law(leaf)->body : pk_small(0); }

/* (padFlat x): a nat itself; otherwise the pads of the nats at the leaves of
** the closure tree welded in order (laws and pins add nothing). */
static PkVal pad_flat(PkRuntime *rt, PkVal *a) {
    PkVal x = pk_arg(a, 0);
    if (pk_is_nat(x)) return x;
    PadBuf p = {0};
    PkVal r;
    if (!tree_pads(rt, x, nat_pad, &p, &r)) return r;
    return pad_finish(rt, &p);
}

/* ----- bars -------------------------------------------------------------------------- */

/* (barCat bs) = (foldr barWeld emptyBar bs), barWeld x y being
** {1 1 (padWeld (lawBody x) (lawBody y))}: the arguments of a closure in index
** order, each read as a pad through lawBody. Each padWeld forces its second
** argument first, so the elements are forced from the last to the first. */
static PkVal bar_cat(PkRuntime *rt, PkVal *a) {
    PkVal bs = pk_arg(a, 0);
    uint64_t n = pk_is_clo(bs) ? pk_obj(bs)->n : 0;
    uint64_t s = last_unforced(bs, rt->jet_resume, n);    /* args[s] is element n-1-s */
    if (s < n) return pk_jet_force(rt, pk_clo(bs)->args[s], false, s);
    PadBuf p = {0};
    for (uint64_t i = 0; i < n; i++)
        if (!pad_append(rt, &p, body_of(pk_deref(pk_clo(bs)->args[n - 1 - i])))) { free(p.b); return 0; }
    return bar_of_pad(rt, pad_finish(rt, &p));
}

/* (barFlat x): the bars at the leaves of the closure tree x, concatenated */
static PkVal bar_flat(PkRuntime *rt, PkVal *a) {
    PadBuf p = {0};
    PkVal r;
    if (!tree_pads(rt, pk_arg(a, 0), bar_pad, &p, &r)) return r;
    return bar_of_pad(rt, pad_finish(rt, &p));
}

/* (_Blake3 x): the BLAKE3 hash of the bytes of the bars at the leaves of x, in
** the order barFlat reads them, as a 32-byte bar */
static PkVal blake3(PkRuntime *rt, PkVal *a) {
    PadBuf p = {0};
    PkVal r;
    if (!tree_pads(rt, pk_arg(a, 0), bar_pad, &p, &r)) return r;
    uint8_t h[32];
    int bad = rt->blake3(rt, p.b ? p.b : h, p.nbits / 8, h);
    free(p.b);
    if (bad) return 0;
    PadBuf out = {0};
    if (!pad_bits(rt, &out, h, 256)) { free(out.b); return 0; }
    return bar_of_pad(rt, pad_finish(rt, &out));
}

/* name, arity, strict mask, deep mask, order, code, eager (omitted: false) */
const PkJet pk_jets_pad[] = {
    {"padWeld", 2, 3, 0, "10", pad_weld},
    {"padCat", 1, 1, 0, NULL, pad_cat},
    {"padFlat", 1, 0, 1, NULL, pad_flat},
    {"barCat", 1, 1, 0, NULL, bar_cat},
    {"barFlat", 1, 0, 1, NULL, bar_flat},
    {"_Blake3", 1, 0, 1, NULL, blake3},
};
const size_t pk_jets_pad_count = sizeof pk_jets_pad / sizeof pk_jets_pad[0];
