"""Pages with the network cut off: every request for a host other than this machine's loopback
is aborted and recorded, and every Content-Security-Policy violation is recorded too."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import Page, Route

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push([e.effectiveDirective, e.blockedURI]);
});
"""


@dataclass
class Offline:
    """What a page tried to reach outside the machine."""

    page: Page
    external_requests: list[str] = field(default_factory=list)

    def csp_violations(self) -> list[tuple[str, str]]:
        """(directive, blocked URI) of every violation the current document reported."""
        return [tuple(v) for v in self.page.evaluate("window.__cspViolations")]


def cut_off(page: Page) -> Offline:
    """Abort (and record) every request `page` makes to a non-loopback host from now on."""
    offline = Offline(page)

    def route(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).scheme in {"http", "https", "ws", "wss"} and (
            urlsplit(url).hostname not in LOOPBACK_HOSTS
        ):
            offline.external_requests.append(url)
            route.abort("internetdisconnected")
        else:
            route.continue_()

    page.route("**/*", route)
    page.add_init_script(_RECORD_VIOLATIONS)
    return offline
