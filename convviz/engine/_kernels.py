"""The compiled loops behind the public engine functions.

Compiled on first use, one loop at a time: :mod:`convviz.engine.correlate`
picks the loop for a kernel's shape and options in plain Python, and each
public ``block_*`` function below compiles only the helpers it calls. (A
dispatch inside compiled code, as an earlier version had, made the first call
compile every shape's loop: 41 variants, 37 s of CPU on a first launch.)

Helpers called from several entry points are ``inline="always"``: inlined
in numba's IR, they add no compile unit of their own (each costs about 0.3 s
of CPU to compile, whatever its size); every loop together (seven compiled
variants) compiles in 4.3-6.6 s of CPU with an empty cache on a loaded 2-core
box, about 0.8x what the former eight took in the same minutes (5.6-7.8 s;
``benchmarks/bench_engine.py --compile``, run alternately).

Rules that keep numba's on-disk cache honest:
- functions only, no module globals read inside a jitted function (the cache
  would freeze their values);
- one Python function per option set (numba issue 6845: two ``njit`` wrappers
  of one Python function with different options share one cache entry);
- inputs arrive as read-only C-contiguous views and scalars as the output's
  dtype, so each loop has exactly one signature per dtype (a writeable and a
  read-only array are different numba types, each its own compile).

Nothing here runs in parallel by itself: every ``block_*`` function computes
the output rows ``i0:i1`` with the GIL released, and
:mod:`convviz.engine._pool` hands blocks of rows to threads (see there why
not numba's ``parallel=True``).

Rules that keep the loops fast (each one measured, see
``benchmarks/bench_engine.py``):
- the innermost loop runs along an output row with unit stride, so LLVM
  vectorises it; arrays are indexed 2-D (``Xp[r, j + 2]``) rather than through
  row views, because every view costs two atomic reference-count updates,
  which on small rows cost more than the arithmetic;
- column offsets are constants, or unsigned (``np.uint64``) when they are only
  known at run time: numba wraps negative indices around, and that check on a
  signed ``j + c`` stops LLVM from vectorising the loop;
- no float literals mixed into float32 arithmetic (numba would promote it to
  float64): float32 in, float32 sums out.

Every function takes an input that is already padded, so padding is handled
once in :mod:`convviz.engine.correlate` and never here.
"""

from __future__ import annotations

import platform
import threading
import time

import numpy as np
from llvmlite import ir as llvmir
from numba import config, njit
from numba.core import cgutils, types
from numba.extending import intrinsic


# ----------------------------------------------------------- sharing blocks
@intrinsic
def _claim(typingctx, state):  # pragma: no cover - compiled
    """``state[0] += 1`` as one atomic step; the value before. Claims the next block.

    The threads sharing a call each run the same ``block_*`` function with
    the same ``state``; each block goes to exactly one of them, and a thread
    takes its next block without going back to Python (where it would need
    the GIL, and a descheduled thread holding the GIL stalls every other).
    """
    if not (isinstance(state, types.Array) and state.dtype == types.int64):
        return None
    sig = types.int64(state)

    def codegen(context, builder, signature, args):
        aryty = signature.args[0]
        ary = context.make_array(aryty)(context, builder, args[0])
        zero = context.get_constant(types.intp, 0)
        ptr = cgutils.get_item_pointer(context, builder, aryty, ary, [zero])
        one = context.get_constant(types.int64, 1)
        return builder.atomic_rmw("add", ptr, one, "monotonic")

    return sig, codegen


def _claim_python(state):
    """:func:`_claim` without numba, one thread at a time (NUMBA_DISABLE_JIT)."""
    b = int(state[0])
    state[0] += 1
    return b


if config.DISABLE_JIT:  # pure Python (tests compare it with the compiled loops)
    _claim = _claim_python


