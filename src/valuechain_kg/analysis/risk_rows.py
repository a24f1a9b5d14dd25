"""What risk-based scoping reads from a store: production claims, risk indicators, sites and
the product families, as plain rows of IRIs and slugs.

Scoping starts from sector, product and geographic risk factors (Due Diligence Guidance,
Section II, step 2): who makes or buys in which product where, and which public lists name that
product and country. These rows travel inside the projection (``ScreeningRows``) so that the
screening functions stay pure, and are kept apart from the actor network's own rows because
nothing in linkage or leverage reads them: a risk is never an impact.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["EMPTY_SCREENING", "IndicatorRow", "ProductionRow", "ScreeningRows"]


@dataclass(frozen=True, slots=True)
class ProductionRow:
    """An actor ``produces`` or ``sources`` a product, in ``country`` (None: at its sites)."""

    iri: str
    actor: str
    product: str
    kind: str  #: ``produces`` or ``sources``
    country: str | None
    assertion: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class IndicatorRow:
    """A public list's statement that ``product`` from ``country`` is at risk of ``category``."""

    iri: str
    product: str
    country: str
    category: str  #: an impact category slug, e.g. ``child-labour``
    publisher: str | None  #: the publishing actor's IRI
    edition: str | None
    sources: tuple[str, ...]
    forced_child_labour: bool = False
    #: For a list's derived entry: the country of the input that carries the risk.
    derived_from: str | None = None


@dataclass(frozen=True)
class ScreeningRows:
    """Everything screening reads, sorted so that equal stores give equal rows.

    ``sites``: (actor IRI, country) pairs; ``broader``: (product IRI, broader product IRI)
    pairs (``vc:broaderProduct``, grouping: an indicator on a family covers its members);
    ``product_names``: product IRI -> name.
    """

    productions: tuple[ProductionRow, ...] = ()
    indicators: tuple[IndicatorRow, ...] = ()
    sites: tuple[tuple[str, str], ...] = ()
    broader: tuple[tuple[str, str], ...] = ()
    product_names: tuple[tuple[str, str], ...] = ()

    def products(self) -> set[str]:
        """Every product IRI the rows name."""
        found = {r.product for r in self.productions} | {r.product for r in self.indicators}
        for narrower, wider in self.broader:
            found.update((narrower, wider))
        return found


#: No production, no indicator: what a store without scoping data projects to.
EMPTY_SCREENING = ScreeningRows()
