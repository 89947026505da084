"""Pure helpers of the benchmark: timing, order statistics, targets, the machine.

Nothing here knows about Streamlit or the database, so the statistics of the
results table can be tested on tiny inputs.
"""

from __future__ import annotations

import math
import os
import platform
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from qualepref import fmt


def median(values) -> float | None:
    data = sorted(float(v) for v in values)
    if not data:
        return None
    mid = len(data) // 2
    return data[mid] if len(data) % 2 else (data[mid - 1] + data[mid]) / 2


def percentile(values, q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default), q in 0–100."""
    data = sorted(float(v) for v in values)
    if not data:
        return None
    if len(data) == 1:
        return data[0]
    rank = (len(data) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return data[low] + (data[high] - data[low]) * (rank - low)


def timed(func, *args, **kwargs) -> tuple[float, object]:
    """(seconds, result) of one call, on the wall clock."""
    start = time.perf_counter()
    result = func(*args, **kwargs)
    return time.perf_counter() - start, result


def repeat(func, runs: int, *, setup=None) -> list[float]:
    """Wall-clock seconds of `runs` calls; `setup()` (untimed) feeds each call."""
    times = []
    for _ in range(runs):
        arg = setup() if setup else None
        start = time.perf_counter()
        func(arg) if setup else func()
        times.append(time.perf_counter() - start)
    return times


@dataclass(frozen=True)
class Check:
    """One line of the results table: a measured figure against its target."""

    part: str
    label: str
    measured: float | None
    target: float
    unit: str
    # "max": measured must stay at or under the target; "min": at or above.
    sense: str = "max"
    note: str = ""

    @property
    def ratio(self) -> float | None:
        """Measured ÷ target (≤ 1 passes a "max" target, ≥ 1 passes a "min" one)."""
        if self.measured is None or not self.target:
            return None
        return self.measured / self.target

    @property
    def passed(self) -> bool | None:
        if self.measured is None:
            return None
        return self.measured <= self.target if self.sense == "max" else self.measured >= self.target

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "passed": self.passed}


def _number(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "ms":
        return f"{fmt.number(value, 0 if value >= 10 else 1)} ms"
    if unit == "":
        return fmt.compact(value, 2)
    return f"{fmt.number(value, 2)} {unit}"


def check_rows(checks) -> list[list[str]]:
    """The results table as text cells (French number format)."""
    rows = []
    for check in checks:
        sign = "≤" if check.sense == "max" else "≥"
        verdict = {True: "OK", False: "MANQUÉ", None: "non mesuré"}[check.passed]
        ratio = "—" if check.ratio is None else fmt.number(check.ratio, 2)
        rows.append([check.part, check.label, f"{sign} {_number(check.target, check.unit)}",
                     _number(check.measured, check.unit), ratio, verdict])
    return rows


CHECK_HEADERS = ["Partie", "Mesure", "Cible", "Mesuré", "Mesuré ÷ cible", "Verdict"]


def text_table(headers, rows) -> str:
    """A fixed-width table for the terminal."""
    widths = [max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=True)]
    line = "  ".join(f"{{:<{w}}}" for w in widths)
    out = [line.format(*headers), "  ".join("-" * w for w in widths)]
    out += [line.format(*map(str, row)) for row in rows]
    return "\n".join(out)


def markdown_table(headers, rows) -> str:
    def cell(value) -> str:
        return str(value).replace("|", "\\|")

    out = ["| " + " | ".join(map(cell, headers)) + " |", "|" + "---|" * len(headers)]
    out += ["| " + " | ".join(map(cell, row)) + " |" for row in rows]
    return "\n".join(out)


def machine() -> dict:
    """The machine the figures were measured on (and how busy it was)."""
    cpu_model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    ram_gb = None
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": cpu_model,
        "ram_gb": ram_gb,
        "python": platform.python_version(),
        "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
    }


def load_now() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []
