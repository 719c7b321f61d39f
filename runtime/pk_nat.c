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
#include <dlfcn.h>
#include <link.h>
#include <math.h>
#include <stdio.h>
#include "pk_nat.h"

static PkVal py_fail(PkRuntime *rt) { return pk_fail(rt, PK_ERR_PYTHON, NULL); }

/*
** gmpy2's mpz, read in place. An mpz object is PyObject_HEAD, then GMP's
** mpz_t (alloc, signed size in limbs, limb pointer), then a hash cache
** (gmpy2.h, MPZ_Object). Reading the limbs directly gives bit length, bit
** tests, bytes and comparison without converting the number to a Python int
** or calling a method. The layout is checked once against a known value
** (mpz_probe); if it does not match, every caller takes the Python path.
*/
typedef struct { int alloc; int size; uint64_t *d; } MpzCore;
typedef struct { PyObject_HEAD MpzCore z; Py_hash_t hash_cache; } MpzObject;

static void gmp_probe(PyObject *ctor);
static PyTypeObject *mpz_type;   /* gmpy2.mpz when its layout checked out */
static int mpz_state;            /* 0 unchecked, 1 usable, -1 not */

/* Is gmpy2.mpz laid out as MpzObject? Checked on 2^64 + 2 (two limbs). */
static bool mpz_probe(PkRuntime *rt) {
    if (mpz_state) return mpz_state > 0;
    mpz_state = -1;
    PyObject *ctor = (PyObject *)rt->nat_ctor;
    if (!ctor || !PyType_Check(ctor) || ((PyTypeObject *)ctor)->tp_basicsize != sizeof(MpzObject)) return false;
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    PyObject *i = PyLong_FromString("18446744073709551618", NULL, 10);
    PyObject *m = i ? PyObject_CallOneArg(ctor, i) : NULL;
    Py_XDECREF(i);
    if (!m) { PyErr_Clear(); return false; }
    MpzCore *z = &((MpzObject *)m)->z;
    bool ok = Py_TYPE(m) == (PyTypeObject *)ctor && z->size == 2 && z->alloc >= 2 && z->d[0] == 2 && z->d[1] == 1;
    Py_DECREF(m);
    if (ok) { mpz_type = (PyTypeObject *)ctor; mpz_state = 1; gmp_probe(ctor); }
    return ok;
#else
    return false;
#endif
}

/*
** GMP's mpz_import from the very libgmp gmpy2 loaded (found among the loaded
** objects and opened again with RTLD_NOLOAD, so it is the same copy with the
** same allocator). With it a nat is made from bytes in one copy instead of
** int.from_bytes and a second, slow, int -> mpz conversion. NULL if not found;
** then the Python path is taken.
*/
typedef void (*GmpImport)(MpzCore *, size_t, int, size_t, int, size_t, const void *);
static GmpImport gmp_import;

static int find_libgmp(struct dl_phdr_info *info, size_t size, void *out) {
    (void)size;
    const char *name = info->dlpi_name, *base = name ? strrchr(name, '/') : NULL;
    if (!base || strncmp(base + 1, "libgmp", 6)) return 0;
    snprintf((char *)out, 4096, "%s", name);
    return 1;
}

/* Is gmp_import usable? Checked by importing 2^64 + 2 into a fresh mpz. */
static void gmp_probe(PyObject *ctor) {
    static char path[4096];
    if (!dl_iterate_phdr(find_libgmp, path)) return;
    void *h = dlopen(path, RTLD_LAZY | RTLD_NOLOAD);   /* kept open: the pointer stays valid */
    GmpImport f = h ? (GmpImport)dlsym(h, "__gmpz_import") : NULL;
    if (!f) return;
    PyObject *zero = PyLong_FromLong(0), *m = zero ? PyObject_CallOneArg(ctor, zero) : NULL;
    Py_XDECREF(zero);
    if (!m) { PyErr_Clear(); return; }
    static const uint64_t limbs[2] = {2, 1};
    bool ok = Py_REFCNT(m) == 1 && ((MpzObject *)m)->z.size == 0;
    if (ok) {
        f(&((MpzObject *)m)->z, 2, -1, 8, 0, 0, limbs);
        MpzCore *z = &((MpzObject *)m)->z;
        ok = z->size == 2 && z->d[0] == 2 && z->d[1] == 1;
    }
    Py_DECREF(m);
    if (ok) gmp_import = f;
}

