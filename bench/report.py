"""The results table: one row per measurement, each beside its anchor, written as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MET, NOT_MET, NOT_RUN = "met", "NOT met", "not measured"
#: The verdict of a row whose target is set for the 1M size only.
AT_1M = "target is for 1M"


@dataclass(frozen=True)
class Row:
    """One measured figure and the anchor it is judged against, measured in the same run."""

    family: str
    measure: str
    actors: int
    value: str
    anchor: str = ""
    anchor_value: str = ""
    ratio: str = ""
    target: str = ""
    verdict: str = ""
    peak_rss: str = ""
    note: str = ""


def verdict(ok: bool | None) -> str:
    """``met`` / ``NOT met`` when a target was measured; empty when there is no target."""
    if ok is None:
        return ""
    return MET if ok else NOT_MET


@dataclass
class Report:
    command: str
    environment: list[tuple[str, str]]
    sizes: list[tuple[int, int, str, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def to_markdown(self) -> str:
        out = ["# Benchmark results", ""]
        out += [
            "Produced by the command below in a development session (not in CI). The machine is",
            "shared and noisy: every figure is a median of the repeated runs, and every row is",
            "measured beside its anchor in the same run, so read the ratios rather than the",
            "absolute times.",
            "",
            f"    {self.command}",
            "",
            "## Machine and versions",
            "",
            "| item | value |",
            "| --- | --- |",
        ]
        out += [f"| {k} | {v} |" for k, v in self.environment]
        out += [
            "",
            "## Sizes (synthetic value chains, `valuechain_kg.datasets.synthetic`)",
            "",
            "| actors | triples | N-Triples file | generation |",
            "| ---: | ---: | ---: | ---: |",
        ]
        out += [f"| {a:,} | {t:,} | {f} | {g} |" for a, t, f, g in self.sizes]
        out += ["", "## Results", ""]
        header = (
            "| family | measurement | actors | value | anchor | anchor value | ratio | target "
            "| verdict | peak RSS | note |"
        )
        out += [header, "| --- | --- | ---: | ---: | --- | ---: | ---: | --- | --- | ---: | --- |"]
        for r in self.rows:
            cells = (
                r.family,
                r.measure,
                f"{r.actors:,}",
                r.value,
                r.anchor,
                r.anchor_value,
                r.ratio,
                r.target,
                r.verdict,
                r.peak_rss,
                r.note,
            )
            out.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
        if self.notes:
            out += ["", "## Notes", ""]
            out += [f"- {n}" for n in self.notes]
        return "\n".join(out) + "\n"

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_markdown(), encoding="utf-8")
