"""Assertions shared by the API tests."""


def assert_error(response, status, code):
    """The response is the API's one error shape with this status and code; returns the error."""
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]
