/*
** pk_seed.c: the seed codec in C, byte-identical with pallas_kernel/seed.py
** (whose docstring describes the format and the encoder's choices).
**
** Encoder. A value in normal form becomes a hash-consed DAG of cells and
** leaves: a nat is a leaf, a pin (4 item), a law (((0 name) arity) body), a
** closure its head applied to each argument in turn; in germ mode the pins
** given as holes are hole leaves. A cell is a fragment when it is the root or
** has two or more parent edges in the DAG; fragments are numbered in the
** post-order (head before tail) of a depth-first walk; atoms are sorted
** (bigs, words, bytes; each descending, bigs of equal width and top limb in
** the reference C encoder's order when c_quirk is set); then the header, the
** atoms and the fragment bits (LSB first) are written.
**
** Decoder. Fragments are read with a bit reader; cells are rebuilt bottom-up:
** (0 n a b) with nats n, a != 0 and normal b is a law, (4 x) with normal x a
** pin (jets attach as for any pin), an unsaturated application a closure
** (rows and tabs come out canonical because closures of cows and sets are
** those forms). Any other cell needs evaluation: a lazy application when the
** caller allows it (as the legal loader, which only applies), else an error.
**
** Every traversal runs on explicit, growable arrays: values millions of levels
** deep are fine. The encoder only reads PLAN values (and may hash pins to
** compare them); the decoder allocates PLAN values but never collects, so
** the values in its table need no rooting until it returns.
*/
#include <stdlib.h>
#include <string.h>
#include "pk_seed.h"
#include "pk_nat.h"
#include "pk_jet.h"
#include "pk_walk.h"
#include "pk_hash.h"

#define NONE      SIZE_MAX          /* no node (yet) */
#define FAILED    (SIZE_MAX - 1)    /* rt->err is set */
#define LEAF_NAT  (SIZE_MAX - 2)    /* heads[] of a nat leaf: tails[] is the atom */
#define LEAF_HOLE (SIZE_MAX - 3)    /* heads[] of a hole: tails[] is its index */
#define IS_LEAF(h) ((h) >= LEAF_HOLE)

static bool grow(PkRuntime *rt, void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap : 64;
    while (c < need) c *= 2;
    if (!pk_gc_admit_buffer(rt, c * size, "a seed")) return false;
    void *q = realloc(*p, c * size);
    if (!q) { pk_fail(rt, PK_ERR_NOMEM, "out of memory (seed)"); return false; }
    *p = q;
    *cap = c;
    return true;
}
#define GROW(rt, arr, cap, need) grow((rt), (void **)&(arr), &(cap), (need), sizeof *(arr))

static uint64_t mix(uint64_t x) {
    x ^= x >> 31; x *= 0x9E3779B97F4A7C15ull; x ^= x >> 29; x *= 0xBF58476D1CE4E5B9ull;
    return x ^ (x >> 32);
}

/* =========================================================================
** {  Encoder
** ========================================================================= */

typedef struct {
    uint8_t *bytes;              /* little-endian, minimal (NULL for the nat 0) */
    size_t len;
} Atom;

typedef struct { PkVal v; size_t i, acc; } Frame;

typedef struct {
    PkRuntime *rt;
    size_t *heads, *tails, *parents, n, cap, pcap, tcap;
    size_t *pairs, npairs, pairs_cap;      /* open addressing: node + 1 */
    Atom *atoms; size_t *atom_node, natoms, acap, ancap;
    size_t *nats, nats_cap;                /* open addressing: atom + 1 */
    PkVal *mkeys; size_t *mvals, nmemo, mcap;   /* object -> node */
    const PkVal *holes; size_t nholes;
} Enc;

static size_t add_node(Enc *e, size_t h, size_t t) {
    if (!GROW(e->rt, e->heads, e->cap, e->n + 1) || !GROW(e->rt, e->tails, e->tcap, e->n + 1) ||
        !GROW(e->rt, e->parents, e->pcap, e->n + 1))
        return FAILED;
    e->heads[e->n] = h;
    e->tails[e->n] = t;
    e->parents[e->n] = 0;
    return e->n++;
}

/* ----- a generic rehash for the three open-addressing tables ----- */
static bool rehash(Enc *e, size_t **tab, size_t *cap, size_t count, uint64_t (*key)(Enc *, size_t)) {
    if ((count + 1) * 2 <= *cap) return true;
    size_t nc = *cap ? *cap * 2 : 1024;
    size_t *t = calloc(nc, sizeof *t);
    if (!t) { pk_fail(e->rt, PK_ERR_NOMEM, "out of memory (seed)"); return false; }
    for (size_t i = 0; i < *cap; i++) {
        if (!(*tab)[i]) continue;
        size_t j = key(e, (*tab)[i] - 1) & (nc - 1);
        while (t[j]) j = (j + 1) & (nc - 1);
        t[j] = (*tab)[i];
    }
    free(*tab);
    *tab = t;
    *cap = nc;
    return true;
}

