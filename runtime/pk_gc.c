/*
** pk_gc.c: allocation, roots and a mark-and-sweep collector.
**
** Every object is linked on rt->heap. Small ones are carved from 1 MB chunks
** and, once dead, recycled through free lists by size; larger ones are
** malloc'd and freed. Collection never happens
** inside an allocation: it runs only at safe points (pk_gc_safepoint), which
** the evaluator calls at the head of its loop when every live value is on the
** explicit stack. So C code between two safe points may hold raw pointers in
** locals freely. Roots: the evaluation stack, the handle table (values held by
** Python), the pending error value, and the jet table.
**
** Marking is iterative (rt->mstack); it never recurses into values, and it
** cannot fail: when the mark stack cannot grow, the objects that did not fit
** are left marked but unscanned, and a pass over the heap scans every marked
** object again until no push was dropped (see mark_overflowed).
**
** The memory limit (rt->mem_limit, L): what one evaluation may hold. Each
** collection leaves at most L bytes live (objects and big nats' digits),
** or the evaluation stops with PK_ERR_NOMEM; between two collections at
** most 1.5 L may be held, garbage included (rt->mem_hard); and no single
** value larger than L is ever made. Collections come
** sooner as the live heap nears L, so that garbage never causes a failure
** that a collection would have avoided.
**
** Pacing (set_trigger): otherwise a collection comes once the bytes
** allocated since the last one pass the live heap it left (PK_GC_PAUSE
** percent of it), with a floor, so the marking work per byte allocated stays
** bounded as the live heap grows. Chunks are never returned (no page is
** mapped again for the next stretch of garbage); large objects go back to
** malloc.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "pk_value.h"
#include "pk_nat.h"
#include "pk_jet.h"

void pk_law_free_code(struct PkCode *code);

/* A fresh chunk for small objects; its first word links the chunk list. */
static bool new_chunk(PkRuntime *rt) {
    char *c = malloc(PK_CHUNK_BYTES);
    if (!c) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
    *(void **)c = rt->chunks;
    rt->chunks = c;
    rt->bump = c + 16;
    rt->bump_end = c + PK_CHUNK_BYTES;
    return true;
}

/* ----- the memory limit -------------------------------------------------- */

const char *pk_gc_size_text(char *buf, size_t cap, double bytes) {
    static const char *units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    int u = 0;
    while (bytes >= 1024 && u < 6) { bytes /= 1024; u++; }
    snprintf(buf, cap, u ? "%.1f %s" : "%.0f %s", bytes, units[u]);
    return buf;
}

PkVal pk_fail_memory(PkRuntime *rt, const char *fmt, ...) {
    static const char prefix[] = "out of memory: ";
    memcpy(rt->err_buf, prefix, sizeof prefix);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rt->err_buf + sizeof prefix - 1, sizeof rt->err_buf - sizeof prefix + 1, fmt, ap);
    va_end(ap);
    return pk_fail(rt, PK_ERR_NOMEM, rt->err_buf);
}

/* The next collection starts once this much was allocated: PK_GC_PAUSE
** percent of the live heap, at least PK_GC_MIN_BYTES (pk_limits.h), but
** never more than half of what is left under the limit (at least L/64, so a
** heap just under the limit is not collected at every step). */
static void set_trigger(PkRuntime *rt) {
    size_t l = rt->mem_limit, live = rt->heap_live;
    /* live <= 1.5 L and L <= SIZE_MAX / 4: no wrap for a pause up to 200 */
    size_t paced = live / 100 * PK_GC_PAUSE;
    size_t t = paced > PK_GC_MIN_BYTES ? paced : PK_GC_MIN_BYTES;
    size_t room = l > live ? (l - live) / 2 : 0;
    if (room < l / 64) room = l / 64;
    rt->gc_trigger = t < room ? t : room;
}

void pk_gc_set_limit(PkRuntime *rt, size_t bytes) {
    rt->mem_limit = bytes;
    rt->mem_hard = bytes + bytes / 2;
    set_trigger(rt);
    /* A stack grown under a larger limit goes, unless an evaluation is on it. */
    if (rt->sp == 0 && rt->stack_cap > bytes / 2 / sizeof(PkVal)) {
        free(rt->stack);
        rt->stack = NULL;
        rt->stack_cap = 0;
    }
}

