/*
** pk_value.h: the representation of PLAN values, and the runtime state.
**
** A PkVal is one machine word. If its low bit is 1 it is a small nat
** (n << 1 | 1, n < 2^63), unboxed. Otherwise it points to a heap object whose
** header says its kind:
**
**   BIG    a nat >= 2^63, held as a Python number (gmpy2 mpz or int)
**   PIN    <item>: item in normal form, cached arity, lazy hash, jet
**   LAW    {name arity body}: body in normal form, compiled code on first call
**   CLO    a flat closure (head a1 .. an) with n < arity(head): in WHNF.
**          The head is never a closure; rem is the remaining arity.
**   THUNK  an unevaluated application (fun a1 .. an)
**   BUSY   a thunk under evaluation (a black hole); keeps fun and args so a
**          failed evaluation can restore it
**   IND    an evaluated thunk: fun holds the result
**   HOLE   a let slot not yet filled (a black hole too)
**
** Invariants: a value reachable from a PIN or LAW is in normal form and
** contains no THUNK/BUSY/HOLE (INDs may remain and are skipped by deref).
** Data jets are canonical by construction: a row is a CLO whose head is the
** law {0 n+1 0} with n args, a tab is a CLO of a set law with one arg, bars,
** sets and cows are laws; law->shape caches which one a law is.
*/
#ifndef PK_VALUE_H
#define PK_VALUE_H

#include "pk_limits.h"
#include <stdbool.h>

typedef uintptr_t PkVal;

/* ----- small nats --------------------------------------------------------- */
#define PK_SMALL_MAX   ((uint64_t)INT64_MAX)
#define pk_is_small(v) (((v) & 1) != 0)
#define pk_small(n)    ((((PkVal)(n)) << 1) | 1)
#define pk_small_val(v) ((uint64_t)((v) >> 1))

/* ----- heap objects ------------------------------------------------------- */
enum { PK_BIG = 1, PK_PIN, PK_LAW, PK_CLO, PK_THUNK, PK_BUSY, PK_IND, PK_HOLE };

/* flags */
#define PK_F_NORMAL   1u   /* CLO: every argument is in normal form           */
#define PK_F_WALKING  2u   /* CLO: being normalized (a cycle means a loop)    */
#define PK_F_HASHED   4u   /* PIN: hash is valid                              */
#define PK_F_VISIT    8u   /* PIN: on the hashing work stack                  */

/* law shapes (data jets recognised when the law is made) */
enum { PK_SHAPE_PLAIN = 0, PK_SHAPE_ROW0, PK_SHAPE_COW, PK_SHAPE_BAR, PK_SHAPE_SET };

typedef struct PkObj {
    struct PkObj *gc_next;     /* every object is on the heap's list */
    uint8_t kind, mark, flags, shape;
    uint32_t n;                /* CLO/THUNK/BUSY: number of args */
} PkObj;

typedef struct {               /* num: PyObject*; bits: its bit length, which
                               ** sizes it for the memory limit (pk_gc.c) */
    PkObj h;
    void *num;
    uint64_t bits;
} PkBig;

struct PkCode;
struct PkJet;

typedef struct {
    PkObj h;
    PkVal name, arity_val, body;
    uint64_t arity;            /* saturates at UINT64_MAX for huge arities */
    struct PkCode *code;       /* compiled on first call (pk_law.c) */
} PkLaw;

typedef struct {
    PkObj h;
    PkVal item;
    uint64_t arity;
    const struct PkJet *jet;   /* native code, or NULL */
    uint8_t hash[32];
} PkPin;

typedef struct {
    PkObj h;
    PkVal head;
    uint64_t rem;              /* remaining arity, >= 1 */
    PkVal args[];
} PkClo;

typedef struct {               /* THUNK, BUSY, IND, HOLE */
    PkObj h;
    PkVal fun;                 /* IND: the result */
    PkVal args[];
} PkThunk;

