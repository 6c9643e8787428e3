"""Validation of xAPI 1.0.3 statements (DESIGN.md §8).

    problems = validate_statement(statement)   # [] when valid, else "<path>: <problem>"

A careful reading of the xAPI 1.0.3 specification's data model (Part Two, §2 and §4): the
statement's properties, actors with exactly one inverse functional identifier, verbs,
activities and their interaction definitions, results and scores, contexts, timestamps and
durations, language maps (RFC 5646 tags) and extensions (IRI keys). It checks what a
conformant LRS must reject; it does not check signatures or attachments' content.

The messages are for developers and logs (and, later, the LRS's 400 responses), not for
learners, so they are not translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

__all__ = [
    "INTERACTION_TYPES",
    "is_iri",
    "is_language_tag",
    "is_uuid",
    "validate_statement",
]

INTERACTION_TYPES = frozenset(
    {
        "true-false",
        "choice",
        "fill-in",
        "long-fill-in",
        "matching",
        "performance",
        "sequencing",
        "likert",
        "numeric",
        "other",
    }
)
# Which interaction component lists each interaction type may carry.
_COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
_COMPONENTS_ALLOWED: dict[str, frozenset[str]] = {
    "choice": frozenset({"choices"}),
    "sequencing": frozenset({"choices"}),
    "likert": frozenset({"scale"}),
    "matching": frozenset({"source", "target"}),
    "performance": frozenset({"steps"}),
}

_STATEMENT_KEYS = frozenset(
    {
        "id",
        "actor",
        "verb",
        "object",
        "result",
        "context",
        "timestamp",
        "stored",
        "authority",
        "version",
        "attachments",
    }
)
_SUBSTATEMENT_KEYS = frozenset(
    {"objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments"}
)
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")
VOIDED = "http://adlnet.gov/expapi/verbs/voided"

# A UUID as RFC 4122 writes it (variant 1, any version); the ADL conformance suite's rule.
_UUID = re.compile(
    r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.IGNORECASE
)
# An absolute IRI (RFC 3987): a scheme, a colon and no characters IRIs never contain.
_IRI = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+$")
_MAILTO = re.compile(r"^mailto:[^\s@:/?#]+@[^\s@:/?#]+$", re.IGNORECASE)
_SHA1 = re.compile(r"^[0-9a-f]{40}$", re.IGNORECASE)
_VERSION = re.compile(r"^1\.0(\.\d+)?$")

# RFC 5646 language tags (section 2.1), case-insensitive.
_ALNUM = "[a-z0-9]"
_LANGTAG = (
    r"(?:[a-z]{2,3}(?:-[a-z]{3}){0,3}|[a-z]{4}|[a-z]{5,8})"  # language (+ extlang)
    r"(?:-[a-z]{4})?"  # script
    r"(?:-(?:[a-z]{2}|[0-9]{3}))?"  # region
    rf"(?:-(?:{_ALNUM}{{5,8}}|[0-9]{_ALNUM}{{3}}))*"  # variants
    rf"(?:-[0-9a-wy-z](?:-{_ALNUM}{{2,8}})+)*"  # extensions
    rf"(?:-x(?:-{_ALNUM}{{1,8}})+)?"  # private use
)
_PRIVATEUSE = rf"x(?:-{_ALNUM}{{1,8}})+"
_GRANDFATHERED = (
    "en-gb-oed|i-ami|i-bnn|i-default|i-enochian|i-hak|i-klingon|i-lux|i-mingo|i-navajo|"
    "i-pwn|i-tao|i-tay|i-tsu|sgn-be-fr|sgn-be-nl|sgn-ch-de|art-lojban|cel-gaulish|no-bok|"
    "no-nyn|zh-guoyu|zh-hakka|zh-min|zh-min-nan|zh-xiang"
)
_LANGUAGE_TAG = re.compile(rf"^(?:{_LANGTAG}|{_PRIVATEUSE}|{_GRANDFATHERED})$", re.IGNORECASE)

# ISO 8601 date and time (extended format), with an optional time zone designator.
_TIMESTAMP = re.compile(
    r"^(?P<date>\d{4}-\d{2}-\d{2})T(?P<time>\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?$"
)
# ISO 8601 durations: PnYnMnDTnHnMnS (a fraction allowed on each number) or PnW.
_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"^P(?:(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}D)?"
    rf"(?:T(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?|{_NUMBER}W)$"
)


def is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def is_iri(value: Any) -> bool:
    """An absolute IRI (a relative reference is not an identifier in xAPI)."""
    return isinstance(value, str) and bool(_IRI.match(value))


def is_language_tag(value: Any) -> bool:
    return isinstance(value, str) and bool(_LANGUAGE_TAG.match(value))


def is_timestamp(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    match = _TIMESTAMP.match(value)
    if not match or match.group("zone") in ("-00", "-00:00", "-0000"):
        # RFC 3339's "unknown local offset" is forbidden in xAPI.
        return False
    time = match.group("time").replace(",", ".")
    seconds = time[6:] if len(time) > 5 else "00"
    whole = f"{match.group('date')}T{time[:5]}:{seconds.split('.')[0]}"
    try:
        datetime.fromisoformat(whole)
    except ValueError:
        return False
    zone = match.group("zone")
    if zone and zone != "Z":
        digits = zone[1:].replace(":", "")
        if int(digits[:2]) > 23 or (len(digits) > 2 and int(digits[2:]) > 59):
            return False
    return True


def is_duration(value: Any) -> bool:
    if not isinstance(value, str) or not _DURATION.match(value):
        return False
    # "P" and "PT" alone name no duration, and a "T" needs a time after it.
    return not value.endswith("T") and any(c.isdigit() for c in value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Checker:
    """Walks a statement, collecting "<JSON pointer>: <problem>" messages."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(f"{path or '/'}: {message}")

    # --- generic pieces ----------------------------------------------------------------------

    def object_(self, value: Any, path: str) -> bool:
        if not isinstance(value, Mapping):
            self.add(path, "must be a JSON object")
            return False
        return True

    def keys(self, value: Mapping[str, Any], allowed: frozenset[str] | set[str], path: str) -> None:
        for key in value:
            if key not in allowed:
                self.add(f"{path}/{key}", "is not a property allowed here")

    def iri(self, value: Any, path: str) -> None:
        if not is_iri(value):
            self.add(path, "must be an absolute IRI")

    def uuid(self, value: Any, path: str) -> None:
        if not is_uuid(value):
            self.add(path, "must be a UUID (RFC 4122, hyphenated)")

    def string(self, value: Any, path: str) -> None:
        if not isinstance(value, str):
            self.add(path, "must be a string")

    def boolean(self, value: Any, path: str) -> None:
        if not isinstance(value, bool):
            self.add(path, "must be true or false")

    def timestamp(self, value: Any, path: str) -> None:
        if not is_timestamp(value):
            self.add(path, "must be an ISO 8601 date and time")

    def language_map(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        for tag, text in value.items():
            if not is_language_tag(tag):
                self.add(f"{path}/{tag}", "is not an RFC 5646 language tag")
            if not isinstance(text, str):
                self.add(f"{path}/{tag}", "must be a string")

    def extensions(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        for key in value:
            if not is_iri(key):
                self.add(f"{path}/{key}", "extension keys must be absolute IRIs")

    # --- actors ------------------------------------------------------------------------------

    def ifis(self, value: Mapping[str, Any], path: str, *, required: bool) -> None:
        present = [key for key in IFIS if key in value]
        if len(present) > 1:
            self.add(path, "must have exactly one inverse functional identifier, not several")
        elif not present and required:
            self.add(path, "must have exactly one of mbox, mbox_sha1sum, openid or account")
        if "mbox" in value and not (
            isinstance(value["mbox"], str) and _MAILTO.match(value["mbox"])
        ):
            self.add(f"{path}/mbox", 'must be "mailto:" and an e-mail address')
        if "mbox_sha1sum" in value and not (
            isinstance(value["mbox_sha1sum"], str) and _SHA1.match(value["mbox_sha1sum"])
        ):
            self.add(f"{path}/mbox_sha1sum", "must be a SHA-1 hex digest")
        if "openid" in value:
            self.iri(value["openid"], f"{path}/openid")
        if "account" in value:
            account = value["account"]
            if self.object_(account, f"{path}/account"):
                self.keys(account, {"homePage", "name"}, f"{path}/account")
                if "homePage" not in account:
                    self.add(f"{path}/account/homePage", "is required")
                else:
                    self.iri(account["homePage"], f"{path}/account/homePage")
                if "name" not in account:
                    self.add(f"{path}/account/name", "is required")
                else:
                    self.string(account["name"], f"{path}/account/name")

    def agent(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(value, {"objectType", "name", *IFIS}, path)
        if value.get("objectType", "Agent") != "Agent":
            self.add(f"{path}/objectType", 'must be "Agent"')
        if "name" in value:
            self.string(value["name"], f"{path}/name")
        self.ifis(value, path, required=True)

    def group(self, value: Mapping[str, Any], path: str) -> None:
        self.keys(value, {"objectType", "name", "member", *IFIS}, path)
        if "name" in value:
            self.string(value["name"], f"{path}/name")
        identified = any(key in value for key in IFIS)
        self.ifis(value, path, required=False)
        members = value.get("member")
        if members is None:
            if not identified:
                self.add(f"{path}/member", "an anonymous group must list its members")
            return
        if not isinstance(members, list):
            self.add(f"{path}/member", "must be an array of agents")
            return
        if not identified and not members:
            self.add(f"{path}/member", "an anonymous group must list its members")
        for index, member in enumerate(members):
            if isinstance(member, Mapping) and member.get("objectType") == "Group":
                self.add(f"{path}/member/{index}", "a group's members must be agents")
            else:
                self.agent(member, f"{path}/member/{index}")

    def actor(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        if value.get("objectType") == "Group":
            self.group(value, path)
        else:
            self.agent(value, path)

    # --- verb and object ---------------------------------------------------------------------

    def verb(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(value, {"id", "display"}, path)
        if "id" not in value:
            self.add(f"{path}/id", "is required")
        else:
            self.iri(value["id"], f"{path}/id")
        if "display" in value:
            self.language_map(value["display"], f"{path}/display")

    def components(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.add(path, "must be an array of interaction components")
            return
        seen: set[str] = set()
        for index, component in enumerate(value):
            where = f"{path}/{index}"
            if not self.object_(component, where):
                continue
            self.keys(component, {"id", "description"}, where)
            component_id = component.get("id")
            if not isinstance(component_id, str) or not component_id:
                self.add(f"{where}/id", "is required and must be a non-empty string")
            elif component_id in seen:
                self.add(f"{where}/id", "is used twice in the list")
            else:
                seen.add(component_id)
            if "description" in component:
                self.language_map(component["description"], f"{where}/description")

    def definition(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(
            value,
            {
                "name",
                "description",
                "type",
                "moreInfo",
                "extensions",
                "interactionType",
                "correctResponsesPattern",
                *_COMPONENT_LISTS,
            },
            path,
        )
        for key in ("name", "description"):
            if key in value:
                self.language_map(value[key], f"{path}/{key}")
        for key in ("type", "moreInfo"):
            if key in value:
                self.iri(value[key], f"{path}/{key}")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}/extensions")
        interaction = value.get("interactionType")
        lists = [key for key in _COMPONENT_LISTS if key in value]
        if interaction is None:
            if "correctResponsesPattern" in value or lists:
                self.add(
                    f"{path}/interactionType",
                    "is required with correctResponsesPattern or interaction components",
                )
        elif interaction not in INTERACTION_TYPES:
            self.add(f"{path}/interactionType", "is not an xAPI interaction type")
        if "correctResponsesPattern" in value:
            pattern = value["correctResponsesPattern"]
            if not isinstance(pattern, list) or not all(isinstance(p, str) for p in pattern):
                self.add(f"{path}/correctResponsesPattern", "must be an array of strings")
        allowed = _COMPONENTS_ALLOWED.get(interaction or "", frozenset())
        for key in lists:
            if interaction in INTERACTION_TYPES and key not in allowed:
                self.add(f"{path}/{key}", f"is not used with interactionType {interaction!r}")
            self.components(value[key], f"{path}/{key}")

    def activity(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(value, {"objectType", "id", "definition"}, path)
        if value.get("objectType", "Activity") != "Activity":
            self.add(f"{path}/objectType", 'must be "Activity"')
        if "id" not in value:
            self.add(f"{path}/id", "is required")
        else:
            self.iri(value["id"], f"{path}/id")
        if "definition" in value:
            self.definition(value["definition"], f"{path}/definition")

    def statement_ref(self, value: Mapping[str, Any], path: str) -> None:
        self.keys(value, {"objectType", "id"}, path)
        self.uuid(value.get("id"), f"{path}/id")

    def object(self, value: Any, path: str, *, sub: bool = False) -> None:
        if not self.object_(value, path):
            return
        kind = value.get("objectType", "Activity")
        if kind == "Activity":
            self.activity(value, path)
        elif kind == "Agent":
            self.agent(value, path)
        elif kind == "Group":
            self.group(value, path)
        elif kind == "StatementRef":
            self.statement_ref(value, path)
        elif kind == "SubStatement":
            if sub:
                self.add(f"{path}/objectType", "a sub-statement cannot contain another")
            else:
                self.statement_body(value, path, sub=True)
        else:
            self.add(f"{path}/objectType", "is not an xAPI object type")

    # --- result and context ------------------------------------------------------------------

    def score(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(value, {"scaled", "raw", "min", "max"}, path)
        for key in ("scaled", "raw", "min", "max"):
            if key in value and not _is_number(value[key]):
                self.add(f"{path}/{key}", "must be a number")
        numbers = {k: v for k, v in value.items() if k in ("scaled", "raw", "min", "max")}
        if not all(_is_number(v) for v in numbers.values()):
            return
        scaled = numbers.get("scaled")
        if scaled is not None and not -1 <= scaled <= 1:
            self.add(f"{path}/scaled", "must be between -1 and 1")
        low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
        if low is not None and high is not None and not low < high:
            self.add(f"{path}/max", "must be greater than min")
        if raw is not None and low is not None and raw < low:
            self.add(f"{path}/raw", "must not be less than min")
        if raw is not None and high is not None and raw > high:
            self.add(f"{path}/raw", "must not be greater than max")

    def result(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(
            value, {"score", "success", "completion", "response", "duration", "extensions"}, path
        )
        if "score" in value:
            self.score(value["score"], f"{path}/score")
        for key in ("success", "completion"):
            if key in value:
                self.boolean(value[key], f"{path}/{key}")
        if "response" in value:
            self.string(value["response"], f"{path}/response")
        if "duration" in value and not is_duration(value["duration"]):
            self.add(f"{path}/duration", "must be an ISO 8601 duration")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}/extensions")

    def context_activities(self, value: Any, path: str) -> None:
        if not self.object_(value, path):
            return
        self.keys(value, {"parent", "grouping", "category", "other"}, path)
        for key, activities in value.items():
            # The spec allows a single activity; an LRS stores it as an array of one.
            if isinstance(activities, list):
                items = [(f"{path}/{key}/{index}", a) for index, a in enumerate(activities)]
            else:
                items = [(f"{path}/{key}", activities)]
            for where, activity in items:
                if isinstance(activity, Mapping) and activity.get("objectType", "Activity") != (
                    "Activity"
                ):
                    self.add(f"{where}/objectType", "context activities must be activities")
                else:
                    self.activity(activity, where)

    def context(self, value: Any, path: str, statement_object: Any) -> None:
        if not self.object_(value, path):
            return
        self.keys(
            value,
            {
                "registration",
                "instructor",
                "team",
                "contextActivities",
                "revision",
                "platform",
                "language",
                "statement",
                "extensions",
            },
            path,
        )
        if "registration" in value:
            self.uuid(value["registration"], f"{path}/registration")
        if "instructor" in value:
            self.actor(value["instructor"], f"{path}/instructor")
        if "team" in value:
            team = value["team"]
            if isinstance(team, Mapping) and team.get("objectType") == "Group":
                self.group(team, f"{path}/team")
            else:
                self.add(f"{path}/team", "must be a group")
        if "contextActivities" in value:
            self.context_activities(value["contextActivities"], f"{path}/contextActivities")
        object_type = (
            statement_object.get("objectType") if isinstance(statement_object, Mapping) else None
        )
        for key in ("revision", "platform"):
            if key in value:
                self.string(value[key], f"{path}/{key}")
                if object_type in ("Agent", "Group"):
                    self.add(f"{path}/{key}", "is not allowed when the object is an agent/group")
        if "language" in value and not is_language_tag(value["language"]):
            self.add(f"{path}/language", "is not an RFC 5646 language tag")
        if "statement" in value:
            reference = value["statement"]
            if isinstance(reference, Mapping) and reference.get("objectType") == "StatementRef":
                self.statement_ref(reference, f"{path}/statement")
            else:
                self.add(f"{path}/statement", "must be a StatementRef")
        if "extensions" in value:
            self.extensions(value["extensions"], f"{path}/extensions")

    def attachments(self, value: Any, path: str) -> None:
        if not isinstance(value, list):
            self.add(path, "must be an array")
            return
        for index, attachment in enumerate(value):
            where = f"{path}/{index}"
            if not self.object_(attachment, where):
                continue
            self.keys(
                attachment,
                {"usageType", "display", "description", "contentType", "length", "sha2", "fileUrl"},
                where,
            )
            for key in ("usageType", "display", "contentType", "length", "sha2"):
                if key not in attachment:
                    self.add(f"{where}/{key}", "is required")
            if "usageType" in attachment:
                self.iri(attachment["usageType"], f"{where}/usageType")
            for key in ("display", "description"):
                if key in attachment:
                    self.language_map(attachment[key], f"{where}/{key}")
            if "length" in attachment and not (
                isinstance(attachment["length"], int) and not isinstance(attachment["length"], bool)
            ):
                self.add(f"{where}/length", "must be an integer")
            if "fileUrl" in attachment:
                self.iri(attachment["fileUrl"], f"{where}/fileUrl")

    # --- the statement -----------------------------------------------------------------------

    def statement_body(self, value: Mapping[str, Any], path: str, *, sub: bool) -> None:
        self.keys(value, _SUBSTATEMENT_KEYS if sub else _STATEMENT_KEYS, path)
        for key in ("actor", "verb", "object"):
            if key not in value:
                self.add(f"{path}/{key}", "is required")
        if "actor" in value:
            self.actor(value["actor"], f"{path}/actor")
        if "verb" in value:
            self.verb(value["verb"], f"{path}/verb")
        if "object" in value:
            self.object(value["object"], f"{path}/object", sub=sub)
            verb = value.get("verb")
            target = value["object"]
            if (
                isinstance(verb, Mapping)
                and verb.get("id") == VOIDED
                and not (isinstance(target, Mapping) and target.get("objectType") == "StatementRef")
            ):
                self.add(f"{path}/object", "a voiding statement's object must be a StatementRef")
        if "result" in value:
            self.result(value["result"], f"{path}/result")
        if "context" in value:
            self.context(value["context"], f"{path}/context", value.get("object"))
        for key in ("timestamp", "stored"):
            if key in value:
                self.timestamp(value[key], f"{path}/{key}")
        if "attachments" in value:
            self.attachments(value["attachments"], f"{path}/attachments")

    def statement(self, value: Any) -> None:
        if not self.object_(value, ""):
            return
        if "id" in value:
            self.uuid(value["id"], "/id")
        if "objectType" in value:
            self.add("/objectType", "a statement has no objectType")
        self.statement_body(value, "", sub=False)
        if "authority" in value:
            self.actor(value["authority"], "/authority")
        if "version" in value and not (
            isinstance(value["version"], str) and _VERSION.match(value["version"])
        ):
            self.add("/version", 'must be "1.0.x"')


def _walk_nulls(value: Any, path: str) -> Iterator[str]:
    # xAPI: a property's value is never null (leave the property out instead); extensions
    # are free-form and may hold anything.
    if isinstance(value, Mapping):
        for key, item in value.items():
            if key == "extensions":
                continue
            if item is None:
                yield f"{path}/{key}"
            else:
                yield from _walk_nulls(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            if item is None:
                yield f"{path}/{index}"
            else:
                yield from _walk_nulls(item, f"{path}/{index}")


def validate_statement(statement: Any) -> list[str]:
    """Every way `statement` breaks xAPI 1.0.3, as "<JSON pointer>: <problem>"; [] if none."""
    checker = _Checker()
    for where in _walk_nulls(statement, ""):
        checker.add(where, "must not be null (leave the property out)")
    checker.statement(statement)
    return checker.problems
