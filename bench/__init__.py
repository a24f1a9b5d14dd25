"""The benchmark suite: every figure measured beside its anchor, in the same run.

Run ``python -m bench --sizes 10k,100k,1m`` from the repository root; it writes
``bench/RESULTS.md``. The machines are shared and noisy, so every figure is a median of
``--repeat`` runs, each measurement whose memory matters runs in a fresh process, and every row
names its anchor (raw Oxigraph, rdflib, pyshacl, a SPARQL formulation, ``oxigraph serve``), the
size and the ratio. CI only runs a tiny size (``tests/test_bench.py``), without timing anything.
"""
