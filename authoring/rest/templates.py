"""API for templates and the new-course wizard (/api/v1/templates/, /api/v1/wizard/).

Thin: a serializer parses, one selector or service of authoring.template_library /
authoring.wizard answers, and the new course is presented like every other course.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from authoring.rest.serializers import CourseSerializer
from authoring.template_library import (
    STARTER,
    STARTER_LANGUAGES,
    TENANT,
    TemplateInfo,
    course_create_from_template,
    course_for_curation,
    course_mark_template,
    template_list,
)
from authoring.wizard import (
    AUDIENCE_MAX,
    BEHAVIOUR_MAX,
    CREATABLE_FORMATS,
    Barrier,
    Experience,
    Format,
    Frequency,
    wizard_answers,
    wizard_course_create,
    wizard_recommend,
)
from egl_platform.errors import NotFound
from egl_platform.rest.errors import error_responses
from egl_platform.rest.permissions import request_membership
from tenants.models import Membership
from tenants.permissions import Capability


def _actor(request: Request) -> Membership:
    membership = request_membership(request)
    if membership is None:  # HasCapability admitted an active membership; defence in depth
        raise NotFound()
    return membership


# --- shapes ----------------------------------------------------------------------------------------


class OutlineSectionSerializer(serializers.Serializer):
    title = serializers.CharField()
    pages = serializers.ListField(child=serializers.CharField(), help_text="Page titles.")


class TemplateSerializer(serializers.Serializer):
    key = serializers.CharField(
        help_text="Pass to /api/v1/templates/use/: `starter:<key>.<lang>` or `course:<uuid>`."
    )
    title = serializers.CharField()
    description = serializers.CharField()
    minutes = serializers.IntegerField(allow_null=True, help_text="Estimated duration.")
    # A field called "source" (the API's word); DRF's metaclass takes it off the class.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=[(STARTER, "starter"), (TENANT, "tenant")],
        help_text="Shipped with the platform, or a course of this organisation.",
    )
    language = serializers.CharField()
    category = serializers.CharField()
    objectives = serializers.ListField(child=serializers.CharField())
    outline = OutlineSectionSerializer(many=True)


class TemplateQuerySerializer(serializers.Serializer):
    language = serializers.CharField(required=False, allow_blank=True, max_length=8, default="")


class TemplateUseSerializer(serializers.Serializer):
    template_key = serializers.CharField(max_length=100)
    title = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The new course's title; the template's when left out.",
    )


class WizardAnswersSerializer(serializers.Serializer):
    behaviour = serializers.CharField(
        max_length=BEHAVIOUR_MAX,
        help_text="What people should do differently afterwards; one per line or "
        "semicolon (at most three become objectives).",
    )
    audience = serializers.CharField(
        required=False, allow_blank=True, max_length=AUDIENCE_MAX, default=""
    )
    experience = serializers.ChoiceField(choices=Experience.choices)
    frequency = serializers.ChoiceField(choices=Frequency.choices)
    barrier = serializers.ChoiceField(
        choices=Barrier.choices, help_text="What stops people from doing it today."
    )


class WizardCreateSerializer(WizardAnswersSerializer):
    format = serializers.ChoiceField(
        choices=[(f.value, f.label) for f in CREATABLE_FORMATS],
        required=False,
        help_text="Create this format instead of the recommended one (e.g. a job aid anyway).",
    )
    language = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=8,
        help_text="The course's language; the UI language when the organisation offers it.",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)


class RecommendationSerializer(serializers.Serializer):
    format = serializers.ChoiceField(choices=Format.choices)
    title = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    advice = serializers.ListField(child=serializers.CharField())


class TemplateFlagSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    is_template = serializers.BooleanField()


def _template_data(info: TemplateInfo) -> dict[str, Any]:
    return {
        "key": info.key,
        "title": info.title,
        "description": info.description,
        "minutes": info.minutes,
        "source": info.source,
        "language": info.language,
        "category": info.category,
        "objectives": list(info.objectives),
        "outline": [{"title": s.title, "pages": list(s.pages)} for s in info.outline],
    }


# --- endpoints -------------------------------------------------------------------------------------


class TemplateListView(APIView):
    capability = Capability.COURSE_CREATE

    @extend_schema(
        operation_id="templates_list",
        summary="Templates to start a course from",
        description="The starter templates in `language` (the UI language by default; "
        "English when not shipped), then this organisation's own templates.",
        parameters=[OpenApiParameter("language", str, enum=list(STARTER_LANGUAGES))],
        responses={200: TemplateSerializer(many=True), **error_responses(400, 401, 403)},
    )
    def get(self, request: Request) -> Response:
        query = TemplateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        language = query.validated_data["language"] or get_language()
        infos = template_list(actor=_actor(request), language=language)
        return Response(TemplateSerializer([_template_data(i) for i in infos], many=True).data)


class TemplateUseView(APIView):
    capability = Capability.COURSE_CREATE

    @extend_schema(
        operation_id="templates_use",
        summary="Create a course from a template",
        request=TemplateUseSerializer,
        responses={201: CourseSerializer, **error_responses(400, 401, 403, 404)},
    )
    def post(self, request: Request) -> Response:
        form = TemplateUseSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        course = course_create_from_template(
            actor=_actor(request),
            template_key=form.validated_data["template_key"],
            title=form.validated_data.get("title") or None,
        )
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)


class WizardRecommendView(APIView):
    capability = Capability.COURSE_CREATE

    @extend_schema(
        operation_id="wizard_recommend",
        summary="Recommend a format for the wizard's answers",
        request=WizardAnswersSerializer,
        responses={200: RecommendationSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        form = WizardAnswersSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        recommendation = wizard_recommend(wizard_answers(form.validated_data))
        data = {
            "format": recommendation.format,
            "title": recommendation.title,
            "reasons": list(recommendation.reasons),
            "advice": list(recommendation.advice),
        }
        return Response(RecommendationSerializer(data).data)


class WizardCreateView(APIView):
    capability = Capability.COURSE_CREATE

    @extend_schema(
        operation_id="wizard_create",
        summary="Create the course skeleton the wizard recommends",
        description="When training is not the answer nothing is created: 400 with error "
        "code `not_training` and the advice in the message. Pass `format` to create "
        "another format anyway.",
        request=WizardCreateSerializer,
        responses={201: CourseSerializer, **error_responses(400, 401, 403)},
    )
    def post(self, request: Request) -> Response:
        form = WizardCreateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        course = wizard_course_create(
            actor=_actor(request),
            answers=wizard_answers(form.validated_data),
            format=form.validated_data.get("format") or None,
            language=form.validated_data.get("language") or None,
            title=form.validated_data.get("title") or None,
        )
        return Response(CourseSerializer(course).data, status=status.HTTP_201_CREATED)


class CourseTemplateView(APIView):
    capability = Capability.CONTENT_CURATE

    def _set(self, request: Request, course_uuid: Any, is_template: bool) -> Response:
        actor = _actor(request)
        course = course_for_curation(actor=actor, course_uuid=course_uuid)
        course = course_mark_template(actor=actor, course=course, is_template=is_template)
        return Response(
            TemplateFlagSerializer({"uuid": course.uuid, "is_template": course.is_template}).data
        )

    @extend_schema(
        operation_id="courses_template_mark",
        summary="Offer a course as a template (reviewers)",
        request=None,
        responses={200: TemplateFlagSerializer, **error_responses(401, 403, 404)},
    )
    def put(self, request: Request, course_uuid: Any) -> Response:
        return self._set(request, course_uuid, True)

    @extend_schema(
        operation_id="courses_template_unmark",
        summary="Stop offering a course as a template (reviewers)",
        request=None,
        responses={200: TemplateFlagSerializer, **error_responses(401, 403, 404)},
    )
    def delete(self, request: Request, course_uuid: Any) -> Response:
        return self._set(request, course_uuid, False)
