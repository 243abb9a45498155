"""Shared helpers of the benchmarks: bounded repetitions, medians, one result row per comparison.

Every comparison is measured side by side in the same process and the same run: the two
variants are interleaved (A, B, A, B, …) so that whatever else the machine is doing weighs on
both alike. Numbers are printed and written to JSON, never asserted.
"""

from __future__ import annotations

import gc
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
for _p in (str(ROOT), str(BENCH)):
    if _p not in sys.path:
        sys.path.insert(0, _p)


@dataclass
class Timing:
    """The samples of one variant, in seconds."""

    samples: list[float] = field(default_factory=list)
    skipped: str | None = None  # why the variant was not measured (e.g. over the time budget)

    @property
    def median(self) -> float | None:
        return statistics.median(self.samples) if self.samples else None

    def to_json(self) -> dict[str, Any]:
        return {"median_s": self.median, "samples_s": self.samples, "n": len(self.samples),
                "skipped": self.skipped}


@dataclass
class Row:
    """One comparison: ``slow`` (the baseline) against ``fast``; ratio = slow / fast medians."""

    section: str
    case: str
    slow_name: str
    slow: Timing
    fast_name: str
    fast: Timing
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        a, b = self.slow.median, self.fast.median
        if a is None or b is None or b <= 0:
            return None
        return a / b

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["slow"], d["fast"] = self.slow.to_json(), self.fast.to_json()
        d["ratio"] = self.ratio
        return d


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    """Run ``fn`` once with the garbage collector paused; (seconds, its return value)."""
    gc.collect()
    gc.disable()
    try:
        t = time.perf_counter()
        value = fn()
        return time.perf_counter() - t, value
    finally:
        gc.enable()


def side_by_side(
    slow: Callable[[], Any],
    fast: Callable[[], Any],
    *,
    reps: int,
    budget_s: float = float("inf"),
) -> tuple[Timing, Timing]:
    """Interleave ``slow`` and ``fast`` up to ``reps`` times each, at least once, stopping
    early once the time spent exceeds ``budget_s``."""
    a, b = Timing(), Timing()
    spent = 0.0
    for _ in range(max(1, reps)):
        ta, _ = timed(slow)
        tb, _ = timed(fast)
        a.samples.append(ta)
        b.samples.append(tb)
        spent += ta + tb
        if spent > budget_s:
            break
    return a, b


def repeat(fn: Callable[[], Any], *, reps: int, budget_s: float = float("inf")) -> Timing:
    """Run ``fn`` up to ``reps`` times (at least once), stopping once ``budget_s`` is spent."""
    out = Timing()
    spent = 0.0
    for _ in range(max(1, reps)):
        t, _ = timed(fn)
        out.samples.append(t)
        spent += t
        if spent > budget_s:
            break
    return out


def fmt_s(t: Timing) -> str:
    if t.median is None:
        return "skipped"
    m = t.median
    text = f"{m:.3f}s" if m >= 0.01 else f"{m * 1e3:.2f}ms"
    return f"{text} (n={len(t.samples)})"


def fmt_ratio(r: float | None) -> str:
    if r is None:
        return "—"
    if r >= 100:
        return f"{r:.0f}x"
    if r >= 1:
        return f"{r:.1f}x"
    if r >= 0.1:
        return f"{r:.2f}x"  # below 1: the baseline is the faster one
    return f"1/{1 / r:.0f}x"


def print_table(rows: list[Row]) -> None:
    """Median seconds per variant and the ratio, one line per comparison."""
    headers = ("section", "case", "baseline", "median", "faster", "median", "ratio", "note")
    cells = [
        (r.section, r.case, r.slow_name, fmt_s(r.slow), r.fast_name, fmt_s(r.fast),
         fmt_ratio(r.ratio), r.note)
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) if cells else len(h)
              for i, h in enumerate(headers)]
    right = {3, 5, 6}

    def line(values):
        return "  ".join(v.rjust(w) if i in right else v.ljust(w)
                         for i, (v, w) in enumerate(zip(values, widths))).rstrip()

    print(line(headers))
    print("  ".join("-" * w for w in widths))
    for c in cells:
        print(line(c))
