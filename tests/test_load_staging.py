"""A load is staged, validated and committed whole: a failure at any stage changes nothing.

* a bad row, a syntax error or a Violation leaves the store exactly as before, and a load into
  a store folder that does not exist yet leaves no folder (nor any staging folder) behind;
* the count of new triples is the load's own: quads the store did not hold yet;
* ``vckg load`` killed with SIGKILL at random moments (a bounded loop) leaves the old store or
  the new one, never an empty folder, and the next load clears what the killed one left.
"""

from __future__ import annotations

import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from valuechain_kg.errors import InputError, ValidationFailed
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.store import GraphStore
from valuechain_kg.store.ontology import ontology_quads
from valuechain_kg.store.staging import staging_folders_of

BUNDLE = Path(__file__).parent / "fixtures" / "bundles" / "cobalt-chain"
EX = "http://example.org/staging/"
VC = "https://w3id.org/valuechain#"
XSD = "http://www.w3.org/2001/XMLSchema#"
VCKG = str(Path(sys.executable).with_name("vckg"))


def _numbers(path: Path, first: int, count: int) -> Path:
    path.write_text(
        "".join(
            f'<{EX}s{i}> <{EX}value> "{i}"^^<{XSD}integer> .\n' for i in range(first, first + count)
        )
    )
    return path


def _violation(path: Path) -> Path:
    path.write_text(f"<{EX}lev> a <{VC}Leverage> ; <{VC}strength> 5.0 .\n")
    return path


def _on_disk(path: Path) -> set[str]:
    store = ox.Store(str(path))
    try:
        return {str(q) for q in store.quads_for_pattern(None, None, None, None)}
    finally:
        del store


def _leftovers(target: Path) -> list[Path]:
    return staging_folders_of(target)


def test_a_load_into_an_empty_disk_store_becomes_the_store(tmp_path: Path) -> None:
    target = tmp_path / "store"
    kg = KnowledgeGraph.open(store=target, create=False)
    assert not target.exists()
    # The count is the data's; the ontology's quads came along into their own graph.
    assert kg.load([_numbers(tmp_path / "a.nt", 0, 500)], validate=False) == 500
    ontology = len(ontology_quads())
    assert len(kg.store) == 500 + ontology
    kg.store.add([ox.Quad(ox.NamedNode(f"{EX}x"), ox.NamedNode(f"{EX}value"), ox.Literal(1))])
    kg.close()
    assert len(_on_disk(target)) == 501 + ontology
    assert _leftovers(target) == []


def test_counts_are_the_new_quads_of_the_load(tmp_path: Path) -> None:
    for target in (None, tmp_path / "store"):
        kg = KnowledgeGraph.open(store=target)
        assert kg.load([_numbers(tmp_path / "a.nt", 0, 300)], validate=False) == 300
        assert kg.load([_numbers(tmp_path / "a.nt", 0, 300)], validate=False) == 0
        assert kg.load([_numbers(tmp_path / "b.nt", 200, 300)], validate=False) == 200
        before = 500 + len(ontology_quads())
        assert len(kg.store) == before
        assert kg.load([BUNDLE]) == kg.store.size() - before
        kg.close()


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_load_leaves_the_store_as_it_was_and_no_folder(
    tmp_path: Path, existing: bool
) -> None:
    target = tmp_path / "store"
    if existing:
        kg = KnowledgeGraph.open(store=target)
        kg.load([_numbers(tmp_path / "old.nt", 0, 50)], validate=False)
        kg.close()
    before = _on_disk(target) if existing else set()
    bad_row = tmp_path / "bad-bundle"
    shutil.copytree(BUNDLE, bad_row)
    with (bad_row / "actors.csv").open("a") as rows:
        rows.write("broken id,,not-a-role,ZZ,,,,,\n")
    bad_syntax = tmp_path / "bad.ttl"
    bad_syntax.write_text(f"<{EX}a> <{EX}b> .\n")
    failures: list[tuple[list[Path], type[Exception]]] = [
        ([bad_row], InputError),
        ([_numbers(tmp_path / "n.nt", 0, 20), bad_syntax], InputError),
        ([_violation(tmp_path / "v.ttl")], ValidationFailed),
    ]
    for sources, error in failures:
        kg = KnowledgeGraph.open(store=target, create=False)
        with pytest.raises(error):
            kg.load(sources)
        kg.close()
        assert target.exists() == existing
        if existing:
            assert _on_disk(target) == before
        assert _leftovers(target) == []


