/*
** pk_module.c: the CPython binding, pallas_kernel._core.
**
** Python holds PLAN values through `Value` objects, each owning one slot of
** the runtime's handle table (a GC root); no Python object holds a raw heap
** pointer. Trees (pallas_kernel.plan.tree) are converted in and out on explicit
** stacks. Every failure of the core is turned into a Python exception in one
** place, raise_error().
**
** There is one runtime per interpreter, kept in the module state.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <unistd.h>
#include "pk_value.h"
#include "pk_nat.h"
#include "pk_eval.h"
#include "pk_hash.h"
#include "pk_jet.h"
#include "pk_walk.h"
#include "pk_seed.h"
#include "pk_fields.h"

typedef struct {
    PkRuntime rt;
    PyObject *value_type;
    PyObject *tree_pin, *tree_law, *tree_app;    /* pallas_kernel.plan.tree classes */
    PyObject *err_crash, *err_loop, *err_stack;  /* pallas_kernel.errors */
    PyObject *err_memory;
    PyObject *blake3;                            /* blake3.blake3 */
    PyObject *trace_fn;                          /* called with _Trace's message */
} ModState;

/* The module state is reached through the Value type or the module object;
** this pointer is set once at import (there is one runtime per process). */
static ModState *the_state;
#define RT (&the_state->rt)

typedef struct {
    PyObject_HEAD
    size_t handle;
} ValueObject;

static inline PkVal val_of(PyObject *o) { return RT->handles[((ValueObject *)o)->handle]; }

/* ----- errors -------------------------------------------------------------- */

static PyObject *wrap(PkVal v);

/* PlanMemory("out of memory: ..."), whatever wording the failing allocation
** used ("out of memory" alone comes from a refused malloc). */
static PyObject *memory_error(const char *msg) {
    static const char prefix[] = "out of memory";
    if (!msg) msg = prefix;
    if (strcmp(msg, prefix) == 0)
        PyErr_SetString(the_state->err_memory, "out of memory: the system refused an allocation");
    else if (strncmp(msg, prefix, sizeof prefix - 1) == 0)
        PyErr_SetString(the_state->err_memory, msg);
    else
        PyErr_Format(the_state->err_memory, "out of memory: %s", msg);
    return NULL;
}

static PyObject *raise_error(void) {
    PkRuntime *rt = RT;
    int err = rt->err;
    rt->err = PK_OK;
    switch (err) {
    case PK_ERR_CRASH: {
        PyObject *op = pk_nat_to_py(rt, rt->err_op);
        PyObject *val = wrap(rt->err_val);
        rt->err_op = rt->err_val = 0;
        if (op && val) PyErr_SetObject(the_state->err_crash, Py_BuildValue("(OO)", op, val));
        Py_XDECREF(op);
        Py_XDECREF(val);
        return NULL;
    }
    case PK_ERR_LOOP:
        PyErr_SetString(the_state->err_loop, rt->err_msg ? rt->err_msg : "<<loop>>");
        return NULL;
    case PK_ERR_STACK:
        PyErr_SetString(the_state->err_stack, rt->err_msg);
        return NULL;
    case PK_ERR_NOMEM:
        return memory_error(rt->err_msg);
    case PK_ERR_PYTHON:
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_RuntimeError, "error in the PLAN core");
        /* Python could not allocate a number (CPython ints, or gmpy2) */
        if (PyErr_ExceptionMatches(PyExc_MemoryError)) {
            PyErr_Clear();
            return memory_error("out of memory: Python could not allocate a big nat");
        }
        return NULL;
    default:
        PyErr_SetString(PyExc_ValueError, rt->err_msg ? rt->err_msg : "bad argument");
        return NULL;
    }
}

/* ----- hooks --------------------------------------------------------------- */

static int hook_blake3(PkRuntime *rt, const uint8_t *b, size_t n, uint8_t out[32]) {
    (void)rt;
    PyObject *data = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)n);
    PyObject *h = data ? PyObject_CallOneArg(the_state->blake3, data) : NULL;
    PyObject *d = h ? PyObject_CallMethod(h, "digest", NULL) : NULL;
    Py_XDECREF(data);
    Py_XDECREF(h);
    if (!d) return -1;
    if (!PyBytes_Check(d) || PyBytes_GET_SIZE(d) != 32) {
        Py_DECREF(d);
        PyErr_SetString(PyExc_RuntimeError, "blake3 did not return 32 bytes");
        return -1;
    }
    memcpy(out, PyBytes_AS_STRING(d), 32);
    Py_DECREF(d);
    return 0;
}

static int hook_trace(PkRuntime *rt, PkVal v) {
    if (!the_state->trace_fn || the_state->trace_fn == Py_None) return 0;
    PyObject *val = wrap(v);
    PyObject *r = val ? PyObject_CallOneArg(the_state->trace_fn, val) : NULL;
    Py_XDECREF(val);
    if (!r) { rt->err = PK_ERR_PYTHON; return -1; }
    Py_DECREF(r);
    return 0;
}

static int hook_poll(PkRuntime *rt) {
    if (PyErr_CheckSignals()) { rt->err = PK_ERR_PYTHON; return 1; }
    return 0;
}

/* ----- the Value type -------------------------------------------------------- */

static PyObject *wrap(PkVal v) {
    if (!v) return PyErr_Occurred() ? NULL : raise_error();   /* raised already (to_val) */
    ValueObject *o = PyObject_New(ValueObject, (PyTypeObject *)the_state->value_type);
    if (!o) return NULL;
    size_t h = pk_gc_handle_new(RT, v);
    if (h == SIZE_MAX) { Py_DECREF(o); o = NULL; return raise_error(); }
    o->handle = h;
    return (PyObject *)o;
}

static void value_dealloc(PyObject *self) {
    if (the_state) pk_gc_handle_free(RT, ((ValueObject *)self)->handle);
    PyObject_Free(self);
}

static bool is_value(PyObject *o) { return Py_IS_TYPE(o, (PyTypeObject *)the_state->value_type); }

/* A PkVal from a Value or a Python int (a nat); 0 with an exception otherwise. */
static PkVal to_val(PyObject *o) {
    if (is_value(o)) return val_of(o);
    if (PyLong_Check(o)) {
        if (_PyLong_Sign(o) < 0) { PyErr_SetString(PyExc_ValueError, "nats are not negative"); return 0; }
        PkVal v = pk_nat_from_py(RT, o);
        if (!v) raise_error();
        return v;
    }
    PyErr_Format(PyExc_TypeError, "expected a PLAN Value or an int, got %.100s", Py_TYPE(o)->tp_name);
    return 0;
}

