"""Problems on the site's pages, shown as pages: people read them, so a 429, a too-long address
or a refused key is a page in the site's look (with `Retry-After`), never raw problem+json."""

from __future__ import annotations

from typing import Any

from fastapi.requests import Request
from fastapi.responses import Response

from app.web.view import templates

RECEIPT_PATH = "/verify/receipt"
"""The receipt download is a JSON file: its problems stay problem+json."""

PAGE_MESSAGES: dict[str, str] = {
    "rate-limited": "You have made many checks in a short time. Please wait a moment, then try "
    "again.",
    "validation-error": "The address of this page is too long or not valid. Shorten what you "
    "typed in the form and try again.",
    "unauthorized": "Your browser sent a key that this service does not accept. Open the page "
    "without it, or use a valid key.",
    "not-found": "There is nothing at this address. Check the link, or start again from the form.",
    "method-not-allowed": "This page cannot be used that way. Start again from the form.",
    "request-timeout": "The check took too long. Please try again in a few seconds.",
    "database-unavailable": "The register cannot be reached right now. Please try again in a few "
    "seconds.",
    "internal-error": "Something went wrong on our side. If it happens again, quote the "
    "reference below to the operator.",
}
"""What a person is told for each problem type (the API's `detail` is written for programs)."""


def is_page(path: str) -> bool:
    """True for the paths of the HTML routes in app/routers/web.py: /, /verify, /search and the
    deep links /verify/{certification_body}/{certificate_number}."""
    if path in {"/", "/verify", "/search"}:
        return True
    return path.startswith("/verify/") and path != RECEIPT_PATH


class SiteProblemPages:
    """The errors.ProblemPages of the site: problem.html for the paths `is_page` names."""

    def serves(self, path: str) -> bool:
        """True when `path` is one of the site's HTML pages."""
        return is_page(path)

    def render(
        self, request: Request, problem: dict[str, Any], headers: dict[str, str]
    ) -> Response:
        """problem.html with the problem's status and headers (Retry-After on a 429)."""
        retry_after = next(
            (value for name, value in headers.items() if name.lower() == "retry-after"), None
        )
        slug = str(problem["type"]).removeprefix("/problems/")
        context = {
            "problem": problem,
            "message": PAGE_MESSAGES.get(slug, str(problem["detail"])),
            "retry_after": int(retry_after) if retry_after and retry_after.isdigit() else None,
        }
        return templates.TemplateResponse(
            request,
            "problem.html",
            context,
            status_code=int(problem["status"]),
            headers={**headers, "Cache-Control": "no-store"},
        )


SITE_PROBLEM_PAGES = SiteProblemPages()