def test_a_large_validated_load_is_compacted_beside_its_validation_and_checked_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valuechain_kg.service import writes
    from valuechain_kg.store.staging import Staging

    def load(target: Path, sources: list[Path], validate: bool = True) -> int:
        kg = KnowledgeGraph.open(store=target, create=False)
        try:
            return kg.load(sources, validate=validate)
        finally:
            kg.close()

    plain = load(tmp_path / "plain", [BUNDLE])
    monkeypatch.setattr(writes, "COMPACT_BEFORE_VALIDATING_FROM", 1)
    compacted: list[int] = []
    compact = Staging.compact

    def counted_compact(self: Staging) -> None:
        assert threading.current_thread() is not threading.main_thread()
        compacted.append(len(self.store))
        compact(self)

    monkeypatch.setattr(Staging, "compact", counted_compact)
    assert load(tmp_path / "compacted", [BUNDLE]) == plain
    assert len(compacted) == 1 and compacted[0] > 0
    assert GraphStore(tmp_path / "compacted").compacted  # a later full check need not
    assert not GraphStore(tmp_path / "plain").compacted
    assert _on_disk(tmp_path / "compacted") == _on_disk(tmp_path / "plain")
    with pytest.raises(ValidationFailed):
        load(tmp_path / "refused", [_violation(tmp_path / "v.ttl")])
    assert len(compacted) == 2
    assert not (tmp_path / "refused").exists() and _leftovers(tmp_path / "refused") == []
    # A load that is not validated is not compacted: nothing would read it whole at once.
    load(tmp_path / "unchecked", [BUNDLE], validate=False)
    assert len(compacted) == 2


def test_a_large_store_validated_whole_is_compacted_beside_and_checked_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from valuechain_kg.service import writes

    kg = KnowledgeGraph.open(store=tmp_path / "kg", create=False)
    kg.load([BUNDLE, _violation(tmp_path / "v.ttl")], validate=False)
    before, revision = set(kg.store.quads()), kg.store.revision
    plain = kg.validate_with()
    assert not plain.conforms
    monkeypatch.setattr(writes, "COMPACT_BEFORE_VALIDATING_FROM", 1)
    compacted: list[int] = []
    compact = GraphStore.compact

    def counted_compact(self: GraphStore) -> None:
        assert threading.current_thread() is not threading.main_thread()
        compacted.append(len(self))
        compact(self)

    monkeypatch.setattr(GraphStore, "compact", counted_compact)
    assert kg.validate_with() == plain
    assert len(compacted) == 1 and compacted[0] > 0
    assert (set(kg.store.quads()), kg.store.revision) == (before, revision)  # data unchanged
    # Compacted with no write since, even across a restart: not compacted again.
    kg.close()
    kg = KnowledgeGraph.open(store=tmp_path / "kg")
    assert kg.store.compacted
    assert kg.validate_with() == plain and len(compacted) == 1
    kg.store.update(f"INSERT DATA {{ <{EX}new> <{EX}value> 1 }}")
    assert not kg.store.compacted
    kg.validate_with()
    assert len(compacted) == 2
    kg.close()
    # In memory there is nothing to compact.
    memory = KnowledgeGraph.open(data=[BUNDLE])
    assert memory.store.bytes_on_disk() == 0
    assert memory.validate_with().conforms
    assert len(compacted) == 2


