/*
** pk_hash.h: pin hashes and plan hashes (BLAKE3 over the tagged serialization
** of pallas-plan.md section 5.1).
*/
#ifndef PK_HASH_H
#define PK_HASH_H

#include "pk_value.h"

int pk_hash_pin(PkRuntime *rt, PkPin *pin);                   /* fills pin->hash */
int pk_hash_plan(PkRuntime *rt, PkVal v, uint8_t out[32]);    /* v in normal form */
/* The serialization itself (malloc'd), for tests and seeds of hashes. */
uint8_t *pk_hash_serialize(PkRuntime *rt, PkVal v, size_t *len);

#endif