#define pk_obj(v)     ((PkObj *)(v))
#define pk_kind(v)    (pk_is_small(v) ? 0 : pk_obj(v)->kind)
#define pk_is_big(v)  (!pk_is_small(v) && pk_obj(v)->kind == PK_BIG)
#define pk_is_nat(v)  (pk_is_small(v) || pk_obj(v)->kind == PK_BIG)
#define pk_is_pin(v)  (!pk_is_small(v) && pk_obj(v)->kind == PK_PIN)
#define pk_is_law(v)  (!pk_is_small(v) && pk_obj(v)->kind == PK_LAW)
#define pk_is_clo(v)  (!pk_is_small(v) && pk_obj(v)->kind == PK_CLO)
#define pk_big(v)     ((PkBig *)(v))
#define pk_pin(v)     ((PkPin *)(v))
#define pk_law(v)     ((PkLaw *)(v))
#define pk_clo(v)     ((PkClo *)(v))
#define pk_thunk(v)   ((PkThunk *)(v))

/* Follow indirections. */
static inline PkVal pk_deref(PkVal v) {
    while (!pk_is_small(v) && pk_obj(v)->kind == PK_IND) v = pk_thunk(v)->fun;
    return v;
}

/* Is v in weak head normal form (after deref)? */
static inline bool pk_is_whnf(PkVal v) {
    if (pk_is_small(v)) return true;
    int k = pk_obj(v)->kind;
    return k == PK_BIG || k == PK_PIN || k == PK_LAW || k == PK_CLO;
}

/* ----- errors ------------------------------------------------------------- */
enum {
    PK_OK = 0,
    PK_ERR_CRASH,      /* PLAN crash: err_op, err_val */
    PK_ERR_LOOP,       /* a black hole was entered */
    PK_ERR_PYTHON,     /* a Python exception is set (includes interrupts) */
    PK_ERR_STACK,      /* evaluation stack limit */
    PK_ERR_NOMEM,
    PK_ERR_BADARG      /* bad input to an entry point; err_msg says why */
};

/* ----- the runtime -------------------------------------------------------- */
typedef struct PkRuntime {
    /* heap */
    PkObj *heap;               /* list of all objects */
    PkObj *free_cells[PK_FREE_CLASSES];  /* recycled small objects by size / 8 */
    char *bump, *bump_end;     /* small objects are carved from chunks ... */
    void *chunks;              /* ... kept on this list until the runtime ends */
    size_t heap_bytes, heap_live, since_gc, gc_count;
    uint64_t gc_ns;            /* time spent collecting, for stats() */
    uint64_t allocated;        /* bytes allocated before the last collection */
    /* The memory limit of an evaluation (pk_gc.c): after a collection at most
    ** mem_limit bytes may stay live (objects and the digits of big nats), and
    ** at most mem_hard (1.5 times that) may be held, garbage included,
    ** between collections. gc_trigger: collect at a safe point once since_gc
    ** exceeds it. */
    size_t mem_limit, mem_hard, gc_trigger;
    /* explicit evaluation stack (a root) */
    PkVal *stack;
    size_t sp, stack_cap;
    /* handles: values held by Python (roots) */
    PkVal *handles;
    size_t nhandles, handles_cap, free_handle;
    /* mark stack for the collector */
    PkVal *mstack;
    size_t mcap;
    size_t mstack_max;         /* 0, or a cap on mcap (tests of the overflow path) */
    /* error */
    int err;
    PkVal err_op, err_val;     /* roots */
    const char *err_msg;
    char err_buf[200];         /* err_msg of the messages formatted at failure */
    /* evaluation */
    uint64_t poll;             /* countdown to the next signal poll */
    uint64_t steps;
    /* jets */
    struct PkJetEntry *jets;   /* table of accepted (name, hash) */
    size_t njets;
    bool jets_enabled;
    uint64_t jet_calls, jet_matches, jet_mismatches;
    PkVal jet_force;           /* the value a jet asked to force (PK_JET_FORCE);
                               ** reachable from the jet's arguments */
    bool jet_force_deep;
    uint64_t jet_force_at;     /* where that jet stopped, handed back ... */
    uint64_t jet_resume;       /* ... here when it is called again (else 0) */
    PkVal kont[PK_KONT_MAX];   /* internal continuation pins of the higher-order
                               ** jets (pk_jets_hof.c), made on first use; roots */
    /* hooks supplied by the binding */
    int (*blake3)(struct PkRuntime *, const uint8_t *, size_t, uint8_t out[32]);
    int (*trace)(struct PkRuntime *, PkVal);
    int (*poll_signals)(struct PkRuntime *);   /* nonzero: interrupted */
    void *nat_ctor;            /* Python callable: int -> big-nat number (mpz), or NULL */
} PkRuntime;