static uint64_t pair_key_of(size_t h, size_t t) { return mix(h * 0x100000001B3ull ^ mix(t)); }
static uint64_t pair_key(Enc *e, size_t node) { return pair_key_of(e->heads[node], e->tails[node]); }

/* The cell (h t), shared with an equal earlier one. */
static size_t cons(Enc *e, size_t h, size_t t) {
    if (h == FAILED || t == FAILED) return FAILED;
    if (!rehash(e, &e->pairs, &e->pairs_cap, e->npairs, pair_key)) return FAILED;
    size_t mask = e->pairs_cap - 1, j = pair_key_of(h, t) & mask;
    for (; e->pairs[j]; j = (j + 1) & mask) {
        size_t c = e->pairs[j] - 1;
        if (e->heads[c] == h && e->tails[c] == t) return c;
    }
    size_t c = add_node(e, h, t);
    if (c == FAILED) return FAILED;
    e->pairs[j] = c + 1;
    e->npairs++;
    e->parents[h]++;
    e->parents[t]++;
    return c;
}

static uint64_t bytes_key(const uint8_t *b, size_t len) {
    uint64_t h = 1469598103934665603ull ^ len;
    for (size_t i = 0; i < len; i++) h = (h ^ b[i]) * 1099511628211ull;
    return mix(h);
}
static uint64_t atom_key(Enc *e, size_t a) { return bytes_key(e->atoms[a].bytes, e->atoms[a].len); }

/* The leaf of the nat with these bytes (taken over by the table, or freed). */
static size_t nat_leaf_bytes(Enc *e, uint8_t *b, size_t len) {
    if (!rehash(e, &e->nats, &e->nats_cap, e->natoms, atom_key)) { free(b); return FAILED; }
    size_t mask = e->nats_cap - 1, j = bytes_key(b, len) & mask;
    for (; e->nats[j]; j = (j + 1) & mask) {
        Atom *a = &e->atoms[e->nats[j] - 1];
        if (a->len == len && (!len || !memcmp(a->bytes, b, len))) { free(b); return e->atom_node[e->nats[j] - 1]; }
    }
    if (!GROW(e->rt, e->atoms, e->acap, e->natoms + 1) || !GROW(e->rt, e->atom_node, e->ancap, e->natoms + 1)) {
        free(b);
        return FAILED;
    }
    size_t node = add_node(e, LEAF_NAT, e->natoms);
    if (node == FAILED) { free(b); return FAILED; }
    e->atoms[e->natoms] = (Atom){b, len};
    e->atom_node[e->natoms] = node;
    e->nats[j] = ++e->natoms;
    return node;
}

static size_t nat_leaf(Enc *e, PkVal v) {
    size_t len = 0;
    uint8_t *b;
    if (pk_is_small(v)) {
        uint64_t x = pk_small_val(v);
        b = malloc(8);
        if (!b) { pk_fail(e->rt, PK_ERR_NOMEM, "out of memory (seed)"); return FAILED; }
        for (; x; x >>= 8) b[len++] = (uint8_t)x;
    } else {
        b = pk_nat_bytes(e->rt, v, &len);
        if (!b) return FAILED;
    }
    return nat_leaf_bytes(e, b, len);
}

static uint64_t ptr_key(PkVal v) { return mix((uint64_t)v); }

static size_t memo_get(Enc *e, PkVal v) {
    if (!e->mcap) return NONE;
    size_t mask = e->mcap - 1;
    for (size_t j = ptr_key(v) & mask; e->mkeys[j]; j = (j + 1) & mask)
        if (e->mkeys[j] == v) return e->mvals[j];
    return NONE;
}

static bool memo_put(Enc *e, PkVal v, size_t node) {
    if ((e->nmemo + 1) * 2 > e->mcap) {
        size_t nc = e->mcap ? e->mcap * 2 : 1024;
        PkVal *k = calloc(nc, sizeof *k);
        size_t *x = malloc(nc * sizeof *x);
        if (!k || !x) { free(k); free(x); pk_fail(e->rt, PK_ERR_NOMEM, "out of memory (seed)"); return false; }
        for (size_t i = 0; i < e->mcap; i++) {
            if (!e->mkeys[i]) continue;
            size_t j = ptr_key(e->mkeys[i]) & (nc - 1);
            while (k[j]) j = (j + 1) & (nc - 1);
            k[j] = e->mkeys[i];
            x[j] = e->mvals[i];
        }
        free(e->mkeys); free(e->mvals);
        e->mkeys = k; e->mvals = x; e->mcap = nc;
    }
    size_t mask = e->mcap - 1, j = ptr_key(v) & mask;
    while (e->mkeys[j]) j = (j + 1) & mask;
    e->mkeys[j] = v;
    e->mvals[j] = node;
    e->nmemo++;
    return true;
}

