"""The data each benchmark size runs on: a synthetic N-Triples file and a loaded disk store."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from bench.measure import timed
from valuechain_kg.datasets.synthetic import write

SUFFIXES = {"k": 1_000, "m": 1_000_000}


def parse_size(text: str) -> int:
    """``300``, ``10k``, ``1m`` -> a number of actors."""
    text = text.strip().lower()
    if text and text[-1] in SUFFIXES:
        return int(float(text[:-1]) * SUFFIXES[text[-1]])
    return int(text)


def parse_sizes(text: str) -> list[int]:
    return [parse_size(part) for part in text.split(",") if part.strip()]


@dataclass(frozen=True)
class Dataset:
    """One size: the synthetic graph as a file, and where the families put their stores."""

    actors: int
    seed: int
    triples: int
    nt: Path
    workdir: Path
    generation_seconds: float
    repeat: int

    @property
    def store_dir(self) -> Path:
        """The shared read-mostly disk store the query families open (one process at a time)."""
        return self.workdir / f"store-{self.actors}"

    def scratch(self, name: str) -> Path:
        """An empty folder for one measurement."""
        path = self.workdir / f"scratch-{self.actors}-{name}"
        shutil.rmtree(path, ignore_errors=True)
        return path


def prepare(actors: int, seed: int, workdir: Path, repeat: int) -> Dataset:
    """Generate the N-Triples file of this size (timed), reusing nothing from earlier runs."""
    workdir.mkdir(parents=True, exist_ok=True)
    nt = workdir / f"synth-{actors}-s{seed}.nt"
    elapsed, summary = timed(lambda: write(actors, seed, nt))
    return Dataset(actors, seed, summary.triples, nt, workdir, elapsed, repeat)
