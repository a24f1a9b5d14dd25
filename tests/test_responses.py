"""Specification of expected responses (DESIGN.md, "Expected response").

By mode, by whether the impact is actual or potential, and by the actor's kind: UNGP 17
commentary (potential: prevent or mitigate; actual: remediate), UNGP 19 commentary (leverage,
ending a relationship), UNGP 22 (remediation through legitimate processes), OECD Guidelines
Chapter II commentary (a directly linked enterprise need not remediate).
"""

from __future__ import annotations

import pytest
from chains import Chain, surveillance_chain

from valuechain_kg.analysis.responses import actor_kind, expected_response


def words(text: str) -> str:
    return text.casefold()


def test_cause_of_an_actual_impact_ceases_and_remediates_through_legitimate_processes() -> None:
    text = words(expected_response("cause", "actual", "enterprise"))
    assert "cease" in text
    assert "provide for or cooperate in" in text and "remediation" in text
    assert "legitimate processes" in text
    assert "ungp 22" in text


def test_cause_of_a_potential_impact_prevents_and_is_not_told_to_remediate() -> None:
    text = words(expected_response("cause", "potential", "enterprise"))
    assert "prevent" in text and "cease or change the activity" in text
    assert "remedia" not in text
    assert "ungp 17" in text


def test_contribution_to_an_actual_impact() -> None:
    text = words(expected_response("contribution", "actual", "enterprise"))
    assert "cease the contribution" in text
    assert "leverage" in text and "remains" in text
    assert "to the extent of the contribution" in text
    assert "ungp 19" in text


def test_contribution_to_a_potential_impact() -> None:
    text = words(expected_response("contribution", "potential", "enterprise"))
    assert "prevent the contribution" in text
    assert "leverage to prevent the impact" in text
    assert "remedia" not in text


@pytest.mark.parametrize("status", ["actual", "potential", None])
def test_direct_linkage_uses_leverage_and_ends_the_relationship_only_as_a_last_resort(
    status: str | None,
) -> None:
    text = words(expected_response("direct-linkage", status, "enterprise"))
    assert "use leverage" in text and "build" in text and "prevent or mitigate" in text
    assert "not required to provide remediation" in text and "may take a role" in text
    assert "last resort" in text
    for weighed in ("how crucial the relationship is", "how severe", "would itself cause"):
        assert weighed in text
    assert "while mitigation is under way" in text and "suspending" in text
    assert "ungp 19 commentary" in text and "chapter ii commentary" in text


@pytest.mark.parametrize("mode", ["cause", "contribution", "direct-linkage"])
@pytest.mark.parametrize("status", ["actual", "potential", None])
def test_a_state_in_any_mode_gets_the_state_duty_not_an_enterprise_response(
    mode: str, status: str | None
) -> None:
    text = words(expected_response(mode, status, "state"))
    assert "state duty to protect" in text
    assert "enterprises linked to this impact are expected to use their leverage" in text
    assert "remediation" not in text and "cease" not in text


def test_a_civil_society_organisation_gets_no_enterprise_response() -> None:
    text = words(expected_response("cause", "actual", "civil-society"))
    assert "no enterprise response" in text
    assert text != words(expected_response("cause", "actual", "enterprise"))


def test_an_unknown_status_gives_both_readings_labelled() -> None:
    text = expected_response("cause", None, "enterprise")
    assert "not recorded" in text
    assert expected_response("cause", "actual") in text
    assert expected_response("cause", "potential") in text


def test_unknown_mode_or_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        expected_response("bystander", "actual")
    with pytest.raises(ValueError):
        expected_response("cause", "actual", "robot")


def test_kinds_come_from_roles_with_a_state_role_first() -> None:
    assert actor_kind(["state-entity"]) == "state"
    assert actor_kind(["civil-society-organisation"]) == "civil-society"
    assert actor_kind(["state-entity", "civil-society-organisation"]) == "state"
    assert actor_kind(["technology-company"]) == "enterprise"
    assert actor_kind([]) == "enterprise"


def test_a_state_cause_gets_the_state_text_in_the_linked_actors_answer() -> None:
    found = {
        a.id: a
        for a in surveillance_chain().graph().linked_actors("journalist-surveillance").actors
    }
    agency = found["agency"]
    assert (agency.kind, agency.involvement) == ("state", "cause")
    assert agency.expected_response == expected_response("cause", "actual", "state")
    assert found["vendor"].kind == "enterprise"
    assert found["vendor"].expected_response == expected_response(
        "direct-linkage", "actual", "enterprise"
    )


def _potential() -> Chain:
    return (
        Chain()
        .impact("dam-failure-risk", status="potential", scale=4, scope=3, irremediability=4)
        .impact("unrated", "An impact of unknown status")
        .actor("miner", "Mining company", "raw-material-producer")
        .actor("ngo", "Local association", "civil-society-organisation")
        .causes("miner", "dam-failure-risk")
        .involved("ngo", "dam-failure-risk", "contribution")
        .causes("miner", "unrated")
    )


def test_a_potential_impacts_cause_gets_prevention_in_both_questions() -> None:
    kg = _potential().graph()
    found = {a.id: a for a in kg.linked_actors("dam-failure-risk").actors}
    assert found["miner"].expected_response == expected_response("cause", "potential")
    assert "remedia" not in found["miner"].expected_response
    assert found["ngo"].kind == "civil-society"
    assert found["ngo"].expected_response == expected_response(
        "contribution", "potential", "civil-society"
    )
    by_impact = {i.impact.id: i for i in kg.impacts_of("miner").impacts}
    assert by_impact["dam-failure-risk"].expected_response == expected_response(
        "cause", "potential"
    )
    assert by_impact["unrated"].expected_response == expected_response("cause", None)