/* The hole a pin stands for in germ mode (the first equal one), or NONE. */
static size_t hole_of(Enc *e, PkVal pin) {
    for (size_t i = 0; i < e->nholes; i++)
        if (e->holes[i] == pin) return i;
    /* another pointer to an equal pin: equal hashes (cached in each pin) */
    if (pk_hash_pin(e->rt, pk_pin(pin))) return FAILED;
    for (size_t i = 0; i < e->nholes; i++) {
        if (pk_hash_pin(e->rt, pk_pin(e->holes[i]))) return FAILED;
        if (!memcmp(pk_pin(e->holes[i])->hash, pk_pin(pin)->hash, 32)) return i;
    }
    return NONE;
}

/* The node of v if it is known without a walk: a nat, a hole, or memoized;
** NONE if v must be walked first. */
static size_t node_now(Enc *e, PkVal v) {
    if (pk_is_small(v)) return nat_leaf(e, v);
    size_t m = memo_get(e, v);
    if (m != NONE) return m;
    if (pk_is_big(v)) {
        m = nat_leaf(e, v);
    } else if (pk_is_pin(v) && e->holes) {
        size_t h = hole_of(e, v);
        if (h == FAILED) return FAILED;
        if (h == NONE) { pk_fail(e->rt, PK_ERR_BADARG, "germ: a sub-pin that is not among the refs"); return FAILED; }
        m = h;                               /* hole i is node i */
    } else {
        return NONE;
    }
    if (m != FAILED && !memo_put(e, v, m)) return FAILED;
    return m;
}

/* The children of a walked object: a pin's item, a law's body, a closure's
** head and arguments. */
static size_t nchildren(PkVal v) { return pk_is_clo(v) ? (size_t)pk_obj(v)->n + 1 : 1; }
static PkVal child(PkVal v, size_t i) {
    switch (pk_kind(v)) {
    case PK_PIN: return pk_deref(pk_pin(v)->item);
    case PK_LAW: return pk_deref(pk_law(v)->body);
    default: return pk_deref(i ? pk_clo(v)->args[i - 1] : pk_clo(v)->head);
    }
}

/* The node of root, walking it in post-order on an explicit stack. */
static size_t build(Enc *e, PkVal root) {
    Frame *st = NULL;
    size_t sp = 0, scap = 0, result = FAILED;
    root = pk_deref(root);
    size_t r = node_now(e, root);
    if (r != NONE) return r;
    if (!GROW(e->rt, st, scap, 1)) return FAILED;
    st[sp++] = (Frame){root, 0, NONE};
    while (sp) {
        Frame *f = &st[sp - 1];
        size_t nc = nchildren(f->v);
        while (f->i < nc) {
            PkVal c = child(f->v, f->i);
            if (!pk_is_whnf(c)) { pk_fail(e->rt, PK_ERR_BADARG, "seed: value not in normal form"); goto out; }
            size_t cn = node_now(e, c);
            if (cn == FAILED) goto out;
            if (cn == NONE) break;
            f->acc = f->i == 0 ? cn : cons(e, f->acc, cn);
            if (f->acc == FAILED) goto out;
            f->i++;
        }
        if (f->i < nc) {                     /* walk the child first */
            PkVal c = child(f->v, f->i);
            if (!GROW(e->rt, st, scap, sp + 1)) goto out;
            st[sp++] = (Frame){c, 0, NONE};
            continue;
        }
        size_t node = f->acc;
        if (pk_is_pin(f->v)) {
            node = cons(e, nat_leaf(e, pk_small(4)), node);
        } else if (pk_is_law(f->v)) {
            PkLaw *l = pk_law(f->v);
            size_t name = cons(e, nat_leaf(e, pk_small(0)), nat_leaf(e, l->name));
            node = cons(e, cons(e, name, nat_leaf(e, l->arity_val)), node);
        }
        if (node == FAILED || !memo_put(e, f->v, node)) goto out;
        sp--;
    }
    result = memo_get(e, root);
out:
    free(st);
    return result;
}

/* ----- atom order ----- */

