"""The store interface the service is written against, and the choice of an implementation.

Two implementations: the embedded Oxigraph store (``store.embedded.GraphStore``, a folder or
memory) and a remote SPARQL 1.1 engine reached through the Protocol
(``store.remote.RemoteStore``). ``open_store`` picks one from what ``--store`` or
``$VCKG_STORE`` says: an ``http://`` or ``https://`` URL is an engine, anything else a folder.
The facade, the writer, the projection reader and the validation engine only use what
``StoreBackend`` names, so none of them knows which one it has.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import pyoxigraph as ox

from valuechain_kg.sparql_guard import Limits

if TYPE_CHECKING:
    from valuechain_kg.store.staging import Staging

__all__ = ["StoreBackend", "is_remote_spec", "open_store"]


@runtime_checkable
class StoreBackend(Protocol):
    """What the service needs of a store: reads, one-transaction changes, a revision."""

    #: The folder of an on-disk embedded store; None in memory and for a remote engine.
    path: Path | None
    #: The bounds every SPARQL text is held to before it reaches the engine.
    sparql_limits: Limits

    @property
    def revision(self) -> str:
        """Changes whenever the data changes: what caches and ETags key on."""
        ...

    @property
    def writes(self) -> int:
        """Writes committed through this handle (whether two revisions are adjacent)."""
        ...

    @property
    def oxigraph(self) -> ox.Store:
        """A handle with pyoxigraph's read API (``query``, ``quads_for_pattern``, ``in``)."""
        ...

    def record_revision(self) -> bool: ...

    def size(self) -> int: ...

    def __len__(self) -> int: ...

    def is_empty(self) -> bool: ...

    def add(self, quads: Iterable[ox.Quad]) -> None: ...

    def add_new(self, quads: Iterable[ox.Quad]) -> int:
        """Add the quads the store does not hold yet; how many they were."""
        ...

    def held(self, quads: Iterable[ox.Quad]) -> set[ox.Quad]:
        """The ones of ``quads`` the store holds (a remote engine asks in batches)."""
        ...

    def remove(self, quads: Iterable[ox.Quad]) -> None: ...

    def apply_change(
        self, removed: Iterable[ox.Quad] = (), added: Iterable[ox.Quad] = (), exact: bool = False
    ) -> None: ...

    def take_over(self, staging: Staging, size: int) -> None: ...

    def query(self, sparql: str, **options: object) -> object: ...

    def select(
        self, sparql: str, substitutions: dict[ox.Variable, ox.NamedNode | ox.Literal] | None = None
    ) -> ox.QuerySolutions: ...

    def stream(self, sparql: str) -> Iterator[ox.QuerySolution]:
        """The solutions of a SELECT, read as they come (in pages from a remote engine)."""
        ...

    def update(self, sparql: str, **options: object) -> None: ...

    def quads(self) -> Iterator[ox.Quad]: ...

    def export(self, fmt: str = "ttl") -> bytes: ...

    def flush(self) -> None: ...

    def close(self) -> None: ...


def is_remote_spec(spec: Path | str | None) -> bool:
    """Whether a ``--store`` value names a SPARQL engine (an http or https URL)."""
    return isinstance(spec, str) and spec.lower().startswith(("http://", "https://"))


def open_store(spec: Path | str | None = None, create: bool = True) -> StoreBackend:
    """The store ``spec`` names: a remote engine for a URL, else an embedded store.

    A remote engine's update URL, graph, credentials and timeouts come from the environment
    (``store.remote.RemoteSettings.from_env``).
    """
    if is_remote_spec(spec):
        from valuechain_kg.store.remote import RemoteSettings, RemoteStore

        assert isinstance(spec, str)
        return RemoteStore(RemoteSettings.from_env(spec))
    from valuechain_kg.store.embedded import GraphStore

    return GraphStore(spec, create=create)