# ------------------------------------------------- handing a job to a helper
# The row pool's helper threads wait for a job by spinning here for a short
# while after each shared call, before they go to sleep (see ``_pool``). Waking
# a sleeping thread cost 70-80 us on this 2-core VM, and the waker 30 us more,
# in a call of 350 us; a helper still spinning starts within a microsecond or
# two. These are the atomic operations that protocol needs, on an int64 array
# (the pool's "box"; slots in ``_pool``).
def _slot(context, builder, aryty, ary, index, indexty):
    arr = context.make_array(aryty)(context, builder, ary)
    i = context.cast(builder, index, indexty, types.intp)
    return cgutils.get_item_pointer(context, builder, aryty, arr, [i])


def _int64_box(box):
    return isinstance(box, types.Array) and box.dtype == types.int64 and box.ndim == 1


@intrinsic
def _load(typingctx, box, index):  # pragma: no cover - compiled
    """``box[index]``, read anew from memory every time (never kept in a register)."""
    if not _int64_box(box) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        ptr = _slot(context, builder, signature.args[0], args[0], args[1], signature.args[1])
        return builder.load_atomic(ptr, "acquire", 8)

    return types.int64(box, index), codegen


def _rmw(op):
    def typer(typingctx, box, index, value):  # pragma: no cover - compiled
        if not _int64_box(box) or not isinstance(index, types.Integer):
            return None
        if not isinstance(value, types.Integer):
            return None

        def codegen(context, builder, signature, args):
            ptr = _slot(context, builder, signature.args[0], args[0], args[1], signature.args[1])
            v = context.cast(builder, args[2], signature.args[2], types.int64)
            return builder.atomic_rmw(op, ptr, v, "seq_cst")

        return types.int64(box, index, value), codegen

    return intrinsic(typer)


#: ``box[index] += value`` / ``box[index] = value`` as one atomic step (a full
#: fence too); the value before.
_add = _rmw("add")
_swap = _rmw("xchg")


@intrinsic
def _cas(typingctx, box, index, expected, new):  # pragma: no cover - compiled
    """``box[index] = new`` if it holds ``expected``, as one atomic step; whether it did."""
    if not _int64_box(box) or not isinstance(index, types.Integer):
        return None

    def codegen(context, builder, signature, args):
        ptr = _slot(context, builder, signature.args[0], args[0], args[1], signature.args[1])
        exp = context.cast(builder, args[2], signature.args[2], types.int64)
        new = context.cast(builder, args[3], signature.args[3], types.int64)
        pair = builder.cmpxchg(ptr, exp, new, "seq_cst", "seq_cst")
        return builder.extract_value(pair, 1)

    return types.boolean(box, index, expected, new), codegen


_X86 = platform.machine().lower() in ("x86_64", "amd64", "i386", "i686", "x86")


@intrinsic
def _cycles(typingctx):  # pragma: no cover - compiled
    """The CPU's time-stamp counter (x86: ``rdtsc``); a spinning thread's clock.

    0 elsewhere: LLVM's cycle counter reads a register user code may not read on
    some ARM systems. With no counter and no budget (see ``SPINS``) every spin
    ends after its first 64 turns.
    """

    def codegen(context, builder, signature, args):
        if not _X86:
            return context.get_constant(types.int64, 0)
        fnty = llvmir.FunctionType(llvmir.IntType(64), [])
        fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.readcyclecounter")
        return builder.call(fn, [])

    return types.int64(), codegen


@intrinsic
def _pause(typingctx):  # pragma: no cover - compiled
    """x86 ``pause``: spin without starving the other hyperthread or the memory bus."""

    def codegen(context, builder, signature, args):
        if _X86:
            fnty = llvmir.FunctionType(llvmir.VoidType(), [])
            fn = cgutils.get_or_insert_function(builder.module, fnty, "llvm.x86.sse2.pause")
            builder.call(fn, [])
        return context.get_dummy_value()

    return types.none(), codegen