static int cmp_value(const Atom *a, const Atom *b) {      /* ascending by value */
    if (a->len != b->len) return a->len < b->len ? -1 : 1;
    for (size_t i = a->len; i-- > 0;)
        if (a->bytes[i] != b->bytes[i]) return a->bytes[i] < b->bytes[i] ? -1 : 1;
    return 0;
}
static int desc_value(const void *x, const void *y) {
    return -cmp_value(*(const Atom *const *)x, *(const Atom *const *)y);
}
static uint8_t byte_at(const Atom *a, size_t i) { return i < a->len ? a->bytes[i] : 0; }
/* cmp_nat of the reference's seed.c: limbs descending, top limb descending,
** then the lower limbs ascending. */
static int c_quirk_order(const void *x, const void *y) {
    const Atom *a = *(const Atom *const *)x, *b = *(const Atom *const *)y;
    size_t la = (a->len + 7) / 8, lb = (b->len + 7) / 8;
    if (la != lb) return la > lb ? -1 : 1;
    for (size_t i = 8 * la; i-- > 8 * (la - 1);)
        if (byte_at(a, i) != byte_at(b, i)) return byte_at(a, i) > byte_at(b, i) ? -1 : 1;
    for (size_t i = 8 * (la - 1); i-- > 0;)
        if (byte_at(a, i) != byte_at(b, i)) return byte_at(a, i) < byte_at(b, i) ? -1 : 1;
    return 0;
}

/* ----- output ----- */

typedef struct { PkRuntime *rt; uint8_t *b; size_t n, cap; uint64_t acc; unsigned fil; } Out;

static bool out_bytes(Out *o, const void *p, size_t n) {
    if (!GROW(o->rt, o->b, o->cap, o->n + n)) return false;
    memcpy(o->b + o->n, p, n);
    o->n += n;
    return true;
}
static bool out_u64(Out *o, uint64_t x) {
    uint8_t w[8];
    for (int i = 0; i < 8; i++) w[i] = (uint8_t)(x >> (8 * i));
    return out_bytes(o, w, 8);
}
/* Append the low nbits (<= 32) of x to the bit stream, LSB first. */
static bool out_bits(Out *o, uint64_t x, unsigned nbits) {
    if (nbits < 64) x &= ((uint64_t)1 << nbits) - 1;
    o->acc |= x << o->fil;
    o->fil += nbits;
    while (o->fil >= 8) {
        uint8_t byte = (uint8_t)o->acc;
        if (!out_bytes(o, &byte, 1)) return false;
        o->acc >>= 8;
        o->fil -= 8;
    }
    return true;
}
static bool out_wide(Out *o, uint64_t x, unsigned nbits) {      /* nbits <= 64 */
    if (nbits > 32) return out_bits(o, x, 32) && out_bits(o, x >> 32, nbits - 32);
    return out_bits(o, x, nbits);
}

static unsigned bit_length(uint64_t x) { return x ? 64 - (unsigned)__builtin_clzll(x) : 0; }

static bool emit(Enc *e, Out *o, const size_t *frags, size_t nfrags, const size_t *ref, size_t base) {
    size_t *st = NULL, sp = 0, scap = 0;
    bool ok = false;
    for (size_t i = 0; i < nfrags; i++) {
        unsigned refbits = bit_length(base + i - 1);
        size_t f = frags[i];
        if (!GROW(e->rt, st, scap, 2)) goto out;
        st[sp++] = e->tails[f];
        st[sp++] = e->heads[f];
        while (sp) {
            size_t s = st[--sp];
            size_t k = 0;
            while (ref[s] == NONE) {             /* a cell inside the fragment */
                if (!GROW(e->rt, st, scap, sp + 1)) goto out;
                st[sp++] = e->tails[s];
                s = e->heads[s];
                k++;
            }
            for (; k >= 32; k -= 32)
                if (!out_bits(o, 0xFFFFFFFFu, 32)) goto out;
            if (!out_bits(o, ((uint64_t)1 << k) - 1, (unsigned)k + 1)) goto out;   /* ones, then 0 */
            if (!out_wide(o, ref[s], refbits)) goto out;
        }
    }
    if (o->fil && !out_bits(o, 0, 8 - o->fil)) goto out;
    ok = true;
out:
    free(st);
    return ok;
}

static void enc_free(Enc *e) {
    for (size_t i = 0; i < e->natoms; i++) free(e->atoms[i].bytes);
    free(e->heads); free(e->tails); free(e->parents); free(e->pairs);
    free(e->atoms); free(e->atom_node); free(e->nats); free(e->mkeys); free(e->mvals);
}

/* The fragments in completion order; sets their ref. */
static size_t *shatter(Enc *e, size_t root, size_t *ref, size_t base, size_t *nfrags) {
    size_t *st = NULL, sp = 0, scap = 0, *frags = NULL, fcap = 0, nf = 0;
    *nfrags = 0;
    if (IS_LEAF(e->heads[root])) return NULL;
    if (!GROW(e->rt, st, scap, 1)) return NULL;
    st[sp++] = root << 1;
    while (sp) {
        size_t x = st[--sp], c = x >> 1;
        if (!(x & 1)) {
            if (!IS_LEAF(e->heads[c]) && ref[c] == NONE) {
                if (!GROW(e->rt, st, scap, sp + 3)) goto fail;
                st[sp++] = c << 1 | 1;
                st[sp++] = e->tails[c] << 1;
                st[sp++] = e->heads[c] << 1;
            }
        } else if (c == root || e->parents[c] >= 2) {
            if (!GROW(e->rt, frags, fcap, nf + 1)) goto fail;
            ref[c] = base + nf;
            frags[nf++] = c;
        }
    }
    free(st);
    *nfrags = nf;
    if (!nf) { free(frags); return NULL; }
    return frags;
fail:
    free(st);
    free(frags);
    return NULL;
}