def test_vckg_load_that_fails_leaves_no_store_folder(tmp_path: Path) -> None:
    target = tmp_path / "new-store"
    run = subprocess.run(
        [VCKG, "load", str(_violation(tmp_path / "v.ttl")), "--store", str(target)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert not target.exists() and _leftovers(target) == []


def test_a_load_into_a_store_with_data_is_validated_with_it(tmp_path: Path) -> None:
    kg = KnowledgeGraph.open(store=tmp_path / "store")
    kg.load([BUNDLE])
    before = set(kg.store.quads())
    # A relationship to an actor the store does not hold is a Violation only with the store.
    dangling = tmp_path / "dangling.ttl"
    dangling.write_text(
        f"<{EX}rel> a <{VC}BusinessRelationship> ; <{VC}fromActor> <{EX}nobody> .\n"
    )
    with pytest.raises(ValidationFailed):
        kg.load([dangling])
    assert set(kg.store.quads()) == before
    kg.close()


def _kill_at_random(command: list[str], delay: float) -> int:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    return process.wait(timeout=60)


@pytest.mark.parametrize("existing", [False, True])
def test_vckg_load_killed_at_random_moments_leaves_old_or_new(
    tmp_path: Path, existing: bool
) -> None:
    target = tmp_path / "store"
    data = _numbers(tmp_path / "data.nt", 1000, 20_000)
    old: set[str] = set()
    if existing:
        kg = KnowledgeGraph.open(store=target)
        kg.load([_numbers(tmp_path / "old.nt", 0, 100)], validate=False)
        kg.close()
        old = _on_disk(target)
    new = old | {str(q) for q in ox.parse(path=str(data))} | {str(q) for q in ontology_quads()}
    started = time.monotonic()
    subprocess.run([VCKG, "load", "--help"], capture_output=True, timeout=60)
    full = time.monotonic() - started
    rng = random.Random(14)
    outcomes: set[str] = set()
    for _ in range(6):
        command = [VCKG, "load", str(data), "--store", str(target), "--no-validate"]
        _kill_at_random(command, rng.uniform(0.0, full + 1.5))
        if target.exists():
            state = _on_disk(target)
            assert state in (old, new), "neither the old store nor the new one"
            outcomes.add("new" if state == new and state != old else "old")
            if state == new and state != old:
                shutil.rmtree(target)
                if existing:
                    kg = KnowledgeGraph.open(store=target)
                    kg.load([tmp_path / "old.nt"], validate=False)
                    kg.close()
        else:
            assert not existing, "the store folder vanished"
            outcomes.add("old")
    # The next load clears what the killed ones left, and lands whole.
    done = subprocess.run(
        [VCKG, "load", str(data), "--store", str(target), "--no-validate"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert _on_disk(target) == new
    assert _leftovers(target) == []
    assert outcomes  # at least one kill landed somewhere


def test_the_staging_folder_of_a_running_load_is_left_alone(tmp_path: Path) -> None:
    target = tmp_path / "store"
    held = target.with_name(f".{target.name}.staging-inuse")
    other = ox.Store(str(held))
    try:
        store = GraphStore(target, create=False)
        kg = KnowledgeGraph(store)
        kg.load([_numbers(tmp_path / "a.nt", 0, 10)], validate=False)
        assert held.exists()
        kg.close()
    finally:
        del other


@pytest.mark.parametrize("shift", [0, 1, 2])
def test_a_triple_term_opening_across_a_read_chunk_border_is_still_checked(
    tmp_path: Path, shift: int
) -> None:
    from valuechain_kg.ingest.rdf_limits import _CHUNK, MAX_TURTLE_DEPTH, check_rdf_file

    depth = MAX_TURTLE_DEPTH + 5
    deep = "<<( <http://e/s> <http://e/p> " * depth + '"1"' + " )>>" * depth
    line = f"<http://e/s> <http://e/p> {deep} .\n"
    filler = f"<{EX}a> <{EX}b> <{EX}c> .\n"
    # The first "<<" starts one byte before the chunk border (or on it, or after it).
    lead = "#" * (_CHUNK - 1 - len("<http://e/s> <http://e/p> ") - shift) + "\n"
    path = tmp_path / "deep.nt"
    path.write_text(lead[1:] + line[:-1] + "\n" + filler)
    with pytest.raises(InputError, match="nest"):
        check_rdf_file(path, ox.RdfFormat.N_TRIPLES)
    plain = _numbers(tmp_path / "plain.nt", 0, 10)
    check_rdf_file(plain, ox.RdfFormat.N_TRIPLES)


@pytest.mark.parametrize("fmt", [ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS])
def test_a_triple_term_is_found_after_parentheses_and_at_the_first_byte(
    tmp_path: Path, fmt: ox.RdfFormat
) -> None:
    from valuechain_kg.ingest.rdf_limits import MAX_TURTLE_DEPTH, check_rdf_file

    depth = MAX_TURTLE_DEPTH + 1
    deep = "<<( <http://e/s> <http://e/p> " * depth + '"1"' + " )>>" * depth
    # Parentheses in literals and IRIs come first; then the triple term, as a subject.
    noise = f'<{EX}a(1)> <{EX}b> "x (y) ((z" .\n' * 50
    for name, text in (
        ("after.nt", noise + f"{deep} <http://e/p> <http://e/o> .\n"),
        ("first.nt", f"{deep} <http://e/p> <http://e/o> .\n"),
    ):
        path = tmp_path / name
        path.write_text(text)
        with pytest.raises(InputError, match="nest"):
            check_rdf_file(path, fmt)
    plain = tmp_path / "plain.nt"
    plain.write_text(noise + f'<{EX}a> <{EX}b> "<<" .\n<{EX}a> <{EX}b> "<<x(" .\n')
    check_rdf_file(plain, fmt)


def test_a_file_compaction_removes_while_the_folder_is_measured_is_not_counted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """RocksDB deletes merged files behind an open store; measuring the folder must not fail."""
    import os

    from valuechain_kg.store import staging

    (tmp_path / "kept.sst").write_bytes(b"x" * 10)
    (tmp_path / "merged.sst").write_bytes(b"y" * 1000)
    real_scandir = os.scandir

    class ListedThenRemoved:
        """The real listing, with one file deleted after it was listed and before it is read."""

        def __init__(self, path: Path) -> None:
            with real_scandir(path) as entries:
                self.entries = list(entries)
            (tmp_path / "merged.sst").unlink()

        def __enter__(self) -> list[os.DirEntry[str]]:
            return self.entries

        def __exit__(self, *exc: object) -> None:
            return None

        def __iter__(self) -> Iterator[os.DirEntry[str]]:
            return iter(self.entries)

    monkeypatch.setattr(staging.os, "scandir", ListedThenRemoved)
    assert staging.folder_bytes(tmp_path) == 10
