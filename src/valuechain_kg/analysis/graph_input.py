"""A networkx graph read back into a projection, so that the analysis functions accept one.

A data scientist gets the actor network as a ``networkx.MultiDiGraph``
(``Projection.to_networkx()``), edits it (adds a supplier, drops a relationship, names a
product) and asks the same questions of the edited graph: the analysis reads the graph into a
projection with :func:`projection_from_networkx` and runs the one implementation of the rules.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx

from valuechain_kg.analysis.projection import Projection, ProjectionRows, assemble_projection
from valuechain_kg.identifiers import expand
from valuechain_kg.namespaces import DEFAULT_BASE

__all__ = ["projection_from_networkx"]


def projection_from_networkx(graph: nx.MultiDiGraph, base: str | None = None) -> Projection:
    """A projection read back from a graph of the shape ``Projection.to_networkx()`` returns.

    What is read (everything else is ignored):

    * nodes of ``kind="actor"`` (or with no ``kind``): ``iri`` (else the id under ``base``),
      ``name``, ``roles`` (role slugs: the actor kind follows from them, ``state-entity`` and
      ``civil-society-organisation`` being the kinds apart), ``typed`` (default True);
    * nodes of ``kind="impact"``: ``iri``, ``started`` and ``ended`` (ISO dates or None): the
      impact's period;
    * edges of ``kind`` ``flow`` or ``financial`` (supplier -> customer, holder -> investee):
      ``relation`` (the slug; else the key up to a ``#``), ``ownership_share``,
      ``revenue_share``, ``valid_from``, ``valid_until``, ``products`` (product ids),
      ``assertion`` (a status slug; absent: ``reported``), ``iri``;
    * edges of ``kind="involvement"`` from an actor to an impact node: ``mode`` (else the
      key), ``products``, ``assertion``, ``confidence``, ``sources``;
    * edges of ``kind="leverage"`` with ``asserted`` true: ``strength``, ``bases``,
      ``sources``, ``assertion`` (derived leverage is derived again from the shares);
    * edges of ``kind="member-of"`` to nodes of ``kind="initiative"`` (``iri``, ``name``,
      ``scope``);
    * graph attributes ``base``, ``as_of``, ``made_from`` (product id -> its input ids) and
      ``product_iris`` (product id -> IRI; else the id under ``base``).

    Relationships' own sources are not part of the graph, so path steps read from it cite none.
    """
    base = base or graph.graph.get("base") or DEFAULT_BASE
    nodes = graph.nodes

    def iri_of(node: str) -> str:
        found = nodes[node].get("iri") if node in nodes else None
        return str(found) if found else expand(str(node), base)

    product_iris: dict[str, str] = dict(graph.graph.get("product_iris") or {})

    def products_of(found: Iterable[str] | None) -> tuple[str, ...]:
        return tuple(product_iris.get(str(q)) or expand(str(q), base) for q in found or ())

    actors: dict[str, tuple[str | None, frozenset[str]]] = {}
    periods: dict[str, tuple[str | None, str | None]] = {}
    initiative_names: dict[str, str] = {}
    scopes: dict[str, tuple[str, ...]] = {}
    for node, data in graph.nodes(data=True):
        kind = data.get("kind", "actor")
        if kind == "actor" and data.get("typed", True):
            actors[iri_of(node)] = (data.get("name"), frozenset(data.get("roles") or ()))
        elif kind == "impact" and (data.get("started") or data.get("ended")):
            periods[iri_of(node)] = (data.get("started"), data.get("ended"))
        elif kind == "initiative":
            initiative_names[iri_of(node)] = data.get("name") or str(node)
            if data.get("scope"):
                scopes[iri_of(node)] = tuple(data["scope"])
    relationships = []
    involvements = []
    leverage = []
    memberships = []
    for u, v, key, data in graph.edges(keys=True, data=True):
        kind = data.get("kind")
        if kind in ("flow", "financial"):
            relationships.append(
                (
                    iri_of(u),
                    str(data.get("relation") or str(key).split("#")[0]),
                    iri_of(v),
                    data.get("ownership_share"),
                    data.get("revenue_share"),
                    data.get("valid_from"),
                    data.get("valid_until"),
                    data.get("iri"),
                    products_of(data.get("products")),
                    data.get("assertion"),
                )
            )
        elif kind == "involvement":
            involvements.append(
                (
                    iri_of(u),
                    iri_of(v),
                    str(data.get("mode") or key),
                    data.get("confidence"),
                    tuple(data.get("sources") or ()),
                    products_of(data.get("products")),
                    data.get("assertion"),
                )
            )
        elif kind == "leverage" and data.get("asserted", True):
            for basis in data.get("bases") or [None]:
                leverage.append(
                    (
                        iri_of(u),
                        iri_of(v),
                        basis,
                        float(data["strength"]),
                        tuple(data.get("sources") or ()),
                        data.get("assertion"),
                    )
                )
        elif kind == "member-of":
            memberships.append((iri_of(u), iri_of(v)))
    made_from = {
        products_of([pid])[0]: products_of(inputs)
        for pid, inputs in (graph.graph.get("made_from") or {}).items()
    }
    rows = ProjectionRows(
        actors=actors,
        relationships=relationships,
        leverage=leverage,
        memberships=memberships,
        initiative_names=initiative_names,
        involvements=involvements,
        relationship_sources={},
        sourced_triples=set(),
        products=made_from,
        periods=periods,
        initiative_scopes=scopes,
    )
    return assemble_projection(rows, "networkx", graph.graph.get("as_of"), base)
