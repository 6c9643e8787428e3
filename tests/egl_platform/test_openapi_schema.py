"""The OpenAPI schema validates without warnings, and its docs page works under our CSP."""

import re

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("openapi") / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_validates_without_warnings(schema):
    assert schema["openapi"].startswith("3.")


def test_schema_covers_every_endpoint(schema):
    assert set(schema["paths"]) >= {
        "/api/v1/me/",
        "/api/v1/members/",
        "/api/v1/members/{member_uuid}/",
        "/api/v1/members/{member_uuid}/deactivate/",
        "/api/v1/members/{member_uuid}/reactivate/",
        "/api/v1/members/export/",
        "/api/v1/invitations/",
        "/api/v1/invitations/{invitation_uuid}/",
        "/api/v1/invitations/{invitation_uuid}/resend/",
        "/api/v1/invitations/{invitation_uuid}/revoke/",
        "/api/v1/groups/",
        "/api/v1/groups/{group_uuid}/",
        "/api/v1/groups/{group_uuid}/members/",
        "/api/v1/groups/{group_uuid}/members/{member_uuid}/",
        "/api/v1/jobs/",
        "/api/v1/jobs/{job_uuid}/",
        "/api/v1/tokens/",
        "/api/v1/tokens/{token_uuid}/",
    }


def test_every_operation_documents_the_error_shape_and_both_auth_schemes(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            errors = {code: r for code, r in operation["responses"].items() if code.startswith("4")}
            assert "401" in errors, f"{method.upper()} {path} does not document 401"
            for code, response in errors.items():
                ref = response["content"]["application/json"]["schema"]["$ref"]
                # A block conflict is the error envelope plus a "conflict" key (authoring contract).
                allowed = {"#/components/schemas/Error"}
                if code == "409" and "/pages/" in path:
                    allowed.add("#/components/schemas/Conflict")
                assert ref in allowed, f"{method.upper()} {path} {code}"
            assert {next(iter(s)) for s in operation["security"]} == {"tokenAuth", "cookieAuth"}


# Path ids that are not <model>_uuid, by the authoring contract: a revision is numbered
# per course (1, 2, …), and a block is named by its id inside the page's JSON (a UUID).
NON_UUID_PATH_IDS = {
    "revision_number": {"type": "integer"},
    "block_id": {"type": "string", "format": "uuid"},
}


def test_path_ids_are_uuids_with_specific_names(schema):
    for path, operations in schema["paths"].items():
        for name in re.findall(r"{(\w+)}", path):
            assert name.endswith("_uuid") or name in NON_UUID_PATH_IDS, path
        for operation in operations.values():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "path":
                    expected = NON_UUID_PATH_IDS.get(
                        parameter["name"], {"type": "string", "format": "uuid"}
                    )
                    assert parameter["schema"] == expected, (path, parameter)


def test_no_component_exposes_an_integer_id_or_the_tenant(schema):
    for name, component in schema["components"]["schemas"].items():
        properties = component.get("properties", {})
        assert not set(properties) & {"pk", "tenant_id", "token_hash", "key_hash"}, name
        # "id" only as a UUID (learning objectives keep the course document's {"id", "text"}).
        if "id" in properties:
            assert properties["id"].get("format") == "uuid", name
        if "tenant" in properties:  # only /me/ says which organisation this is, as an object
            assert "$ref" in str(properties["tenant"]), name
        for field, spec in properties.items():
            if field.endswith("_uuid") or field == "uuid":
                assert spec.get("format") == "uuid", (name, field)


@pytest.fixture
def anonymous(acme):
    return Client(HTTP_HOST=acme.host())


def test_schema_endpoint_serves_openapi(anonymous):
    response = anonymous.get("/api/schema/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi")
    assert b"/api/v1/members/" in response.content


def test_docs_page_loads_its_init_script_as_a_file_that_fits_the_csp(anonymous):
    response = anonymous.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in csp
    # No inline script: every <script> has a src, and the only inline style carries the nonce.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert re.findall(r"<style[^>]*>", html) == [f'<style nonce="{nonce}">']
    sources = re.findall(r'<script src="([^"]+)"', html)
    assert any(src.startswith("/api/docs/?") for src in sources)
    for src in sources:
        script = anonymous.get(src)
        assert script.status_code == 200, src
    init = anonymous.get(next(src for src in sources if src.startswith("/api/docs/?")))
    assert init["Content-Type"].startswith("application/javascript")
    assert b"/api/schema/" in init.content


def test_docs_are_not_on_the_platform_host(db):
    assert Client(HTTP_HOST="localhost").get("/api/docs/").status_code == 404
