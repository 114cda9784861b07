"""/docs and /redoc are served from this host (issue 15, item 1): every script, stylesheet and
icon they reference is a path here, each is served, and the pages carry a CSP of their own that
allows only this host (and one nonce for ReDoc's run-time styles)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from app.routers.docs import docs_csp
from tests.web.html import parse

PAGES = {
    "/docs": [
        ("link", "/docs/assets/swagger-ui.css", "text/css; charset=utf-8"),
        ("link", "/static/favicon.svg", "image/svg+xml"),
        ("script", "/docs/assets/swagger-ui-bundle.js", "text/javascript; charset=utf-8"),
        ("script", "/static/docs-swagger.js", "text/javascript; charset=utf-8"),
    ],
    "/redoc": [
        ("link", "/static/docs-redoc.css", "text/css; charset=utf-8"),
        ("link", "/static/favicon.svg", "image/svg+xml"),
        ("script", "/docs/assets/redoc.standalone.js", "text/javascript; charset=utf-8"),
        ("script", "/static/docs-redoc.js", "text/javascript; charset=utf-8"),
    ],
}
EXTERNAL = re.compile(r"(https?:)?//|fonts\.googleapis|jsdelivr|unpkg|cdn\.", re.IGNORECASE)


@pytest.mark.parametrize("path", sorted(PAGES))
def test_docs_pages_reference_only_this_host(client: TestClient, path: str) -> None:
    """No URL in the page leaves the host: every src and href is a path served here."""
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert EXTERNAL.search(response.text) is None, EXTERNAL.search(response.text)
    doc = parse(response.text)
    referenced = [
        (element.tag, element.attrs.get("src") or element.attrs["href"])
        for element in doc.iter()
        if "src" in element.attrs or "href" in element.attrs
    ]
    assert referenced == [(tag, url) for tag, url, _ in PAGES[path]]
    for _, url, media_type in PAGES[path]:
        asset = client.get(url)
        assert asset.status_code == 200, url
        assert asset.headers["content-type"] == media_type, url
    assert [e for e in doc.find_all("script") if "src" not in e.attrs] == []  # no inline script
    assert doc.find_all("style") == []
    assert " style=" not in response.text


@pytest.mark.parametrize("path", sorted(PAGES))
def test_docs_pages_have_their_own_strict_policy(client: TestClient, path: str) -> None:
    """A CSP of 'self' only, with a fresh nonce per page that ReDoc is handed for its styles."""
    first, second = client.get(path), client.get(path)
    nonces = []
    for response in (first, second):
        policy = response.headers["content-security-policy"]
        nonce = re.search(r"'nonce-([A-Za-z0-9_-]{22})'", policy)
        assert nonce is not None, policy
        assert policy == docs_csp(nonce.group(1))
        nonces.append(nonce.group(1))
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    assert nonces[0] != nonces[1]
    directives = dict(
        d.strip().split(" ", 1) for d in first.headers["content-security-policy"].split(";")
    )
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["connect-src"] == "'self'"
    assert directives["font-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    if path == "/redoc":
        assert parse(first.text).one("main", id="redoc").attrs["data-nonce"] == nonces[0]


def test_swagger_ui_and_redoc_read_this_service_openapi(client: TestClient) -> None:
    """Both pages start from /openapi.json, which is served here."""
    swagger = parse(client.get("/docs").text).one("main", id="swagger-ui")
    redoc = parse(client.get("/redoc").text).one("main", id="redoc")
    assert swagger.attrs["data-openapi-url"] == "/openapi.json"
    assert redoc.attrs["data-openapi-url"] == "/openapi.json"
    assert client.get("/openapi.json").json()["info"]["title"] == "certverify"


def test_no_page_with_inline_script_is_left_under_docs(client: TestClient) -> None:
    """FastAPI's OAuth2 redirect page (inline script) is not served: keys are bearer tokens."""
    response = client.get("/docs/oauth2-redirect")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize("path", sorted(PAGES))
def test_docs_pages_answer_head_like_get(client: TestClient, path: str) -> None:
    """HEAD is answered as GET is, without a body (RFC 9110 §9.3.2): link checkers and uptime
    probes ask /docs and /redoc with HEAD."""
    head, get = client.head(path), client.get(path)
    assert (head.status_code, head.content) == (200, b"")
    assert head.headers["content-type"] == get.headers["content-type"] == "text/html; charset=utf-8"
