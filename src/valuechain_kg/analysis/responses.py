"""What is expected of an actor involved in an adverse impact, in this project's own words.

The expectation depends on how the actor is involved (mode), on whether the impact has happened
(status) and on what kind of actor it is. The texts followed are named in each wording:
UNGP 17 and its commentary (potential impacts are to be prevented or mitigated, actual ones
remediated), UNGP 19 and its commentary (leverage; ending a relationship), UNGP 22 (remediation
through legitimate processes), the OECD Guidelines for Multinational Enterprises, Chapter II and
its commentary (2023; paragraph 23 of the commentary on a directly linked enterprise and
remediation) and the OECD Due Diligence Guidance for Responsible Business Conduct (2018),
Section II. The Guidelines address enterprises: a State's conduct falls under the State duty to
protect, so a State never gets an enterprise's expected response, and neither does a
civil-society organisation.

Examples
--------
>>> actor_kind(["supplier", "state-entity"])
'state'
>>> expected_response("cause", "potential", "enterprise").startswith("Prevent the impact")
True
>>> "remediation" in expected_response("cause", "potential", "enterprise")
False
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

__all__ = ["KINDS", "actor_kind", "expected_response"]

#: Actor kinds, by the role that makes them (DESIGN.md, "Actor kinds").
KINDS: Final = ("enterprise", "state", "civil-society")

_MODES: Final = ("cause", "contribution", "direct-linkage")

_CAUSE_ACTUAL: Final = (
    "Cease the activity that causes the impact, and provide for or cooperate in its "
    "remediation through legitimate processes (UNGP 17 commentary and UNGP 22; "
    "OECD Guidelines, Chapter II and commentary)."
)
_CAUSE_POTENTIAL: Final = (
    "Prevent the impact: cease or change the activity that risks causing it "
    "(UNGP 17 commentary: potential impacts call for prevention or mitigation; "
    "OECD Guidelines, Chapter II and commentary)."
)
_CONTRIBUTION_ACTUAL: Final = (
    "Cease the contribution, use leverage to mitigate the impact that remains, and provide "
    "for or cooperate in remediation to the extent of the contribution (UNGP 19 commentary "
    "and UNGP 22; OECD Guidelines, Chapter II and commentary)."
)
_CONTRIBUTION_POTENTIAL: Final = (
    "Prevent the contribution (cease or change the activity that would contribute), and use "
    "leverage to prevent the impact itself (UNGP 17 and UNGP 19 commentary; "
    "OECD Guidelines, Chapter II and commentary)."
)
_DIRECT_LINKAGE: Final = (
    "Use leverage over the entity causing the impact to prevent or mitigate it, and build "
    "leverage where there is too little, for example with other actors. A directly linked "
    "enterprise is not required to provide remediation, though it may take a role in it. "
    "Ending the relationship is a last resort, weighing how crucial the relationship is, "
    "how severe the impact is, and whether ending it would itself cause adverse impacts; "
    "staying in the relationship while mitigation is under way, or suspending it, are options "
    "(UNGP 19 commentary; OECD Guidelines 2023, Chapter II commentary paragraph 23; "
    "Due Diligence Guidance, Section II)."
)
_STATE: Final = (
    "A State's own conduct falls under the State duty to protect human rights, not under the "
    "expectations the OECD Guidelines address to enterprises, so no enterprise response is "
    "derived for it. Enterprises linked to this impact are expected to use their leverage, "
    "including over State entities they have business relationships with (UNGP 13 and "
    "UNGP 19 commentary)."
)
_CIVIL_SOCIETY: Final = (
    "The OECD Guidelines and the corporate responsibility in the UNGP address enterprises, so "
    "no enterprise response is derived for a civil-society organisation. Enterprises linked to "
    "this impact are expected to use their leverage (UNGP 19 commentary)."
)

_ENTERPRISE: Final = {
    ("cause", "actual"): _CAUSE_ACTUAL,
    ("cause", "potential"): _CAUSE_POTENTIAL,
    ("contribution", "actual"): _CONTRIBUTION_ACTUAL,
    ("contribution", "potential"): _CONTRIBUTION_POTENTIAL,
    ("direct-linkage", "actual"): _DIRECT_LINKAGE,
    ("direct-linkage", "potential"): _DIRECT_LINKAGE,
}


def actor_kind(roles: Iterable[str]) -> str:
    """``state`` for a State entity, ``civil-society`` for a civil-society organisation, else
    ``enterprise`` (a State role wins: its conduct falls under the State duty to protect)."""
    found = set(roles)
    if "state-entity" in found:
        return "state"
    if "civil-society-organisation" in found:
        return "civil-society"
    return "enterprise"


def expected_response(mode: str, status: str | None, kind: str = "enterprise") -> str:
    """The expected response of an actor of ``kind`` involved in an impact in ``mode``.

    ``status`` is the impact's (``actual`` or ``potential``); when the data does not say, both
    readings are given, each labelled, rather than guessing which applies.
    """
    if mode not in _MODES:
        raise ValueError(f"unknown involvement mode {mode!r}")
    if kind == "state":
        return _STATE
    if kind == "civil-society":
        return _CIVIL_SOCIETY
    if kind != "enterprise":
        raise ValueError(f"unknown actor kind {kind!r}")
    if status in ("actual", "potential"):
        return _ENTERPRISE[(mode, status)]
    actual, potential = _ENTERPRISE[(mode, "actual")], _ENTERPRISE[(mode, "potential")]
    if actual == potential:
        return actual
    return (
        "Whether the impact has occurred is not recorded. If it has: "
        + actual
        + " If it has not: "
        + potential
    )
