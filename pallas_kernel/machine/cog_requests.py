"""The requests the machine answers itself, because they read or change its
cogs (pallas-machine.md, section 3.2):

``[%cog %spin f]``
    a new cog ``f`` (evaluated, under the time limit): answers its id, the
    next unused one; the cog exists from the asking cog's next event on.
``[%cog %who]``
    the asking cog's id.
``[%cog %stop c]``
    removes ``c`` at once: answers ``(0 entry)`` (its state entry, see
    :mod:`.runtime`), or 0 if there is no cog ``c``.
``[%cog %reap c]``
    waits until ``c`` has finished (no request left) or stopped (crashed,
    timed out), then removes it: ``(0 entry)``; 0 if there is no cog ``c``.
``[%cog %wait c]``
    0 once there is no cog ``c``.
``[%cog %ask dst chan msg]`` and ``[%cog %tell chan f]``
    an ask meets a tell of cog ``dst`` on the same channel: ``f asker msg``
    must give ``[askAnswer tellAnswer]``; the teller gets ``tellAnswer``
    and the asker ``(0 askAnswer)``, in the same round (one commit). If
    ``f`` crashes or runs out of time the asker gets 0 and the tell stays.
``[%what names]``
    answers the set of request names this machine serves, once it differs
    from ``names`` (a program asks to learn of a change).

Malformed ones are answered 0 with a warning, as other devices do.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from .. import plan
from ..plan import Value
from ..plan.view import nat_of, row_items
from .runtime import OK, REMOVED, SPUN, evaluate, logged, row, same, some

if TYPE_CHECKING:
    from .loop import OpenRequest, Runner


def settle(runner: "Runner") -> None:
    """Answer every open ``cog``/``what`` request that can be answered now."""
    waiting = [(where, req) for where, req in runner.open.items() if req.device in ("cog", "what")]
    for where, req in waiting:
        if runner.open.get(where) is req:          # not answered earlier in this pass
            if req.device == "what":
                _what(runner, req)
            else:
                _cog(runner, req)


def _answer(runner: "Runner", req: "OpenRequest", answer: Value, receipt: Value) -> None:
    del runner.open[(req.key.cog, req.key.slot)]
    runner.put_ready(req.key.cog, req.key.slot, answer, receipt)


def _refuse(runner: "Runner", req: "OpenRequest", why: str) -> None:
    runner.warn(f"cog {req.key.cog} slot {req.key.slot}: {why}; answered 0")
    _answer(runner, req, plan.nat(0), logged(0))


def _word(value: Value) -> Optional[str]:
    n = nat_of(value)
    try:
        return plan.to_str(n) if n else None
    except UnicodeDecodeError:
        return None


def _what(runner: "Runner", req: "OpenRequest") -> None:
    args = req.parsed
    if len(args) != 1:
        return _refuse(runner, req, "a what request is [%what names]")
    names = sorted(nat_of(plan.from_str(n)) for n in set(runner.devices) | {"cog", "what"})
    ours = plan.read("%[" + " ".join(str(n) for n in names) + "]").force()
    if not same(args[0], ours):
        _answer(runner, req, ours, logged(ours))


def _cog(runner: "Runner", req: "OpenRequest") -> None:
    args = req.parsed
    verb = _word(args[0]) if args else None
    arity = {"spin": 2, "who": 1, "stop": 2, "reap": 2, "wait": 2, "ask": 4, "tell": 3}
    if verb not in arity or len(args) != arity[verb]:
        return _refuse(runner, req, "a cog request is [%cog %spin f], %who, %stop c, %reap c,"
                                    " %wait c, %ask dst chan msg or %tell chan f")
    if verb == "tell":
        return                                      # answered when an ask meets it
    if verb == "who":
        return _answer(runner, req, plan.nat(req.key.cog), logged(req.key.cog))
    if verb == "spin":
        return _spin(runner, req, args[1])
    if verb == "ask":
        return _ask(runner, req, args[1], args[2], args[3])
    other = nat_of(args[1])
    cogs = runner.machine.cogs
    if other is None:
        return _refuse(runner, req, f"a cog id is a nat, not {plan.show(args[1])}")
    if verb == "wait":
        if other not in cogs:
            _answer(runner, req, plan.nat(0), logged(0))
    elif other not in cogs:
        _answer(runner, req, plan.nat(0), logged(0))
    elif verb == "stop" or runner.machine.finished(other):
        _answer(runner, req, plan.nat(0), row(REMOVED, other))


def _spin(runner: "Runner", req: "OpenRequest", f: Value) -> None:
    outcome, _, op, _ = evaluate(f, runner.machine.time_limit)
    if outcome != OK:
        return _refuse(runner, req, f"the cog to spin did not evaluate ({outcome} {op})")
    new = max(runner.next_cog_id, runner.machine.next_cog_id())    # the owner may have added cogs
    runner.next_cog_id = new + 1
    _answer(runner, req, plan.nat(new), row(SPUN, new))


def _ask(runner: "Runner", req: "OpenRequest", dst: Value, chan: Value, msg: Value) -> None:
    target = nat_of(dst)
    tell = _tell_of(runner, target, chan) if target is not None else None
    if tell is None:
        return
    handler = tell.parsed[2]
    outcome, result, _, _ = evaluate(handler.apply(plan.nat(req.key.cog)).apply(msg),
                                     runner.machine.time_limit)
    pair = row_items(result) if outcome == OK else None
    if pair is None or len(pair) != 2:
        runner.warn(f"cog {target}'s tell on channel {plan.show(chan)} failed for cog"
                    f" {req.key.cog} ({outcome if outcome != OK else 'not [ask tell]'})")
        return _answer(runner, req, plan.nat(0), logged(0))
    _answer(runner, tell, pair[1], logged(pair[1]))
    answer = some(pair[0])
    _answer(runner, req, answer, logged(answer))


def _tell_of(runner: "Runner", cog_id: int, chan: Value) -> Optional["OpenRequest"]:
    """An open tell of ``cog_id`` on channel ``chan`` (the lowest slot)."""
    for (c, _), req in sorted(runner.open.items(), key=lambda kv: kv[0]):
        if (c == cog_id and req.device == "cog" and len(req.parsed) == 3
                and _word(req.parsed[0]) == "tell" and same(req.parsed[1], chan)):
            return req
    return None
