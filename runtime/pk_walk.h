/*
** pk_walk.h: deep traversals of values in normal form, on explicit stacks.
*/
#ifndef PK_WALK_H
#define PK_WALK_H

#include <stdlib.h>
#include "pk_value.h"

/* A growable stack of words for walkers (not a GC root: walkers never allocate
** PLAN values). */
typedef struct { PkVal *v; size_t n, cap; } PkWalkStack;

bool pk_walk_push(PkRuntime *rt, PkWalkStack *s, PkVal v);
static inline PkVal pk_walk_pop(PkWalkStack *s) { return s->v[--s->n]; }
static inline void pk_walk_done(PkWalkStack *s) { free(s->v); s->v = NULL; s->n = s->cap = 0; }

/* The _Cmp order (-1, 0, 1): Nat < Pin < Law < App. Nats by value; pins
** equal when identical or of equal hash, else by item; laws by name, arity,
** body; closures by argument count, then head, then arguments in order.
** Both values in normal form. */
int pk_walk_cmp(PkRuntime *rt, PkVal a, PkVal b);

/* The same order on values that may hold unevaluated parts, compared as far
** as they are evaluated: meeting a value not in WHNF, it stops, sets *need to
** it and returns PK_WALK_NEED; the caller evaluates it and compares again.
** Parts are met in the order the legal _Cmp forces them: heads before
** arguments, arguments left to right, x's part before y's. */
#define PK_WALK_NEED 2
int pk_walk_cmp_lazy(PkRuntime *rt, PkVal a, PkVal b, PkVal *need);

#endif