/* The limbs of a Python number if it is a nonnegative mpz we can read. */
static const MpzCore *mpz_core(PyObject *num) {
    if (mpz_state <= 0 || Py_TYPE(num) != mpz_type) return NULL;
    const MpzCore *z = &((MpzObject *)num)->z;
    return z->size >= 0 ? z : NULL;
}

static uint64_t limb_bits(const MpzCore *z) {
    if (!z->size) return 0;
    return 64 * (uint64_t)(z->size - 1) + 64 - (uint64_t)__builtin_clzll(z->d[z->size - 1]);
}

/* A new reference to the Python number of a nat. A small one becomes an mpz
** when gmpy2 is there, so that mixed operations give an mpz directly instead
** of a Python int that box() would convert again (a full copy). */
static PyObject *unbox(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) {
        PyObject *i = PyLong_FromUnsignedLongLong(pk_small_val(v));
        if (!i || !rt->nat_ctor || !mpz_probe(rt)) return i;
        PyObject *m = PyObject_CallOneArg((PyObject *)rt->nat_ctor, i);
        Py_DECREF(i);
        return m;
    }
    PyObject *o = (PyObject *)pk_big(v)->num;
    Py_INCREF(o);
    return o;
}

/* The bit length of a Python number (int or mpz); false with an exception. */
static bool num_bits(PyObject *num, uint64_t *bits) {
    const MpzCore *z = mpz_core(num);
    if (z) { *bits = limb_bits(z); return true; }
    if (PyLong_CheckExact(num)) {
        size_t b = _PyLong_NumBits(num);
        if (b == (size_t)-1 && PyErr_Occurred()) return false;
        *bits = b;
        return true;
    }
    static PyObject *name;
    if (!name && !(name = PyUnicode_InternFromString("bit_length"))) return false;
    PyObject *r = PyObject_CallMethodNoArgs(num, name);
    if (!r) return false;
    *bits = PyLong_AsUnsignedLongLong(r);
    Py_DECREF(r);
    return !(*bits == (uint64_t)-1 && PyErr_Occurred());
}

/* The bytes a big nat of `bits` bits holds in digits (the memory limit's
** measure, pk_gc.c big_bytes). */
static size_t digit_bytes(uint64_t bits) { return (size_t)((bits + 63) / 64 * 8); }

