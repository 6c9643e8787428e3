"""Isolation probe: tenant A can never reach tenant B's objects, whatever URL it tries.

The probe walks the tenant URLconf itself, so routes added later are covered without
editing this file — unless a route takes a URL kwarg the probe does not know, which fails
(`test_probe_knows_every_route_kwarg`) until the kwarg is registered in OBJECTS_BY_KWARG
or the route in SPECIAL_ROUTES / EXCLUDED_ROUTES with a reason.

- Object routes (taking an id): acme's admin — the most powerful tenant role — sends GET,
  POST, PUT, PATCH and DELETE with globex's ids. Every answer is 404 (405 only for a method
  the route does not take; never 2xx, 3xx, 403 or 5xx), at least one is 404, and no row of
  any tenant changed. A route with several ids is also tried with one foreign id among
  acme's own (acme's group, globex's member).
- List routes (no id): acme's admin GETs them, also with search terms, and none of globex's
  markers (e-mail addresses, names, uuids) appears in the body.
"""

from __future__ import annotations

import json
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client

from authoring.document import course_document_build
from authoring.models import Revision
from courses.models import (
    Certificate,
    Enrollment,
    EnrollmentStatus,
    PublicLink,
    Rating,
    Release,
)
from egl_platform.models import JobStatus
from reviews.models import Comment, ExternalReviewLink, Notification, ReviewCategory, ReviewRequest
from reviews.services import categories_ensure_defaults
from tenants.models import Invitation, Membership, User
from tenants.services.accounts import api_token_create
from tenants.services.invitations import invitation_create
from tenants.tenancy import TenantOwnedModel, dangerously_unscoped
from tests.factories import (
    AssetFactory,
    CourseFactory,
    GroupFactory,
    GroupMemberFactory,
    JobFactory,
    PageFactory,
    SectionFactory,
)
from tests.routes import Route, routes_of

pytestmark = pytest.mark.django_db

TENANT_URLCONF = settings.ROOT_URLCONF


# --- the objects of one tenant the probe points at ------------------------------------------------


@dataclass
class Objects:
    """One of each object a URL can name, in one tenant, with text that marks them as its own."""

    world: Any
    member: Membership
    group: Any
    invitation: Invitation
    invitation_token: str
    job: Any
    api_token: Any
    course: Any = None
    section: Any = None
    page: Any = None
    block_id: str = ""
    asset: Any = None
    revision: Any = None
    review: Any = None
    review_category: Any = None
    comment: Any = None
    external_link: Any = None
    notification: Any = None
    release: Any = None
    rating: Any = None
    certificate: Any = None
    public_link: Any = None

    def markers(self) -> list[str]:
        """Strings that must never show up on the other tenant's pages."""
        world = self.world
        emails = [m.user.email for m in (world.learner, world.author, world.reviewer, world.admin)]
        uuids = [
            str(obj.uuid)
            for obj in (
                world.learner,
                world.author,
                world.reviewer,
                world.admin,
                self.group,
                self.invitation,
                self.job,
                self.api_token,
                self.course,
                self.section,
                self.page,
                self.asset,
            )
        ]
        return [
            *emails,
            *uuids,
            self.group.name,
            self.invitation.email,
            self.job.message,
            self.api_token.name,
            self.course.title,
            self.section.title,
            self.page.title,
            self.block_id,
            self.asset.filename,
            *([self.external_link.name, self.external_link.email] if self.external_link else []),
            *([self.certificate.code, self.certificate.learner_name] if self.certificate else []),
        ]


def build_objects(world: Any, label: str) -> Objects:
    with world.scope():
        group = GroupFactory(name=f"{label} Zanzibar Squad", description=f"{label} secret group")
        GroupMemberFactory(group=group, membership=world.learner)
        issued = invitation_create(
            actor=world.admin, email=f"invitee@{label.lower()}-invited.test", roles=["author"]
        )
        job = JobFactory(
            created_by=world.admin,
            status=JobStatus.SUCCEEDED,
            progress=100,
            message=f"{label} job marker",
            result={
                "file": f"tenants/{world.tenant.uuid}/exports/members-x.csv",
                "filename": "m.csv",
                "rows": 4,
            },
        )
        token = api_token_create(actor=world.admin, name=f"{label} integration").token
        authoring = build_authoring_objects(world, label)
        authoring["certificate"] = build_certificate(world, label, authoring)
        authoring["public_link"] = PublicLink.objects.create(
            course=authoring["course"], token=secrets.token_urlsafe(32)
        )
    return Objects(
        world, world.learner, group, issued.invitation, issued.token, job, token, **authoring
    )


