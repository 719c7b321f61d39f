/*
** pk_limits.h: build knobs and small helpers shared by every file of the core.
**
** Nothing here depends on Python or on the value representation.
*/
#ifndef PK_LIMITS_H
#define PK_LIMITS_H

#include <stddef.h>
#include <stdint.h>

#define pk_likely(x)   __builtin_expect(!!(x), 1)
#define pk_unlikely(x) __builtin_expect(!!(x), 0)


/* The explicit evaluation stack may grow to this many words (8 bytes each)
** before evaluation fails with a stack error instead of exhausting memory. */
#ifndef PK_STACK_MAX
#define PK_STACK_MAX ((size_t)1 << 28)
#endif

/* Pacing (as Lua's `pause`): a collection starts at a safe point once the
** bytes allocated since the last one pass PK_GC_PAUSE percent of the live
** heap that collection left, so marking costs a bounded amount per byte
** allocated however large the live heap grows; but never before
** PK_GC_MIN_BYTES, so a small heap is not collected constantly. The floor
** stays at 64 MB: a collection costs more than its live bytes suggest
** (marking, and a sweep of every object in list order, a cache miss each:
** 8-20 ms with the prelude's 7.7 MB live), so with 16 MB a tab of 4x10^4
** inserts with the prelude loaded spent 13.7 s collecting instead of 2.6 s
** (stats()["gc_seconds"]); a fresh process did peak lower, 86 MB instead
** of 113 for a fold of 10^6, for no time gained. */
#ifndef PK_GC_PAUSE
#define PK_GC_PAUSE 100
#endif
#ifndef PK_GC_MIN_BYTES
#define PK_GC_MIN_BYTES ((size_t)64 << 20)
#endif

/* PK_GC_STRESS: collect at every safe point, to flush out unrooted values. */
#ifndef PK_GC_STRESS
#define PK_GC_STRESS 0
#endif

/* Objects of up to 8 * (PK_FREE_CLASSES - 1) bytes are recycled through free
** lists by size instead of going back to malloc. The stress build recycles
** nothing, so AddressSanitizer sees every use after a free. */
#if PK_GC_STRESS
#define PK_FREE_CLASSES 1
#else
#define PK_FREE_CLASSES 17
#endif

/* Small objects come from chunks of this many bytes. */
#define PK_CHUNK_BYTES ((size_t)1 << 20)

/* Steps between two polls for signals (Ctrl-C, Jupyter interrupt); polls are
** also where the evaluator may collect. */
#ifndef PK_POLL_STEPS
#if PK_GC_STRESS
#define PK_POLL_STEPS 1
#else
#define PK_POLL_STEPS 4096
#endif
#endif

/* Slots for the internal continuation pins of higher-order jets. */
#define PK_KONT_MAX 16

#endif