/* Steals num; returns a canonical nat. A big one counts its digits towards
** the heap, so collections and the memory limit see them. */
static PkVal box(PkRuntime *rt, PyObject *num) {
    if (!num) return py_fail(rt);
    if (!mpz_state && rt->nat_ctor) mpz_probe(rt);
    uint64_t bits;
    if (!num_bits(num, &bits)) { Py_DECREF(num); return py_fail(rt); }
    if (bits <= 63) {
        const MpzCore *z = mpz_core(num);
        if (z) {
            uint64_t n = z->size ? z->d[0] : 0;
            Py_DECREF(num);
            return pk_small(n);
        }
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
    size_t digits = digit_bytes(bits);
    if (!pk_gc_admit(rt, digits, "a big nat")) { Py_DECREF(num); return 0; }
    PkBig *b = pk_gc_alloc(rt, PK_BIG, sizeof(PkBig));
    if (!b) { Py_DECREF(num); return 0; }
    b->num = num;
    b->bits = bits;
    rt->heap_bytes += digits;
    rt->since_gc += digits;
    return (PkVal)b;
}

/* Bits of a nat without calling Python. */
static uint64_t bits_of(PkVal v) {
    if (pk_is_small(v)) {
        uint64_t n = pk_small_val(v);
        return n ? 64 - (uint64_t)__builtin_clzll(n) : 0;
    }
    return pk_big(v)->bits;
}

/*
** Before an operation whose result size is known in advance: may a nat of
** about `bits` bits be made? Checked before calling GMP, which aborts the
** whole process when it cannot allocate, and would take all of memory first.
*/
static bool admit_bits(PkRuntime *rt, double bits, const char *what) {
    double bytes = bits / 8;
    if (bytes <= (double)rt->mem_limit) return pk_gc_admit(rt, digit_bytes((uint64_t)bits), what);
    char a[32], b[32], n[48];
    if (bits < 0x1p60) snprintf(n, sizeof n, "%.0f bits", bits);
    else snprintf(n, sizeof n, "about 2^%.1f bits", log2(bits));
    pk_fail_memory(rt, "%s needs %s (a nat of %s), over the limit of %s", what,
                   pk_gc_size_text(a, sizeof a, bytes), n,
                   pk_gc_size_text(b, sizeof b, (double)rt->mem_limit));
    return false;
}

static double max_bits(PkVal a, PkVal b) {
    uint64_t x = bits_of(a), y = bits_of(b);
    return (double)(x > y ? x : y);
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

/* A big nat from len > 8 minimal little-endian bytes, padded to whole limbs
** and imported as limbs, which GMP copies as they are; NULL (no error) if no
** fresh mpz could be had, and the caller takes the Python path. */
static PyObject *mpz_from_bytes(PkRuntime *rt, const uint8_t *b, size_t len) {
    size_t nlimbs = (len + 7) / 8;
    PyObject *zero = PyLong_FromLong(0), *m = zero ? PyObject_CallOneArg((PyObject *)rt->nat_ctor, zero) : NULL;
    Py_XDECREF(zero);
    if (!m) { PyErr_Clear(); return NULL; }
    if (Py_REFCNT(m) != 1) { Py_DECREF(m); return NULL; }   /* shared: not ours to fill */
    uint64_t *limbs = malloc(nlimbs * 8);
    if (!limbs) { Py_DECREF(m); return NULL; }
    limbs[nlimbs - 1] = 0;
    memcpy(limbs, b, len);
    gmp_import(&((MpzObject *)m)->z, nlimbs, -1, 8, 0, 0, limbs);
    free(limbs);
    return m;
}

PkVal pk_nat_from_bytes(PkRuntime *rt, const uint8_t *b, size_t len) {
    while (len && b[len - 1] == 0) len--;
    if (len <= 8) {
        uint64_t n = 0;
        for (size_t i = len; i-- > 0;) n = (n << 8) | b[i];
        return pk_nat_from_u64(rt, n);
    }
    if (rt->nat_ctor && mpz_probe(rt) && gmp_import) {
        PyObject *m = mpz_from_bytes(rt, b, len);
        if (m) return box(rt, m);
    }
    PyObject *bytes = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)len);
    if (!bytes) return py_fail(rt);
    PyObject *n = PyObject_CallMethod((PyObject *)&PyLong_Type, "from_bytes", "Os", bytes, "little");
    Py_DECREF(bytes);
    return box(rt, n);
}

size_t pk_nat_bitlen(PkRuntime *rt, PkVal v) {
    (void)rt;
    return (size_t)bits_of(v);
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
    const MpzCore *z = mpz_core((PyObject *)pk_big(v)->num);
    if (z) {                               /* little-endian limbs: the bytes as they lie */
        memcpy(out, z->d, n);
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
    const MpzCore *p = mpz_core(x), *q = mpz_core(y);
    if (p && q) {                          /* more limbs is larger; else the top limb that differs */
        if (p->size != q->size) return p->size < q->size ? -1 : 1;
        for (int k = p->size; k-- > 0;)
            if (p->d[k] != q->d[k]) return p->d[k] < q->d[k] ? -1 : 1;
        return 0;
    }
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

PkVal pk_nat_big_inc(PkRuntime *rt, PkVal v) {
    if (!admit_bits(rt, (double)bits_of(v) + 1, "a successor")) return 0;
    return big_binop(rt, v, pk_small(1), PyNumber_Add);
}
PkVal pk_nat_big_dec(PkRuntime *rt, PkVal v) { return big_binop(rt, v, pk_small(1), PyNumber_Subtract); }
PkVal pk_nat_big_add(PkRuntime *rt, PkVal a, PkVal b) {
    if (!admit_bits(rt, max_bits(a, b) + 1, "a sum")) return 0;
    return big_binop(rt, a, b, PyNumber_Add);
}
PkVal pk_nat_big_mul(PkRuntime *rt, PkVal a, PkVal b) {
    if (!admit_bits(rt, (double)bits_of(a) + (double)bits_of(b), "a product")) return 0;
    return big_binop(rt, a, b, PyNumber_Multiply);
}
PkVal pk_nat_big_div(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_FloorDivide); }
PkVal pk_nat_big_mod(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Remainder); }

PkVal pk_nat_big_sub(PkRuntime *rt, PkVal a, PkVal b) {
    int c = pk_nat_cmp(rt, a, b);
    if (rt->err) return 0;
    if (c <= 0) return pk_small(0);
    return big_binop(rt, a, b, PyNumber_Subtract);
}