/* At the start of an entry point, where every value is held by a handle or
** the stack: collect if the garbage left by earlier work (a failed
** evaluation stops with up to 1.5 times the memory limit held) could make
** this one fail before its first safe point. */
static void relieve(void) {
    if (pk_unlikely(RT->heap_bytes > RT->mem_limit)) pk_gc_collect(RT);
}

/* Evaluate the value of self to WHNF, rooted through its handle. */
static PkVal whnf_of(PyObject *self) {
    relieve();
    PkVal v = pk_eval_whnf(RT, val_of(self));
    if (!v) { raise_error(); return 0; }
    RT->handles[((ValueObject *)self)->handle] = v;   /* skip the thunk next time */
    return v;
}

static PkVal normal_of(PyObject *self) {
    relieve();
    PkVal v = pk_eval_normal(RT, val_of(self));
    if (!v) { raise_error(); return 0; }
    RT->handles[((ValueObject *)self)->handle] = v;
    return v;
}

static PyObject *value_whnf(PyObject *self, PyObject *unused) {
    PkVal v = whnf_of(self);
    return v ? wrap(v) : NULL;
}

static PyObject *value_force(PyObject *self, PyObject *unused) {
    PkVal v = normal_of(self);
    return v ? wrap(v) : NULL;
}

static PyObject *value_apply(PyObject *self, PyObject *args) {
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n == 0) { Py_INCREF(self); return self; }
    relieve();
    PkVal *xs = PyMem_Malloc(n * sizeof(PkVal));
    if (!xs) return PyErr_NoMemory();
    for (Py_ssize_t i = 0; i < n; i++) {
        xs[i] = to_val(PyTuple_GET_ITEM(args, i));
        if (!xs[i]) { PyMem_Free(xs); return NULL; }
    }
    PkVal t = pk_value_thunk(RT, val_of(self), (uint32_t)n, xs);
    PyMem_Free(xs);
    return wrap(t);
}

static const char *kind_name(PkVal v) {
    switch (pk_kind(v)) {
    case 0: case PK_BIG: return "nat";
    case PK_PIN: return "pin";
    case PK_LAW: return "law";
    default: return "app";
    }
}

static PyObject *value_kind(PyObject *self, void *unused) {
    PkVal v = whnf_of(self);
    return v ? PyUnicode_FromString(kind_name(v)) : NULL;
}

static PyObject *value_shape(PyObject *self, void *unused) {
    PkVal v = normal_of(self);
    if (!v) return NULL;
    uint64_t len;
    const char *s = "";
    if (pk_value_is_row(v, &len)) s = "row";
    else if (pk_is_law(v)) {
        static const char *names[] = {"", "row", "cow", "bar", "set"};
        s = names[pk_obj(v)->shape];
    } else if (pk_is_clo(v) && pk_obj(v)->n == 1 && pk_is_law(pk_clo(v)->head) &&
               pk_obj(pk_clo(v)->head)->shape == PK_SHAPE_SET) {
        uint64_t nk, nv;
        if (pk_value_is_row(pk_law(pk_clo(v)->head)->body, &nk) &&
            pk_value_is_row(pk_deref(pk_clo(v)->args[0]), &nv) && nk == nv)
            s = "tab";
    }
    return PyUnicode_FromString(s);
}

static PyObject *value_nat(PyObject *self, void *unused) {
    PkVal v = whnf_of(self);
    if (!v) return NULL;
    if (!pk_is_nat(v)) { PyErr_Format(PyExc_TypeError, "not a nat but a %s", kind_name(v)); return NULL; }
    return pk_nat_to_py(RT, v);
}

static PyObject *value_int(PyObject *self) { return value_nat(self, NULL); }

static PyObject *value_pin_hash(PyObject *self, PyObject *unused) {
    PkVal v = normal_of(self);
    if (!v) return NULL;
    if (!pk_is_pin(v)) { PyErr_SetString(PyExc_TypeError, "not a pin"); return NULL; }
    if (pk_hash_pin(RT, pk_pin(v))) return raise_error();
    return PyBytes_FromStringAndSize((const char *)pk_pin(v)->hash, 32);
}

static PyObject *value_plan_hash(PyObject *self, PyObject *unused) {
    PkVal v = normal_of(self);
    uint8_t out[32];
    if (!v) return NULL;
    if (pk_hash_plan(RT, v, out)) return raise_error();
    return PyBytes_FromStringAndSize((const char *)out, 32);
}

static PyObject *value_serialize(PyObject *self, PyObject *unused) {
    PkVal v = normal_of(self);
    size_t n;
    if (!v) return NULL;
    uint8_t *b = pk_hash_serialize(RT, v, &n);
    if (!b) return raise_error();
    PyObject *r = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)n);
    free(b);
    return r;
}

static PyObject *value_has_jet(PyObject *self, void *unused) {
    PkVal v = normal_of(self);
    if (!v) return NULL;
    return PyBool_FromLong(pk_is_pin(v) && pk_pin(v)->jet != NULL);
}

static PyObject *value_cmp(PyObject *self, PyObject *other) {
    PkVal a = normal_of(self);
    if (!a) return NULL;
    PyObject *o = is_value(other) ? (Py_INCREF(other), other) : wrap(to_val(other));
    if (!o) return NULL;
    PkVal b = normal_of(o);
    a = val_of(self);
    int c = b ? pk_walk_cmp(RT, a, b) : 0;
    Py_DECREF(o);
    if (!b) return NULL;
    if (RT->err) return raise_error();
    return PyLong_FromLong(c + 1);
}

static PyObject *value_richcompare(PyObject *self, PyObject *other, int op) {
    if (op != Py_EQ && op != Py_NE) Py_RETURN_NOTIMPLEMENTED;
    if (!is_value(other) && !PyLong_Check(other)) Py_RETURN_NOTIMPLEMENTED;
    PyObject *c = value_cmp(self, other);
    if (!c) return NULL;
    long r = PyLong_AsLong(c);
    Py_DECREF(c);
    return PyBool_FromLong((r == 1) == (op == Py_EQ));
}

/* ----- trees out ------------------------------------------------------------ */

/* The Python object for v, or NULL if a child is still missing from memo. */
static PyObject *memo_get(PyObject *memo, PkVal v) {
    PyObject *k = PyLong_FromVoidPtr((void *)v);
    PyObject *r = k ? PyDict_GetItemWithError(memo, k) : NULL;
    Py_XDECREF(k);
    return r;
}

static PyObject *tree_of_child(PyObject *memo, PkVal v) {
    v = pk_deref(v);
    if (pk_is_nat(v)) return pk_nat_to_py(RT, v);
    PyObject *r = memo_get(memo, v);
    Py_XINCREF(r);
    return r;
}

