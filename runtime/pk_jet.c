/*
** pk_jet.c: the jet table, matching pins against it, and the registry of
** native code.
**
** The table of accepted (name, hash) pairs comes from the binding (the
** reference's published table, shipped as package data, plus any pairs the
** caller adds). When a pin of a law is made its name is looked up; only on a
** name match is the pin hashed, and only on a hash match does it get the
** native code. A name with no matching hash is counted as a mismatch (the
** binding reports it). Natives live in pk_jets_*.c, one family a file.
*/
#include <string.h>
#include "pk_jet.h"
#include "pk_hash.h"

static const struct { const PkJet *jets; const size_t *count; } families[] = {
    {pk_jets_core, &pk_jets_core_count},
    {pk_jets_nat, &pk_jets_nat_count},
    {pk_jets_row, &pk_jets_row_count},
    {pk_jets_word, &pk_jets_word_count},
    {pk_jets_data, &pk_jets_data_count},
    {pk_jets_tab, &pk_jets_tab_count},
    {pk_jets_pad, &pk_jets_pad_count},
    {pk_jets_hof, &pk_jets_hof_count},
    {pk_jets_seed, &pk_jets_seed_count},
};
#define NFAMILIES (sizeof families / sizeof families[0])

size_t pk_jet_count(void) {
    size_t n = 0;
    for (size_t f = 0; f < NFAMILIES; f++) n += *families[f].count;
    return n;
}

const PkJet *pk_jet_at(size_t i) {
    for (size_t f = 0; f < NFAMILIES; f++) {
        if (i < *families[f].count) return &families[f].jets[i];
        i -= *families[f].count;
    }
    return NULL;
}

const PkJet *pk_jet_native(const char *name) {
    for (size_t f = 0; f < NFAMILIES; f++)
        for (size_t i = 0; i < *families[f].count; i++)
            if (!strcmp(families[f].jets[i].name, name)) return &families[f].jets[i];
    return NULL;
}

int pk_jet_match(PkRuntime *rt, PkPin *pin) {
    if (!rt->njets || !pk_is_law(pin->item)) return 0;
    PkLaw *law = pk_law(pin->item);
    bool named = false;
    for (size_t i = 0; i < rt->njets; i++) {     /* a name may have several hashes */
        PkJetEntry *e = &rt->jets[i];
        if (!pk_nat_eq(rt, e->name, law->name)) continue;
        named = true;
        if (pk_hash_pin(rt, pin)) return -1;
        if (memcmp(pin->hash, e->hash, 32)) continue;
        rt->jet_matches++;
        e->matched++;
        if (e->jet && e->jet->arity == law->arity) pin->jet = e->jet;
        return 0;
    }
    if (named) {
        rt->jet_mismatches++;
        for (size_t i = 0; i < rt->njets; i++)
            if (pk_nat_eq(rt, rt->jets[i].name, law->name)) rt->jets[i].mismatched++;
    }
    return 0;
}