/* a << b: bits(a) + b bits (a != 0); a big b is beyond any limit. */
PkVal pk_nat_big_lsh(PkRuntime *rt, PkVal a, PkVal b) {
    if (a == pk_small(0)) return a;
    double shift = pk_is_small(b) ? (double)pk_small_val(b) : ldexp(1.0, (int)(bits_of(b) < 1024 ? bits_of(b) - 1 : 1023));
    if (!admit_bits(rt, (double)bits_of(a) + shift, "a left shift")) return 0;
    return big_binop(rt, a, b, PyNumber_Lshift);
}
PkVal pk_nat_big_rsh(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_Rshift); }
PkVal pk_nat_big_and(PkRuntime *rt, PkVal a, PkVal b) { return big_binop(rt, a, b, PyNumber_And); }
PkVal pk_nat_big_or(PkRuntime *rt, PkVal a, PkVal b) {
    if (!admit_bits(rt, max_bits(a, b), "a bitwise or")) return 0;
    return big_binop(rt, a, b, PyNumber_Or);
}
PkVal pk_nat_big_xor(PkRuntime *rt, PkVal a, PkVal b) {
    if (!admit_bits(rt, max_bits(a, b), "a bitwise xor")) return 0;
    return big_binop(rt, a, b, PyNumber_Xor);
}

/* a ^ b has about b * log2(a) bits (a >= 2). */
static PyObject *power(PyObject *x, PyObject *y) { return PyNumber_Power(x, y, Py_None); }
PkVal pk_nat_big_pow(PkRuntime *rt, PkVal a, PkVal b) {
    if (b == pk_small(0)) return pk_small(1);
    if (a == pk_small(0) || a == pk_small(1)) return a;
    double log2a = pk_is_small(a) ? log2((double)pk_small_val(a)) : (double)bits_of(a);
    double exp = pk_is_small(b) ? (double)pk_small_val(b) : ldexp(1.0, (int)(bits_of(b) < 1024 ? bits_of(b) - 1 : 1023));
    if (!admit_bits(rt, exp * log2a + 1, "a power")) return 0;
    return big_binop(rt, a, b, power);
}

uint64_t pk_nat_popcount(PkRuntime *rt, PkVal v) {
    if (pk_is_small(v)) return (uint64_t)__builtin_popcountll(pk_small_val(v));
    const MpzCore *z = mpz_core((PyObject *)pk_big(v)->num);
    if (z) {
        uint64_t c = 0;
        for (int k = 0; k < z->size; k++) c += (uint64_t)__builtin_popcountll(z->d[k]);
        return c;
    }
    PyObject *i = pk_nat_to_py(rt, v);
    PyObject *c = i ? PyObject_CallMethod(i, "bit_count", NULL) : NULL;
    Py_XDECREF(i);
    if (!c) { py_fail(rt); return UINT64_MAX; }
    uint64_t n = PyLong_AsUnsignedLongLong(c);
    Py_DECREF(c);
    return n;
}

/* Bits off .. off+w-1 of a nat (w <= 63) as a small nat, reading limbs in
** place when it can: a bit test or a byte read on a big nat costs O(1), not
** a shift of the whole number. */
PkVal pk_nat_bits_at(PkRuntime *rt, PkVal v, uint64_t off, unsigned w) {
    uint64_t mask = w >= 64 ? UINT64_MAX : ((uint64_t)1 << w) - 1;
    if (pk_is_small(v)) return pk_small(off >= 64 ? 0 : (pk_small_val(v) >> off) & mask);
    const MpzCore *z = mpz_core((PyObject *)pk_big(v)->num);
    if (z) {
        uint64_t k = off / 64, s = off % 64, lo, hi;
        if (k >= (uint64_t)z->size) return pk_small(0);
        lo = z->d[k] >> s;
        hi = s && k + 1 < (uint64_t)z->size ? z->d[k + 1] << (64 - s) : 0;
        return pk_small((lo | hi) & mask);
    }
    PkVal by = pk_nat_from_u64(rt, off);
    PkVal shifted = by ? pk_nat_big_rsh(rt, v, by) : 0;
    if (!shifted) return 0;
    if (pk_is_small(shifted)) return pk_small(pk_small_val(shifted) & mask);
    return pk_nat_big_and(rt, shifted, pk_small(mask));
}

/* Release the Python number of a BIG object being swept. */
void pk_nat_release(PkVal v) { Py_DECREF((PyObject *)pk_big(v)->num); }