/* Build the tree node of v, whose children are all in memo. */
static PyObject *tree_node(PyObject *memo, PkVal v) {
    switch (pk_kind(v)) {
    case PK_PIN: {
        PyObject *item = tree_of_child(memo, pk_pin(v)->item);
        PyObject *r = item ? PyObject_CallOneArg(the_state->tree_pin, item) : NULL;
        Py_XDECREF(item);
        return r;
    }
    case PK_LAW: {
        PkLaw *l = pk_law(v);
        PyObject *n = pk_nat_to_py(RT, l->name), *a = pk_nat_to_py(RT, l->arity_val);
        PyObject *b = tree_of_child(memo, l->body);
        PyObject *r = n && a && b ? PyObject_CallFunctionObjArgs(the_state->tree_law, n, a, b, NULL) : NULL;
        Py_XDECREF(n); Py_XDECREF(a); Py_XDECREF(b);
        return r;
    }
    default: {
        PkClo *c = pk_clo(v);
        PyObject *acc = tree_of_child(memo, c->head);
        for (uint32_t i = 0; acc && i < c->h.n; i++) {
            PyObject *x = tree_of_child(memo, c->args[i]);
            PyObject *app = x ? PyObject_CallFunctionObjArgs(the_state->tree_app, acc, x, NULL) : NULL;
            Py_DECREF(acc);
            Py_XDECREF(x);
            acc = app;
        }
        return acc;
    }
    }
}

static PyObject *value_to_tree(PyObject *self, PyObject *unused) {
    PkVal root = normal_of(self);
    if (!root) return NULL;
    if (pk_is_nat(root)) return pk_nat_to_py(RT, root);
    PyObject *memo = PyDict_New();
    PkWalkStack s = {0};
    PyObject *result = NULL;
    if (!memo || !pk_walk_push(RT, &s, root)) goto done;
    /* post-order: a node is built when all its children are in memo; entries
    ** are pushed with the low bit... kept plain, children pushed on demand */
    while (s.n) {
        PkVal v = s.v[s.n - 1];
        PyObject *have = memo_get(memo, v);
        if (have) { s.n--; continue; }
        if (PyErr_Occurred()) goto done;
        size_t before = s.n;
        /* push the children not yet built */
        switch (pk_kind(v)) {
        case PK_PIN: {
            PkVal c = pk_deref(pk_pin(v)->item);
            if (!pk_is_nat(c) && !memo_get(memo, c) && !pk_walk_push(RT, &s, c)) goto done;
            break;
        }
        case PK_LAW: {
            PkVal c = pk_deref(pk_law(v)->body);
            if (!pk_is_nat(c) && !memo_get(memo, c) && !pk_walk_push(RT, &s, c)) goto done;
            break;
        }
        default: {
            PkClo *c = pk_clo(v);
            PkVal h = pk_deref(c->head);
            if (!pk_is_nat(h) && !memo_get(memo, h) && !pk_walk_push(RT, &s, h)) goto done;
            for (uint32_t i = 0; i < c->h.n; i++) {
                PkVal x = pk_deref(c->args[i]);
                if (!pk_is_nat(x) && !memo_get(memo, x) && !pk_walk_push(RT, &s, x)) goto done;
            }
        }
        }
        if (PyErr_Occurred()) goto done;
        if (s.n != before) continue;
        PyObject *node = tree_node(memo, v);
        if (!node) goto done;
        PyObject *k = PyLong_FromVoidPtr((void *)v);
        int bad = !k || PyDict_SetItem(memo, k, node);
        Py_XDECREF(k);
        Py_DECREF(node);
        if (bad) goto done;
        s.n--;
    }
    result = memo_get(memo, root);
    Py_XINCREF(result);
done:
    if (RT->err && !PyErr_Occurred()) raise_error();
    pk_walk_done(&s);
    Py_XDECREF(memo);
    return result;
}

/*
** layer(): one level of the value, evaluated to WHNF, as a tree whose
** children are Values (or ints for nats): the Sire front end inspects
** compiled values this way without converting whole closures to trees.
*/
static PyObject *child_obj(PkVal v) {
    v = pk_deref(v);
    return pk_is_nat(v) ? pk_nat_to_py(RT, v) : wrap(v);
}

static PyObject *value_layer(PyObject *self, PyObject *unused) {
    PkVal v = whnf_of(self);
    if (!v) return NULL;
    switch (pk_kind(v)) {
    case 0: case PK_BIG: return pk_nat_to_py(RT, v);
    case PK_PIN: {
        PyObject *item = child_obj(pk_pin(v)->item);
        PyObject *r = item ? PyObject_CallOneArg(the_state->tree_pin, item) : NULL;
        Py_XDECREF(item);
        return r;
    }
    case PK_LAW: {
        PkLaw *l = pk_law(v);
        PyObject *n = pk_nat_to_py(RT, l->name), *a = pk_nat_to_py(RT, l->arity_val);
        PyObject *b = n && a ? child_obj(l->body) : NULL;
        PyObject *r = b ? PyObject_CallFunctionObjArgs(the_state->tree_law, n, a, b, NULL) : NULL;
        Py_XDECREF(n); Py_XDECREF(a); Py_XDECREF(b);
        return r;
    }
    default: {
        PkClo *c = pk_clo(v);
        PyObject *acc = child_obj(c->head);
        for (uint32_t i = 0; acc && i < c->h.n; i++) {
            PyObject *x = child_obj(pk_clo(v)->args[i]);   /* wrap may collect: reload */
            PyObject *app = x ? PyObject_CallFunctionObjArgs(the_state->tree_app, acc, x, NULL) : NULL;
            Py_DECREF(acc);
            Py_XDECREF(x);
            acc = app;
            v = val_of(self);
        }
        return acc;
    }
    }
}

/* ----- trees in --------------------------------------------------------------- */

/*
** from_tree(tree): the tree read as an expression. App applies lazily,
** Law(n, a, b) is (0 n a b) and Pin(x) is (4 x): nothing is evaluated here.
** Post-order on an explicit stack of (object, state); results on rt->stack
** would be a root, but no collection can happen before we return, so a
** plain C array is enough.
*/
typedef struct { PyObject *o; Py_ssize_t nargs; } Work;

static PkVal nat_field(PyObject *o, const char *field) {
    PyObject *f = PyObject_GetAttrString(o, field);
    if (!f) return 0;
    PkVal v = PyLong_Check(f) ? to_val(f) : 0;
    if (!v && !PyErr_Occurred()) PyErr_Format(PyExc_TypeError, "law %s must be an int", field);
    Py_DECREF(f);
    return v;
}

