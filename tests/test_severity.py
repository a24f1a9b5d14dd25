"""Specification of severity and "most severe first" (DESIGN.md, "Severity").

UNGP 14 and commentary: severity is judged by scale, scope and irremediable character, and one
of them can make an impact severe; the texts do not add them. UNGP 24: the most severe first;
likelihood weighs after severity (Due Diligence Guidance, Section II, step 2.4).
"""

from __future__ import annotations

from chains import Chain

from valuechain_kg.analysis.severity import level, severity_key


def ranked(*rows: tuple[str, int | None, int | None, int | None, str | None, float | None]):  # type: ignore[no-untyped-def]
    return [r[0] for r in sorted(rows, key=lambda r: severity_key(*r))]


def test_level_is_the_most_severe_characteristic_known() -> None:
    assert level(1, 1, 4) == 4
    assert level(None, 3, None) == 3
    assert level(None, None, None) is None


def test_one_severe_characteristic_outranks_a_larger_sum() -> None:
    assert ranked(
        ("sum-nine", 3, 3, 3, "actual", None), ("one-four", 4, None, None, None, None)
    ) == [
        "one-four",
        "sum-nine",
    ]


def test_two_potential_impacts_no_longer_outrank_an_actual_one_of_the_same_level() -> None:
    # By the sum both potential impacts (11 and 10) came before the actual one (9).
    order = ranked(
        ("potential-a", 4, 4, 3, "potential", 0.9),
        ("potential-b", 4, 3, 3, "potential", 0.9),
        ("actual", 4, 1, 4, "actual", None),
    )
    assert order[0] == "actual"


def test_an_actual_impact_counts_as_certain_against_a_likely_potential_one() -> None:
    assert ranked(
        ("likely", 3, 2, 2, "potential", 0.99),
        ("happened", 3, 2, 2, "actual", 0.1),
    ) == ["happened", "likely"]


def test_ties_go_irremediability_then_scale_then_scope_then_likelihood_then_id() -> None:
    assert ranked(
        ("b-scope-three", 3, 3, 2, None, None),
        ("a-scope-one", 3, 1, 2, None, None),
        ("c-scale-two", 2, 3, 2, None, None),
        ("irremediable", 1, 1, 3, None, None),
        ("z-likely", 3, 3, 2, "potential", 0.5),
        ("y-tie", 3, 3, 2, "potential", 0.5),
    ) == ["irremediable", "y-tie", "z-likely", "b-scope-three", "a-scope-one", "c-scale-two"]


def test_unknown_severity_comes_last_and_unknown_characteristics_after_known_ones() -> None:
    assert ranked(
        ("none", None, None, None, "actual", None),
        ("scale-only", 2, None, None, None, None),
        ("irr-one", 2, None, 1, None, None),
    ) == ["irr-one", "scale-only", "none"]


def _impacts() -> Chain:
    return (
        Chain()
        .impact("potential-eleven", status="potential", scale=4, scope=4, irremediability=3)
        .impact("potential-ten", status="potential", scale=3, scope=4, irremediability=3)
        .impact("actual-nine", status="actual", scale=4, scope=1, irremediability=4, country="CD")
        .impact("unscored", status="actual")
        .impact("one-severe", status="potential", scope=4, likelihood=0.2)
        .causes("mine", "actual-nine")
        .causes("mine", "potential-ten")
        .involved("mine", "one-severe", "contribution")
        .involved("mine", "unscored", "cause")
        .involved("mine", "potential-eleven", "direct-linkage")
    )


def test_impacts_list_most_severe_first_with_the_level() -> None:
    answer = _impacts().graph().impacts()
    assert [i.id for i in answer.impacts] == [
        "actual-nine",
        "potential-eleven",
        "potential-ten",
        "one-severe",
        "unscored",
    ]
    levels = {i.id: i.severity.level for i in answer.impacts}
    assert levels == {
        "actual-nine": 4,
        "potential-eleven": 4,
        "potential-ten": 4,
        "one-severe": 4,
        "unscored": None,
    }


def test_severity_keys_follow_the_contract_order() -> None:
    doc = _impacts().graph().impacts().model_dump()
    assert list(doc["impacts"][0]["severity"]) == ["level", "scale", "scope", "irremediability"]


def test_impacts_of_orders_by_mode_then_severity() -> None:
    answer = _impacts().graph().impacts_of("mine")
    assert [(i.involvement, i.impact.id) for i in answer.impacts] == [
        ("cause", "actual-nine"),
        ("cause", "potential-ten"),
        ("cause", "unscored"),
        ("contribution", "one-severe"),
        ("direct-linkage", "potential-eleven"),
    ]
