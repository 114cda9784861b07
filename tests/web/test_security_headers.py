"""Security headers: a strict CSP on our pages, and one of their own on Swagger UI / ReDoc."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.http.middleware import PAGE_CSP

STRICT = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)


def test_pages_carry_the_strict_policy(client: TestClient) -> None:
    """Issue 4: CSP without exceptions, nosniff, no referrer, no framing on every page."""
    assert PAGE_CSP == STRICT
    for url in ("/", "/verify?certificate_number=X", "/verify/NBC/X", "/search?organization=a"):
        response = client.get(url)
        assert response.headers["content-security-policy"] == STRICT, url
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["referrer-policy"] == "no-referrer"
        assert response.headers["x-frame-options"] == "DENY"


def test_pages_have_no_inline_script_or_style(client: TestClient) -> None:
    """Nothing the strict CSP would block: no <script>, no style attributes or elements."""
    html = client.get("/verify?certificate_number=X").text + client.get("/").text
    assert "<script" not in html
    assert "<style" not in html
    assert " style=" not in html
    assert " on" + "click=" not in html


def test_user_input_is_escaped_everywhere_it_is_echoed(client: TestClient) -> None:
    """Whatever is typed comes back as text, never as markup (result, error and search pages)."""
    hostile = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    for url, params in (
        ("/verify", {"certificate_number": hostile, "certification_body": hostile}),
        ("/verify", {"certificate_number": hostile, "as_of": hostile}),
        ("/verify/" + "%22%3E%3Cscript%3E/x", {"organization": hostile}),
        ("/search", {"organization": hostile}),
    ):
        html = client.get(url, params=params).text
        assert "<script" not in html, url
        assert "<img src=x" not in html, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, url


def test_docs_pages_keep_a_policy_of_their_own(client: TestClient) -> None:
    """Issue 15: /docs and /redoc run their own scripts, from this host, under their own CSP
    (tests/web/test_docs_pages.py); the middleware keeps it instead of exempting the paths."""
    for url in ("/docs", "/redoc"):
        response = client.get(url)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert policy.startswith("default-src 'self'; ")
        assert "script-src 'self';" in policy
        assert policy != STRICT
        assert response.headers["x-content-type-options"] == "nosniff"


def test_json_answers_get_the_plain_headers_only(client: TestClient) -> None:
    """The API's JSON needs no CSP; nosniff still applies."""
    response = client.get("/healthz")
    assert "content-security-policy" not in response.headers
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