@njit(cache=True, nogil=True)
def pool_sync(box, op, a, b):  # pragma: no cover - compiled
    """One step of the row pool's hand-over protocol (``_pool`` holds the slot names).

    Slots: 0 the blocks' counter and 1 the not-finite flag (the loops' ``state``),
    8 the generation of the newest job, 9 who entered it (generation * 1024 +
    helpers in, + 512 once the caller closed it), 10 the helpers that left it,
    11 the spin budget in time-stamp cycles, 16 + k helper k asleep.
    op 1, helper ``b & 65535`` waits for a job newer than generation ``a``
      (first leaving the last one if ``b >> 16``): spins up to the budget, then
      marks itself asleep; the new generation, or -1 (then sleep).
    op 2, a helper enters job ``a``: 1, or 0 if it is closed or gone.
    op 3, the caller publishes job ``a``: a mask of the ``b`` helpers asleep.
    op 4, the caller closes its job and spins up to the budget for the helpers
      in it to leave: how many entered (10000 added if some have not left yet).
    op 5, how many of the ``a`` that entered have not left.
    op 6, helper ``a`` is awake.
    op 7, the time-stamp counter now (the pool measures its rate; 0 off x86).
    """
    if op == 1:
        me = b & 65535
        if b >> 16:
            _add(box, 10, 1)
        budget = box[11]
        t0 = _cycles()
        n = 0
        while True:
            g = _load(box, 8)
            if g != a:
                # a new job: spin on (briefly) until the caller is in its compiled
                # loop, so that the GIL is free when this thread returns to Python
                m = 0
                while _load(box, 0) == 0 and m < 4096:
                    _pause()
                    m += 1
                return g
            n += 1
            if (n & 63) == 0 and _cycles() - t0 >= budget:
                break
            _pause()
        _swap(box, 16 + me, 1)
        g = _load(box, 8)  # after the swap: a job published later sees this helper asleep
        if g != a:
            _swap(box, 16 + me, 0)
            return g
        return -1
    if op == 2:
        while True:
            w = _load(box, 9)
            if (w >> 10) != a or (w & 512) != 0:
                return 0
            if _cas(box, 9, w, w + 1):
                return 1
    if op == 3:
        box[0] = 0
        box[1] = 0
        box[10] = 0
        box[9] = a << 10
        _swap(box, 8, a)
        asleep = 0
        for k in range(b):
            if _load(box, 16 + k) != 0:
                asleep |= 1 << k
        return asleep
    if op == 4:
        while True:
            w = _load(box, 9)
            if _cas(box, 9, w, w | 512):
                break
        entered = w & 511
        budget = box[11]
        t0 = _cycles()
        n = 0
        while _load(box, 10) < entered:
            n += 1
            if (n & 63) == 0 and _cycles() - t0 >= budget:
                return entered + 10000
            _pause()
        return entered
    if op == 5:
        return a - _load(box, 10)
    if op == 6:
        _swap(box, 16 + a, 0)
        return 0
    if op == 7:
        return _cycles()
    return -2


#: Whether helpers spin for the next job (compiled, on x86: ``pause`` and a
#: time-stamp counter); otherwise they sleep as soon as a job is done.
SPINS = _X86 and not config.DISABLE_JIT

_sync_lock = threading.Lock()


def _pool_sync_python(box, op, a, b):
    """:func:`pool_sync` without numba (NUMBA_DISABLE_JIT): the same steps under a
    lock, never spinning (a spinning thread would hold the GIL)."""
    with _sync_lock:
        if op == 1:
            if b >> 16:
                box[10] += 1
            if box[8] != a:
                return int(box[8])
            box[16 + (b & 65535)] = 1
            return -1
        if op == 2:
            w = int(box[9])
            if (w >> 10) != a or w & 512:
                return 0
            box[9] = w + 1
            return 1
        if op == 3:
            box[0] = box[1] = box[10] = 0
            box[9] = a << 10
            box[8] = a
            return sum(1 << k for k in range(b) if box[16 + k])
        if op == 4:
            box[9] |= 512
            entered = int(box[9]) & 511
            return entered + (10000 if box[10] < entered else 0)
        if op == 5:
            return a - int(box[10])
        if op == 6:
            box[16 + a] = 0
            return 0
        if op == 7:
            return time.perf_counter_ns()
        return -2


if config.DISABLE_JIT:
    pool_sync = _pool_sync_python