static PyObject *core_from_tree(PyObject *mod, PyObject *tree) {
    relieve();                        /* not later: vals[] is not a root */
    PkRuntime *rt = RT;
    Work *work = NULL;
    PkVal *vals = NULL;
    size_t nw = 0, wcap = 0, nv = 0, vcap = 0;
    PyObject *memo = PyDict_New(), *result = NULL;
    if (!memo) return NULL;
#define WPUSH(obj) do { if (nw == wcap) { wcap = wcap ? wcap * 2 : 64; \
        Work *t_ = PyMem_Realloc(work, wcap * sizeof(Work)); if (!t_) { PyErr_NoMemory(); goto done; } work = t_; } \
        work[nw].o = (obj); work[nw].nargs = -1; nw++; } while (0)
#define VPUSH(v) do { if (nv == vcap) { vcap = vcap ? vcap * 2 : 64; \
        PkVal *t_ = PyMem_Realloc(vals, vcap * sizeof(PkVal)); if (!t_) { PyErr_NoMemory(); goto done; } vals = t_; } \
        vals[nv++] = (v); } while (0)
    WPUSH(tree);
    while (nw) {
        Work *w = &work[nw - 1];
        PyObject *o = w->o;
        if (PyLong_Check(o) || is_value(o)) {  /* a Value leaf is used as it is */
            PkVal v = to_val(o);
            if (!v) goto done;
            nw--;
            VPUSH(v);
            continue;
        }
        PyObject *key = PyLong_FromVoidPtr(o);
        if (!key) goto done;
        PyObject *hit = PyDict_GetItemWithError(memo, key);
        if (hit && w->nargs < 0) {
            Py_DECREF(key);
            nw--;
            VPUSH((PkVal)PyLong_AsVoidPtr(hit));
            continue;
        }
        if (PyErr_Occurred()) { Py_DECREF(key); goto done; }
        PkVal made = 0;
        if (PyObject_TypeCheck(o, (PyTypeObject *)the_state->tree_pin)) {
            if (w->nargs < 0) {
                w->nargs = 1;
                PyObject *item = PyObject_GetAttrString(o, "item");
                Py_DECREF(key);
                if (!item) goto done;
                Py_DECREF(item);              /* the tree keeps it alive */
                WPUSH(item);
                continue;
            }
            PkVal x = vals[--nv];
            made = pk_value_thunk(rt, pk_small(4), 1, &x);
        } else if (PyObject_TypeCheck(o, (PyTypeObject *)the_state->tree_law)) {
            if (w->nargs < 0) {
                w->nargs = 1;
                PyObject *body = PyObject_GetAttrString(o, "body");
                Py_DECREF(key);
                if (!body) goto done;
                Py_DECREF(body);
                WPUSH(body);
                continue;
            }
            PkVal xs[3];
            xs[2] = vals[--nv];
            xs[0] = nat_field(o, "name");
            xs[1] = xs[0] ? nat_field(o, "arity") : 0;
            if (!xs[1]) { Py_DECREF(key); goto done; }
            made = pk_value_thunk(rt, pk_small(0), 3, xs);
        } else if (PyObject_TypeCheck(o, (PyTypeObject *)the_state->tree_app)) {
            if (w->nargs < 0) {
                /* flatten the spine (f a1 .. an): push an .. a1, then f on
                ** top, so the results come out as f, a1, .., an */
                Py_ssize_t n = 0;
                size_t self_at = nw - 1;
                PyObject *cur = o;
                while (PyObject_TypeCheck(cur, (PyTypeObject *)the_state->tree_app)) {
                    PyObject *a = PyObject_GetAttrString(cur, "arg");
                    PyObject *f = a ? PyObject_GetAttrString(cur, "fun") : NULL;
                    if (!f) { Py_XDECREF(a); Py_DECREF(key); goto done; }
                    Py_DECREF(a);                 /* the tree keeps both alive */
                    Py_DECREF(f);
                    WPUSH(a);
                    n++;
                    cur = f;
                }
                work[self_at].nargs = n;
                WPUSH(cur);
                Py_DECREF(key);
                continue;
            }
            Py_ssize_t n = w->nargs;
            PkVal *res = &vals[nv - n - 1];       /* f, a1, .., an */
            made = pk_value_thunk(rt, res[0], (uint32_t)n, &res[1]);
            nv -= n + 1;
        } else {
            Py_DECREF(key);
            PyErr_Format(PyExc_TypeError, "not a PLAN tree node: %.100s", Py_TYPE(o)->tp_name);
            goto done;
        }
        if (!made) { Py_DECREF(key); raise_error(); goto done; }
        PyObject *pv = PyLong_FromVoidPtr((void *)made);
        int bad = !pv || PyDict_SetItem(memo, key, pv);
        Py_XDECREF(pv);
        Py_DECREF(key);
        if (bad) goto done;
        nw--;
        VPUSH(made);
    }
    result = wrap(vals[0]);
done:
#undef WPUSH
#undef VPUSH
    PyMem_Free(work);
    PyMem_Free(vals);
    Py_DECREF(memo);
    return result;
}

/* ----- module functions ---------------------------------------------------- */

static PyObject *core_nat(PyObject *mod, PyObject *n) {
    if (!PyLong_Check(n)) { PyErr_SetString(PyExc_TypeError, "nat() takes an int"); return NULL; }
    relieve();
    PkVal v = to_val(n);
    return v ? wrap(v) : NULL;
}

static PyObject *core_set_jet_table(PyObject *mod, PyObject *table) {
    /* table: a list of (name: bytes, hash: bytes of 32) */
    PkRuntime *rt = RT;
    PyObject *seq = PySequence_Fast(table, "jet table must be a sequence");
    if (!seq) return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PkJetEntry *e = PyMem_Calloc(n ? n : 1, sizeof *e);
    if (!e) { Py_DECREF(seq); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < n; i++) {
        const char *name, *hash;
        Py_ssize_t nlen, hlen;
        if (!PyArg_ParseTuple(PySequence_Fast_GET_ITEM(seq, i), "y#y#", &name, &nlen, &hash, &hlen)) goto bad;
        if (hlen != 32) { PyErr_SetString(PyExc_ValueError, "jet hash must be 32 bytes"); goto bad; }
        e[i].name = pk_nat_from_bytes(rt, (const uint8_t *)name, (size_t)nlen);
        if (!e[i].name) { raise_error(); goto bad; }
        memcpy(e[i].hash, hash, 32);
        char cname[64];
        snprintf(cname, sizeof cname, "%.*s", (int)nlen, name);
        e[i].jet = pk_jet_native(cname);
    }
    PyMem_Free(rt->jets);
    rt->jets = e;
    rt->njets = (size_t)n;
    Py_DECREF(seq);
    Py_RETURN_NONE;
bad:
    PyMem_Free(e);
    Py_DECREF(seq);
    return NULL;
}

static PyObject *core_set_jets_enabled(PyObject *mod, PyObject *flag) {
    int on = PyObject_IsTrue(flag);
    if (on < 0) return NULL;
    RT->jets_enabled = on;
    Py_RETURN_NONE;
}

