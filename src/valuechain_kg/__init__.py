"""valuechain-kg: who is linked to an adverse impact, and who holds leverage over its cause.

A knowledge graph built on the OECD Guidelines for Multinational Enterprises on Responsible
Business Conduct (2023) and the OECD Due Diligence Guidance for RBC (2018).
"""

__version__ = "0.1.0"