# ------------------------------------------------------- bias and overflow
@njit(cache=True, nogil=True, inline="always")
def _finish_rows(out, i0, i1, bias):  # pragma: no cover - compiled
    """Add ``bias`` to rows ``i0:i1`` and say whether they are all finite.

    Run on each block right after it is computed, while its rows are still
    in cache: the overflow check costs far less than a pass over the whole
    output would. ``v - v`` is NaN exactly when ``v`` is inf or NaN, and an
    OR of comparisons vectorises where a float sum would not. The bias is
    added even when it is 0 (one loop, not two, is less to compile; it also
    turns -0.0 into 0.0, which a student would otherwise see as "-0").
    """
    ow = out.shape[1]
    bad = False
    for i in range(i0, i1):
        for j in range(ow):
            v = out[i, j] + bias
            out[i, j] = v
            d = v - v
            bad |= d != d
    return not bad


@njit(cache=True, nogil=True, inline="always")
def _rows_finite(out, i0, i1):  # pragma: no cover - compiled
    """Whether rows ``i0:i1`` are all finite, for loops that summed from the bias already."""
    ow = out.shape[1]
    bad = False
    for i in range(i0, i1):
        for j in range(ow):
            d = out[i, j] - out[i, j]
            bad |= d != d
    return not bad


# ------------------------------------------------------ general: any options
@njit(cache=True, nogil=True, inline="always")
def _general_rows(Xp, K, sh, sw, dh, dw, out, i0, i1):  # pragma: no cover - compiled
    """Rows ``i0:i1`` of a strided/dilated correlation, one tap at a time.

    Each tap is a pass along the output row; for ``sw == 1`` it reads the
    input contiguously and vectorises.
    """
    kh, kw = K.shape
    ow = out.shape[1]
    owu = np.uint64(ow)
    swu = np.uint64(sw)
    for i in range(i0, i1):
        for j in range(ow):
            out[i, j] = 0
        for a in range(kh):
            r = i * sh + a * dh
            for c in range(kw):
                k = K[a, c]
                off = np.uint64(c * dw)
                if sw == 1:
                    for j in range(owu):
                        out[i, j] += k * Xp[r, j + off]
                else:
                    for j in range(owu):
                        out[i, j] += k * Xp[r, j * swu + off]


@njit(cache=True, nogil=True)
def block_general(Xp, K, sh, sw, dh, dw, out, rows, state, bias):  # pragma: no cover - compiled
    """Blocks of a strided/dilated correlation plus bias, as in :func:`block_3x3`."""
    oh = out.shape[0]
    nb = (oh + rows - 1) // rows
    done = 0
    while True:
        b = _claim(state)
        if b >= nb:
            return done
        done += 1
        i0 = b * rows
        i1 = min(oh, i0 + rows)
        _general_rows(Xp, K, sh, sw, dh, dw, out, i0, i1)
        if not _finish_rows(out, i0, i1, bias):
            state[1] = 1


# ------------------------------------------- stride 1, dilation 1: fast paths
# 3x3, the commonest filter, has its own loop: one pass over the output, the
# taps unrolled so the running sum stays in a register, and four output rows
# per pass so input rows shared by neighbouring outputs are loaded once: it
# loads each input value 1.5 times instead of 3, which is what makes it faster
# than OpenCV. It is compiled for float32 only, the large pictures' dtype:
# float64 3x3 (the small grids on screen) takes block_any, same bits, 2x the
# time at 1024^2 (1.27 ms against 0.62 on one thread), 0.7 s less to compile.
# Kernels 7 columns wide take a loop of their own on float32 (the
# large pictures' dtype; compiled only when such a kernel is first used): one
# pass per kernel row with constant column offsets, 1.25x as fast as the
# generic loop at 1024^2 7x7 (1.4x the generic loop before FMA). A 5-wide
# twin was 1.3x as fast at 5x5 too, but its 0.55 s of compile time did not
# fit the 8 s budget of every loop. Every other shape takes ``block_any``:
# measured, the former 1x2, 2x1, 2x2 and w3 specialisations were within 10 %
# of it, and each cost about a second of compile time per dtype.
#
# The stride-1 loops multiply-add with fused multiply-adds
# (``fastmath={"contract"}``, nothing else: no reassociation, NaN and inf kept):
# one rounding where there were two, so integer-valued examples stay exact
# (every product and partial sum is an integer either way) and float results
# move by at most an ulp or so. It makes 7x7 1.1x (generic) to 1.17x (w7) as
# fast: numba's loops use 256-bit vectors on this CPU, and 7x7 is bound by
# its multiply-adds and unaligned loads.
# The loop bodies sit in the ``block_*`` functions themselves: a separate
# wrapper costs a third of a second more to compile.


