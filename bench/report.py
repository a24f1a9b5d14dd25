"""The results table: one row per measurement, each beside its anchor, written as Markdown.

A table can be read back (``Report.read``) and merged with a later run (``Report.merged``): the
later run's rows replace those of the (family, size) pairs it ran, the rows of every other pair
stay, and the file lists each command still behind some rows with the pairs it produced.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

MET, NOT_MET, NOT_RUN = "met", "NOT met", "not measured"
#: The verdict of a row whose target is set for the 1M size only.
AT_1M = "target is for 1M"
#: The verdict of a row whose target is set for 100k and 1M (below them, the start-up of a
#: process or a server is most of what is measured).
AT_100K = "target is for 100k and 1M"


def verdict_from_100k(actors: int, ok: bool) -> str:
    """``verdict(ok)`` at 100k actors and more; ``AT_100K`` below."""
    return verdict(ok) if actors >= 100_000 else AT_100K


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


#: A (family, actors) pair: the unit a run replaces when merged into an earlier table.
Pair = tuple[str, int]

_TITLE = "# Benchmark results"
#: The sections ``to_markdown`` writes; any other ``## `` section of a file read back is kept.
_GENERATED = ("## Commands", "## Machine and versions", "## Sizes", "## Results", "## Notes")
_UNESCAPED_BAR = re.compile(r"(?<!\\)\|")


def _number(text: str) -> int:
    return int(text.replace(",", "").strip())


def _cells(line: str) -> list[str]:
    inner = line.strip()[1:-1]
    return [c.strip().replace("\\|", "|") for c in _UNESCAPED_BAR.split(inner)]


def _pairs_text(pairs: Iterable[Pair]) -> str:
    by_family: dict[str, list[int]] = {}
    for family, actors in pairs:
        by_family.setdefault(family, []).append(actors)
    return "; ".join(
        f"{family}: " + ", ".join(f"{a:,}" for a in sorted(set(sizes)))
        for family, sizes in by_family.items()
    )


def _pairs_of(text: str) -> list[Pair]:
    pairs = []
    for part in text.split(";"):
        if ":" not in part:
            continue
        family, sizes = part.split(":", 1)
        pairs += [(family.strip(), _number(a)) for a in re.split(r",\s+", sizes.strip()) if a]
    return pairs


@dataclass
class Report:
    command: str
    environment: list[tuple[str, str]]
    sizes: list[tuple[int, int, str, str]] = field(default_factory=list)
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: Earlier commands still behind some rows, each with the (family, actors) pairs it made.
    earlier: list[tuple[str, list[Pair]]] = field(default_factory=list)
    #: Sections of an earlier file that no run writes (measurements made by hand), verbatim.
    trailer: str = ""
    #: Prose under the machine table, written by hand (which rows come from which machine).
    machine_note: str = ""
    #: Pairs this run ran even where it produced no row of that family (a family that failed).
    ran: set[Pair] = field(default_factory=set)

    def pairs(self) -> list[Pair]:
        """The (family, actors) pairs of this run's rows, in row order, each once."""
        return list(dict.fromkeys((r.family, r.actors) for r in self.rows))

    def commands(self) -> list[tuple[str, list[Pair]]]:
        """Each command with the pairs of the rows it made: the earlier ones', then this run's
        (the pairs of rows no earlier command made)."""
        claimed = {pair for _, pairs in self.earlier for pair in pairs}
        own = [pair for pair in self.pairs() if pair not in claimed]
        return [*self.earlier, (self.command, own)]

    def to_markdown(self) -> str:
        out = [_TITLE, ""]
        out += [
            "Produced by the commands below in a development session (not in CI); each row",
            "comes from the command listing its family and size. The machine is shared and",
            "noisy: every figure is a median of the repeated runs, and every row is measured",
            "beside its anchor in the same run, so read the ratios rather than the absolute",
            "times.",
            "",
            "## Commands",
            "",
            "| command | rows (family: actors) |",
            "| --- | --- |",
        ]
        out += [f"| `{c}` | {_pairs_text(p)} |" for c, p in self.commands() if c and p]
        out += [
            "",
            "## Machine and versions",
            "",
            "| item | value |",
            "| --- | --- |",
        ]
        out += [f"| {k} | {v} |" for k, v in self.environment]
        if self.machine_note:
            out += ["", self.machine_note]
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
        text = "\n".join(out) + "\n"
        if self.trailer:
            text += "\n" + self.trailer.strip("\n") + "\n"
        return text

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.to_markdown(), encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Report:
        """A table written by ``write`` (or by the single-command format before it)."""
        return cls.parse(path.read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, text: str) -> Report:
        sections: dict[str, list[str]] = {}
        trailer: list[str] = []
        current = _TITLE
        for line in text.splitlines():
            if line.startswith("## "):
                current = line
                if not line.startswith(_GENERATED):
                    trailer.append(line)
                continue
            if current.startswith(_GENERATED) or current == _TITLE:
                sections.setdefault(current.split(" (")[0], []).append(line)
            else:
                trailer.append(line)

        def table(name: str) -> list[list[str]]:
            lines = [ln for ln in sections.get(name, []) if ln.startswith("|")]
            return [_cells(ln) for ln in lines[2:]]  # header and rule first

        environment = [(k, v) for k, v in table("## Machine and versions")]
        machine = sections.get("## Machine and versions", [])
        machine_note = "\n".join(ln for ln in machine if not ln.startswith("|")).strip("\n")
        sizes = [(_number(a), _number(t), f, g) for a, t, f, g in table("## Sizes")]
        rows = [Row(c[0], c[1], _number(c[2]), *c[3:]) for c in table("## Results")]
        notes = [ln[2:] for ln in sections.get("## Notes", []) if ln.startswith("- ")]
        commands = [(c.strip("`"), _pairs_of(p)) for c, p in table("## Commands")]
        if not commands:  # one command, shown indented under the title: it made every row
            shown = [ln.strip() for ln in sections.get(_TITLE, []) if ln.startswith("    ")]
            pairs = list(dict.fromkeys((r.family, r.actors) for r in rows))
            commands = [(shown[0], pairs)] if shown else []
        report = cls("", environment, sizes, rows, notes, trailer="\n".join(trailer))
        report.machine_note = machine_note
        report.earlier = commands
        return report

    def merged(self, earlier: Report, order: Sequence[str] = ()) -> Report:
        """This run on top of ``earlier``: its rows and sizes replace the earlier ones of the
        pairs it ran; the machine, versions and notes are this run's, and the prose written
        under the machine table is kept."""
        replaced = set(self.pairs()) | self.ran
        sizes = {a: (a, t, f, g) for a, t, f, g in earlier.sizes}
        sizes.update({s[0]: s for s in self.sizes})
        rank = {family: i for i, family in enumerate(order)}
        kept = [r for r in earlier.rows if (r.family, r.actors) not in replaced]
        rows = sorted([*kept, *self.rows], key=lambda r: (r.actors, rank.get(r.family, len(rank))))
        commands = []
        for command, pairs in earlier.commands():
            left = [p for p in pairs if p not in replaced]
            if left and command:
                commands.append((command, left))
        return replace(
            self,
            sizes=[sizes[a] for a in sorted(sizes)],
            rows=rows,
            earlier=commands,
            trailer=earlier.trailer or self.trailer,
            machine_note=self.machine_note or earlier.machine_note,
        )
