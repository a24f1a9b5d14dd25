"""The answers the tool gives, as pydantic models shared by the facade, the CLI and the API.

They live in the core so that the CLI's ``--format json`` and the REST bodies are the same
documents by construction (DESIGN.md, "JSON contracts").
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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
    #: Version-2 coverage: what flows on the edges, when impacts happened, how sure each
    #: claim is, and the NCP specific instances behind the cases.
    products: int = 0
    impacts_with_period: int = 0
    claims_by_assertion: dict[str, int] = {}
    specific_instances: int = 0


# --- the two questions (DESIGN.md, "JSON contracts") -------------------------------------------
# Field order below is the contract's key order; ``model_dump(by_alias=True)`` gives exactly its
# keys, which is what keeps `vckg ... --format json` and the REST bodies identical.


class Severity(BaseModel):
    """UNGP 14 and commentary: severity is judged by scale, scope and irremediable character.

    Each is 1-4; ``level`` is the most severe of those known (one characteristic can make an
    impact severe), null when none is (``analysis.severity.level``).
    """

    level: int | None = None
    scale: int | None = None
    scope: int | None = None
    irremediability: int | None = None


class Period(BaseModel):
    """When an impact happened (ISO dates, either open): derivation walks only relationships
    valid during it."""

    started: str | None = None
    ended: str | None = None


class ImpactSummary(BaseModel):
    id: str
    iri: str
    title: str
    category: str | None = None
    status: str | None = None
    severity: Severity = Field(default_factory=Severity)
    likelihood: float | None = None
    period: Period = Field(default_factory=Period)
    sources: list[str] = Field(default_factory=list)


class PathStep(BaseModel):
    """One stored edge of a linkage path, as stored (``from`` is the edge's own subject), with
    its own evidence: what flows on it, how far it is established, who reports it."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    relation: str
    to: str
    products: list[str] = Field(default_factory=list)
    assertion: str = "reported"
    sources: list[str] = Field(default_factory=list)


class LinkedActor(BaseModel):
    id: str
    iri: str
    name: str
    kind: str = "enterprise"
    involvement: str
    asserted: bool
    #: The involvement's own status when asserted; ``inferred`` when derived.
    assertion: str = "inferred"
    hops: int
    #: Whether the path follows the harm's product all the way (null for a row not derived).
    product_continuity: bool | None = None
    path: list[PathStep] = Field(default_factory=list)
    expected_response: str
    confidence: float | None = None
    #: The involvement's own sources; a derived row has none (each path step has its own).
    sources: list[str] = Field(default_factory=list)


class LinkedActorsAnswer(BaseModel):
    """``vckg linked IMPACT`` / ``GET /impacts/{id}/linked-actors``."""

    impact: ImpactSummary
    actors: list[LinkedActor]
    total: int
    limit: int
    offset: int
    note: str | None = None


class LeverageStep(BaseModel):
    """One leverage edge of a holder's path: who over whom, on what bases, how strongly."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    to: str
    bases: list[str]
    strength: float
    sources: list[str] = Field(default_factory=list)


class Holder(BaseModel):
    """A holder of leverage over a target; ``sources`` is the union over its ``steps``."""

    id: str
    iri: str
    name: str
    kind: str = "enterprise"
    strength: float
    hops: int
    bases: list[str]
    path: list[str]
    steps: list[LeverageStep] = Field(default_factory=list)
    involvement: str | None = None
    sources: list[str] = Field(default_factory=list)


class Collective(BaseModel):
    initiative: str
    name: str
    members: list[str]
    strength: float


class Coalition(BaseModel):
    threshold: float
    members: list[str]
    strength: float


class LeverageTarget(BaseModel):
    """A cause or contributor; States and civil society with influence are ``other_influence``."""

    id: str
    iri: str
    name: str
    mode: str = "cause"
    holders: list[Holder]
    holders_total: int
    other_influence: list[Holder] = Field(default_factory=list)
    collective: list[Collective]
    coalition: Coalition | None = None


class LeverageAnswer(BaseModel):
    """``vckg leverage IMPACT`` / ``GET /impacts/{id}/leverage``."""

    impact: ImpactSummary
    targets: list[LeverageTarget]
    limit: int
    offset: int
    note: str | None = None


# --- around the two questions: actors, impacts, holdings, what-if --------------------------------


class ActorSummary(BaseModel):
    id: str
    iri: str
    name: str
    roles: list[str] = Field(default_factory=list)
    country: str | None = None


class InitiativeRef(BaseModel):
    id: str
    iri: str
    name: str


class Relationship(BaseModel):
    """A business relationship as stored, read from ``from`` to ``to`` (slug as relation)."""

    model_config = ConfigDict(populate_by_name=True)

    from_: str = Field(alias="from")
    relation: str
    to: str
    ownership_share: float | None = None
    revenue_share: float | None = None
    valid_from: str | None = None
    valid_until: str | None = None


class ActorDetail(BaseModel):
    """``GET /actors/{id}``: who an actor is and how it is tied to others."""

    id: str
    iri: str
    name: str
    roles: list[str]
    sectors: list[str]
    country: str | None = None
    lei: str | None = None
    website: str | None = None
    sources: list[str]
    initiatives: list[InitiativeRef]
    relationships: list[Relationship]


class ActorList(BaseModel):
    actors: list[ActorSummary]
    total: int
    limit: int
    offset: int


class ImpactInvolvement(BaseModel):
    """An asserted involvement of an actor in an impact."""

    id: str
    iri: str
    name: str
    involvement: str
    confidence: float | None = None
    sources: list[str] = Field(default_factory=list)


class ImpactDetail(ImpactSummary):
    """``GET /impacts/{id}``: the summary plus where, whom, and the asserted involvements."""

    country: str | None = None
    affected_group: str | None = None
    description: str | None = None
    involvements: list[ImpactInvolvement] = Field(default_factory=list)


class ImpactList(BaseModel):
    impacts: list[ImpactSummary]
    total: int
    limit: int
    offset: int


class ActorImpact(BaseModel):
    """One impact an actor is linked to, read the same way as a ``LinkedActor``."""

    impact: ImpactSummary
    involvement: str
    asserted: bool
    assertion: str = "inferred"
    hops: int
    product_continuity: bool | None = None
    path: list[PathStep] = Field(default_factory=list)
    expected_response: str
    confidence: float | None = None
    sources: list[str] = Field(default_factory=list)


class ActorImpactsAnswer(BaseModel):
    """``vckg impacts-of ACTOR`` / ``GET /actors/{id}/impacts``."""

    actor: ActorSummary
    impacts: list[ActorImpact]
    total: int
    limit: int
    offset: int


class Holding(BaseModel):
    """Leverage an actor holds over another, directly or along a chain of leverage edges."""

    id: str
    iri: str
    name: str
    strength: float
    hops: int
    bases: list[str]
    path: list[str]
    sources: list[str] = Field(default_factory=list)


class HoldingsAnswer(BaseModel):
    """``GET /actors/{id}/leverage``: over whom this actor holds leverage."""

    actor: ActorSummary
    holdings: list[Holding]
    total: int
    limit: int
    offset: int


class SearchHit(BaseModel):
    id: str
    iri: str
    name: str
    kind: str


class SearchAnswer(BaseModel):
    query: str
    results: list[SearchHit]
    total: int


class HypotheticalLeverage(BaseModel):
    """A leverage edge that does not exist (yet): for what-if questions, never stored."""

    model_config = ConfigDict(extra="forbid")

    holder: str
    target: str
    strength: float = Field(ge=0.0, le=1.0)
    basis: str = "contract-terms"


class HypotheticalMembership(BaseModel):
    """A membership that does not exist (yet); an unknown initiative id names a new group."""

    model_config = ConfigDict(extra="forbid")

    actor: str
    initiative: str
    name: str | None = None


# --- risk-based scoping (Due Diligence Guidance, Section II, step 2) ---------------------------


class RiskIndicatorRef(BaseModel):
    """A public list's statement that a product from a country is at risk of a category of
    harm: where screening results come from."""

    id: str
    iri: str
    product: str
    product_name: str
    country: str
    category: str
    forced_child_labour: bool = False
    derived_from: str | None = None
    publisher: str | None = None
    edition: str | None = None
    sources: list[str] = Field(default_factory=list)


class RiskExposure(BaseModel):
    """An actor potentially exposed to one indicator, with the path that explains it:
    indicator -> product -> producer -> ... -> actor. Always potential; never a cause, a
    contribution or a direct linkage."""

    actor: ActorSummary
    indicator: RiskIndicatorRef
    status: Literal["potential"] = "potential"
    hops: int
    product: str
    producer: str
    product_continuity: bool
    path: list[PathStep] = Field(default_factory=list)


class RisksAnswer(BaseModel):
    """Screened risks, of one actor (``actor`` set) or of every actor, most severe category
    first, then closest; ``by_category`` counts every exposure before paging."""

    actor: ActorSummary | None = None
    risks: list[RiskExposure] = Field(default_factory=list)
    by_category: dict[str, int] = Field(default_factory=dict)
    total: int
    limit: int
    offset: int
    note: str | None = None
