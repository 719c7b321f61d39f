/*
** pk_jet.h: jets, native code attached to pins by law name and hash.
**
** A jet declares which arguments it needs in WHNF (strict) or in normal form
** (deep); the evaluator forces those with continuation frames and then calls
** fn with the argument vector. fn returns the result (which may still need
** evaluation: it is evaluated in tail position), 0 on failure with rt->err
** set, or PK_JET_FALLBACK to run the pin's legal code instead.
**
** Arguments are forced in the order the legal code forces them, so that when
** two of them crash, the jet reports the same crash as the legal code. What
** the legal code forces only on some paths, the jet asks for when it takes
** such a path: an argument (PK_JET_NEED, PK_JET_NEED_DEEP) or a value inside
** one (PK_JET_FORCE); the evaluator forces it and calls the jet again.
*/
#ifndef PK_JET_H
#define PK_JET_H

#include "pk_value.h"

#include "pk_nat.h"

/* Special results of a jet's fn (even, not multiples of 8: neither small nats
** nor heap addresses): run the legal code instead, or force argument i to
** WHNF (NEED) or to normal form (NEED_DEEP) and call the jet again (for
** arguments the legal code forces only on some paths). */
#define PK_JET_FALLBACK      ((PkVal)2)
#define PK_JET_NEED(i)       ((PkVal)((((uint64_t)(i)) + 1) << 3 | 2))
#define PK_JET_NEED_DEEP(i)  ((PkVal)((((uint64_t)(i)) + 1) << 3 | 6))
#define pk_jet_special(r)    (((r) & 3) == 2)
#define pk_jet_need_arg(r)   ((size_t)((r) >> 3) - 1)
#define pk_jet_need_deep(r)  ((((r) >> 2) & 1) != 0)
/* Force a value that is not an argument (an element inside one, which the
** legal code would force next) to WHNF or normal form, then call the jet
** again; thunks update in place, so the jet then finds the value evaluated.
** `resume` is handed back to that call in rt->jet_resume (0 on a first
** call): a jet walking a row passes where it stopped, so that forcing k
** elements of a row of n costs O(n), not O(k n). */
#define PK_JET_FORCE         ((PkVal)6)

static inline PkVal pk_jet_force(PkRuntime *rt, PkVal v, bool deep, uint64_t resume) {
    rt->jet_force = v;
    rt->jet_force_deep = deep;
    rt->jet_force_at = resume;
    return PK_JET_FORCE;
}
/* _Try's result (4 mod 8: not special, not a nat, not an address): evaluate
** args[0], which the jet has just written, to normal form under a catch
** frame, giving [1 v] or [0 [op val]] (pk_eval.c, F_CATCH). */
#define PK_JET_CATCH         ((PkVal)4)

typedef struct PkJet {
    const char *name;
    uint32_t arity;
    uint32_t strict;                  /* bit i: argument i to WHNF first */
    uint32_t deep;                    /* bit i: argument i to normal form first */
    const char *order;                /* digits naming every argument: the order
                                      ** to force them in, as
                                      ** the legal code would (NULL: 0, 1, ..) */
    PkVal (*fn)(PkRuntime *rt, PkVal *args);
    bool eager;                       /* total and cheap: when every argument
                                      ** it forces is in WHNF already (a nat
                                      ** if it wants it normal), a call is
                                      ** computed where it is built instead of
                                      ** becoming a thunk */
} PkJet;

/* One accepted (name, hash) pair of the jet table; jet is NULL for names the
** reference only registers. */
typedef struct PkJetEntry {
    PkVal name;
    uint8_t hash[32];
    const PkJet *jet;
    uint64_t matched;      /* pins made with this name and hash (jet report) */
    uint64_t mismatched;   /* pins made with this name but no accepted hash */
} PkJetEntry;

/* Argument helpers for jets: arguments arrive unevaluated unless declared. */
static inline PkVal pk_arg(PkVal *a, int i) { return pk_deref(a[i]); }
static inline PkVal pk_arg_nat(PkVal *a, int i) { return pk_nat_cast(pk_deref(a[i])); }
static inline bool pk_arg_bit(PkVal *a, int i) {
    PkVal v = pk_deref(a[i]);
    return pk_is_nat(v) && v != pk_small(0);
}
static inline bool pk_arg_ready(PkVal *a, int i) { return pk_is_whnf(pk_deref(a[i])); }

/* Is v certainly in normal form? Nats, laws and pins are; a closure is when
** marked normal or when each argument is a nat, law, pin or marked closure
** (one level, so the check stays O(args)). false means "not known": the
** caller forces it or falls back. */
static inline bool pk_flat_normal(PkVal v) {
    v = pk_deref(v);
    if (pk_is_small(v)) return true;
    int k = pk_obj(v)->kind;
    if (k != PK_CLO) return k == PK_BIG || k == PK_PIN || k == PK_LAW;
    return (pk_obj(v)->flags & PK_F_NORMAL) != 0;
}
static inline bool pk_known_normal(PkVal v) {
    v = pk_deref(v);
    if (!pk_is_clo(v) || pk_flat_normal(v)) return pk_flat_normal(v);
    for (uint32_t i = 0; i < pk_obj(v)->n; i++)
        if (!pk_flat_normal(pk_clo(v)->args[i])) return false;
    return true;
}

/* The families of natives, one file each (pk_jets_*.c). */
extern const PkJet pk_jets_core[], pk_jets_nat[], pk_jets_row[], pk_jets_word[], pk_jets_data[],
    pk_jets_tab[], pk_jets_pad[], pk_jets_hof[], pk_jets_seed[];
extern const size_t pk_jets_core_count, pk_jets_nat_count, pk_jets_row_count, pk_jets_word_count,
    pk_jets_data_count, pk_jets_tab_count, pk_jets_pad_count, pk_jets_hof_count, pk_jets_seed_count;

const PkJet *pk_jet_native(const char *name);     /* by name, or NULL */
size_t pk_jet_count(void);                        /* the natives, for listing */
const PkJet *pk_jet_at(size_t i);
/* Called on every new pin: attach the jet if the name and hash match. */
int pk_jet_match(PkRuntime *rt, PkPin *pin);

#endif
