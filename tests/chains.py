"""Small named value chains for the analysis tests, written the way the CSV ingest stores them.

``Chain`` collects Turtle following docs/rdf-model.md (reified relationships plus the direct
triple, involvements, leverage and memberships as n-ary nodes) and opens a KnowledgeGraph on it,
so the tests do not depend on the CSV reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pyoxigraph as ox

from valuechain_kg import vocabulary as vocab
from valuechain_kg.graph import KnowledgeGraph
from valuechain_kg.namespaces import DEFAULT_BASE, sparql_prefixes
from valuechain_kg.store import GraphStore

B = DEFAULT_BASE


def _n(value: float) -> str:
    return f'"{value}"^^xsd:decimal'


@dataclass
class Chain:
    """A value chain under construction; every method returns the chain so calls can chain."""

    lines: list[str] = field(default_factory=list)
    actors: set[str] = field(default_factory=set)

    def actor(self, ident: str, name: str | None = None, *roles: str) -> Chain:
        self.actors.add(ident)
        label = _q(name or ident)
        triples = [f"<{B}{ident}> a vc:Actor ; schema:name {label} ; rdfs:label {label}"]
        triples += [f"<{B}{ident}> vc:role <{vocab.ROLES[r]}>" for r in roles]
        self.lines += [t + " ." for t in triples]
        return self

    def _ensure(self, *idents: str) -> None:
        for ident in idents:
            if ident not in self.actors:
                self.actor(ident)

    def rel(
        self,
        source: str,
        slug: str,
        target: str,
        ownership: float | None = None,
        revenue: float | None = None,
        valid_from: str | None = None,
        valid_until: str | None = None,
        bare: bool = False,
    ) -> Chain:
        """A business relationship ``source -slug-> target`` (reified unless ``bare``)."""
        self._ensure(source, target)
        prop = vocab.RELATIONS[slug]
        self.lines.append(f"<{B}{source}> <{prop}> <{B}{target}> .")
        if bare:
            return self
        node = f"<{B}relationship/{source}--{slug}--{target}>"
        parts = [
            f"{node} a vc:BusinessRelationship ; vc:fromActor <{B}{source}> ; "
            f"vc:toActor <{B}{target}> ; vc:relationshipType <{prop}> ; "
            f"prov:wasDerivedFrom <https://example.org/{source}-{target}>"
        ]
        if ownership is not None:
            parts.append(f"vc:ownershipShare {_n(ownership)}")
        if revenue is not None:
            parts.append(f"vc:revenueShare {_n(revenue)}")
        if valid_from is not None:
            parts.append(f'vc:validFrom "{valid_from}"^^xsd:date')
        if valid_until is not None:
            parts.append(f'vc:validUntil "{valid_until}"^^xsd:date')
        self.lines.append(" ; ".join(parts) + " .")
        return self

    def impact(self, ident: str, title: str | None = None, **props: object) -> Chain:
        node = f"<{B}{ident}>"
        parts = [
            f"{node} a vc:AdverseImpact ; schema:name {_q(title or ident)} ; "
            f"rdfs:label {_q(title or ident)} ; prov:wasDerivedFrom <https://example.org/{ident}>"
        ]
        if "category" in props:
            parts.append(f"vc:category <{vocab.CATEGORIES[str(props['category'])]}>")
        if "status" in props:
            parts.append(f"vc:status <{vocab.STATUSES[str(props['status'])]}>")
        for key in ("scale", "scope", "irremediability"):
            if key in props:
                parts.append(f"vc:{key} {int(props[key])}")  # type: ignore[call-overload]
        if "likelihood" in props:
            parts.append(f"vc:likelihood {_n(float(props['likelihood']))}")  # type: ignore[arg-type]
        if "country" in props:
            parts.append(f"vc:country {_q(str(props['country']))}")
        self.lines.append(" ; ".join(parts) + " .")
        return self

    def involved(
        self, actor: str, impact: str, mode: str, confidence: float | None = None
    ) -> Chain:
        self._ensure(actor)
        node = f"<{B}involvement/{actor}--{impact}--{mode}>"
        line = (
            f"{node} a vc:Involvement ; vc:actor <{B}{actor}> ; vc:impact <{B}{impact}> ; "
            f"vc:mode <{vocab.MODES[mode]}> ; prov:wasDerivedFrom <https://example.org/inv/{actor}>"
        )
        if confidence is not None:
            line += f" ; vc:confidence {_n(confidence)}"
        self.lines.append(line + " .")
        return self

    def causes(self, actor: str, impact: str) -> Chain:
        return self.involved(actor, impact, "cause")

    def leverage(self, holder: str, target: str, strength: float, basis: str) -> Chain:
        self._ensure(holder, target)
        node = f"<{B}leverage/{holder}--{target}--{basis}>"
        self.lines.append(
            f"{node} a vc:Leverage ; vc:holder <{B}{holder}> ; vc:target <{B}{target}> ; "
            f"vc:basis <{vocab.BASES[basis]}> ; vc:strength {_n(strength)} ; "
            f"prov:wasDerivedFrom <https://example.org/lev/{holder}-{target}> ."
        )
        return self

    def initiative(self, ident: str, name: str) -> Chain:
        self.lines.append(
            f"<{B}{ident}> a vc:Initiative , org:Organization ; schema:name {_q(name)} ; "
            f"rdfs:label {_q(name)} ."
        )
        return self

    def member(self, actor: str, initiative: str) -> Chain:
        self._ensure(actor)
        self.lines.append(
            f"<{B}membership/{actor}--{initiative}> a org:Membership ; "
            f"org:member <{B}{actor}> ; org:organization <{B}{initiative}> ."
        )
        self.lines.append(f"<{B}{actor}> vc:memberOf <{B}{initiative}> .")
        return self

    def turtle(self) -> str:
        return sparql_prefixes().replace("PREFIX", "@prefix").replace(">\n", "> .\n") + "\n".join(
            self.lines
        )

    def graph(self) -> KnowledgeGraph:
        store = GraphStore()
        store.add(ox.parse(self.turtle().encode(), format=ox.RdfFormat.TURTLE))
        return KnowledgeGraph(store)


def _q(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# --- named chains ---------------------------------------------------------------------------


def cobalt_chain() -> Chain:
    """Upstream through tiers: child labour at an artisanal mine reaches the car maker.

    mine -supplies-> trader -supplies-> refiner -supplies-> cellmaker -supplies-> carmaker;
    a fund invests in the car maker; a bank finances the fund.
    """
    return (
        Chain()
        .impact(
            "child-labour-katanga",
            "Child labour at artisanal cobalt sites",
            category="child-labour",
            status="actual",
            scale=4,
            scope=3,
            irremediability=3,
        )
        .actor("mine", "Artisanal mine", "raw-material-producer")
        .rel("mine", "supplies", "trader")
        .rel("trader", "supplies", "refiner")
        .rel("refiner", "supplies", "cellmaker")
        .rel("cellmaker", "supplies", "carmaker")
        .rel("fund", "invests-in", "carmaker")
        .rel("bank", "finances", "fund")
        .causes("mine", "child-labour-katanga")
    )


def surveillance_chain() -> Chain:
    """Downstream: a State entity misuses a surveillance product against journalists.

    chipco supplies vendor's hardware, cloudco hosts the vendor's product, the vendor licenses
    the technology to the State agency, which causes the impact. Upstream of the agency's
    purchase, the vendor, its cloud host and its chip supplier are all directly linked.
    """
    return (
        Chain()
        .impact(
            "journalist-surveillance",
            "Surveillance of journalists",
            category="privacy",
            status="actual",
            scale=4,
            scope=2,
            irremediability=3,
        )
        .actor("agency", "State security agency", "state-entity")
        .actor("vendor", "Spyware vendor", "technology-company")
        .actor("cloudco", "Cloud host", "digital-infrastructure-provider")
        .actor("chipco", "Chip maker", "hardware-manufacturer")
        .rel("vendor", "licenses-technology", "agency")
        .rel("cloudco", "provides-service", "vendor")
        .rel("chipco", "supplies", "vendor")
        .causes("agency", "journalist-surveillance")
    )


def make_graph(chain: Chain) -> KnowledgeGraph:
    return chain.graph()


__all__ = ["B", "Chain", "cobalt_chain", "make_graph", "surveillance_chain"]
