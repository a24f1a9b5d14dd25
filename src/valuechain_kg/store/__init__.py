"""Where triples live: the embedded Oxigraph store, and how a change is written to it.

``embedded`` is the store itself (pyoxigraph, in memory or on disk with RocksDB) with the
revision number every cache keys on; ``changes`` writes one change as one transaction.
"""

from valuechain_kg.store.embedded import (
    EXPORT_FORMATS,
    FORMATS_BY_EXTENSION,
    PROGRESS_THRESHOLD,
    GraphStore,
    ProgressCallback,
    parse_rdf_file,
    rdf_files_under,
    rdf_format_for,
)

__all__ = [
    "EXPORT_FORMATS",
    "FORMATS_BY_EXTENSION",
    "PROGRESS_THRESHOLD",
    "GraphStore",
    "ProgressCallback",
    "parse_rdf_file",
    "rdf_files_under",
    "rdf_format_for",
]
