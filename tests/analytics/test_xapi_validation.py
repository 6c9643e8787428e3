"""analytics.xapi.validate_statement: the rules of xAPI 1.0.3, positive and negative."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from analytics.xapi import is_duration, is_iri, is_language_tag, is_timestamp, validate_statement

ACTOR = {
    "objectType": "Agent",
    "account": {
        "homePage": "https://acme.example.com",
        "name": "0b7e1d8e-2c1a-4c55-9d1e-1a2b3c4d5e6f",
    },
}


def statement() -> dict[str, Any]:
    """A complete, valid statement using most of the data model."""
    return {
        "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee",
        "actor": copy.deepcopy(ACTOR),
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered", "display": {"en-US": "answered"}},
        "object": {
            "objectType": "Activity",
            "id": "https://acme.example.com/xapi/activities/question/5e2f1c0a-3f0e-4d7e-9a51-2b2f6a4f0c11",
            "definition": {
                "name": {"en": "Which colour?", "nl-NL": "Welke kleur?"},
                "type": "http://adlnet.gov/expapi/activities/cmi.interaction",
                "interactionType": "choice",
                "correctResponsesPattern": ["red[,]blue"],
                "choices": [
                    {"id": "red", "description": {"en": "Red"}},
                    {"id": "blue", "description": {"en": "Blue"}},
                    {"id": "green", "description": {"en": "Green"}},
                ],
                "extensions": {"https://example.com/xapi/extensions/x": {"any": None}},
            },
        },
        "result": {
            "score": {"scaled": 0.5, "raw": 1, "min": 0, "max": 2},
            "success": False,
            "completion": True,
            "response": "red",
            "duration": "PT1M2.5S",
        },
        "context": {
            "registration": "ec531277-b57b-4c15-8d91-d292c5b2b8f7",
            "contextActivities": {
                "parent": [{"id": "https://acme.example.com/xapi/activities/page/1"}],
                "grouping": [{"objectType": "Activity", "id": "https://acme.example.com/c/1"}],
            },
            "revision": "2",
            "platform": "EGL Platform",
            "language": "nl-NL",
            "extensions": {"https://example.com/xapi/extensions/attempt": 1},
        },
        "timestamp": "2026-11-29T12:00:00.123Z",
        "version": "1.0.3",
    }


def errors_of(mutate) -> list[str]:
    data = statement()
    mutate(data)
    return validate_statement(data)


def test_a_complete_statement_is_valid() -> None:
    assert validate_statement(statement()) == []


def test_minimal_statement_is_valid() -> None:
    minimal = {
        "actor": {"mbox": "mailto:learner@acme.test"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://acme.example.com/xapi/activities/page/1"},
    }
    assert validate_statement(minimal) == []


def _del(*path: str):
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _set(value: Any, *path: str | int):
    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


NEGATIVES = {
    "missing actor": (_del("actor"), "/actor"),
    "missing verb": (_del("verb"), "/verb"),
    "missing object": (_del("object"), "/object"),
    "verb without id": (_del("verb", "id"), "/verb/id"),
    "two IFIs": (_set("mailto:learner@acme.test", "actor", "mbox"), "/actor"),
    "no IFI": (_del("actor", "account"), "/actor"),
    "account without name": (_del("actor", "account", "name"), "/actor/account/name"),
    "account relative homePage": (
        _set("acme.example.com", "actor", "account", "homePage"),
        "/actor/account/homePage",
    ),
    "bad mbox": (
        lambda d: (d["actor"].pop("account"), d["actor"].update(mbox="learner@acme.test")),
        "/actor/mbox",
    ),
    "bad mbox_sha1sum": (
        lambda d: (d["actor"].pop("account"), d["actor"].update(mbox_sha1sum="abc")),
        "/actor/mbox_sha1sum",
    ),
    "bad statement id": (_set("not-a-uuid", "id"), "/id"),
    "uuid without hyphens": (_set("6690e6c93ef04ed38b377f3964730bee", "id"), "/id"),
    "bad registration": (_set("1234", "context", "registration"), "/context/registration"),
    "relative verb IRI": (_set("verbs/answered", "verb", "id"), "/verb/id"),
    "relative activity IRI": (_set("/xapi/activities/page/1", "object", "id"), "/object/id"),
    "IRI with a space": (_set("https://acme.example.com/a b", "object", "id"), "/object/id"),
    "relative activity type": (
        _set("cmi.interaction", "object", "definition", "type"),
        "/object/definition/type",
    ),
    "scaled 1.5": (_set(1.5, "result", "score", "scaled"), "/result/score/scaled"),
    "scaled -1.01": (_set(-1.01, "result", "score", "scaled"), "/result/score/scaled"),
    "raw above max": (_set(3, "result", "score", "raw"), "/result/score/raw"),
    "raw below min": (_set(-1, "result", "score", "raw"), "/result/score/raw"),
    "min equals max": (_set(2, "result", "score", "min"), "/result/score/max"),
    "score as string": (_set("1", "result", "score", "raw"), "/result/score/raw"),
    "score as boolean": (_set(True, "result", "score", "raw"), "/result/score/raw"),
    "success not boolean": (_set("yes", "result", "success"), "/result/success"),
    "response not string": (_set(["red"], "result", "response"), "/result/response"),
    "bad duration": (_set("1 minute", "result", "duration"), "/result/duration"),
    "duration P alone": (_set("PT", "result", "duration"), "/result/duration"),
    "bad timestamp": (_set("29-11-2026 12:00", "timestamp"), "/timestamp"),
    "impossible date": (_set("2026-02-30T12:00:00Z", "timestamp"), "/timestamp"),
    "unknown offset": (_set("2026-11-29T12:00:00-00:00", "timestamp"), "/timestamp"),
    "bad language tag in name": (
        _set({"english!": "Which colour?"}, "object", "definition", "name"),
        "/object/definition/name/english!",
    ),
    "bad language tag in verb": (
        _set({"en_US": "answered"}, "verb", "display"),
        "/verb/display/en_US",
    ),
    "bad context language": (_set("en-", "context", "language"), "/context/language"),
    "unknown interactionType": (
        _set("multiple-choice", "object", "definition", "interactionType"),
        "/object/definition/interactionType",
    ),
    "components for the wrong type": (
        _set("true-false", "object", "definition", "interactionType"),
        "/object/definition/choices",
    ),
    "pattern without interactionType": (
        _del("object", "definition", "interactionType"),
        "/object/definition/interactionType",
    ),
    "pattern not strings": (
        _set([1], "object", "definition", "correctResponsesPattern"),
        "/object/definition/correctResponsesPattern",
    ),
    "duplicate component id": (
        _set({"id": "red"}, "object", "definition", "choices", 1),
        "/object/definition/choices/1/id",
    ),
    "extension key not an IRI": (
        _set({"attempt": 1}, "context", "extensions"),
        "/context/extensions/attempt",
    ),
    "unknown context activities key": (
        _set([], "context", "contextActivities", "siblings"),
        "/context/contextActivities/siblings",
    ),
    "context activity with relative id": (
        _set([{"id": "page/1"}], "context", "contextActivities", "parent"),
        "/context/contextActivities/parent/0/id",
    ),
    "unknown objectType": (_set("Course", "object", "objectType"), "/object/objectType"),
    "actor objectType wrong": (_set("Person", "actor", "objectType"), "/actor/objectType"),
    "unknown top-level property": (_set("x", "score"), "/score"),
    "null value": (_set(None, "result", "success"), "/result/success"),
    "bad version": (_set("2.0.0", "version"), "/version"),
    "voiding an activity": (
        _set({"id": "http://adlnet.gov/expapi/verbs/voided"}, "verb"),
        "/object",
    ),
    "context activity that is an agent": (
        _set([ACTOR], "context", "contextActivities", "other"),
        "/context/contextActivities/other/0/objectType",
    ),
    "revision with an agent object": (
        _set({"objectType": "Agent", "mbox": "mailto:a@b.test"}, "object"),
        "/context/revision",
    ),
}


@pytest.mark.parametrize("case", sorted(NEGATIVES))
def test_each_broken_rule_is_reported(case: str) -> None:
    mutate, where = NEGATIVES[case]
    problems = errors_of(mutate)
    assert problems, case
    assert any(p.startswith(where + ":") for p in problems), problems


def test_anonymous_group_needs_members_and_members_are_agents() -> None:
    group = {"objectType": "Group", "member": [ACTOR, {"objectType": "Group", "member": []}]}
    problems = errors_of(_set(group, "actor"))
    assert any(p.startswith("/actor/member/1:") for p in problems)
    assert errors_of(_set({"objectType": "Group"}, "actor"))
    assert errors_of(_set({"objectType": "Group", "member": [ACTOR]}, "actor")) == []


def test_substatement_and_statement_ref() -> None:
    ref = {"objectType": "StatementRef", "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}
    assert errors_of(_set(ref, "object")) == []
    assert errors_of(_set({"objectType": "StatementRef", "id": "x"}, "object"))
    sub = {
        "objectType": "SubStatement",
        "actor": ACTOR,
        "verb": {"id": "http://adlnet.gov/expapi/verbs/answered"},
        "object": {"id": "https://acme.example.com/q/1"},
    }
    assert errors_of(_set(sub, "object")) == []
    assert errors_of(_set({**sub, "id": "6690e6c9-3ef0-4ed3-8b37-7f3964730bee"}, "object"))
    nested = {**sub, "object": dict(sub)}
    assert errors_of(_set(nested, "object"))


def test_not_an_object_at_all() -> None:
    assert validate_statement([]) == ["/: must be a JSON object"]
    assert validate_statement("{}")


@pytest.mark.parametrize(
    "tag",
    [
        "en",
        "en-US",
        "nl-NL",
        "zh-Hant-TW",
        "sr-Latn-RS",
        "es-419",
        "de-CH-1996",
        "x-klingon",
        "i-klingon",
        "und",
    ],
)
def test_language_tags_accepted(tag: str) -> None:
    assert is_language_tag(tag)


@pytest.mark.parametrize("tag", ["", "e", "en_US", "en-", "english!", "en--US", "123", "en-US-"])
def test_language_tags_rejected(tag: str) -> None:
    assert not is_language_tag(tag)


@pytest.mark.parametrize(
    "value",
    [
        "2026-11-29T12:00:00Z",
        "2026-11-29T12:00:00.123456+01:00",
        "2026-11-29T12:00Z",
        "2026-11-29T12:00:00",
    ],
)
def test_timestamps_accepted(value: str) -> None:
    assert is_timestamp(value)


@pytest.mark.parametrize(
    "value",
    ["2026-11-29", "2026-11-29 12:00:00Z", "2026-13-01T00:00:00Z", "2026-11-29T25:00:00Z", "now"],
)
def test_timestamps_rejected(value: str) -> None:
    assert not is_timestamp(value)


@pytest.mark.parametrize("value", ["PT1H2M3S", "P1D", "PT0.5S", "P1Y2M3DT4H5M6S", "P4W", "PT125S"])
def test_durations_accepted(value: str) -> None:
    assert is_duration(value)


@pytest.mark.parametrize("value", ["", "P", "PT", "1H", "PT1H2", "P1DT", "PT-1S"])
def test_durations_rejected(value: str) -> None:
    assert not is_duration(value)


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("https://acme.example.com/xapi/activities/page/1", True),
        ("urn:uuid:6690e6c9-3ef0-4ed3-8b37-7f3964730bee", True),
        ("tag:example.com,2026:x", True),
        ("/xapi/activities/page/1", False),
        ("page/1", False),
        ("", False),
    ],
)
def test_iris(value: str, ok: bool) -> None:
    assert is_iri(value) is ok