# Revision numbers count per course, so each tenant's probe revision gets its own number:
# then acme's course with globex's number names no revision either.
REVISION_NUMBERS = {"Acme": 101, "Globex": 202}


def build_authoring_objects(world: Any, label: str) -> dict[str, Any]:
    """A course (owned by the world's author) with a section, a page holding one block, an
    image asset and a revision."""
    block_id = str(uuid.uuid4())
    course = CourseFactory(
        owner=world.author,
        title=f"{label} Zanzibar course",
        description=f"{label} secret course",
    )
    section = SectionFactory(course=course, title=f"{label} Zanzibar section")
    page = PageFactory(
        section=section,
        title=f"{label} Zanzibar page",
        blocks=[
            {
                "id": block_id,
                "type": "rich_text",
                "version": 1,
                "data": {"text": f"<p>{label} Zanzibar text</p>"},
            }
        ],
        block_versions={block_id: 1},
    )
    PageFactory(section=section, title=f"{label} second page")
    asset = AssetFactory(filename=f"{label.lower()}-zanzibar.png")
    revision = Revision.objects.create(
        course=course,
        number=REVISION_NUMBERS.get(label, 303),
        document=course_document_build(course),
        created_by=world.author,
    )
    review = ReviewRequest.objects.create(
        course=course, round=1, revision=revision, message=f"{label} Zanzibar review"
    )
    categories_ensure_defaults()
    comment = Comment.objects.create(
        course=course, review=review, anchor="course", body=f"{label} Zanzibar comment"
    )
    return {
        "course": course,
        "section": section,
        "page": page,
        "block_id": block_id,
        "asset": asset,
        "revision": revision,
        "review": review,
        "review_category": ReviewCategory.objects.get(slug="compliance"),
        "release": Release.objects.create(
            course=course, number=1, revision=revision, document=revision.document
        ),
        "comment": comment,
        "rating": Rating.objects.create(
            course=course, learner=world.learner, stars=4, feedback=f"{label} Zanzibar feedback"
        ),
        # In the admin's own inbox: the probe's actor has one of its own tenant too.
        "notification": Notification.objects.create(
            recipient=world.admin,
            kind="comment",
            course=course,
            review=review,
            comment=comment,
            actor_name=f"{label} Zanzibar notifier",
            data={"course_title": course.title, "excerpt": f"{label} Zanzibar excerpt"},
            url=f"/courses/{course.uuid}/",
        ),
        "external_link": ExternalReviewLink.objects.create(
            review=review,
            name=f"{label} Zanzibar expert",
            email=f"expert@{label.lower()}-zanzibar.test",
            created_by=world.author,
            expires_at=revision.created_at + timedelta(days=14),
        ),
    }


# Verification codes (alphabet of courses.certificates), one per tenant of the probe.
CERTIFICATE_CODES = {"Acme": "ACME-ZANZ-BARA", "Globex": "GLEX-ZANZ-BARG"}


def build_certificate(world: Any, label: str, authoring: dict[str, Any]) -> Certificate:
    """A certificate of the learner for the probe course's release. Not the admin's: the
    probe's actor enrolled would meet the player's "page no longer in the course" redirect."""
    enrollment, _created = Enrollment.objects.get_or_create(
        course=authoring["course"],
        learner=world.learner,
        defaults={"release": authoring["release"]},
    )
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.completed_at = enrollment.enrolled_at
    enrollment.save(update_fields=["status", "completed_at"])
    return Certificate.objects.create(
        enrollment=enrollment,
        code=CERTIFICATE_CODES.get(label, "THRD-ZANZ-BARX"),
        learner_name=f"{label} Zanzibar graduate",
        course_title=authoring["course"].title,
        release_number=authoring["release"].number,
        completed_at=enrollment.enrolled_at,
    )