@njit(cache=True, nogil=True, fastmath={"contract"})
def block_3x3(Xp, K, out, rows, state, bias):  # pragma: no cover - compiled
    """Blocks of ``rows`` output rows of a stride-1 3x3 correlation, plus bias.

    Takes blocks until none is left (see :func:`_claim`); sets ``state[1]``
    if a value came out inf or NaN (and, rarely, when four finite values near
    the dtype's limit sum to inf: the caller confirms with ``np.isfinite``).
    Returns how many blocks this thread did.
    The bias and the finite check (as in :func:`_finish_rows`) are done as
    each value is stored, not in a second pass: with FMA, 1024^2 float32 in
    0.33 ns a cell instead of 0.43 on one thread (348 us against 444; a numpy
    copy of the picture takes 285 us: the loop is near one core's bandwidth).
    """
    oh = out.shape[0]
    ow = out.shape[1]
    nb = (oh + rows - 1) // rows
    k00 = K[0, 0]
    k01 = K[0, 1]
    k02 = K[0, 2]
    k10 = K[1, 0]
    k11 = K[1, 1]
    k12 = K[1, 2]
    k20 = K[2, 0]
    k21 = K[2, 1]
    k22 = K[2, 2]
    done = 0
    bad = False
    while True:
        b = _claim(state)
        if b >= nb:
            break
        done += 1
        i0 = b * rows
        i1 = min(oh, i0 + rows)
        i = i0
        while i + 4 <= i1:  # four output rows from six input rows: 4.5 loads a cell, not 9
            for j in range(ow):
                a0 = Xp[i, j]
                a1 = Xp[i, j + 1]
                a2 = Xp[i, j + 2]
                b0 = Xp[i + 1, j]
                b1 = Xp[i + 1, j + 1]
                b2 = Xp[i + 1, j + 2]
                c0 = Xp[i + 2, j]
                c1 = Xp[i + 2, j + 1]
                c2 = Xp[i + 2, j + 2]
                d0 = Xp[i + 3, j]
                d1 = Xp[i + 3, j + 1]
                d2 = Xp[i + 3, j + 2]
                e0 = Xp[i + 4, j]
                e1 = Xp[i + 4, j + 1]
                e2 = Xp[i + 4, j + 2]
                f0 = Xp[i + 5, j]
                f1 = Xp[i + 5, j + 1]
                f2 = Xp[i + 5, j + 2]
                # one chain of fused multiply-adds per cell, from the bias: 9
                # operations a cell where row sums added up after took 12
                v0 = bias + a0 * k00 + a1 * k01 + a2 * k02 + b0 * k10 + b1 * k11
                v0 = v0 + b2 * k12 + c0 * k20 + c1 * k21 + c2 * k22
                v1 = bias + b0 * k00 + b1 * k01 + b2 * k02 + c0 * k10 + c1 * k11
                v1 = v1 + c2 * k12 + d0 * k20 + d1 * k21 + d2 * k22
                v2 = bias + c0 * k00 + c1 * k01 + c2 * k02 + d0 * k10 + d1 * k11
                v2 = v2 + d2 * k12 + e0 * k20 + e1 * k21 + e2 * k22
                v3 = bias + d0 * k00 + d1 * k01 + d2 * k02 + e0 * k10 + e1 * k11
                v3 = v3 + e2 * k12 + f0 * k20 + f1 * k21 + f2 * k22
                out[i, j] = v0
                out[i + 1, j] = v1
                out[i + 2, j] = v2
                out[i + 3, j] = v3
                s = (v0 + v1) + (v2 + v3)  # inf or NaN if one of them is (or, rarely, overflow)
                d = s - s
                bad |= d != d
            i += 4
        while i < i1:
            for j in range(ow):
                v = bias + Xp[i, j] * k00 + Xp[i, j + 1] * k01 + Xp[i, j + 2] * k02
                v = v + Xp[i + 1, j] * k10 + Xp[i + 1, j + 1] * k11 + Xp[i + 1, j + 2] * k12
                v = v + Xp[i + 2, j] * k20 + Xp[i + 2, j + 1] * k21 + Xp[i + 2, j + 2] * k22
                out[i, j] = v
                d = v - v
                bad |= d != d
            i += 1
    if bad:
        state[1] = 1
    return done