static PyObject *core_native_jets(PyObject *mod, PyObject *unused) {
    PyObject *l = PyList_New(0);
    for (size_t i = 0; l && i < pk_jet_count(); i++) {
        PyObject *s = PyUnicode_FromString(pk_jet_at(i)->name);
        if (!s || PyList_Append(l, s)) { Py_XDECREF(s); Py_DECREF(l); return NULL; }
        Py_DECREF(s);
    }
    return l;
}

/* call_jet(name, *args): run a native jet directly (a test and benchmark
** hook): its arguments are forced as it declares, its result to WHNF. */
static PyObject *core_call_jet(PyObject *mod, PyObject *args) {
    Py_ssize_t n = PyTuple_GET_SIZE(args);
    if (n < 1 || !PyUnicode_Check(PyTuple_GET_ITEM(args, 0))) {
        PyErr_SetString(PyExc_TypeError, "call_jet(name, *args)");
        return NULL;
    }
    const PkJet *j = pk_jet_native(PyUnicode_AsUTF8(PyTuple_GET_ITEM(args, 0)));
    if (!j) return PyErr_Format(PyExc_KeyError, "no native jet %R", PyTuple_GET_ITEM(args, 0));
    if ((size_t)n - 1 != j->arity) return PyErr_Format(PyExc_TypeError, "%s takes %u arguments", j->name, j->arity);
    relieve();
    PyObject *held[32];
    PkVal xs[32];
    Py_ssize_t k;
    PyObject *result = NULL;
    for (k = 0; k < n - 1; k++) {            /* hold each argument as a Value (a root) */
        PyObject *o = PyTuple_GET_ITEM(args, k + 1);
        held[k] = is_value(o) ? (Py_INCREF(o), o) : wrap(to_val(o));
        if (!held[k]) goto done;
    }
    for (Py_ssize_t i = 0; i < n - 1; i++) {
        size_t a = j->order ? (size_t)(j->order[i] - '0') : (size_t)i;
        if ((j->deep >> a) & 1) { if (!normal_of(held[a])) goto done; }
        else if ((j->strict >> a) & 1) { if (!whnf_of(held[a])) goto done; }
    }
    PkVal r;
    uint64_t resume = 0;
    for (;;) {
        for (Py_ssize_t i = 0; i < n - 1; i++) xs[i] = val_of(held[i]);
        RT->jet_resume = resume;
        r = j->fn(RT, xs);
        if (!(r && pk_jet_special(r) && r != PK_JET_FALLBACK)) break;
        if (r == PK_JET_FORCE) {                               /* a value inside an argument */
            PyObject *inner = wrap(RT->jet_force);
            RT->jet_force = 0;
            PkVal v = inner ? (RT->jet_force_deep ? normal_of(inner) : whnf_of(inner)) : 0;
            Py_XDECREF(inner);
            if (!v) goto done;
            resume = RT->jet_force_at;
            continue;
        }
        PyObject *more = held[pk_jet_need_arg(r)];           /* asked for one more */
        if (!(pk_jet_need_deep(r) ? normal_of(more) : whnf_of(more))) goto done;
        resume = 0;
    }
    if (r == PK_JET_FALLBACK) { PyErr_SetString(PyExc_NotImplementedError, "the jet fell back to legal code"); goto done; }
    if (!r) { raise_error(); goto done; }
    r = r == PK_JET_CATCH ? pk_eval_catch(RT, xs[0]) : pk_eval_whnf(RT, r);
    result = wrap(r);
done:
    while (k-- > 0) Py_DECREF(held[k]);
    return result;
}

/* ----- seeds (pk_seed.c) ---------------------------------------------------- */

static PyObject *attr_of(const char *module, const char *name);

/* A failed seed operation as an exception: bad bytes or values as SeedError. */
static PyObject *seed_error(void) {
    if (RT->err != PK_ERR_BADARG) return raise_error();
    RT->err = PK_OK;
    PyObject *cls = attr_of("pallas_kernel.errors", "SeedError");
    if (cls) PyErr_SetString(cls, RT->err_msg ? RT->err_msg : "bad seed");
    Py_XDECREF(cls);
    return NULL;
}

static PyObject *seed_bytes(uint8_t *b, size_t n) {
    if (!b) return seed_error();
    PyObject *r = PyBytes_FromStringAndSize((const char *)b, (Py_ssize_t)n);
    free(b);
    return r;
}

/* save_seed(value, c_quirk=True): the seed of the value's normal form. */
static PyObject *core_save_seed(PyObject *mod, PyObject *args) {
    PyObject *o;
    int quirk = 1;
    if (!PyArg_ParseTuple(args, "O|p", &o, &quirk)) return NULL;
    PyObject *held = is_value(o) ? (Py_INCREF(o), o) : wrap(to_val(o));
    if (!held) return NULL;
    PkVal v = normal_of(held);
    size_t n = 0;
    PyObject *r = NULL;
    if (v) {
        uint8_t *b = pk_seed_save(RT, v, NULL, 0, quirk, &n);
        r = seed_bytes(b, n);
    }
    Py_DECREF(held);
    return r;
}

/* load_seed(data): the value of a seed (cells needing evaluation stay lazy). */
static PyObject *core_load_seed(PyObject *mod, PyObject *data) {
    Py_buffer buf;
    if (PyObject_GetBuffer(data, &buf, PyBUF_SIMPLE)) return NULL;
    bool normal;
    relieve();
    RT->err = PK_OK;
    PkVal v = pk_seed_load(RT, buf.buf, (size_t)buf.len, NULL, 0, true, &normal);
    PyBuffer_Release(&buf);
    return v ? wrap(v) : seed_error();
}

/* save_germ(pin, c_quirk=True) -> (refs, body): the pin's direct sub-pins
** and the seed of its item with them as holes. */
static PyObject *core_save_germ(PyObject *mod, PyObject *args) {
    PyObject *o;
    int quirk = 1;
    if (!PyArg_ParseTuple(args, "O!|p", (PyTypeObject *)the_state->value_type, &o, &quirk)) return NULL;
    PkVal pin = normal_of(o);
    if (!pin) return NULL;
    if (!pk_is_pin(pin)) { PyErr_SetString(PyExc_TypeError, "save_germ takes a pin"); return NULL; }
    size_t nrefs = 0, n = 0;
    RT->err = PK_OK;
    PkVal *refs = pk_seed_pin_refs(RT, pin, &nrefs);
    if (!refs && RT->err) return seed_error();
    PyObject *list = PyList_New((Py_ssize_t)nrefs), *body = NULL, *r = NULL;
    for (size_t i = 0; list && i < nrefs; i++) {
        PyObject *w = wrap(refs[i]);
        if (!w) { Py_CLEAR(list); break; }
        PyList_SET_ITEM(list, (Py_ssize_t)i, w);
    }
    if (list) {
        uint8_t *b = pk_seed_save(RT, pk_pin(pin)->item, refs ? refs : &pin, nrefs, quirk, &n);
        body = seed_bytes(b, n);
    }
    free(refs);
    if (body) r = PyTuple_Pack(2, list, body);
    Py_XDECREF(list);
    Py_XDECREF(body);
    return r;
}

