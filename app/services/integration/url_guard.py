"""The SSRF guard of webhook URLs (OWASP API7:2023), checked at registration and before every
delivery (so a name that later resolves inside is refused too).

https on port 443 or an allowed port, no credentials, and every address the host resolves to
public, IPv4 embedded in IPv6 judged by the IPv4 (IPv4-mapped, 6to4, Teredo, NAT64). Names are
resolved on a few threads of their own with a deadline, not on the caller's (a request's or the
worker's) thread. A refusal never says what a name resolves to, nor whether it resolves at all:
that would map an internal network.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import threading
import time
from collections.abc import Callable, Sequence
from urllib.parse import urlsplit

import httpx

from app.config import Settings, get_settings

Resolver = Callable[[str, int], Sequence[str]]
HTTPS_PORT = 443
# At most this many lookups at once; a lookup that hangs keeps its thread until the system
# resolver gives up (its own timeout, ~30 s), so a flood of slow names fills these and the next
# ones are refused at their deadline instead of piling up threads.
DNS_THREADS = 8
DNS_THREADS_PER_OWNER = 2
"""At most this many of the DNS_THREADS for one client's URLs: names whose DNS never answers
hold their slots for the resolver's own timeout, so one client's would otherwise fill every
slot and refuse everyone else's lookups (and, at delivery, count attempts against them)."""
NOT_PUBLIC = (
    "the host resolves to a private, loopback, link-local or reserved address; webhooks may only "
    "target public addresses"
)
NAME_NOT_PUBLIC = (
    "the host does not resolve to a public address; webhooks may only target public addresses"
)
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_NAT64_LOCAL = ipaddress.IPv6Network("64:ff9b:1::/48")  # RFC 8215: a site's own translator
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # RFC 4291 §2.5.5.1, deprecated
_dns_slots = threading.BoundedSemaphore(DNS_THREADS)
_owner_slots: dict[str, threading.BoundedSemaphore] = {}
_owner_slots_lock = threading.Lock()


def _slots_of(owner: str) -> threading.BoundedSemaphore:
    """The DNS slots of one owner (a client id), made on first use."""
    with _owner_slots_lock:
        return _owner_slots.setdefault(owner, threading.BoundedSemaphore(DNS_THREADS_PER_OWNER))


class UnsafeUrl(ValueError):
    """A webhook URL that could be used to reach internal networks, or is otherwise refused."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def allowed_ports(settings: Settings) -> frozenset[int]:
    """443 and CERTVERIFY_WEBHOOK_ALLOWED_PORTS."""
    extra = {int(part) for part in settings.webhook_allowed_ports.split(",") if part.strip()}
    return frozenset({HTTPS_PORT} | extra)


def _plainly_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _CGNAT)
        or (isinstance(ip, ipaddress.IPv6Address) and ip in _NAT64_LOCAL)
    )


def is_public(address: str) -> bool:
    """Whether an address may be a webhook target: public, and so is any IPv4 it carries.

    IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96, RFC 6052) addresses reach the IPv4 they
    embed, which decides; 6to4 (2002::/16, RFC 3056) and Teredo (2001::/32, RFC 4380) must be
    public themselves and so must the IPv4 they embed (Teredo: server and client).
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv4Address):
        return _plainly_public(ip)
    if ip.ipv4_mapped is not None:
        return _plainly_public(ip.ipv4_mapped)
    if ip in _NAT64:
        return _plainly_public(ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF))
    if ip in _IPV4_COMPATIBLE:
        return False
    embedded: list[ipaddress.IPv4Address] = []
    if ip.sixtofour is not None:
        embedded.append(ip.sixtofour)
    if ip.teredo is not None:
        embedded.extend(ip.teredo)
    return _plainly_public(ip) and all(_plainly_public(inner) for inner in embedded)


