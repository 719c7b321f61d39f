/*
** pk_eval.h: the evaluator's entry points. Both return 0 on failure with
** rt->err set (and the stack unwound); v must be rooted by the caller.
*/
#ifndef PK_EVAL_H
#define PK_EVAL_H

#include "pk_value.h"

PkVal pk_eval_whnf(PkRuntime *rt, PkVal v);
PkVal pk_eval_normal(PkRuntime *rt, PkVal v);
/* _Try's meaning: the normal form of v as [1 v], or a PLAN crash as [0 [op val]]. */
PkVal pk_eval_catch(PkRuntime *rt, PkVal v);

#endif