@njit(cache=True, nogil=True, fastmath={"contract"})
def block_w7(Xp, K, out, rows, state, bias):  # pragma: no cover - compiled
    """Blocks of a stride-1 correlation with a kernel 7 columns wide (any height), plus bias.

    One pass along the output row per kernel row, the seven column offsets
    constants. Blocks and ``state`` as in :func:`block_3x3`.
    """
    oh = out.shape[0]
    nb = (oh + rows - 1) // rows
    done = 0
    while True:
        b = _claim(state)
        if b >= nb:
            return done
        done += 1
        i0 = b * rows
        i1 = min(oh, i0 + rows)
        kh = K.shape[0]
        ow = out.shape[1]
        for i in range(i0, i1):
            for a in range(kh):
                r = i + a
                k0 = K[a, 0]
                k1 = K[a, 1]
                k2 = K[a, 2]
                k3 = K[a, 3]
                k4 = K[a, 4]
                k5 = K[a, 5]
                k6 = K[a, 6]
                if a == 0:  # from the bias: one FMA a tap (see block_3x3)
                    for j in range(ow):
                        out[i, j] = (
                            bias
                            + Xp[r, j] * k0
                            + Xp[r, j + 1] * k1
                            + Xp[r, j + 2] * k2
                            + Xp[r, j + 3] * k3
                            + Xp[r, j + 4] * k4
                            + Xp[r, j + 5] * k5
                            + Xp[r, j + 6] * k6
                        )
                else:
                    for j in range(ow):
                        out[i, j] = (
                            out[i, j]
                            + Xp[r, j] * k0
                            + Xp[r, j + 1] * k1
                            + Xp[r, j + 2] * k2
                            + Xp[r, j + 3] * k3
                            + Xp[r, j + 4] * k4
                            + Xp[r, j + 5] * k5
                            + Xp[r, j + 6] * k6
                        )
        if not _rows_finite(out, i0, i1):
            state[1] = 1


@njit(cache=True, nogil=True, fastmath={"contract"})
def block_any(Xp, K, out, rows, state, bias):  # pragma: no cover - compiled
    """Blocks of ``rows`` output rows of a stride-1 correlation, any kernel, plus bias.

    Each kernel row in passes of up to four unrolled columns. The column
    offset is only known at run time, so it is unsigned (see the module
    notes) to keep the loop vectorised. Blocks and ``state`` as in
    :func:`block_3x3`.
    """
    oh = out.shape[0]
    nb = (oh + rows - 1) // rows
    done = 0
    while True:
        b = _claim(state)
        if b >= nb:
            return done
        done += 1
        i0 = b * rows
        i1 = min(oh, i0 + rows)
        kh, kw = K.shape
        ow = out.shape[1]
        owu = np.uint64(ow)
        one = np.uint64(1)
        for i in range(i0, i1):
            for j in range(ow):
                out[i, j] = bias  # summed from the bias: one FMA a tap (see block_3x3)
            for a in range(kh):
                r = i + a
                c = 0
                while c < kw:
                    n = min(kw - c, 4)
                    u0 = np.uint64(c)
                    u1 = u0 + one
                    u2 = u1 + one
                    u3 = u2 + one
                    if n == 4:
                        k0 = K[a, c]
                        k1 = K[a, c + 1]
                        k2 = K[a, c + 2]
                        k3 = K[a, c + 3]
                        for j in range(owu):
                            out[i, j] = (
                                out[i, j]
                                + Xp[r, j + u0] * k0
                                + Xp[r, j + u1] * k1
                                + Xp[r, j + u2] * k2
                                + Xp[r, j + u3] * k3
                            )
                    elif n == 3:
                        k0 = K[a, c]
                        k1 = K[a, c + 1]
                        k2 = K[a, c + 2]
                        for j in range(owu):
                            out[i, j] = (
                                out[i, j]
                                + Xp[r, j + u0] * k0
                                + Xp[r, j + u1] * k1
                                + Xp[r, j + u2] * k2
                            )
                    elif n == 2:
                        k0 = K[a, c]
                        k1 = K[a, c + 1]
                        for j in range(owu):
                            out[i, j] = out[i, j] + Xp[r, j + u0] * k0 + Xp[r, j + u1] * k1
                    else:
                        k0 = K[a, c]
                        for j in range(owu):
                            out[i, j] += Xp[r, j + u0] * k0
                    c += n
        if not _rows_finite(out, i0, i1):
            state[1] = 1


