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

/* ----- building ---------------------------------------------------------------- */

typedef struct { PyObject *o; Py_ssize_t next; size_t base; } Frame;

/* One finished container: the row or application of vals[base..]. */
static PkVal close_frame(PkRuntime *rt, PyObject *o, const PkVal *xs, size_t n) {
    if (PyTuple_Check(o)) return pk_value_row(rt, n, xs);
    PkVal f = pk_deref(xs[0]);
    if (pk_is_whnf(f) && !pk_is_nat(f)) return pk_value_apply(rt, f, (uint32_t)(n - 1), xs + 1);
    return pk_value_thunk(rt, f, (uint32_t)(n - 1), xs + 1);
}

static bool grow(void **p, size_t *cap, size_t need, size_t size) {
    if (need <= *cap) return true;
    size_t c = *cap ? *cap * 2 : 64;
    while (c < need) c *= 2;
    void *q = PyMem_Realloc(*p, c * size);
    if (!q) { PyErr_NoMemory(); return false; }
    *p = q;
    *cap = c;
    return true;
}

static bool is_container(PyObject *o) { return PyTuple_Check(o) || PyList_Check(o); }

PkVal pk_build(PkRuntime *rt, PyObject *obj, PkVal (*leaf)(PyObject *)) {
    if (!is_container(obj)) return leaf(obj);
    Frame *fr = NULL;
    PkVal *vals = NULL;
    size_t nf = 0, fcap = 0, nv = 0, vcap = 0;
    PkVal out = 0;
    PyObject *memo = PyDict_New();     /* id(container) -> built value, as an int handle */
    if (!memo) return 0;
    if (!grow((void **)&fr, &fcap, 1, sizeof(Frame))) goto done;
    fr[nf++] = (Frame){obj, 0, 0};
    while (nf) {
        Frame *top = &fr[nf - 1];
        Py_ssize_t len = PySequence_Fast_GET_SIZE(top->o);
        if (top->next < len) {
            PyObject *c = PySequence_Fast_ITEMS(top->o)[top->next++];
            PkVal v = 0;
            if (is_container(c)) {
                PyObject *key = PyLong_FromVoidPtr(c), *hit = key ? PyDict_GetItemWithError(memo, key) : NULL;
                Py_XDECREF(key);
                if (hit) v = (PkVal)PyLong_AsVoidPtr(hit);
                else if (PyErr_Occurred()) goto done;
                else {
                    if (!grow((void **)&fr, &fcap, nf + 1, sizeof(Frame))) goto done;
                    fr[nf++] = (Frame){c, 0, nv};
                    continue;
                }
            } else if (!(v = leaf(c))) goto done;
            if (!grow((void **)&vals, &vcap, nv + 1, sizeof(PkVal))) goto done;
            vals[nv++] = v;
            continue;
        }
        if (PyList_Check(top->o) && len == 0) {
            PyErr_SetString(PyExc_ValueError, "an application needs a function");
            goto done;
        }
        size_t n = nv - top->base;
        PkVal v = n == 1 && PyList_Check(top->o) ? vals[top->base]
                                                : close_frame(rt, top->o, vals + top->base, n);
        if (!v) goto done;   /* rt->err says why (the caller raises it) */
        PyObject *key = PyLong_FromVoidPtr(top->o), *val = PyLong_FromVoidPtr((void *)v);
        int bad = !key || !val || PyDict_SetItem(memo, key, val) < 0;
        Py_XDECREF(key);
        Py_XDECREF(val);
        if (bad) goto done;
        nv = top->base;
        nf--;
        if (!nf) { out = v; break; }
        if (!grow((void **)&vals, &vcap, nv + 1, sizeof(PkVal))) goto done;
        vals[nv++] = v;
    }
done:
    Py_DECREF(memo);
    PyMem_Free(fr);
    PyMem_Free(vals);
    return out;
}
