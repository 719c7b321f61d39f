/*
** pk_fields.c: see pk_fields.h. These only read: nothing is evaluated or
** allocated, so the caller's one WHNF step is all the work a shape test
** costs. Fields that are not evaluated yet are left as they are (the caller
** wraps them as lazy values), as a layer-by-layer reader would see them.
*/
#include "pk_fields.h"

int64_t pk_fields_con(PkVal v, PkLaw **law) {
    if (!pk_is_clo(v)) return -1;
    PkVal h = pk_deref(pk_clo(v)->head);
    if (!pk_is_pin(h)) return -1;
    PkVal item = pk_deref(pk_pin(h)->item);
    if (!pk_is_law(item) || pk_deref(pk_law(item)->body) != pk_small(0)) return -1;
    uint64_t n = pk_obj(v)->n;
    if (pk_law(item)->arity != n + 1) return -1;   /* a constructor is saturated but one */
    *law = pk_law(item);
    return (int64_t)n;
}

int64_t pk_fields_row(PkVal v) {
    uint64_t len;
    return pk_value_is_row(v, &len) ? (int64_t)len : -1;
}

int64_t pk_fields_tab(PkVal v, PkVal *keys, PkVal *vals) {
    uint64_t nk, nv;
    if (pk_is_law(v) && pk_obj(v)->shape == PK_SHAPE_ROW0) return 0;
    if (!pk_is_clo(v) || pk_obj(v)->n != 1) return -1;
    PkVal h = pk_deref(pk_clo(v)->head);
    if (!pk_is_law(h) || pk_law(h)->name != pk_small(1) || pk_law(h)->arity != 2) return -1;
    PkVal k = pk_deref(pk_law(h)->body), x = pk_deref(pk_clo(v)->args[0]);
    if (!pk_value_is_row(k, &nk) || !pk_value_is_row(x, &nv) || nk != nv) return -1;
    *keys = k;
    *vals = x;
    return (int64_t)nk;
}