# How to fill each URL kwarg with an object of a given tenant. Register new kwargs here.
OBJECTS_BY_KWARG: dict[str, Callable[[Objects], Any]] = {
    "member_uuid": lambda o: o.member.uuid,
    "group_uuid": lambda o: o.group.uuid,
    "invitation_uuid": lambda o: o.invitation.uuid,
    "job_uuid": lambda o: o.job.uuid,
    "token_uuid": lambda o: o.api_token.uuid,
    "course_uuid": lambda o: o.course.uuid,
    "section_uuid": lambda o: o.section.uuid,
    "page_uuid": lambda o: o.page.uuid,
    "block_id": lambda o: o.block_id,
    "asset_uuid": lambda o: o.asset.uuid,
    "revision_number": lambda o: o.revision.number,
    "review_uuid": lambda o: o.review.uuid,
    "review_category_uuid": lambda o: o.review_category.uuid,
    "comment_uuid": lambda o: o.comment.uuid,
    "link_uuid": lambda o: o.external_link.uuid,
    "notification_uuid": lambda o: o.notification.uuid,
    "release_uuid": lambda o: o.release.uuid,
    "rating_uuid": lambda o: o.rating.uuid,
    "certificate_uuid": lambda o: o.certificate.uuid,
    "code": lambda o: o.certificate.code,
    "token": lambda o: o.public_link.token,
}

# Routes whose kwargs are not object ids; each has its own check below.
SPECIAL_ROUTES = {
    "accounts:switch": "the slug names a tenant: switching to one you are not a member of is 404",
    "accounts:invitation_accept": "the token is a secret: another tenant's invitation link is invalid here",
    "external-review": "the token is a signed external review link: another tenant's is not found here",
    "external-review-comment-add": "the external review link's token: see external-review",
    "external-review-comment-reply": "the external review link's token: see external-review",
}

# Routes the probe leaves out, each with the reason.
EXCLUDED_ROUTES = {
    "accounts:password_reset_confirm": (
        "uidb64/token name a platform-level account (User, one per person across tenants) "
        "with a signed, expiring secret e-mailed to that person; no tenant-owned object"
    ),
}


def tenant_routes() -> list[Route]:
    return routes_of(TENANT_URLCONF)


def object_routes() -> list[Route]:
    return [
        r
        for r in tenant_routes()
        if r.kwargs and r.name not in SPECIAL_ROUTES and r.name not in EXCLUDED_ROUTES
    ]


def list_routes() -> list[Route]:
    return [r for r in tenant_routes() if not r.kwargs and r.name not in EXCLUDED_ROUTES]


def _ids(routes: list[Route]) -> list[str]:
    return [route.label for route in routes]


# --- helpers --------------------------------------------------------------------------------------


def snapshot() -> dict[str, Any]:
    """Every tenant-owned row of every tenant, and every account, read past the tenant walls."""
    state: dict[str, Any] = {}
    with dangerously_unscoped():
        for model in apps.get_models():
            if issubclass(model, TenantOwnedModel):
                fields = [field.attname for field in model._meta.concrete_fields]
                state[model._meta.label] = {
                    row[0]: row for row in model.objects.values_list("pk", *fields)
                }
    state["users"] = {
        row[0]: row
        for row in User.objects.values_list(
            "pk", "email", "password", "display_name", "language", "is_active"
        )
    }
    return state


def assert_unchanged(before: dict[str, Any], after: dict[str, Any], what: str) -> None:
    for key in before:
        if before[key] != after[key]:
            changed = {
                pk
                for pk in set(before[key]) | set(after[key])
                if before[key].get(pk) != after[key].get(pk)
            }
            pytest.fail(f"{what} changed rows of {key}: {sorted(changed)}")


def probe_body(other: Objects) -> dict[str, Any]:
    """A plausible body, so a route that forgot the tenant would really change something."""
    return {
        "roles": ["admin"],
        "name": "Changed by the probe",
        "display_name": "Changed by the probe",
        "description": "probe",
        "kind": "region",
        "email": "probe@example.test",
        "members": [str(other.member.uuid)],
        "status": "deactivated",
    }


