"""The graph as Parquet edge tables: what a Spark job reads instead of the store.

A cluster cannot open the embedded store, and a remote SPARQL engine is no place to run a
hop-bounded search for every impact at once, so the projection (the actor network the analysis
walks) is written once as plain columnar tables and copied wherever Spark runs. Nodes keep the
projection's numbers, which follow id order: comparing numbers compares ids, which is what the
"smallest id sequence" tie rule of leverage needs.

Tables (one Parquet file each, in one folder, with ``meta.json`` beside them):

* ``nodes``: node, id, iri, name, kind (enterprise, state, civil-society);
* ``relationships``: edge, source, target, relation, financial, products (product numbers),
  valid_from, valid_until, assertion: one business relationship each, as stored;
* ``products``: product, id, iri, made_from (its direct inputs);
* ``impacts``: iri, id, category, has_period, started, ended;
* ``involvements``: impact (IRI), actor, mode, products, assertion, confidence, sources;
* ``leverage``: holder, target, strength, bases, sources, asserted, relation (the edge a share
  comes from, null for an asserted claim), assertion: the unjoined parts of leverage, so that a
  job drops what an impact's period or ``min_status`` excludes before joining pairs;
* ``initiatives``: iri, id, name, scope (category slugs); ``memberships``: initiative, actor.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from valuechain_kg.analysis.projection import Projection
from valuechain_kg.identifiers import compact

__all__ = ["FORMAT", "TABLES", "write_edge_tables"]

#: Written into ``meta.json``; a job refuses tables of another format.
FORMAT = "valuechain-kg edge tables 1"

_INT = pa.int32()
_INTS = pa.list_(pa.int32())
_STRS = pa.list_(pa.string())

#: The schema of every table, by name.
TABLES: dict[str, pa.Schema] = {
    "nodes": pa.schema(
        [("node", _INT), ("id", pa.string()), ("iri", pa.string()), ("name", pa.string())]
        + [("kind", pa.string())]
    ),
    "relationships": pa.schema(
        [
            ("edge", _INT),
            ("source", _INT),
            ("target", _INT),
            ("relation", pa.string()),
            ("financial", pa.bool_()),
            ("products", _INTS),
            ("valid_from", pa.string()),
            ("valid_until", pa.string()),
            ("assertion", pa.string()),
        ]
    ),
    "products": pa.schema(
        [("product", _INT), ("id", pa.string()), ("iri", pa.string()), ("made_from", _INTS)]
    ),
    "impacts": pa.schema(
        [
            ("iri", pa.string()),
            ("id", pa.string()),
            ("category", pa.string()),
            ("has_period", pa.bool_()),
            ("started", pa.string()),
            ("ended", pa.string()),
        ]
    ),
    "involvements": pa.schema(
        [
            ("impact", pa.string()),
            ("actor", _INT),
            ("mode", pa.string()),
            ("products", _INTS),
            ("assertion", pa.string()),
            ("confidence", pa.float64()),
            ("sources", _STRS),
        ]
    ),
    "leverage": pa.schema(
        [
            ("holder", _INT),
            ("target", _INT),
            ("strength", pa.float64()),
            ("bases", _STRS),
            ("sources", _STRS),
            ("asserted", pa.bool_()),
            ("relation", _INT),
            ("assertion", pa.string()),
        ]
    ),
    "initiatives": pa.schema(
        [("iri", pa.string()), ("id", pa.string()), ("name", pa.string()), ("scope", _STRS)]
    ),
    "memberships": pa.schema([("initiative", pa.string()), ("actor", _INT)]),
}


def _write(folder: Path, name: str, rows: Iterable[dict[str, object]]) -> None:
    schema = TABLES[name]
    table = pa.Table.from_pylist(list(rows), schema=schema)
    pq.write_table(table, folder / f"{name}.parquet")


def write_edge_tables(
    p: Projection, impacts: dict[str, str | None], folder: Path
) -> dict[str, int]:
    """Write the projection ``p`` (built with no ``as_of``: every relationship) as edge
    tables into ``folder``; ``impacts`` maps every impact IRI to its category slug (or None).

    Returns the row count of each table.
    """
    if p.as_of is not None:
        raise ValueError("edge tables hold every relationship: project without as_of")
    folder.mkdir(parents=True, exist_ok=True)
    counts: dict[str, int] = {}

    def write(name: str, rows: list[dict[str, object]]) -> None:
        _write(folder, name, rows)
        counts[name] = len(rows)

    write(
        "nodes",
        [
            {"node": n, "id": p.ids[n], "iri": p.iris[n], "name": p.names[n], "kind": p.kind(n)}
            for n in range(len(p))
        ],
    )
    write(
        "relationships",
        [
            {
                "edge": e,
                "source": edge.source,
                "target": edge.target,
                "relation": edge.relation,
                "financial": edge.financial,
                "products": list(edge.products),
                "valid_from": edge.valid_from,
                "valid_until": edge.valid_until,
                "assertion": edge.assertion,
            }
            for e, edge in enumerate(p.edges)
        ],
    )
    write(
        "products",
        [
            {"product": q, "id": p.product_ids[q], "iri": iri, "made_from": list(p.made_from[q])}
            for q, iri in enumerate(p.product_iris)
        ],
    )
    write(
        "impacts",
        [
            {
                "iri": iri,
                "id": compact(iri, p.base),
                "category": category,
                "has_period": iri in p.periods,
                "started": p.periods.get(iri, (None, None))[0],
                "ended": p.periods.get(iri, (None, None))[1],
            }
            for iri, category in sorted(impacts.items())
        ],
    )
    write(
        "involvements",
        [
            {
                "impact": impact,
                "actor": inv.actor,
                "mode": inv.mode,
                "products": list(inv.products),
                "assertion": inv.assertion,
                "confidence": inv.confidence,
                "sources": list(inv.sources),
            }
            for impact, found in sorted(p.involvements.items())
            for inv in found
        ],
    )
    write(
        "leverage",
        [
            {
                "holder": part.holder,
                "target": part.target,
                "strength": part.edge.strength,
                "bases": list(part.edge.bases),
                "sources": list(part.edge.sources),
                "asserted": part.edge.asserted,
                "relation": part.relation,
                "assertion": part.assertion,
            }
            for part in p.leverage_parts
        ],
    )
    initiatives = sorted(set(p.members) | set(p.initiative_scopes))
    write(
        "initiatives",
        [
            {
                "iri": iri,
                "id": compact(iri, p.base),
                "name": p.initiative_names.get(iri, compact(iri, p.base)),
                "scope": list(p.initiative_scopes.get(iri, ())),
            }
            for iri in initiatives
        ],
    )
    write(
        "memberships",
        [
            {"initiative": iri, "actor": actor}
            for iri in sorted(p.members)
            for actor in p.members[iri]
        ],
    )
    meta = {"format": FORMAT, "base": p.base, "revision": p.revision, "rows": counts}
    (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    return counts
