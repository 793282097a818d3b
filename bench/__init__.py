"""Benchmarks: each ``bench/bench_*.py`` module exposes ``run(quick: bool) -> list[Figure]``.

``python -m bench`` (``make bench``) runs them all and prints every figure beside its target.
Figures are measured, never asserted: machines here are shared and noisy.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Figure:
    """One measured figure and the target it is compared with."""

    name: str
    value: float
    unit: str
    target: str = ""
    meets: bool | None = None

    def line(self) -> str:
        """The figure as one aligned line of the report."""
        verdict = {True: "ok", False: "MISSED", None: ""}[self.meets]
        return f"{self.name:<58} {self.value:>12.2f} {self.unit:<10} {self.target:<22} {verdict}"