uint8_t *pk_seed_save(PkRuntime *rt, PkVal v, const PkVal *holes, size_t nholes, bool c_quirk,
                      size_t *len) {
    Enc e = {0};
    Out o = {0};
    size_t *ref = NULL, *frags = NULL, nfrags = 0;
    const Atom **order = NULL;
    bool ok = false;
    e.rt = o.rt = rt;
    rt->err = PK_OK;
    e.holes = holes;
    e.nholes = nholes;
    if (!holes) e.nholes = 0;
    for (size_t i = 0; i < e.nholes; i++)
        if (add_node(&e, LEAF_HOLE, i) == FAILED) goto out;
    size_t top = build(&e, v);
    if (top == FAILED) goto out;

    /* atoms: bigs (> 8 bytes), words (>= 256), bytes; each in file order */
    order = malloc((e.natoms ? e.natoms : 1) * sizeof *order);
    ref = malloc((e.n ? e.n : 1) * sizeof *ref);
    if (!order || !ref) { pk_fail(rt, PK_ERR_NOMEM, "out of memory (seed)"); goto out; }
    size_t nb = 0, nw = 0, ns = 0;
    for (size_t i = 0; i < e.natoms; i++) {
        if (e.atoms[i].len > 8) nb++;
        else if (e.atoms[i].len > 1) nw++;
    }
    ns = e.natoms - nb - nw;
    size_t ib = 0, iw = nb, is = nb + nw;
    for (size_t i = 0; i < e.natoms; i++) {
        const Atom *a = &e.atoms[i];
        order[a->len > 8 ? ib++ : a->len > 1 ? iw++ : is++] = a;
    }
    qsort(order, nb, sizeof *order, c_quirk ? c_quirk_order : desc_value);
    qsort(order + nb, nw, sizeof *order, desc_value);
    qsort(order + nb + nw, ns, sizeof *order, desc_value);
    for (size_t i = 0; i < e.n; i++) ref[i] = NONE;
    for (size_t i = 0; i < e.nholes; i++) ref[i] = i;
    for (size_t r = 0; r < e.natoms; r++) ref[e.atom_node[order[r] - e.atoms]] = e.nholes + r;
    size_t base = e.nholes + e.natoms;
    frags = shatter(&e, top, ref, base, &nfrags);
    if (!frags && rt->err) goto out;
    if (!nfrags && base != 1) { pk_fail(rt, PK_ERR_BADARG, "seed: a leaf result needs a table of one leaf"); goto out; }

    if (!out_u64(&o, e.nholes) || !out_u64(&o, nb) || !out_u64(&o, nw) || !out_u64(&o, ns) ||
        !out_u64(&o, nfrags))
        goto out;
    for (size_t i = 0; i < nb; i++)
        if (!out_u64(&o, (order[i]->len + 7) / 8)) goto out;
    for (size_t i = 0; i < nb; i++) {
        static const uint8_t zeros[8];
        size_t pad = (8 - order[i]->len % 8) % 8;
        if (!out_bytes(&o, order[i]->bytes, order[i]->len) || !out_bytes(&o, zeros, pad)) goto out;
    }
    for (size_t i = nb; i < nb + nw; i++) {
        uint64_t w = 0;
        for (size_t k = 0; k < order[i]->len; k++) w |= (uint64_t)order[i]->bytes[k] << (8 * k);
        if (!out_u64(&o, w)) goto out;
    }
    for (size_t i = nb + nw; i < e.natoms; i++) {
        uint8_t b = order[i]->len ? order[i]->bytes[0] : 0;
        if (!out_bytes(&o, &b, 1)) goto out;
    }
    if (!emit(&e, &o, frags, nfrags, ref, base)) goto out;
    while (o.n % 8) {
        uint8_t z = 0;
        if (!out_bytes(&o, &z, 1)) goto out;
    }
    ok = true;
out:
    free(order);
    free(ref);
    free(frags);
    enc_free(&e);
    if (!ok) { free(o.b); return NULL; }
    *len = o.n;
    return o.b;
}

/* A set of pins keyed by their hashes (open addressing over indices into
** the refs array, 0 = empty): equal hashes mean equal pins, so finding a
** pin met again under another pointer costs one probe instead of a
** structural compare with every ref found so far (which made a state with
** a thousand sub-pins take 100 ms). */
typedef struct { size_t *slot; size_t cap; } PinSet;

static uint64_t hash_key(PkVal pin) {
    uint64_t k;
    memcpy(&k, pk_pin(pin)->hash, sizeof k);
    return k;
}

/* The index of a ref with pin's hash, or NONE. */
static size_t pinset_find(PinSet *s, PkVal *refs, PkVal pin) {
    if (!s->cap) return NONE;
    for (size_t j = hash_key(pin) & (s->cap - 1); s->slot[j]; j = (j + 1) & (s->cap - 1))
        if (!memcmp(pk_pin(refs[s->slot[j] - 1])->hash, pk_pin(pin)->hash, 32)) return s->slot[j] - 1;
    return NONE;
}

/* Adds refs[i] (there are n refs); false when out of memory. */
static bool pinset_add(PkRuntime *rt, PinSet *s, PkVal *refs, size_t i, size_t n) {
    if (n * 2 > s->cap) {
        size_t nc = s->cap ? s->cap * 2 : 64;
        size_t *slot = calloc(nc, sizeof *slot);
        if (!slot) { pk_fail(rt, PK_ERR_NOMEM, "out of memory (seed)"); return false; }
        free(s->slot);
        s->slot = slot;
        s->cap = nc;
        for (size_t k = 0; k < i; k++) {
            size_t j = hash_key(refs[k]) & (nc - 1);
            while (slot[j]) j = (j + 1) & (nc - 1);
            slot[j] = k + 1;
        }
    }
    size_t j = hash_key(refs[i]) & (s->cap - 1);
    while (s->slot[j]) j = (j + 1) & (s->cap - 1);
    s->slot[j] = i + 1;
    return true;
}

PkVal *pk_seed_pin_refs(PkRuntime *rt, PkVal pin, size_t *n) {
    PkWalkStack st = {0};
    Enc seen = {0};                /* laws, closures and pins entered once (shared DAGs) */
    PinSet byhash = {0};
    PkVal *refs = NULL;
    size_t nrefs = 0, cap = 0;
    *n = 0;
    seen.rt = rt;
    if (!pk_walk_push(rt, &st, pk_deref(pk_pin(pin)->item))) return NULL;
    while (st.n) {                 /* preorder: a closure's head, then args in order */
        PkVal v = pk_walk_pop(&st);
        bool shared = pk_is_law(v) || pk_is_clo(v) || pk_is_pin(v);
        if (shared && memo_get(&seen, v) != NONE) continue;
        if (shared && !memo_put(&seen, v, 0)) goto fail;
        if (pk_is_pin(v)) {
            if (pk_hash_pin(rt, pk_pin(v))) goto fail;
            if (pinset_find(&byhash, refs, v) != NONE) continue;
            if (!GROW(rt, refs, cap, nrefs + 1)) goto fail;
            refs[nrefs++] = v;
            if (!pinset_add(rt, &byhash, refs, nrefs - 1, nrefs)) goto fail;
        } else if (pk_is_law(v)) {
            if (!pk_walk_push(rt, &st, pk_deref(pk_law(v)->body))) goto fail;
        } else if (pk_is_clo(v)) {
            for (uint32_t i = pk_obj(v)->n; i-- > 0;)
                if (!pk_walk_push(rt, &st, pk_deref(pk_clo(v)->args[i]))) goto fail;
            if (!pk_walk_push(rt, &st, pk_deref(pk_clo(v)->head))) goto fail;
        }
    }
    pk_walk_done(&st);
    enc_free(&seen);
    free(byhash.slot);
    *n = nrefs;
    return refs;
fail:
    pk_walk_done(&st);
    enc_free(&seen);
    free(byhash.slot);
    free(refs);
    return NULL;
}

/* }====================================================================== */

/* =========================================================================
** {  Decoder
** ========================================================================= */

static PkVal bad(PkRuntime *rt, const char *why) { return pk_fail(rt, PK_ERR_BADARG, why); }

static uint64_t rd64(const uint8_t *p) {
    uint64_t x = 0;
    for (int i = 0; i < 8; i++) x |= (uint64_t)p[i] << (8 * i);
    return x;
}

/* 57 or more bits of the stream from bit pos (bits past the end read 0). */
static uint64_t window(const uint8_t *d, size_t len, size_t pos) {
    size_t at = pos >> 3;
    uint64_t x = 0;
    for (size_t i = 0; i < 8 && at + i < len; i++) x |= (uint64_t)d[at + i] << (8 * i);
    return x >> (pos & 7);
}

typedef struct { PkVal v; bool normal; size_t missing, argbase; } Wait;