def resolve(
    resolver: Resolver, host: str, port: int, *, timeout: float, owner: str | None = None
) -> list[str]:
    """`resolver(host, port)` on a DNS thread, within `timeout` seconds, else UnsafeUrl. With
    an `owner` (the client whose URL it is), at most DNS_THREADS_PER_OWNER of its lookups run
    at once, so one client's hanging names never take every slot."""
    deadline = time.monotonic() + timeout
    mine = _slots_of(owner) if owner is not None else None
    if mine is not None and not mine.acquire(timeout=timeout):
        raise UnsafeUrl(NAME_NOT_PUBLIC)
    if not _dns_slots.acquire(timeout=max(0.0, deadline - time.monotonic())):
        if mine is not None:
            mine.release()
        raise UnsafeUrl(NAME_NOT_PUBLIC)
    outcome: dict[str, list[str]] = {}
    done = threading.Event()

    def lookup() -> None:
        try:
            outcome["addresses"] = list(resolver(host, port))
        except (OSError, UnicodeError, ValueError):
            pass  # does not resolve: refused below like a non-public answer
        finally:
            _dns_slots.release()
            if mine is not None:
                mine.release()
            done.set()

    # A daemon thread: a lookup that hangs never holds up the process's exit.
    threading.Thread(target=lookup, name="certverify-dns", daemon=True).start()
    if not done.wait(max(0.0, deadline - time.monotonic())) or not outcome.get("addresses"):
        raise UnsafeUrl(NAME_NOT_PUBLIC)
    return outcome["addresses"]


def vet_url(
    url: str,
    *,
    allow_insecure: bool,
    resolver: Resolver = system_resolver,
    settings: Settings | None = None,
    owner: str | None = None,
) -> list[str]:
    """Check a webhook URL and return the addresses it may be delivered to (`owner`: the
    client whose URL it is, for its share of the DNS threads, see resolve).

    https only, on port 443 or one of CERTVERIFY_WEBHOOK_ALLOWED_PORTS, no credentials in the
    URL, and every address the host resolves to must be public (see is_public): private,
    loopback, link-local (cloud metadata), multicast, reserved and CGNAT ranges are refused so
    the service cannot probe internal networks. `allow_insecure` (configuration, for tests and
    closed networks) allows http, any port and those addresses.
    """
    settings = settings or get_settings()
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"}:
        raise UnsafeUrl(f"scheme {parts.scheme or '(none)'!r} is not allowed; use https")
    if parts.scheme == "http" and not allow_insecure:
        raise UnsafeUrl("webhook URLs must use https")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not allowed")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    try:
        port = parts.port if parts.port is not None else (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl("the URL's port is not valid") from exc
    if not allow_insecure:
        ports = allowed_ports(settings)
        if port not in ports:
            shown = ", ".join(str(p) for p in sorted(ports))
            raise UnsafeUrl(
                f"port {port} is not allowed; webhook URLs may use "
                f"{'port' if len(ports) == 1 else 'ports'} {shown}"
            )
    try:
        addresses = [str(ipaddress.ip_address(host))]
        literal = True
    except ValueError:
        addresses = resolve(
            resolver, host, port, timeout=settings.webhook_dns_timeout_seconds, owner=owner
        )
        literal = False
    if not allow_insecure and not all(is_public(address) for address in addresses):
        raise UnsafeUrl(NOT_PUBLIC if literal else NAME_NOT_PUBLIC)
    return addresses


def attempt_error(exc: httpx.HTTPError) -> str:
    """What a failed delivery attempt records: its class only (timeout, connection failed, TLS
    error), never the library's text, which would tell a port scan what answered."""
    if isinstance(exc, httpx.TimeoutException):
        return "timeout"
    cause: BaseException | None = exc
    for _ in range(10):  # httpx wraps httpcore wraps ssl
        if cause is None:
            break
        if isinstance(cause, ssl.SSLError):
            return "TLS error"
        cause = cause.__cause__ or cause.__context__
    return "connection failed"