/* load_germ(refs, data): the item a germ body holds, its holes filled. */
static PyObject *core_load_germ(PyObject *mod, PyObject *args) {
    PyObject *refs, *data;
    if (!PyArg_ParseTuple(args, "OO", &refs, &data)) return NULL;
    PyObject *seq = PySequence_Fast(refs, "refs must be a sequence of pins");
    if (!seq) return NULL;
    Py_ssize_t nr = PySequence_Fast_GET_SIZE(seq);
    PkVal *holes = PyMem_Malloc((size_t)(nr ? nr : 1) * sizeof *holes);
    Py_buffer buf;
    PyObject *r = NULL;
    if (!holes) { Py_DECREF(seq); return PyErr_NoMemory(); }
    for (Py_ssize_t i = 0; i < nr; i++) {
        PyObject *p = PySequence_Fast_GET_ITEM(seq, i);
        if (!is_value(p) || !(holes[i] = normal_of(p)) || !pk_is_pin(holes[i])) {
            if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "refs must be pins");
            goto done;
        }
    }
    if (PyObject_GetBuffer(data, &buf, PyBUF_SIMPLE)) goto done;
    bool normal;
    RT->err = PK_OK;
    PkVal v = pk_seed_load(RT, buf.buf, (size_t)buf.len, holes, (size_t)nr, true, &normal);
    PyBuffer_Release(&buf);
    r = v ? wrap(v) : seed_error();
done:
    PyMem_Free(holes);
    Py_DECREF(seq);
    return r;
}

static PyObject *core_set_trace(PyObject *mod, PyObject *fn) {
    Py_INCREF(fn);
    Py_XSETREF(the_state->trace_fn, fn);
    Py_RETURN_NONE;
}

/* jet_report(): (name, hash, matched, mismatched) for each table entry, so
** `pallas sire --jet-report` can say which jets met their legal code. */
static PyObject *core_jet_report(PyObject *mod, PyObject *unused) {
    PkRuntime *rt = RT;
    PyObject *out = PyList_New(0);
    for (size_t i = 0; out && i < rt->njets; i++) {
        PkJetEntry *e = &rt->jets[i];
        PyObject *name = pk_nat_to_py(rt, e->name);
        PyObject *t = name ? Py_BuildValue("(Oy#KK)", name, (const char *)e->hash, (Py_ssize_t)32,
                                           (unsigned long long)e->matched,
                                           (unsigned long long)e->mismatched) : NULL;
        Py_XDECREF(name);
        if (!t || PyList_Append(out, t)) { Py_XDECREF(t); Py_CLEAR(out); break; }
        Py_DECREF(t);
    }
    return out;
}

static PyObject *core_stats(PyObject *mod, PyObject *unused) {
    PkRuntime *rt = RT;
    return Py_BuildValue("{s:K,s:K,s:K,s:K,s:K,s:d,s:K,s:n,s:n,s:n}",
        "steps", (unsigned long long)rt->steps,
        "jet_calls", (unsigned long long)rt->jet_calls,
        "jet_matches", (unsigned long long)rt->jet_matches,
        "jet_mismatches", (unsigned long long)rt->jet_mismatches,
        "gc_count", (unsigned long long)rt->gc_count,
        "gc_seconds", (double)rt->gc_ns / 1e9,
        "allocated", (unsigned long long)(rt->allocated + rt->since_gc),
        "heap_bytes", (Py_ssize_t)rt->heap_bytes,
        "heap_live", (Py_ssize_t)rt->heap_live,
        "stack_words", (Py_ssize_t)rt->stack_cap);
}

/* set_memory_limit(bytes) -> the previous limit: what one evaluation may
** hold (pk_gc.c); at least 1 MiB, at most a quarter of the address space. */
static PyObject *core_set_memory_limit(PyObject *mod, PyObject *arg) {
    size_t n = PyLong_AsSize_t(arg);
    if (n == (size_t)-1 && PyErr_Occurred()) return NULL;
    if (n < ((size_t)1 << 20)) {
        PyErr_SetString(PyExc_ValueError, "the memory limit must be at least 1 MiB");
        return NULL;
    }
    if (n > SIZE_MAX / 4) n = SIZE_MAX / 4;
    size_t old = RT->mem_limit;
    pk_gc_collect(RT);                /* garbage held now must not count against it */
    pk_gc_set_limit(RT, n);
    return PyLong_FromSize_t(old);
}

static PyObject *core_memory_limit(PyObject *mod, PyObject *unused) {
    return PyLong_FromSize_t(RT->mem_limit);
}

/* set_mark_stack_limit(n): a test hook; cap the collector's mark stack at n
** entries (0: no cap), so that tests reach its overflow path. */
static PyObject *core_set_mark_stack_limit(PyObject *mod, PyObject *arg) {
    size_t n = PyLong_AsSize_t(arg);
    if (n == (size_t)-1 && PyErr_Occurred()) return NULL;
    RT->mstack_max = n;
    if (n && RT->mcap > n) {               /* shrink it now, so the cap holds */
        free(RT->mstack);
        RT->mstack = NULL;
        RT->mcap = 0;
    }
    Py_RETURN_NONE;
}

static PyObject *core_collect(PyObject *mod, PyObject *unused) {
    pk_gc_collect(RT);
    Py_RETURN_NONE;
}

/* untracked_tuple(cls, *items): the tuple subclass instance cls(items),
** made as tuple.__new__(cls, items) makes it, and then left out of the cycle
** collector when no item is tracked (strs, ints, bytes): such a tuple can be
** in no cycle. CPython untracks plain tuples like this by itself, but never
** instances of a subclass, and the Rex reader keeps one Span (a named tuple)
** per tree node: tracked, they were a fifth of the reader's time in GC. */
static PyObject *core_untracked_tuple(PyObject *mod, PyObject *const *args, Py_ssize_t nargs) {
    if (nargs < 1 || !PyType_Check(args[0]) || args[0] == (PyObject *)&PyTuple_Type
            || !PyType_IsSubtype((PyTypeObject *)args[0], &PyTuple_Type)) {
        /* tuple itself has its own allocation (the empty one is shared): leave it to tuple() */
        PyErr_SetString(PyExc_TypeError, "untracked_tuple(cls, *items): cls must be a subclass of tuple");
        return NULL;
    }
    PyTypeObject *cls = (PyTypeObject *)args[0];
    Py_ssize_t n = nargs - 1;
    PyObject *t = cls->tp_alloc(cls, n);
    if (!t) return NULL;
    int atomic = 1;
    for (Py_ssize_t k = 0; k < n; k++) {
        PyObject *x = args[k + 1];
        Py_INCREF(x);
        PyTuple_SET_ITEM(t, k, x);
        if (PyObject_IS_GC(x) && PyObject_GC_IsTracked(x)) atomic = 0;
    }
    if (atomic && PyObject_GC_IsTracked(t)) PyObject_GC_UnTrack(t);
    return t;
}

