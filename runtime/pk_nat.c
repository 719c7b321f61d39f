/*
** pk_nat.c: big nats, through CPython's number protocol.
**
** A BIG object owns one reference to a Python number, which is an mpz when
** gmpy2 is importable (rt->nat_ctor converts an int to it) and a CPython int
** otherwise. Every result is made canonical by box(): if it fits in 63 bits it
** becomes a small nat. Besides pk_module.c this is the only file that touches
** Python objects.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include "pk_nat.h"

static PkVal py_fail(PkRuntime *rt) { return pk_fail(rt, PK_ERR_PYTHON, NULL); }

/* A new reference to the Python number of a nat. */
static PyObject *unbox(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) return PyLong_FromUnsignedLongLong(pk_small_val(v));
    PyObject *o = (PyObject *)pk_big(v)->num;
    Py_INCREF(o);
    return o;
}

/* Steals num; returns a canonical nat. */
static PkVal box(PkRuntime *rt, PyObject *num) {
    if (!num) return py_fail(rt);
    int small = PyObject_RichCompareBool(num, (PyObject *)rt->nat_small_max, Py_LE);
    if (small < 0) { Py_DECREF(num); return py_fail(rt); }
    if (small) {
        PyObject *i = PyNumber_Index(num);
        Py_DECREF(num);
        if (!i) return py_fail(rt);
        unsigned long long n = PyLong_AsUnsignedLongLong(i);
        Py_DECREF(i);
        if (n == (unsigned long long)-1 && PyErr_Occurred()) return py_fail(rt);
        return pk_small(n);
    }
    if (rt->nat_ctor && PyLong_CheckExact(num)) {
        PyObject *m = PyObject_CallOneArg((PyObject *)rt->nat_ctor, num);
        Py_DECREF(num);
        if (!m) return py_fail(rt);
        num = m;
    }
    PkBig *b = pk_gc_alloc(rt, PK_BIG, sizeof(PkBig));
    if (!b) { Py_DECREF(num); return 0; }
    b->num = num;
    return (PkVal)b;
}

PkVal pk_nat_from_u64(PkRuntime *rt, uint64_t n) {
    if (n <= PK_SMALL_MAX) return pk_small(n);
    return box(rt, PyLong_FromUnsignedLongLong(n));
}

/* Exported for the binding: a canonical nat from any Python int-like. */
PkVal pk_nat_from_py(PkRuntime *rt, void *obj) {
    PyObject *o = (PyObject *)obj;
    Py_INCREF(o);
    return box(rt, o);
}

void *pk_nat_to_py(PkRuntime *rt, PkVal v) {
    PyObject *o = unbox(rt, v);
    if (o && !PyLong_CheckExact(o)) {
        PyObject *i = PyNumber_Index(o);
        Py_DECREF(o);
        o = i;
    }
    return o;
}

PkVal pk_nat_from_bytes(PkRuntime *rt, const uint8_t *b, size_t len) {
    while (len && b[len - 1] == 0) len--;
    if (len <= 8) {
        uint64_t n = 0;
        for (size_t i = len; i-- > 0;) n = (n << 8) | b[i];
        return pk_nat_from_u64(rt, n);
    }
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)len);
    if (!bytes) return py_fail(rt);
    PyObject *n = PyObject_CallMethod((PyObject *)&PyLong_Type, "from_bytes", "Os", bytes, "little");
    Py_DECREF(bytes);
    return box(rt, n);
}

size_t pk_nat_bitlen(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) {
        uint64_t n = pk_small_val(v);
        return n ? 64 - (size_t)__builtin_clzll(n) : 0;
    }
    PyObject *i = pk_nat_to_py(rt, v);
    if (!i) return 0;
    size_t bits = _PyLong_NumBits(i);
    Py_DECREF(i);
    return bits;
}