/* A value larger than L never fits; otherwise the heap may not pass 1.5 L.
** (The live heap measured at the last collection is not used: it may be
** stale, the values it counted garbage by now.) */
bool pk_gc_admit(PkRuntime *rt, size_t bytes, const char *what) {
    size_t l = rt->mem_limit;
    char a[32], b[32], c[32];
    if (bytes > l)
        return pk_fail_memory(rt, "%s needs %s, over the limit of %s", what,
                              pk_gc_size_text(a, sizeof a, (double)bytes),
                              pk_gc_size_text(b, sizeof b, (double)l)), false;
    if (rt->heap_bytes > rt->mem_hard - bytes)    /* bytes <= l < mem_hard: no wrap */
        return pk_fail_memory(rt, "%s needs %s more, but %s is held since the last collection "
                              "(the limit is %s, and 1.5 times that between collections)", what,
                              pk_gc_size_text(a, sizeof a, (double)bytes),
                              pk_gc_size_text(b, sizeof b, (double)rt->heap_bytes),
                              pk_gc_size_text(c, sizeof c, (double)l)), false;
    return true;
}

bool pk_gc_admit_buffer(PkRuntime *rt, size_t bytes, const char *what) {
    char a[32], b[32];
    if (bytes <= rt->mem_limit) return true;
    pk_fail_memory(rt, "%s needs a buffer of %s, over the limit of %s", what,
                   pk_gc_size_text(a, sizeof a, (double)bytes),
                   pk_gc_size_text(b, sizeof b, (double)rt->mem_limit));
    return false;
}

static const char *kind_what(int kind) {
    switch (kind) {
    case PK_CLO: return "an application (a row or closure)";
    case PK_THUNK: return "a suspended application";
    default: return "a value";
    }
}

/* ----- allocation ------------------------------------------------------------ */

void *pk_gc_alloc(PkRuntime *rt, int kind, size_t bytes) {
    bytes = (bytes + 7) & ~(size_t)7;
    size_t cls = bytes / 8;
    PkObj *o;
    /* Small objects only count towards 1.5 L (a cheap test on the fast path). */
    if (pk_unlikely(cls >= PK_FREE_CLASSES || rt->heap_bytes + bytes > rt->mem_hard) &&
        !pk_gc_admit(rt, bytes, kind_what(kind)))
        return NULL;
    if (cls < PK_FREE_CLASSES) {
        if (rt->free_cells[cls]) {
            o = rt->free_cells[cls];
            rt->free_cells[cls] = o->gc_next;
        } else {
            if (pk_unlikely(rt->bump + bytes > rt->bump_end) && !new_chunk(rt)) return NULL;
            o = (PkObj *)rt->bump;
            rt->bump += bytes;
        }
    } else {
        o = malloc(bytes);
        if (pk_unlikely(!o)) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return NULL; }
    }
    o->gc_next = rt->heap;
    o->kind = (uint8_t)kind;
    o->mark = 0;
    o->flags = 0;
    o->shape = 0;
    o->n = 0;
    rt->heap = o;
    rt->heap_bytes += bytes;
    rt->since_gc += bytes;
    return o;
}

/* The allocated size, rounded as pk_gc_alloc rounds it. A thunk keeps its
** size when it turns into an indirection, since n is kept. */
static size_t obj_size(PkObj *o) {
    size_t b;
    switch (o->kind) {
    case PK_BIG: b = sizeof(PkBig); break;     /* the digits: big_bytes */
    case PK_PIN: b = sizeof(PkPin); break;
    case PK_LAW: b = sizeof(PkLaw); break;
    case PK_CLO: b = sizeof(PkClo) + o->n * sizeof(PkVal); break;
    default:     b = sizeof(PkThunk) + o->n * sizeof(PkVal); break;
    }
    return (b + 7) & ~(size_t)7;
}

