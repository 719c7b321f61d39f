/*
** pk_seed.h: the seed format (pallas-plan.md section 6) in C: save and load
** values, and germs (a pin's item with its direct sub-pins as holes).
** Byte-identical with pallas_kernel/seed.py; see pk_seed.c.
*/
#ifndef PK_SEED_H
#define PK_SEED_H

#include "pk_value.h"

/* The seed of v (in normal form): malloc'd bytes, *len set; NULL with rt->err
** set on failure. c_quirk orders equal-width bignats as the reference's C
** encoder does; without it atoms are strictly descending (the legal save).
** holes (germ mode): the pins that become holes 0..nholes-1; every pin met
** in v that is equal to one of them is written as that hole. */
uint8_t *pk_seed_save(PkRuntime *rt, PkVal v, const PkVal *holes, size_t nholes, bool c_quirk,
                      size_t *len);

/* The direct sub-pins of a pin's item, deduplicated by equality, in first-seen
** preorder (a closure's head, then its arguments in order; a law's body):
** a malloc'd array, *n set (NULL on failure with rt->err set, or when n == 0). */
PkVal *pk_seed_pin_refs(PkRuntime *rt, PkVal pin, size_t *n);

/* The value of a seed, its holes filled with holes[0..nholes-1]. Parts that
** are normal are built as values (laws, pins with jets, rows, tabs); a cell
** that would need evaluation (a saturated call, a law of arity 0) becomes a
** lazy application when lazy is set, and an error otherwise. *normal tells
** whether the whole result is in normal form. Malformed bytes give 0 with
** rt->err = PK_ERR_BADARG and rt->err_msg saying why. No collection happens
** inside. */
PkVal pk_seed_load(PkRuntime *rt, const uint8_t *data, size_t len, const PkVal *holes, size_t nholes,
                   bool lazy, bool *normal);

#endif
