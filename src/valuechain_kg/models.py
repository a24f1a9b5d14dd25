"""The answers the tool gives, as pydantic models shared by the facade, the CLI and the API.

They live in the core so that the CLI's ``--format json`` and the REST bodies are the same
documents by construction (DESIGN.md, "JSON contracts").
"""

from __future__ import annotations

from pydantic import BaseModel


class InitiativeCount(BaseModel):
    id: str
    iri: str
    name: str
    members: int


class GraphInfo(BaseModel):
    """What the graph holds, by kind: the answer of ``vckg info`` and ``GET /health``."""

    triples: int
    actors: int
    actors_by_role: dict[str, int]
    relationships_by_type: dict[str, int]
    impacts: int
    impacts_by_category: dict[str, int]
    impacts_by_status: dict[str, int]
    involvements_by_mode: dict[str, int]
    leverage_by_basis: dict[str, int]
    initiatives: list[InitiativeCount]
    responses_by_type: dict[str, int]