/* The visitor of untrack_acyclic: stops at the first referent the cycle
** collector tracks (other than the object's own type, which every instance
** of a Python class refers to and which cannot lead back to the instance). */
static int visit_tracked(PyObject *x, void *type) {
    return x != (PyObject *)type && PyObject_IS_GC(x) && PyObject_GC_IsTracked(x);
}

/* untrack_acyclic(obj): obj, left out of the cycle collector when nothing
** it refers to is tracked: it can then be in no cycle for as long as it is
** not changed. CPython does this for tuples and dicts by itself; the Rex
** reader does it for the trees it makes (frozen, built leaves first), so a
** file's trees, kept for the session, cost the collector nothing. */
static PyObject *core_untrack_acyclic(PyObject *mod, PyObject *obj) {
    if (PyObject_IS_GC(obj) && PyObject_GC_IsTracked(obj)) {
        traverseproc trav = Py_TYPE(obj)->tp_traverse;
        if (trav && trav(obj, visit_tracked, Py_TYPE(obj)) == 0) PyObject_GC_UnTrack(obj);
    }
    Py_INCREF(obj);
    return obj;
}

static PyMethodDef value_methods[] = {
    {"whnf", value_whnf, METH_NOARGS, "Evaluate to weak head normal form."},
    {"force", value_force, METH_NOARGS, "Evaluate to normal form."},
    {"apply", value_apply, METH_VARARGS, "The lazy application (self a1 .. an)."},
    {"to_tree", value_to_tree, METH_NOARGS, "The normal form as a pallas_kernel.plan.tree."},
    {"layer", value_layer, METH_NOARGS, "One level of the WHNF as a tree with Value children."},
    {"pin_hash", value_pin_hash, METH_NOARGS, "The 32-byte BLAKE3 hash of a pin."},
    {"plan_hash", value_plan_hash, METH_NOARGS, "BLAKE3 of the tagged serialization."},
    {"serialize", value_serialize, METH_NOARGS, "The tagged serialization that hashes use."},
    {"cmp", value_cmp, METH_O, "_Cmp: 0 less, 1 equal, 2 greater."},
    {NULL}
};

static PyGetSetDef value_getset[] = {
    {"kind", value_kind, NULL, "'nat', 'pin', 'law' or 'app' (evaluates to WHNF).", NULL},
    {"shape", value_shape, NULL, "'row', 'tab', 'set', 'bar', 'cow' or ''.", NULL},
    {"nat", value_nat, NULL, "The nat as an int (evaluates to WHNF).", NULL},
    {"has_jet", value_has_jet, NULL, "Is this a pin with native code attached?", NULL},
    {NULL}
};

static PyType_Slot value_slots[] = {
    {Py_tp_dealloc, value_dealloc},
    {Py_tp_methods, value_methods},
    {Py_tp_getset, value_getset},
    {Py_tp_richcompare, value_richcompare},
    {Py_nb_int, value_int},
    {Py_nb_index, value_int},
    {Py_tp_doc, "A PLAN value held by the C core."},
    {0, NULL}
};

static PyType_Spec value_spec = {
    "pallas_kernel._core.Value", sizeof(ValueObject), 0, Py_TPFLAGS_DEFAULT, value_slots
};

/* ----- fields of data (pk_fields.c) ---------------------------------------------- */

/*
** con_fields(x), row_items(x), tab_items(x): a value taken apart in one call
** (evaluated to WHNF first; the parts are not evaluated), or None when it
** has another shape (or x is not a Value): the caller's general path then
** says what is wrong. Parts are ints for nats, else Values. Each part is
** read again from x's handle after every wrap, which may collect.
*/
typedef PkVal (*PartFn)(PkVal v, uint64_t i);

static PkVal con_part(PkVal v, uint64_t i) { return pk_fields_arg(v, i); }
static PkVal row_part(PkVal v, uint64_t i) { return pk_value_row_get(v, i); }
static PkVal tab_key(PkVal v, uint64_t i) {
    PkVal k = 0, x = 0;
    pk_fields_tab(v, &k, &x);
    return pk_value_row_get(k, i);
}
static PkVal tab_val(PkVal v, uint64_t i) {
    PkVal k = 0, x = 0;
    pk_fields_tab(v, &k, &x);
    return pk_value_row_get(x, i);
}

static PyObject *parts_of(PyObject *x, int64_t n, PartFn part) {
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    for (int64_t i = 0; t && i < n; i++) {
        PyObject *o = child_obj(part(pk_deref(val_of(x)), (uint64_t)i));
        if (!o) { Py_CLEAR(t); break; }
        PyTuple_SET_ITEM(t, (Py_ssize_t)i, o);
    }
    return t;
}

static PyObject *core_con_fields(PyObject *mod, PyObject *x) {
    if (!is_value(x)) Py_RETURN_NONE;
    PkVal v = whnf_of(x);
    if (!v) return NULL;
    PkLaw *law;
    int64_t n = pk_fields_con(v, &law);
    if (n < 0) Py_RETURN_NONE;
    PyObject *name = pk_nat_to_py(RT, law->name);
    PyObject *parts = name ? parts_of(x, n, con_part) : NULL;
    PyObject *r = parts ? PyTuple_Pack(2, name, parts) : NULL;
    Py_XDECREF(name);
    Py_XDECREF(parts);
    return r;
}

static PyObject *core_row_items(PyObject *mod, PyObject *x) {
    if (!is_value(x)) Py_RETURN_NONE;
    PkVal v = whnf_of(x);
    if (!v) return NULL;
    int64_t n = pk_fields_row(v);
    if (n < 0) Py_RETURN_NONE;
    return parts_of(x, n, row_part);
}

static PyObject *core_tab_items(PyObject *mod, PyObject *x) {
    if (!is_value(x)) Py_RETURN_NONE;
    PkVal v = whnf_of(x), k, vals;
    if (!v) return NULL;
    int64_t n = pk_fields_tab(v, &k, &vals);
    if (n < 0) Py_RETURN_NONE;
    if (n == 0) return Py_BuildValue("(()())");
    PyObject *keys = parts_of(x, n, tab_key);
    PyObject *items = keys ? parts_of(x, n, tab_val) : NULL;
    PyObject *r = items ? PyTuple_Pack(2, keys, items) : NULL;
    Py_XDECREF(keys);
    Py_XDECREF(items);
    return r;
}

