"""Enrolments: self-enrolment, assignment to people and groups with a due date, the refusals
(role, past date, other tenant, nothing chosen), My learning's buckets and the API."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from courses.enrolments import assign, enrol_self, my_learning
from courses.models import Assignment, Enrollment, EnrollmentSource, EnrollmentStatus
from egl_platform.errors import Forbidden, Invalid, NotFound
from tenants.models import MembershipStatus
from tests.courses.factories import publish
from tests.factories import GroupFactory, GroupMemberFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def soon(days: int = 7):
    return timezone.now() + timedelta(days=days)


# --- self-enrolment -----------------------------------------------------------------------------


def test_self_enrolment_is_on_the_live_release_and_idempotent(acme):
    with acme.scope():
        entry = publish(acme, title="Fire safety")
        first = enrol_self(actor=acme.learner, course=entry.course)
        again = enrol_self(actor=acme.learner, course=entry.course)
        assert first.pk == again.pk
        assert first.release_id == entry.live_release_id
        assert first.source == EnrollmentSource.SELF
        assert first.status == EnrollmentStatus.ENROLLED
        assert Enrollment.objects.count() == 1


def test_an_unlisted_course_takes_no_self_enrolment(acme):
    with acme.scope():
        entry = publish(acme, title="Hidden", listed=False)
        with pytest.raises(NotFound):
            enrol_self(actor=acme.learner, course=entry.course)
        assert not Enrollment.objects.exists()


def test_nobody_enrols_in_another_tenants_course(acme, globex):
    with acme.scope():
        entry = publish(acme, title="Acme only")
    with globex.scope(), pytest.raises(NotFound):
        enrol_self(actor=globex.learner, course=entry.course)
    client = globex.client_for(globex.learner)
    assert client.post(f"/catalog/{entry.course.uuid}/enrol/").status_code == 404
    response = client.post(
        "/api/v1/enrolments/", {"course": str(entry.course.uuid)}, content_type="application/json"
    )
    assert response.status_code == 404
    with acme.scope():
        assert not Enrollment.objects.exists()
    with globex.scope():
        assert not Enrollment.objects.exists()


# --- assignment ---------------------------------------------------------------------------------


def test_assigning_people_and_groups_enrols_everyone_with_the_due_date(acme):
    with acme.scope():
        entry = publish(acme, title="Compliance 101")
        team = GroupFactory(name="Sales")
        alice = MembershipFactory(roles=[], user__email="alice@acme.test")
        bob = MembershipFactory(roles=[], user__email="bob@acme.test")
        gone = MembershipFactory(roles=[], user__email="gone@acme.test")
        gone.status = MembershipStatus.DEACTIVATED
        gone.save()
        for member in (alice, bob, gone):
            GroupMemberFactory(group=team, membership=member)
        # The learner enrolled themselves before: they become assigned with the due date.
        enrol_self(actor=acme.learner, course=entry.course)
        due = soon(10)
        result = assign(
            actor=acme.reviewer,
            course=entry.course,
            members=[acme.learner, alice],
            groups=[team],
            due_at=due,
        )
        assert (result.enrolled, result.updated) == (2, 1)  # alice and bob new; learner updated
        assert Assignment.objects.filter(course=entry.course).count() == 3
        rows = {e.learner_id: e for e in Enrollment.objects.filter(course=entry.course)}
        assert set(rows) == {acme.learner.pk, alice.pk, bob.pk}  # not the deactivated member
        for enrollment in rows.values():
            assert enrollment.source == EnrollmentSource.ASSIGNED
            assert enrollment.due_at == due
            assert enrollment.release_id == entry.live_release_id
        assert rows[alice.pk].assignment.membership_id == alice.pk  # her own beats the group's
        assert rows[bob.pk].assignment.group_id == team.pk

        # Assigning again with a new date moves the date; nobody is enrolled twice.
        later = soon(20)
        again = assign(actor=acme.admin, course=entry.course, groups=[team], due_at=later)
        assert (again.enrolled, again.updated) == (0, 2)
        assert Enrollment.objects.get(course=entry.course, learner=bob).due_at == later


@pytest.mark.parametrize("role", ["learner", "author"])
def test_learners_and_authors_may_not_assign(acme, role):
    with acme.scope():
        entry = publish(acme, title="Compliance 101")
        with pytest.raises(Forbidden):
            assign(actor=getattr(acme, role), course=entry.course, members=[acme.learner])
        assert not Assignment.objects.exists()
        assert not Enrollment.objects.exists()
    client = acme.client_for(getattr(acme, role))
    response = client.post(
        f"/catalog/{entry.course.uuid}/assign/", {"members": [str(acme.learner.uuid)]}
    )
    assert response.status_code == 403
    response = client.post(
        "/api/v1/assignments/",
        {"course": str(entry.course.uuid), "members": [str(acme.learner.uuid)]},
        content_type="application/json",
    )
    assert response.status_code == 403
    with acme.scope():
        assert not Assignment.objects.exists()


def test_assignment_refusals_change_nothing(acme, globex):
    with acme.scope():
        entry = publish(acme, title="Compliance 101")
        with pytest.raises(Invalid) as past:
            assign(
                actor=acme.reviewer,
                course=entry.course,
                members=[acme.learner],
                due_at=timezone.now() - timedelta(hours=1),
            )
        assert "due_at" in past.value.fields
        with pytest.raises(Invalid):
            assign(actor=acme.reviewer, course=entry.course)
        with pytest.raises(NotFound):
            assign(actor=acme.reviewer, course=entry.course, members=[globex.learner])
        assert not Assignment.objects.exists()
        assert not Enrollment.objects.exists()
    with globex.scope():
        foreign_group = GroupFactory(name="Globex team")

    client = acme.client_for(acme.reviewer)
    url = f"/catalog/{entry.course.uuid}/assign/"
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client.post(url, {"members": [str(acme.learner.uuid)], "due_date": yesterday})
    assert response.status_code == 400
    assert "The due date must be in the future." in response.content.decode()
    assert client.post(url, {"members": [str(globex.learner.uuid)]}).status_code == 400
    assert client.post(url, {"groups": [str(foreign_group.uuid)]}).status_code == 400
    assert client.post(url, {}).status_code == 400

    api = "/api/v1/assignments/"
    for body in (
        {"course": str(entry.course.uuid), "members": [str(globex.learner.uuid)]},
        {"course": str(entry.course.uuid), "groups": [str(foreign_group.uuid)]},
        {
            "course": str(entry.course.uuid),
            "members": [str(acme.learner.uuid)],
            "due_at": (timezone.now() - timedelta(days=1)).isoformat(),
        },
    ):
        response = client.post(api, body, content_type="application/json")
        assert response.status_code == 400, body
        assert response.json()["error"]["fields"]
    with acme.scope():
        assert not Assignment.objects.exists()
        assert not Enrollment.objects.exists()


def test_the_assignment_form_assigns_and_lists_who_is_assigned(acme):
    with acme.scope():
        entry = publish(acme, title="Compliance 101")
        team = GroupFactory(name="Support")
        GroupMemberFactory(group=team, membership=acme.author)
    client = acme.client_for(acme.admin)
    due = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = client.post(
        f"/catalog/{entry.course.uuid}/assign/",
        {"members": [str(acme.learner.uuid)], "groups": [str(team.uuid)], "due_date": due},
    )
    assert response.status_code == 302
    with acme.scope():
        enrolled = Enrollment.objects.filter(course=entry.course)
        assert {e.learner_id for e in enrolled} == {acme.learner.pk, acme.author.pk}
        assert all(e.due_at and e.due_at.date().isoformat() == due for e in enrolled)
    page = client.get(f"/catalog/{entry.course.uuid}/learners/")
    assert page.status_code == 200
    body = page.content.decode()
    assert acme.learner.user.name in body
    assert acme.author.user.name in body
    assert "Group Support" in body
    assert (
        acme.client_for(acme.author).get(f"/catalog/{entry.course.uuid}/learners/").status_code
        == 403
    )


# --- My learning --------------------------------------------------------------------------------


def test_my_learning_buckets(acme):
    now = timezone.now()
    with acme.scope():
        overdue = publish(acme, title="Overdue course")
        assigned = publish(acme, title="Assigned course")
        mine = publish(acme, title="My own course")
        done = publish(acme, title="Done course")
        late_but_done = publish(acme, title="Late but done")
        for entry in (overdue, assigned, done, late_but_done):
            assign(actor=acme.reviewer, course=entry.course, members=[acme.learner], due_at=soon())
        enrol_self(actor=acme.learner, course=mine.course)
        Enrollment.objects.filter(course=overdue.course).update(due_at=now - timedelta(days=1))
        Enrollment.objects.filter(course=mine.course).update(status=EnrollmentStatus.IN_PROGRESS)
        Enrollment.objects.filter(course__in=[done.course, late_but_done.course]).update(
            status=EnrollmentStatus.COMPLETED, completed_at=now
        )
        Enrollment.objects.filter(course=late_but_done.course).update(
            due_at=now - timedelta(days=3)
        )
        learning = my_learning(actor=acme.learner)

        def names(items):
            return sorted(item.title for item in items)

        assert names(learning.overdue) == ["Overdue course"]
        assert names(learning.assigned) == ["Assigned course"]
        assert names(learning.in_progress) == ["My own course"]
        assert names(learning.completed) == ["Done course", "Late but done"]
        assert my_learning(actor=acme.author).total == 0

    page = acme.client_for(acme.learner).get("/my-learning/")
    assert page.status_code == 200
    body = page.content.decode()
    for title in ("Overdue course", "Assigned course", "My own course", "Done course"):
        assert title in body
    # Overdue is said in words, not by colour alone.
    assert '<strong class="badge badge--failed">Overdue</strong>' in body
    empty = acme.client_for(acme.author).get("/my-learning/").content.decode()
    assert "You are not enrolled in any course yet." in empty


def test_my_learning_is_per_tenant(acme, globex):
    with acme.scope():
        entry = publish(acme, title="Acme course")
        enrol_self(actor=acme.learner, course=entry.course)
    body = globex.client_for(globex.learner).get("/my-learning/").content.decode()
    assert "Acme course" not in body
    response = globex.client_for(globex.learner).get("/api/v1/enrolments/")
    assert response.json()["results"] == []


# --- the API ------------------------------------------------------------------------------------


def test_the_enrolment_api_self_enrols_and_lists_mine(acme):
    with acme.scope():
        entry = publish(acme, title="Fire safety")
        other = publish(acme, title="Other")
        enrol_self(actor=acme.author, course=other.course)
    client = acme.client_for(acme.learner)
    body = {"course": str(entry.course.uuid)}
    first = client.post("/api/v1/enrolments/", body, content_type="application/json")
    assert first.status_code == 201
    again = client.post("/api/v1/enrolments/", body, content_type="application/json")
    assert again.status_code == 200
    assert again.json()["uuid"] == first.json()["uuid"]
    listed = client.get("/api/v1/enrolments/").json()["results"]
    assert [row["course"] for row in listed] == [str(entry.course.uuid)]
    assert listed[0]["source"] == "self"
    assert listed[0]["release"] == 1


def test_the_assignment_api(acme):
    with acme.scope():
        entry = publish(acme, title="Fire safety")
        team = GroupFactory(name="Ops")
        GroupMemberFactory(group=team, membership=acme.author)
    client = acme.client_for(acme.reviewer)
    due = (timezone.now() + timedelta(days=4)).isoformat()
    response = client.post(
        "/api/v1/assignments/",
        {
            "course": str(entry.course.uuid),
            "members": [str(acme.learner.uuid)],
            "groups": [str(team.uuid)],
            "due_at": due,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["enrolled"] == 2
    assert len(data["assignments"]) == 2
    listed = client.get("/api/v1/assignments/").json()["results"]
    assert {row["group"] or row["member"] for row in listed} == {
        str(team.uuid),
        str(acme.learner.uuid),
    }
    assert acme.client_for(acme.learner).get("/api/v1/assignments/").status_code == 403