/* The value of the cell (h x) (see the file header). */
static PkVal apply(PkRuntime *rt, PkVal h, bool nh, PkVal x, bool nx, bool lazy, bool *normal) {
    *normal = false;
    if (nh && nx) {
        if (pk_is_clo(h) && pk_clo(h)->head == pk_small(0) && pk_obj(h)->n == 2 &&
            pk_is_nat(pk_clo(h)->args[0]) && pk_is_nat(pk_clo(h)->args[1])) {
            PkVal arity = pk_clo(h)->args[1];
            if (arity != pk_small(0)) {
                *normal = true;
                return pk_value_law(rt, pk_clo(h)->args[0], arity, x);
            }
            if (!lazy) return bad(rt, "seed: law literal of arity 0");
        } else if (h == pk_small(4)) {
            PkVal p = pk_value_pin(rt, x);
            if (p && pk_jet_match(rt, pk_pin(p))) return 0;
            *normal = true;
            return p;
        } else if (pk_value_arity(h) > 1) {
            *normal = true;
            return pk_value_apply(rt, h, 1, &x);
        } else if (!lazy) {
            return bad(rt, "seed: a cell that needs evaluation (not in normal form)");
        }
    } else if (!lazy) {
        return bad(rt, "seed: a cell that needs evaluation (not in normal form)");
    }
    if (pk_is_whnf(pk_deref(h))) return pk_value_apply(rt, pk_deref(h), 1, &x);
    return pk_value_thunk(rt, h, 1, &x);
}

/* The head h applied to count arguments in turn, as apply() would, but in
** runs: arguments that leave a closure unsaturated are added in one step,
** so a row of n elements costs O(n), not O(n^2). */
static PkVal apply_many(PkRuntime *rt, PkVal h, bool nh, const PkVal *xs, const bool *ns, size_t count,
                        bool lazy, bool *normal) {
    for (size_t i = 0; i < count;) {
        PkVal hd = pk_is_clo(h) ? pk_clo(h)->head : h;
        if (nh && hd != pk_small(0) && hd != pk_small(4)) {
            uint64_t rem = pk_value_arity(h);
            size_t m = 0;
            while (i + m < count && m + 1 < rem && ns[i + m] && m < ((size_t)1 << 30)) m++;
            if (m) {
                h = pk_value_apply(rt, h, (uint32_t)m, &xs[i]);
                if (!h) return 0;
                i += m;
                continue;
            }
        }
        if (!nh && lazy && count - i < ((size_t)1 << 30)) {      /* the rest, lazily */
            PkVal d = pk_deref(h);
            h = pk_is_whnf(d) ? pk_value_apply(rt, d, (uint32_t)(count - i), &xs[i])
                              : pk_value_thunk(rt, h, (uint32_t)(count - i), &xs[i]);
            *normal = false;
            return h;
        }
        h = apply(rt, h, nh, xs[i], ns[i], lazy, &nh);
        if (!h) return 0;
        i++;
    }
    *normal = nh;
    return h;
}

static bool check_end(PkRuntime *rt, const uint8_t *d, size_t len, size_t pos) {
    size_t want = (pos + 63) / 64 * 8;
    if (len > want) { bad(rt, "seed: words left over after the data"); return false; }
    size_t at = pos >> 3;
    if (at < len && (d[at] >> (pos & 7))) { bad(rt, "seed: non-zero padding bits"); return false; }
    for (size_t i = at + 1; i < len; i++)
        if (d[i]) { bad(rt, "seed: non-zero padding bits"); return false; }
    return true;
}