/* same(a, b): the two hold the very same heap object (nothing is evaluated:
** a cheap "unchanged?" before a structural comparison). Nats by value. */
static PyObject *core_same(PyObject *mod, PyObject *args) {
    PyObject *a, *b;
    if (!PyArg_ParseTuple(args, "OO", &a, &b)) return NULL;
    if (is_value(a) && is_value(b)) return PyBool_FromLong(pk_deref(val_of(a)) == pk_deref(val_of(b)));
    if (PyLong_Check(a) && PyLong_Check(b)) return PyBool_FromLong(PyObject_RichCompareBool(a, b, Py_EQ) == 1);
    Py_RETURN_FALSE;
}

static PkVal build_leaf(PyObject *o) { return to_val(o); }

static PyObject *core_build(PyObject *mod, PyObject *obj) {
    relieve();
    return wrap(pk_build(RT, obj, build_leaf));
}

static PyMethodDef core_methods[] = {
    {"same", core_same, METH_VARARGS, "Do two Values hold the very same object (no evaluation)?"},
    {"build", core_build, METH_O, "Tuples as rows, lists as applications, ints and Values as leaves."},
    {"con_fields", core_con_fields, METH_O, "(law name, fields) of a constructor application, else None."},
    {"row_items", core_row_items, METH_O, "The items of a row as a tuple, else None."},
    {"tab_items", core_tab_items, METH_O, "(keys, values) of a tab as tuples, else None."},
    {"from_tree", core_from_tree, METH_O, "A tree read as a lazy PLAN expression."},
    {"nat", core_nat, METH_O, "A nat from a Python int."},
    {"set_jet_table", core_set_jet_table, METH_O, "Install the accepted (name, hash) jet table."},
    {"set_jets_enabled", core_set_jets_enabled, METH_O, "Turn native jets on or off."},
    {"native_jets", core_native_jets, METH_NOARGS, "Names that have native code."},
    {"call_jet", core_call_jet, METH_VARARGS, "Run a native jet by name (test hook)."},
    {"stats", core_stats, METH_NOARGS, "Counters of the runtime."},
    {"jet_report", core_jet_report, METH_NOARGS, "(name, hash, matched, mismatched) per table entry."},
    {"set_trace", core_set_trace, METH_O, "Set the callable that receives _Trace messages (None: drop)."},
    {"collect", core_collect, METH_NOARGS, "Run a garbage collection now."},
    {"untrack_acyclic", core_untrack_acyclic, METH_O,
     "untrack_acyclic(obj) -> obj, out of the cycle collector if nothing it refers to is tracked."},
    {"untracked_tuple", (PyCFunction)(void (*)(void))core_untracked_tuple, METH_FASTCALL,
     "untracked_tuple(cls, *items): tuple.__new__(cls, items) for a tuple subclass, out of the cycle collector if its items are."},
    {"set_memory_limit", core_set_memory_limit, METH_O, "set_memory_limit(bytes) -> the previous limit."},
    {"memory_limit", core_memory_limit, METH_NOARGS, "The memory limit of an evaluation, in bytes."},
    {"set_mark_stack_limit", core_set_mark_stack_limit, METH_O, "Test hook: cap the GC mark stack (0: none)."},
    {"save_seed", core_save_seed, METH_VARARGS, "save_seed(value, c_quirk=True): the seed bytes (C codec)."},
    {"load_seed", core_load_seed, METH_O, "load_seed(data): the value of a seed (C codec)."},
    {"save_germ", core_save_germ, METH_VARARGS, "save_germ(pin, c_quirk=True) -> (refs, body)."},
    {"load_germ", core_load_germ, METH_VARARGS, "load_germ(refs, data): the item of a germ body."},
    {NULL}
};

static PyObject *attr_of(const char *module, const char *name) {
    PyObject *m = PyImport_ImportModule(module);
    PyObject *a = m ? PyObject_GetAttrString(m, name) : NULL;
    Py_XDECREF(m);
    return a;
}

/* Half the physical memory, between 256 MiB and 64 GiB: room for the rest
** of the process, and no evaluation takes the machine down. */
static size_t default_memory_limit(void) {
    long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    size_t lo = (size_t)256 << 20, hi = (size_t)64 << 30;
    if (pages <= 0 || page <= 0) return (size_t)4 << 30;
    double half = (double)pages * (double)page / 2;
    return half < (double)lo ? lo : half > (double)hi ? hi : (size_t)half;
}

static void core_free(void *mod) {
    if (!the_state) return;
    pk_gc_free_all(RT);
    the_state = NULL;
}

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT, "_core", "The PLAN core of pallas-kernel.", sizeof(ModState),
    core_methods, NULL, NULL, NULL, core_free
};

PyMODINIT_FUNC PyInit__core(void) {
    PyObject *m = PyModule_Create(&core_module);
    if (!m) return NULL;
    ModState *st = PyModule_GetState(m);
    memset(st, 0, sizeof *st);
    st->value_type = PyType_FromSpec(&value_spec);
    st->tree_pin = attr_of("pallas_kernel.plan.tree", "Pin");
    st->tree_law = attr_of("pallas_kernel.plan.tree", "Law");
    st->tree_app = attr_of("pallas_kernel.plan.tree", "App");
    st->err_crash = attr_of("pallas_kernel.errors", "PlanCrash");
    st->err_loop = attr_of("pallas_kernel.errors", "PlanLoop");
    st->err_stack = attr_of("pallas_kernel.errors", "PlanStackLimit");
    st->err_memory = attr_of("pallas_kernel.errors", "PlanMemory");
    st->blake3 = attr_of("blake3", "blake3");
    PyObject *ctor = attr_of("gmpy2", "mpz");
    if (!ctor) PyErr_Clear();
    if (!st->value_type || !st->tree_pin || !st->tree_law || !st->tree_app || !st->err_crash ||
        !st->err_loop || !st->err_stack || !st->err_memory || !st->blake3) {
        Py_DECREF(m);
        return NULL;
    }
    PkRuntime *rt = &st->rt;
    rt->nat_ctor = ctor;
    pk_gc_set_limit(rt, default_memory_limit());
    rt->blake3 = hook_blake3;
    rt->poll_signals = hook_poll;
    rt->trace = hook_trace;
    rt->poll = PK_POLL_STEPS;
    rt->jets_enabled = true;
    the_state = st;
    if (PyModule_AddObjectRef(m, "Value", st->value_type) < 0) { Py_DECREF(m); return NULL; }
    return m;
}
