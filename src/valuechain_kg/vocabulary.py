"""The controlled vocabularies of the CSV template, as slug -> concept IRI tables.

The slug (a concept's ``skos:notation`` in the ontology) is the contract with spreadsheets and
JSON answers; the concept IRIs belong to the ontology. Keeping both directions here lets ingest,
projection and answers agree without reading the ontology at run time.
"""

from __future__ import annotations

from typing import Final

from valuechain_kg.namespaces import VC


def _scheme(prefix: str, slugs: tuple[str, ...]) -> dict[str, str]:
    return {slug: f"{VC}{prefix}-{slug}" for slug in slugs}


ROLES: Final = _scheme(
    "role",
    (
        "technology-company",
        "hardware-manufacturer",
        "digital-infrastructure-provider",
        "data-curator",
        "content-creator",
        "researcher",
        "investor",
        "financial-institution",
        "raw-material-producer",
        "trader",
        "manufacturer",
        "retailer",
        "user-enterprise",
        "state-entity",
        "civil-society-organisation",
    ),
)

SECTORS: Final = _scheme(
    "sector",
    (
        "technology",
        "telecommunications",
        "finance",
        "healthcare",
        "retail",
        "agriculture",
        "extractives",
        "manufacturing",
        "energy",
        "media",
        "public-sector",
        "research",
    ),
)

#: MNE Guidelines chapters (top concepts of the impact taxonomy).
CHAPTERS: Final = (
    "disclosure",
    "human-rights",
    "employment",
    "environment",
    "bribery",
    "consumer-interests",
    "science-technology",
    "competition",
    "taxation",
)

#: Narrower impact categories and the chapters they fall under (``skos:broader``).
NARROWER_CATEGORIES: Final[dict[str, tuple[str, ...]]] = {
    "privacy": ("human-rights", "consumer-interests"),
    "freedom-of-expression": ("human-rights",),
    "democracy": ("human-rights",),
    "social-cohesion": ("human-rights",),
    "labour": ("employment",),
    "occupational-safety": ("employment",),
    "child-labour": ("employment", "human-rights"),
    "forced-labour": ("employment", "human-rights"),
    "climate-change": ("environment",),
    "consumer-safety": ("consumer-interests",),
}

CATEGORIES: Final = _scheme("category", CHAPTERS + tuple(NARROWER_CATEGORIES))

STATUSES: Final = {"actual": VC + "Actual", "potential": VC + "Potential"}

MODES: Final = {
    "cause": VC + "Cause",
    "contribution": VC + "Contribution",
    "direct-linkage": VC + "DirectLinkage",
}

#: Strongest first: an actor is reported once, under its strongest mode.
MODE_RANK: Final = {"cause": 0, "contribution": 1, "direct-linkage": 2}

BASES: Final = _scheme(
    "basis",
    (
        "ownership",
        "contract-terms",
        "commercial-importance",
        "financing",
        "technology-dependency",
        "regulatory",
        "reputational",
        "membership",
    ),
)

RESPONSE_TYPES: Final = _scheme(
    "response",
    (
        "prevent",
        "mitigate",
        "remediate",
        "engage",
        "use-leverage",
        "disengage",
        "suspend",
        "assess",
        "consult",
        "test",
        "communicate",
    ),
)

RESPONSE_STATUSES: Final = _scheme(
    "response-status", ("planned", "ongoing", "completed", "refused")
)

INITIATIVE_KINDS: Final = _scheme(
    "initiative-kind", ("industry", "investor", "multi-stakeholder", "government")
)

#: How far a claim (an involvement, a relationship, a leverage claim) is established. A claim
#: without an assertion status is ``reported``.
ASSERTIONS: Final = _scheme(
    "assertion",
    (
        "alleged",
        "reported",
        "acknowledged",
        "ncp-determined",
        "court-determined",
        "regulator-determined",
    ),
)

#: The status a claim has when its row leaves ``assertion`` empty (no triple is written).
DEFAULT_ASSERTION: Final = "reported"

#: Weaker first: ``min_status S`` keeps the claims whose rank is at least S's. A finding by an
#: NCP, a court or a regulator is of the same, highest rank.
ASSERTION_RANK: Final = {
    "alleged": 0,
    "reported": 1,
    "acknowledged": 2,
    "ncp-determined": 3,
    "court-determined": 3,
    "regulator-determined": 3,
}

PRODUCT_KINDS: Final = _scheme(
    "product-kind", ("good", "component", "material", "service", "data", "software")
)

#: How an actor stands to a product in risk-based scoping (Due Diligence Guidance, Section II,
#: step 2): it makes the product, or buys it in from the named country. As with relationship
#: types, the word names the direct property (``vc:produces``, ``vc:sources``).
PRODUCTION_TYPES: Final = {"produces": VC + "produces", "sources": VC + "sources"}

#: The chapters of the MNE Guidelines a specific instance may cite: the two general chapters,
#: then the chapters that are the top concepts of the impact taxonomy (``CHAPTERS``).
GUIDELINES_CHAPTERS: Final = _scheme(
    "chapter", ("concepts-and-principles", "general-policies") + CHAPTERS
)

#: Where a specific instance (a case raised with a National Contact Point) stands.
INSTANCE_STATUSES: Final = _scheme(
    "instance-status", ("submitted", "accepted", "not-accepted", "in-mediation", "concluded")
)

#: How a concluded specific instance ended.
INSTANCE_OUTCOMES: Final = _scheme(
    "instance-outcome", ("agreement", "determination", "no-determination", "withdrawn")
)

#: Relationships along which goods, services, data or technology flow (supplier -> customer).
FLOW_RELATIONS: Final = {
    "supplies": VC + "supplies",
    "provides-service": VC + "providesServiceTo",
    "licenses-technology": VC + "licensesTechnologyTo",
    "provides-data": VC + "providesDataTo",
    "sells-to": VC + "sellsTo",
}

#: Financial relationships (holder -> investee).
FINANCIAL_RELATIONS: Final = {
    "invests-in": VC + "investsIn",
    "finances": VC + "finances",
}

RELATIONS: Final = {**FLOW_RELATIONS, **FINANCIAL_RELATIONS}


def slug_of(table: dict[str, str], iri: str) -> str | None:
    """The slug of a concept IRI in one table, or None when the IRI is not in it."""
    return next((slug for slug, value in table.items() if value == iri), None)
