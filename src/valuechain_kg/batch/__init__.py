"""Batch analysis of every impact at once on Apache Spark.

The graph reaches Spark as Parquet edge tables (:mod:`.tables`, written by ``vckg export
--format edges-parquet``); the Spark jobs (:mod:`.linkage`, :mod:`.leverage`) answer the two
questions for every impact as DataFrame operations, with the same rules as the embedded
analysis (DESIGN.md, "Semantics of the two questions (version 2)"). Nothing here imports
pyspark at module level except the job modules, so the export works without the ``spark`` extra.
"""
