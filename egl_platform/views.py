"""Glue views: the tenant home page, the platform landing page and the error pages."""

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
    HttpResponseServerError,
    JsonResponse,
)
from django.shortcuts import render
from django.template import loader
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import i18n

from egl_platform.errors import Forbidden, NotFound
from egl_platform.rest.errors import error_body
from tenants.decorators import capability_required, public_view
from tenants.permissions import Capability
from tenants.selectors import tenant_for_slug


@capability_required(Capability.COURSE_TAKE)
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html")


@public_view
def platform_landing(request: HttpRequest) -> HttpResponse:
    """What EGL is, and a box to go to your organisation's own address."""
    error = ""
    slug = request.GET.get("organisation", "").strip().lower()
    if slug:
        tenant = tenant_for_slug(slug)
        if tenant is not None:
            port = f":{settings.EGL_PUBLIC_PORT}" if settings.EGL_PUBLIC_PORT else ""
            return HttpResponseRedirect(
                f"{settings.EGL_SCHEME}://{tenant.slug}.{settings.EGL_BASE_DOMAIN}{port}/"
            )
        error = _("We could not find an organisation with the address “%(slug)s”.") % {"slug": slug}
    return render(
        request,
        "platform/landing.html",
        {"error": error, "organisation": slug},
        status=404 if error else 200,
    )


API_ERROR_CODES = {400: "bad_request", 403: "forbidden", 404: "not_found", 500: "server_error"}
API_ERROR_MESSAGES = {
    400: _lazy("The request could not be understood."),
    403: _lazy("You do not have permission to do this."),
    404: _lazy("Not found."),
    500: _lazy("An error occurred on our side. Please try again in a moment."),
}


def _api_error(request: HttpRequest, status: int, message: str = "") -> HttpResponse | None:
    """Under /api/ even Django's own error pages answer in the API's one error shape."""
    if not request.path.startswith("/api/"):
        return None
    return JsonResponse(
        error_body(API_ERROR_CODES[status], message or API_ERROR_MESSAGES[status]), status=status
    )


def _error(template: str, status: int):
    @public_view
    def view(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
        message = ""
        # Only our own errors carry a message meant for people; Django's are technical.
        if (
            isinstance(exception, NotFound | Forbidden)
            and exception.args
            and isinstance(exception.args[0], str | Promise)
        ):
            message = str(exception.args[0])
        return _api_error(request, status, message) or render(
            request, template, {"message": message}, status=status
        )

    return view


bad_request = _error("errors/400.html", 400)
permission_denied = _error("errors/403.html", 403)
page_not_found = _error("errors/404.html", 404)


@public_view
def server_error(request: HttpRequest) -> HttpResponse:
    # Minimal on purpose: the failure may be in the database or in a context processor.
    return _api_error(request, 500) or HttpResponseServerError(
        loader.get_template("errors/500.html").render({})
    )


@public_view
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, and for a signed-in person also their profile's UI language."""
    response = i18n.set_language(request)
    language = request.POST.get("language", "")
    if (
        request.method == "POST"
        and request.user.is_authenticated
        and language in dict(settings.LANGUAGES)
    ):
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