uint8_t *pk_nat_bytes(PkRuntime *rt, PkVal v, size_t *len) {
    size_t n = (pk_nat_bitlen(rt, v) + 7) / 8;
    uint8_t *out = malloc(n ? n : 1);
    if (!out) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return NULL; }
    *len = n;
    if (pk_is_small(v)) {
        uint64_t x = pk_small_val(v);
        for (size_t i = 0; i < n; i++) out[i] = (uint8_t)(x >> (8 * i));
        return out;
    }
    PyObject *i = pk_nat_to_py(rt, v);
    PyObject *b = i ? PyObject_CallMethod(i, "to_bytes", "ns", (Py_ssize_t)n, "little") : NULL;
    Py_XDECREF(i);
    if (!b) { free(out); py_fail(rt); return NULL; }
    memcpy(out, PyBytes_AS_STRING(b), n);
    Py_DECREF(b);
    return out;
}

int pk_nat_cmp(PkRuntime *rt, PkVal a, PkVal b) {
    if (pk_is_small(a) && pk_is_small(b)) return a < b ? -1 : a > b;
    if (pk_is_small(a)) return -1;            /* canonical: small < big */
    if (pk_is_small(b)) return 1;
    PyObject *x = pk_big(a)->num, *y = pk_big(b)->num;
    int lt = PyObject_RichCompareBool(x, y, Py_LT);
    if (lt) return lt < 0 ? (py_fail(rt), 0) : -1;
    int gt = PyObject_RichCompareBool(x, y, Py_GT);
    if (gt < 0) { py_fail(rt); return 0; }
    return gt;
}

typedef PyObject *(*binop)(PyObject *, PyObject *);

static PkVal big_binop(PkRuntime *rt, PkVal a, PkVal b, binop op) {
    PyObject *x = unbox(rt, a), *y = x ? unbox(rt, b) : NULL;
    PyObject *r = y ? op(x, y) : NULL;
    Py_XDECREF(x);
    Py_XDECREF(y);
    return box(rt, r);
}

PkVal pk_nat_big_inc(PkRuntime *rt, PkVal v) { return big_binop(rt, v, pk_small(1), PyNumber_Add); }
PkVal pk_nat_big_dec(PkRuntime *rt, PkVal v) { return big_binop(rt, v, pk_small(1), PyNumber_Subtract); }
PkVal pk_nat_big_add(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Add); }
PkVal pk_nat_big_mul(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Multiply); }
PkVal pk_nat_big_div(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_FloorDivide); }
PkVal pk_nat_big_mod(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Remainder); }

PkVal pk_nat_big_sub(PkRuntime *rt, PkVal a, PkVal b) {
    int c = pk_nat_cmp(rt, a, b);
    if (rt->err) return 0;
    if (c <= 0) return pk_small(0);
    return big_binop(rt, a, b, PyNumber_Subtract);
}

PkVal pk_nat_big_lsh(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Lshift); }
PkVal pk_nat_big_rsh(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Rshift); }
PkVal pk_nat_big_and(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_And); }
PkVal pk_nat_big_or(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Or); }
PkVal pk_nat_big_xor(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Xor); }

static PyObject *power(PyObject *x, PyObject *y) { return PyNumber_Power(x, y, Py_None); }
PkVal pk_nat_big_pow(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, power); }

uint64_t pk_nat_popcount(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) return (uint64_t)__builtin_popcountll(pk_small_val(v));
    PyObject *i = pk_nat_to_py(rt, v);
    PyObject *c = i ? PyObject_CallMethod(i, "bit_count", NULL) : NULL;
    Py_XDECREF(i);
    if (!c) { py_fail(rt); return UINT64_MAX; }
    uint64_t n = PyLong_AsUnsignedLongLong(c);
    Py_DECREF(c);
    return n;
}

/* Release the Python number of a BIG object being swept. */
void pk_nat_release(PkVal v) { Py_DECREF((PyObject *)pk_big(v)->num); }