def admin_client(world: Any) -> Client:
    """Signed in as the world's admin; a server error comes back as a 500, with the URL in the message."""
    client = world.client_for(world.admin)
    client.raise_request_exception = False
    return client


def send(client: Client, method: str, url: str, *, api: bool, body: dict[str, Any]) -> Any:
    if method == "get":
        return client.get(url)
    if method == "delete":
        return client.delete(url)
    if api or method in ("put", "patch"):
        return getattr(client, method)(url, json.dumps(body), content_type="application/json")
    return client.post(url, body)


def describe(response: Any) -> str:
    content = b"" if getattr(response, "streaming", False) else response.content
    location = f" → {response['Location']}" if response.has_header("Location") else ""
    return f"{response.status_code}{location} {content[:300]!r}"


# --- the route registry is complete ------------------------------------------------------------------


def test_probe_knows_every_route_kwarg():
    unknown = {
        route.label: sorted(set(route.kwargs) - set(OBJECTS_BY_KWARG))
        for route in object_routes()
        if set(route.kwargs) - set(OBJECTS_BY_KWARG)
    }
    assert not unknown, (
        "The isolation probe does not know how to point these routes at another tenant's object: "
        f"{unknown}. Name object ids <model>_uuid and register the kwarg in OBJECTS_BY_KWARG of "
        "tests/test_isolation_probe.py (or, for a route whose kwarg is not an object id, add it "
        "to SPECIAL_ROUTES with its own check, or to EXCLUDED_ROUTES with the reason)."
    )


def test_special_and_excluded_routes_still_exist():
    names = {route.name for route in tenant_routes()}
    assert set(SPECIAL_ROUTES) | set(EXCLUDED_ROUTES) <= names


def test_probe_discovers_the_api_and_html_routes():
    names = {route.name for route in object_routes()}
    assert {
        "api-member-detail",
        "api-member-deactivate",
        "api-invitation-revoke",
        "api-group-detail",
        "api-group-remove-member",
        "api-job-detail",
        "api-token-detail",
    } <= names
    assert any(not route.is_api for route in object_routes()), (
        "no HTML route with an object id found"
    )


# --- object routes: another tenant's id is 404 and changes nothing ----------------------------------------


def _variants(route: Route, mine: Objects, theirs: Objects) -> list[dict[str, Any]]:
    """All of globex's ids; and for several ids, each of globex's ids among acme's own."""
    variants = [{key: OBJECTS_BY_KWARG[key](theirs) for key in route.kwargs}]
    if len(route.kwargs) > 1:
        for foreign in route.kwargs:
            variants.append(
                {
                    key: OBJECTS_BY_KWARG[key](theirs if key == foreign else mine)
                    for key in route.kwargs
                }
            )
    return variants


@pytest.mark.parametrize("route", object_routes(), ids=_ids(object_routes()))
def test_another_tenants_object_is_not_found(route, acme, globex):
    if set(route.kwargs) - set(OBJECTS_BY_KWARG):
        pytest.fail(
            f"{route.label}: unknown kwargs {route.kwargs}; see test_probe_knows_every_route_kwarg"
        )
    mine, theirs = build_objects(acme, "Acme"), build_objects(globex, "Globex")
    before = snapshot()
    for values in _variants(route, mine, theirs):
        url = route.build(values)
        statuses = {}
        for method in ("get", "post", "put", "patch", "delete"):
            client = admin_client(acme)
            response = send(client, method, url, api=route.is_api, body=probe_body(theirs))
            statuses[method] = response.status_code
            assert response.status_code in (404, 405), (
                f"{method.upper()} {url} as acme's admin answered {describe(response)}; another tenant's "
                "object must be 404 (405 only when the route does not take the method)"
            )
            if route.is_api:
                assert response.json()["error"]["code"] in ("not_found", "method_not_allowed"), (
                    describe(response)
                )
        assert 404 in statuses.values(), (
            f"{url}: no method found the route's object missing: {statuses}"
        )
        assert_unchanged(before, snapshot(), f"requests to {url}")


# --- special routes ---------------------------------------------------------------------------------------


