"""Rule 7 (courses.release_follow): a new release never loses learners' work."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from authoring.models import Page
from courses import scoring
from courses.models import Enrollment, EnrollmentStatus, PageProgress
from courses.player import enrollment_for_actor, page_view
from courses.release_follow import enrollment_follow_release
from tests.courses.player_factories import (
    correct_response,
    player_course,
    release_new,
    text_block,
)
from tests.factories import PageFactory

pytestmark = pytest.mark.django_db


def go_live(pc: Any) -> Any:
    release = release_new(pc.course)
    pc.entry.live_release = release
    pc.entry.save()
    return release


def view(pc: Any, *names: str) -> None:
    for name in names:
        pc.enrollment, _ = page_view(
            actor=pc.enrollment.learner, enrollment=pc.enrollment, page_id=pc.page_id(name)
        )


def pass_quiz(pc: Any) -> None:
    learner = pc.enrollment.learner
    attempt = scoring.attempt_start(
        actor=learner, enrollment=pc.enrollment, page_id=pc.page_id("quiz")
    )
    for block_id in attempt.block_ids:
        block = next(
            b
            for b in pc.release.document["sections"][0]["pages"][2]["blocks"]
            if b["id"] == block_id
        )
        scoring.answer_submit(
            actor=learner,
            enrollment=pc.enrollment,
            page_id=pc.page_id("quiz"),
            block_id=block_id,
            response=correct_response(block),
        )
    assert scoring.quiz_submit(
        actor=learner, enrollment=pc.enrollment, page_id=pc.page_id("quiz")
    ).passed


def test_learner_in_progress_moves_on_launch_keeping_progress_by_page_id(acme):
    with acme.scope():
        pc = player_course(acme)
        view(pc, "intro", "check")
        section = pc.pages["intro"].section
        PageFactory(
            section=section, title="New page", position=3, blocks=[text_block("<p>New</p>")]
        )
        release = go_live(pc)
        enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert enrollment.release_id == release.pk
        assert enrollment.last_page_id == pc.page_id("check")
        assert enrollment.status == EnrollmentStatus.IN_PROGRESS
        assert enrollment.progress_percent == 50  # 2 of 4 pages
        assert PageProgress.objects.count() == 2


def test_removed_pages_do_not_block_completion(acme):
    with acme.scope():
        pc = player_course(acme)
        view(pc, "intro", "quiz")
        pass_quiz(pc)
        assert pc.refresh().status == EnrollmentStatus.IN_PROGRESS  # the check is unseen
        Page.objects.filter(pk=pc.pages["check"].pk).delete()
        go_live(pc)
        enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert enrollment.status == EnrollmentStatus.COMPLETED
        assert enrollment.progress_percent == 100


def test_completed_learners_stay_completed_on_their_release(acme):
    with acme.scope():
        pc = player_course(acme)
        view(pc, "intro", "check", "quiz")
        pass_quiz(pc)
        done = pc.refresh()
        assert done.status == EnrollmentStatus.COMPLETED
        section = pc.pages["intro"].section
        PageFactory(section=section, title="New page", position=3, blocks=[text_block("<p>x</p>")])
        go_live(pc)
        enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert enrollment.release_id == pc.release.pk
        assert enrollment.status == EnrollmentStatus.COMPLETED
        assert enrollment.completed_at == done.completed_at
        # and following explicitly changes nothing either
        again = enrollment_follow_release(enrollment, pc.entry.live_release)
        assert again.release_id == pc.release.pk
        assert again.status == EnrollmentStatus.COMPLETED


def test_removed_resume_page_is_cleared_and_resume_goes_to_an_existing_page(acme):
    with acme.scope():
        pc = player_course(acme)
        view(pc, "intro", "check")
        Page.objects.filter(pk=pc.pages["check"].pk).delete()
        go_live(pc)
    client = acme.client_for(acme.learner)
    response = client.get(reverse("player:resume", kwargs={"course_uuid": pc.course.uuid}))
    assert response.status_code == 302
    assert pc.page_id("check") not in response["Location"]
    with acme.scope():
        assert Enrollment.objects.get().last_page_id == ""


def test_an_open_quiz_attempt_stays_on_its_release(acme):
    with acme.scope():
        pc = player_course(acme)
        view(pc, "quiz")
        attempt = scoring.attempt_start(
            actor=acme.learner, enrollment=pc.enrollment, page_id=pc.page_id("quiz")
        )
        block = pc.block("quiz", "true_false")
        # the new release drops that question from the quiz
        page = pc.pages["quiz"]
        page.blocks = [b for b in page.blocks if b["type"] != "true_false"]
        page.save()
        go_live(pc)
        enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert enrollment.release_id != pc.release.pk
        scoring.answer_submit(
            actor=acme.learner,
            enrollment=enrollment,
            page_id=pc.page_id("quiz"),
            block_id=block["id"],
            response=correct_response(block),
        )
        done = scoring.quiz_submit(
            actor=acme.learner, enrollment=enrollment, page_id=pc.page_id("quiz")
        )
        assert done.pk == attempt.pk
        assert done.score == 2
        assert done.max_score == 8


def test_rollback_moves_in_progress_learners_too(acme):
    with acme.scope():
        pc = player_course(acme)
        newer = go_live(pc)
        view(pc, "intro")
        pc.enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert pc.enrollment.release_id == newer.pk
        pc.entry.live_release = pc.release
        pc.entry.save()
        enrollment = enrollment_for_actor(actor=acme.learner, course_uuid=pc.course.uuid)
        assert enrollment.release_id == pc.release.pk
        assert PageProgress.objects.count() == 1


def test_a_release_of_another_course_is_refused(acme):
    with acme.scope():
        pc = player_course(acme)
        other = player_course(acme, learner=acme.reviewer)
        with pytest.raises(ValueError, match="another course"):
            enrollment_follow_release(pc.enrollment, other.release)