/* The memory a big nat's digits take beyond its object: what the memory
** limit counts for it (the number's own header is left out). */
static size_t big_bytes(PkObj *o) { return (size_t)((((PkBig *)o)->bits + 63) / 64 * 8); }

/* ----- marking ------------------------------------------------------------ */

/* Set when a push was dropped because the mark stack could not grow. */
static bool mark_overflowed;

static void mark_from(PkRuntime *rt, size_t *top, PkVal v) {
    if (v == 0 || pk_is_small(v) || pk_obj(v)->mark) return;
    pk_obj(v)->mark = 1;
    if (*top == rt->mcap) {
        size_t cap = rt->mcap ? rt->mcap * 2 : 4096;
        if (rt->mstack_max && cap > rt->mstack_max) cap = rt->mstack_max;   /* a test's cap */
        PkVal *s = cap > rt->mcap ? realloc(rt->mstack, cap * sizeof(PkVal)) : NULL;
        /* A collection cannot stop half way (marks would be left set), so
        ** instead of failing it leaves v marked but unscanned, and the heap
        ** pass of collect() scans it later. */
        if (!s) { mark_overflowed = true; return; }
        rt->mstack = s;
        rt->mcap = cap;
    }
    rt->mstack[(*top)++] = v;
}

static void mark_children(PkRuntime *rt, size_t *top, PkObj *o) {
    switch (o->kind) {
    case PK_PIN: mark_from(rt, top, ((PkPin *)o)->item); break;
    case PK_LAW: {
        PkLaw *l = (PkLaw *)o;
        mark_from(rt, top, l->name);
        mark_from(rt, top, l->arity_val);
        mark_from(rt, top, l->body);
        break;
    }
    case PK_CLO: {
        PkClo *c = (PkClo *)o;
        mark_from(rt, top, c->head);
        for (uint32_t i = 0; i < o->n; i++) mark_from(rt, top, c->args[i]);
        break;
    }
    case PK_THUNK: case PK_BUSY: case PK_IND: {
        PkThunk *t = (PkThunk *)o;
        mark_from(rt, top, t->fun);
        if (o->kind != PK_IND)
            for (uint32_t i = 0; i < o->n; i++) mark_from(rt, top, t->args[i]);
        break;
    }
    default: break;
    }
}

static uint64_t now_ns(void) {
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);   /* C11; a wall clock, fine for a counter */
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void pk_gc_collect(PkRuntime *rt) {
    uint64_t start = now_ns();    /* collections are rare: the clock costs nothing */
    size_t top = 0;
    for (size_t i = 0; i < rt->sp; i++) mark_from(rt, &top, rt->stack[i]);
    for (size_t i = 0; i < rt->nhandles; i++) mark_from(rt, &top, rt->handles[i]);
    mark_from(rt, &top, rt->err_op);
    mark_from(rt, &top, rt->err_val);
    for (size_t i = 0; i < rt->njets; i++) mark_from(rt, &top, rt->jets[i].name);
    for (size_t i = 0; i < PK_KONT_MAX; i++) mark_from(rt, &top, rt->kont[i]);
    while (top) mark_children(rt, &top, pk_obj(rt->mstack[--top]));
    /* Pushes were dropped: scan every marked object again (its children
    ** that are marked already are skipped), until none is dropped. Each
    ** pass marks at least one more object, so this ends. */
    while (mark_overflowed) {
        mark_overflowed = false;
        for (PkObj *o = rt->heap; o; o = o->gc_next) {
            if (!o->mark) continue;
            mark_children(rt, &top, o);
            while (top) mark_children(rt, &top, pk_obj(rt->mstack[--top]));
        }
    }

    size_t live = 0;
    PkObj **link = &rt->heap;
    while (*link) {
        PkObj *o = *link;
        if (o->mark) {
            o->mark = 0;
            live += obj_size(o) + (o->kind == PK_BIG ? big_bytes(o) : 0);
            link = &o->gc_next;
            continue;
        }
        *link = o->gc_next;
        if (o->kind == PK_BIG) pk_nat_release((PkVal)o);
        else if (o->kind == PK_LAW && ((PkLaw *)o)->code) pk_law_free_code(((PkLaw *)o)->code);
        size_t cls = obj_size(o) / 8;
        if (cls < PK_FREE_CLASSES) {
            o->gc_next = rt->free_cells[cls];
            rt->free_cells[cls] = o;
        } else {
            free(o);
        }
    }
    rt->heap_bytes = rt->heap_live = live;
    rt->allocated += rt->since_gc;
    rt->since_gc = 0;
    rt->gc_count++;
    rt->gc_ns += now_ns() - start;
    set_trigger(rt);
}