def test_switching_to_a_tenant_you_are_not_a_member_of_is_not_found(acme, globex):
    route = next(r for r in tenant_routes() if r.name == "accounts:switch")
    url = route.build({"slug": globex.tenant.slug})
    for method in ("get", "post"):
        response = send(admin_client(acme), method, url, api=False, body={})
        assert response.status_code in (404, 405), describe(response)
    assert admin_client(acme).get(url).status_code == 404
    assert admin_client(acme).get(route.build({"slug": "no-such-tenant"})).status_code == 404


def test_another_tenants_invitation_link_is_invalid_here(acme, globex):
    route = next(r for r in tenant_routes() if r.name == "accounts:invitation_accept")
    theirs = build_objects(globex, "Globex")
    url = route.build({"token": theirs.invitation_token})
    before = snapshot()
    signed_in, anonymous = admin_client(acme), Client(HTTP_HOST=acme.host())
    for client in (signed_in, anonymous):
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code < 500, describe(response)
        assert "not valid" in body, describe(response)
        assert theirs.invitation.email not in body
        response = client.post(
            url,
            {
                "display_name": "Intruder",
                "password": "a-Long-passw0rd!",
                "password2": "a-Long-passw0rd!",
            },
        )
        assert response.status_code < 300 or response.status_code >= 400, describe(response)
        assert "not valid" in response.content.decode()
    assert_unchanged(before, snapshot(), "the invitation link on the wrong host")
    # On its own host the same link works: the probe used a real, open invitation.
    assert Client(HTTP_HOST=globex.host()).get(url).status_code == 200


def test_another_tenants_external_review_link_is_not_found_here(acme, globex):
    from reviews.external import external_link_token

    routes = {r.name: r for r in tenant_routes() if r.name.startswith("external-review")}
    mine, theirs = build_objects(acme, "Acme"), build_objects(globex, "Globex")
    their_token = external_link_token(theirs.external_link)
    urls = [
        routes["external-review"].build({"token": their_token}),
        routes["external-review-comment-add"].build({"token": their_token}),
        routes["external-review-comment-reply"].build(
            {"token": their_token, "comment_uuid": theirs.comment.uuid}
        ),
    ]
    body = {"anchor": "course", "body": "Changed by the probe"}
    before = snapshot()
    for url in urls:
        for client in (Client(HTTP_HOST=acme.host()), admin_client(acme)):
            for method in ("get", "post"):
                response = send(client, method, url, api=False, body=body)
                assert response.status_code in (404, 405), describe(response)
                assert theirs.course.title not in response.content.decode()
    assert_unchanged(before, snapshot(), "another tenant's external review link")
    # This tenant's own working link cannot reach the other tenant's comment.
    url = routes["external-review-comment-reply"].build(
        {"token": external_link_token(mine.external_link), "comment_uuid": theirs.comment.uuid}
    )
    response = send(Client(HTTP_HOST=acme.host()), "post", url, api=False, body=body)
    assert response.status_code == 404, describe(response)
    with dangerously_unscoped():
        assert not Comment.objects.filter(body="Changed by the probe").exists()
    # On its own host the same link works: the probe used a real, usable link.
    own = Client(HTTP_HOST=globex.host()).get(urls[0])
    assert own.status_code == 200, describe(own)


# --- list routes: none of the other tenant's rows ---------------------------------------------------------

SEARCHES = ("", "?search=globex", "?q=globex", "?search=zanzibar", "?q=zanzibar", "?search=invitee")


@pytest.mark.parametrize("route", list_routes(), ids=_ids(list_routes()))
def test_lists_show_nothing_of_another_tenant(route, acme, globex):
    build_objects(acme, "Acme")
    theirs = build_objects(globex, "Globex")
    markers = theirs.markers()
    url = route.build({})
    for query in SEARCHES:
        response = admin_client(acme).get(url + query)
        assert response.status_code < 500, f"GET {url}{query}: {describe(response)}"
        if getattr(response, "streaming", False):
            body = b"".join(response.streaming_content).decode(errors="replace")
        else:
            body = response.content.decode(errors="replace")
        leaked = [marker for marker in markers if marker in body]
        assert not leaked, f"GET {url}{query} as acme's admin shows globex's {leaked}"