# ---------------------------------------------------------------- learning
@njit(cache=True, nogil=True, inline="always")
def _kernel_grad(Xp, dY, kh, kw, sh, sw, dh, dw, out):  # pragma: no cover - compiled
    """dL/dK[a, c] = sum_ij dY[i, j] * Xp[i*sh + a*dh, j*sw + c*dw]."""
    oh, ow = dY.shape
    for a in range(kh):
        for c in range(kw):
            s = 0.0
            for i in range(oh):
                xrow = Xp[i * sh + a * dh]
                drow = dY[i]
                for j in range(ow):
                    s += drow[j] * xrow[j * sw + c * dw]
            out[a, c] = s
    return out


@njit(cache=True, nogil=True)
def train_steps(
    Xp, Y, K, Kr, b, lr, nsteps, loss_kind, learn_bias, sh, sw, dh, dw, losses, kgrad, work
):  # pragma: no cover - compiled
    """Run up to ``nsteps`` full-batch gradient steps in place on K (and b).

    ``loss_kind`` 0 is sum((Yhat - Y)^2) (MXNet edition), 1 is 0.5 * mean of
    squares (DJL's L2Loss). ``losses[t]`` is the loss computed in step t,
    before its update, as both books print it; ``kgrad`` the gradient of the
    last step taken. A step whose loss or update is not finite is not
    applied: the loop stops there, so K and b always stay finite. Returns
    ``(steps_taken, b, bias_grad, diverged)``. ``Kr`` is a read-only view of
    ``K`` for the forward pass, typed as :func:`block_general` sees its kernel.
    """
    oh, ow = Y.shape
    kh, kw = K.shape
    n = oh * ow
    bgrad = 0.0
    for t in range(nsteps):
        _general_rows(Xp, Kr, sh, sw, dh, dw, work, 0, oh)
        loss = 0.0
        for i in range(oh):
            for j in range(ow):
                r = work[i, j] + b - Y[i, j]
                loss += r * r
                work[i, j] = r
        if loss_kind == 0:
            scale = 2.0
        else:
            loss = 0.5 * loss / n
            scale = 1.0 / n
        losses[t] = loss
        if not np.isfinite(loss):
            return t, b, bgrad, True
        g = 0.0
        for i in range(oh):
            for j in range(ow):
                work[i, j] *= scale
                g += work[i, j]
        _kernel_grad(Xp, work, kh, kw, sh, sw, dh, dw, kgrad)
        for a in range(kh):
            for c in range(kw):
                if not np.isfinite(K[a, c] - lr * kgrad[a, c]):
                    return t, b, bgrad, True
        nb = b - lr * g if learn_bias else b
        if not np.isfinite(nb):
            return t, b, bgrad, True
        for a in range(kh):
            for c in range(kw):
                K[a, c] -= lr * kgrad[a, c]
        b = nb
        bgrad = g
    return nsteps, b, bgrad, False