bool pk_gc_collect_checked(PkRuntime *rt) {
    pk_gc_collect(rt);
    if (pk_likely(rt->heap_live <= rt->mem_limit)) return true;
    char a[32], b[32];
    pk_fail_memory(rt, "%s is still live after a collection, over the limit of %s",
                   pk_gc_size_text(a, sizeof a, (double)rt->heap_live),
                   pk_gc_size_text(b, sizeof b, (double)rt->mem_limit));
    return false;
}

void pk_gc_free_all(PkRuntime *rt) {
    PkObj *o = rt->heap;
    while (o) {
        PkObj *next = o->gc_next;
        if (o->kind == PK_BIG) pk_nat_release((PkVal)o);
        else if (o->kind == PK_LAW && ((PkLaw *)o)->code) pk_law_free_code(((PkLaw *)o)->code);
        if (obj_size(o) / 8 >= PK_FREE_CLASSES) free(o);   /* small ones live in chunks */
        o = next;
    }
    rt->heap = NULL;
    while (rt->chunks) {
        void *next = *(void **)rt->chunks;
        free(rt->chunks);
        rt->chunks = next;
    }
    rt->bump = rt->bump_end = NULL;
    for (size_t c = 0; c < PK_FREE_CLASSES; c++) rt->free_cells[c] = NULL;
    free(rt->stack);
    free(rt->handles);
    free(rt->mstack);
    rt->stack = rt->handles = rt->mstack = NULL;
}

/* ----- handles and the stack ---------------------------------------------- */

/* Free handle slots hold small nats chaining the free list: pk_small(next+1),
** with pk_small(0) ending it, so the collector can scan the table blindly. */
size_t pk_gc_handle_new(PkRuntime *rt, PkVal v) {
    size_t h;
    if (rt->free_handle) {
        h = rt->free_handle - 1;
        rt->free_handle = pk_small_val(rt->handles[h]);
    } else {
        if (rt->nhandles == rt->handles_cap) {
            size_t cap = rt->handles_cap ? rt->handles_cap * 2 : 1024;
            PkVal *t = realloc(rt->handles, cap * sizeof(PkVal));
            if (!t) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return SIZE_MAX; }
            rt->handles = t;
            rt->handles_cap = cap;
        }
        h = rt->nhandles++;
    }
    rt->handles[h] = v;
    return h;
}

void pk_gc_handle_free(PkRuntime *rt, size_t h) {
    rt->handles[h] = pk_small(rt->free_handle);
    rt->free_handle = h + 1;
}

bool pk_gc_stack_reserve(PkRuntime *rt, size_t n) {
    if (pk_likely(rt->sp + n <= rt->stack_cap)) return true;
    /* The stack may take at most half the memory limit, as well. */
    size_t max = rt->mem_limit / 2 / sizeof(PkVal);
    if (max > PK_STACK_MAX) max = PK_STACK_MAX;
    if (rt->sp + n > max) { pk_fail(rt, PK_ERR_STACK, "evaluation stack limit reached"); return false; }
    size_t cap = rt->stack_cap ? rt->stack_cap : 4096;
    while (cap < rt->sp + n) cap *= 2;
    if (cap > max) cap = max;
    PkVal *s = realloc(rt->stack, cap * sizeof(PkVal));
    if (!s) { pk_fail(rt, PK_ERR_NOMEM, "out of memory"); return false; }
    rt->stack = s;
    rt->stack_cap = cap;
    return true;
}