PkVal pk_seed_load(PkRuntime *rt, const uint8_t *d, size_t len, const PkVal *holes, size_t nholes,
                   bool lazy, bool *normal) {
    PkVal *tab = NULL, result = 0;
    bool *norm = NULL;
    Wait *wait = NULL;
    PkVal *args = NULL;
    bool *argn_norm = NULL;
    size_t wn = 0, wcap = 0, argn = 0, acap = 0, ancap = 0;
    *normal = false;
    if (len < 40) return bad(rt, "seed: shorter than the 40-byte header");
    if (len % 8) return bad(rt, "seed: size is not a multiple of 8");
    uint64_t nh = rd64(d), nbig = rd64(d + 8), nword = rd64(d + 16), nbyte = rd64(d + 24), nfrag = rd64(d + 32);
    if (nh != nholes) return bad(rt, nholes ? "germ: hole count differs from the refs given" : "seed: has holes (a germ)");
    size_t pos = 40;
    if (nbig > (len - pos) / 8) return bad(rt, "seed: bignat widths do not fit");
    const uint8_t *widths = d + pos;
    pos += 8 * nbig;
    size_t avail = len - pos;
    size_t natoms = 0;
    /* count and check the atoms before allocating the table */
    for (uint64_t i = 0; i < nbig; i++) {
        uint64_t w = rd64(widths + 8 * i);
        if (w == 0) return bad(rt, "seed: a bignat of width 0");
        if (w > avail / 8) return bad(rt, "seed: a bignat runs past the end");
        avail -= 8 * w;
    }
    if (nword > avail / 8) return bad(rt, "seed: words do not fit");
    avail -= 8 * nword;
    if (nbyte > avail) return bad(rt, "seed: bytes do not fit");
    avail -= nbyte;
    natoms = nbig + nword + nbyte;
    size_t nleaves = nholes + natoms;
    if (nfrag > avail * 8 / 2 + 1) return bad(rt, "seed: fragments do not fit");
    tab = malloc((nleaves + nfrag + 1) * sizeof *tab);
    norm = malloc((nleaves + nfrag + 1) * sizeof *norm);
    if (!tab || !norm) { pk_fail(rt, PK_ERR_NOMEM, "out of memory (seed)"); goto out; }
    size_t nt = 0;
    for (size_t i = 0; i < nholes; i++) { tab[nt] = holes[i]; norm[nt++] = true; }
    for (uint64_t i = 0; i < nbig; i++) {
        uint64_t w = rd64(widths + 8 * i);
        PkVal v = pk_nat_from_bytes(rt, d + pos, 8 * w);
        if (!v) goto out;
        pos += 8 * w;
        tab[nt] = v; norm[nt++] = true;
    }
    for (uint64_t i = 0; i < nword; i++, pos += 8) {
        PkVal v = pk_nat_from_u64(rt, rd64(d + pos));
        if (!v) goto out;
        tab[nt] = v; norm[nt++] = true;
    }
    for (uint64_t i = 0; i < nbyte; i++) { tab[nt] = pk_small(d[pos++]); norm[nt++] = true; }
    size_t bit = pos * 8, end = len * 8;
    if (nfrag == 0) {
        if (nt != 1) { bad(rt, "seed: no fragments but not exactly one leaf"); goto out; }
        if (!check_end(rt, d, len, bit)) goto out;
        *normal = norm[0];
        result = tab[0];
        goto out;
    }
    if (nt == 0) { bad(rt, "seed: fragments without any leaf"); goto out; }
    if (nfrag > (end - bit) / 2) { bad(rt, "seed: fragments do not fit"); goto out; }
    for (uint64_t i = 0; i < nfrag; i++) {
        uint64_t max_ref = nleaves + i - 1;
        unsigned refbits = bit_length(max_ref);
        size_t k = 1;                        /* the fragment's outer 1-bit */
        for (;;) {
            size_t ones = 0;
            for (;;) {                       /* a run of ones */
                uint64_t w = window(d, len, bit);
                unsigned o = w == ~(uint64_t)0 ? 64 : (unsigned)__builtin_ctzll(~w);
                if (o > 56) o = 56;
                ones += o;
                bit += o;
                if (o < 56) break;
            }
            k += ones;
            bit += 1;                        /* the leaf's 0 */
            uint64_t index = 0;
            if (refbits) {
                uint64_t lo = window(d, len, bit) & 0xFFFFFFFFu;
                uint64_t hi = refbits > 32 ? window(d, len, bit + 32) : 0;
                index = (lo | hi << 32);
                if (refbits < 64) index &= ((uint64_t)1 << refbits) - 1;
            }
            bit += refbits;
            if (bit > end) { bad(rt, "seed: truncated (a fragment runs past the end)"); goto out; }
            if (index > max_ref) { bad(rt, "seed: back-reference out of range"); goto out; }
            PkVal v = tab[index];
            bool nv = norm[index];
            if (k) {
                if (!GROW(rt, wait, wcap, wn + 1)) goto out;
                wait[wn++] = (Wait){v, nv, k, argn};
                k = 0;
                continue;
            }
            bool open = false;
            while (wn) {                     /* give v to the waiting head */
                Wait *w = &wait[wn - 1];
                if (!GROW(rt, args, acap, argn + 1) || !GROW(rt, argn_norm, ancap, argn + 1)) goto out;
                args[argn] = v;
                argn_norm[argn++] = nv;
                if (--w->missing) { open = true; break; }
                v = apply_many(rt, w->v, w->normal, &args[w->argbase], &argn_norm[w->argbase],
                               argn - w->argbase, lazy, &nv);
                if (!v) goto out;
                argn = w->argbase;
                wn--;
            }
            if (open) continue;
            tab[nt] = v;
            norm[nt++] = nv;
            break;
        }
    }
    if (!check_end(rt, d, len, bit)) goto out;
    *normal = norm[nt - 1];
    result = tab[nt - 1];
out:
    free(tab);
    free(norm);
    free(wait);
    free(args);
    free(argn_norm);
    return result;
}

/* }====================================================================== */