/* ----- pk_value.c: constructors and arity --------------------------------- */
PkVal pk_value_law(PkRuntime *rt, PkVal name, PkVal arity, PkVal body);  /* body normal */
PkVal pk_value_pin(PkRuntime *rt, PkVal item);                           /* item normal */
PkVal pk_value_clo(PkRuntime *rt, PkVal head, uint64_t rem, uint32_t n, const PkVal *args);
PkVal pk_value_thunk(PkRuntime *rt, PkVal fun, uint32_t n, const PkVal *args);
PkVal pk_value_hole(PkRuntime *rt);
uint64_t pk_value_arity(PkVal v);          /* v in WHNF */
/* apply a WHNF value to n args without evaluating: a closure if unsaturated,
** otherwise a thunk */
PkVal pk_value_apply(PkRuntime *rt, PkVal f, uint32_t n, const PkVal *args);
bool pk_value_is_row(PkVal v, uint64_t *len);
PkVal pk_value_row_get(PkVal v, uint64_t i);   /* index order: 0 is the last arg */
/* A row of n items in index order (items NULL: zeros, to be filled through
** pk_clo(r)->args[n-1-i]); n == 0 gives the empty row {0 1 0}. */
PkVal pk_value_row(PkRuntime *rt, uint64_t n, const PkVal *items);
/* The set law {1 2 keys}; keys must be a row strictly ascending in the _Cmp
** order (the caller guarantees it, so it is not checked again). */
PkVal pk_value_set(PkRuntime *rt, PkVal keys);

/* ----- pk_gc.c ------------------------------------------------------------ */
void *pk_gc_alloc(PkRuntime *rt, int kind, size_t bytes);
void pk_gc_collect(PkRuntime *rt);
/* Set the memory limit (bytes); it also sets when the next collection runs. */
void pk_gc_set_limit(PkRuntime *rt, size_t bytes);
/* Collect after a collection finds more live than the limit: false with
** rt->err = PK_ERR_NOMEM, and the evaluation must stop. */
bool pk_gc_collect_checked(PkRuntime *rt);
/* A safe point: collect when enough was allocated; false when the heap is
** still over the limit afterwards (rt->err set). */
static inline bool pk_gc_safepoint(PkRuntime *rt) {
    if (PK_GC_STRESS || pk_unlikely(rt->since_gc > rt->gc_trigger)) return pk_gc_collect_checked(rt);
    return true;
}
/* May `bytes` more be allocated now (a value about to be made, or the
** digits of a big nat about to be computed)? If not, fail with
** PK_ERR_NOMEM and a message naming `what` and the sizes. */
bool pk_gc_admit(PkRuntime *rt, size_t bytes, const char *what);
/* May a temporary buffer (hashing, seeds) grow to `bytes`? */
bool pk_gc_admit_buffer(PkRuntime *rt, size_t bytes, const char *what);
/* Fail with PK_ERR_NOMEM and "out of memory: " + the formatted message. */
PkVal pk_fail_memory(PkRuntime *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "12.5 MiB": a size for messages, written into buf. */
const char *pk_gc_size_text(char *buf, size_t cap, double bytes);
size_t pk_gc_handle_new(PkRuntime *rt, PkVal v);   /* SIZE_MAX on failure */
void pk_gc_handle_free(PkRuntime *rt, size_t h);
void pk_gc_free_all(PkRuntime *rt);
bool pk_gc_stack_reserve(PkRuntime *rt, size_t n);

/* ----- errors ------------------------------------------------------------- */
static inline PkVal pk_fail(PkRuntime *rt, int err, const char *msg) {
    rt->err = err;
    rt->err_msg = msg;
    return 0;
}
static inline PkVal pk_crash(PkRuntime *rt, PkVal op, PkVal val) {
    rt->err = PK_ERR_CRASH;
    rt->err_op = op;
    rt->err_val = val;
    return 0;
}

#endif
