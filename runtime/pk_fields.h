/*
** pk_fields.h: reading the fields of data-shaped values in place (rows, tabs,
** constructor applications), so a front end can take a value apart in one
** call instead of one Python object per application layer.
*/
#ifndef PK_FIELDS_H
#define PK_FIELDS_H

#include "pk_value.h"

/* A constructor application: v (in WHNF, dereferenced) is a pin of a law whose
** body is 0, applied to one argument less than its arity (Rex nodes, Sire
** data). Returns the number of fields and sets *law, or -1 for other shapes.
** Field i (application order) is pk_fields_arg(v, i). */
int64_t pk_fields_con(PkVal v, PkLaw **law);

/* A row [x0 .. xn-1]: its length, or -1. Item i is pk_value_row_get(v, i). */
int64_t pk_fields_row(PkVal v);

/* A tab ({1 2 keys} vals) with a row of keys and a row of values of the same
** length, or the empty row: its size, or -1. Sets *keys and *vals (the
** empty row gives 0 and leaves them unset). */
int64_t pk_fields_tab(PkVal v, PkVal *keys, PkVal *vals);

/* Argument i of a closure, in application order, dereferenced. */
static inline PkVal pk_fields_arg(PkVal v, uint64_t i) { return pk_deref(pk_clo(v)->args[i]); }

#endif

/* ----- building (pk_build in pk_fields.c) ----- */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/* The value a nest of Python tuples and lists spells: a tuple is a row of its
** items, a list [f, x1 .. xn] (n >= 1) the application of f to the x's (a
** closure when f is in WHNF and takes more, else a thunk: nothing is
** evaluated), and any other object a leaf, converted by leaf() (ints and
** Values). A container met twice is built once (shared, as the DAG it is).
** Walks on an explicit stack; nothing here collects, so the values built so
** far need no roots. 0 with a Python exception set on failure (leaf failed,
** an empty list); 0 with rt->err set when the core refused (memory). */
PkVal pk_build(PkRuntime *rt, PyObject *obj, PkVal (*leaf)(PyObject *));
