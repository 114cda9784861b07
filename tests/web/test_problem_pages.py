"""People get pages, programs get problems (issue 14, "What is wrong" 9): a 429, a too-long
query or a refused key on the site's pages answers an HTML page in the site's look (with
`Retry-After` on a 429), while the API and the receipt download keep problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response

from tests.ops.conftest import AppFactory
from tests.ops.conftest import make_client as make_client  # the fixture: apps with settings
from tests.web.html import Element, parse


def _page(response: Response, status: int, title: str) -> Element:
    """An HTML page of the site (its header, stylesheet and CSP) with `title` as its heading."""
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-store"
    doc = parse(response.text)
    assert doc.one("link", rel="stylesheet").attrs["href"] == "/static/site.css"
    assert doc.one("header", class_="site-header").one("a", class_="brand").attrs["href"] == "/"
    assert doc.one("h1").text == title
    assert doc.one("title").text == f"{title} · certverify"
    assert response.headers["x-request-id"] in doc.one("code").text
    return doc


def _problem(response: Response, status: int, slug: str) -> None:
    assert response.status_code == status, response.text[:300]
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == f"/problems/{slug}"


def test_a_rate_limited_page_is_a_page_with_retry_after(make_client: AppFactory) -> None:
    """The third page of a 2/minute budget is a 429 page that says when to come back."""
    client = make_client(rate_limit_anonymous="2/minute")
    assert client.get("/").status_code == 200
    assert client.get("/verify", params={"certificate_number": "FS 612345"}).status_code == 200
    response = client.get("/verify", params={"certificate_number": "FS 612345"})
    doc = _page(response, 429, "Too many requests")
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 30
    assert response.headers["ratelimit"].startswith('"anonymous";r=0;')
    unit = "second" if retry_after == 1 else "seconds"
    assert f"You can try again in {retry_after} {unit}." in doc.text
    assert doc.one("a", class_="button").attrs["href"] == "/"
    for page in ("/", "/search", "/verify/NBC/FS%20612345"):
        _page(client.get(page), 429, "Too many requests")
    # The API, and the receipt (a JSON file), keep problem+json.
    _problem(
        client.get("/v1/verify", params={"certificate_number": "FS 612345"}), 429, "rate-limited"
    )
    _problem(
        client.get("/verify/receipt", params={"certificate_number": "FS 612345"}),
        429,
        "rate-limited",
    )


def test_a_too_long_query_on_a_page_is_a_page(make_client: AppFactory) -> None:
    """A query over CERTVERIFY_MAX_QUERY_BYTES (a 414-sized address) on a page is a page; on the
    API it stays the 422 problem."""
    client = make_client(rate_limit_enabled=False, max_query_bytes=200)
    long = "a" * 500
    doc = _page(
        client.get("/search", params={"organization": long}), 422, "Your request is not valid"
    )
    assert "The query string is longer than 200 bytes." in doc.text
    _page(
        client.get("/verify", params={"certificate_number": long}), 422, "Your request is not valid"
    )
    _page(
        client.get("/verify/NBC/X", params={"organization": long}), 422, "Your request is not valid"
    )
    _problem(client.get("/v1/certificates", params={"organization": long}), 422, "validation-error")
    _problem(
        client.get("/verify/receipt", params={"certificate_number": long}), 422, "validation-error"
    )


def test_a_refused_key_on_a_page_is_a_page(client: TestClient) -> None:
    """A browser that sends a bad key gets a 401 page with the Bearer challenge."""
    response = client.get("/search", headers={"Authorization": "Bearer junk"})
    doc = _page(response, 401, "Authentication failed")
    assert (
        response.headers["www-authenticate"] == 'Bearer realm="certverify", error="invalid_token"'
    )
    assert "The API key is malformed." in doc.text


def test_a_wrong_method_on_a_page_is_a_page(client: TestClient) -> None:
    """POST / is a 405 page that keeps the Allow header."""
    response = client.post("/")
    _page(response, 405, "Method not allowed")
    assert response.headers["allow"] == "GET"
