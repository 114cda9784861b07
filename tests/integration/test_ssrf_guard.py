"""Issue 14, SSRF leftovers (OWASP API7:2023): ports, IPv4 embedded in IPv6, refusals that echo
no address, resolution off the calling thread with a deadline, attempt errors by class only."""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.models import OutboxEvent, WebhookEndpoint
from app.services.integration.delivery import send
from app.services.integration.url_guard import DNS_THREADS, NAME_NOT_PUBLIC, NOT_PUBLIC, is_public
from app.services.integration.webhooks import UnsafeUrl, new_secret, vet_url
from tests.factories import auth
from tests.integration.conftest import Receiver

PUBLIC = "93.184.216.34"


def _register(client: TestClient, key: str, url: str) -> tuple[int, Any]:
    response = client.post("/v1/webhooks", json={"url": url}, headers=auth(key))
    return response.status_code, response.json()


@pytest.mark.parametrize("port", [22, 25, 80, 6379, 8080, 0])
def test_ports_other_than_443_are_refused(
    client: TestClient, world: dict[str, Any], port: int
) -> None:
    """Issue 14: an https URL on port 22 or 6379 was accepted (and attempts then told what
    answered there); only 443 and the allow-list are accepted now."""
    status, body = _register(client, world["client"], f"https://{PUBLIC}:{port}/hook")
    assert status == 422
    assert body["errors"] == [
        {
            "pointer": "/url",
            "detail": f"port {port} is not allowed; webhook URLs may use port 443",
        }
    ]


def test_allowed_ports_setting_extends_443(
    client: TestClient, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """CERTVERIFY_WEBHOOK_ALLOWED_PORTS adds ports; others are still refused, naming them all."""
    monkeypatch.setattr(get_settings(), "webhook_allowed_ports", "8443, 9443")
    assert _register(client, world["client"], f"https://{PUBLIC}:8443/hook")[0] == 201
    assert _register(client, world["client"], f"https://{PUBLIC}:443/hook")[0] == 201
    status, body = _register(client, world["client"], f"https://{PUBLIC}:6379/hook")
    assert status == 422
    assert body["errors"][0]["detail"] == (
        "port 6379 is not allowed; webhook URLs may use ports 443, 8443, 9443"
    )


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:7::1",  # 6to4 of 10.0.0.7
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254 (cloud metadata)
        "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
    ],
)
def test_6to4_addresses_embedding_internal_ipv4_are_refused(
    client: TestClient, world: dict[str, Any], address: str
) -> None:
    """Issue 14: 2002::/16 embedding loopback or private IPv4 was accepted (not unwrapped)."""
    assert is_public(address) is False
    status, body = _register(client, world["client"], f"https://[{address}]/hook")
    assert status == 422
    assert body["errors"][0]["detail"] == NOT_PUBLIC
    with pytest.raises(UnsafeUrl) as refused:
        vet_url("https://hooks.example.com/", allow_insecure=False, resolver=lambda *_: [address])
    assert str(refused.value) == NAME_NOT_PUBLIC


@pytest.mark.parametrize(
    ("address", "public"),
    [
        # Teredo: server 65.54.227.120, client 127.0.0.1 (stored inverted)
        ("2001:0:4136:e378:8000:63bf:80ff:fffe", False),
        # Teredo: server 65.54.227.120, client 10.0.0.1
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("64:ff9b::a9fe:a9fe", False),  # NAT64 of 169.254.169.254
        ("64:ff9b:1::a00:1", False),  # local-use NAT64 (RFC 8215)
        ("::ffff:10.0.0.1", False),  # IPv4-mapped
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated)
        ("2002:5db8:d822::1", True),  # 6to4 of a public address
        ("64:ff9b::5db8:d822", True),  # NAT64 (DNS64 networks) of a public address
        ("::ffff:93.184.216.34", True),
        ("2606:4700:4700::1111", True),
        (PUBLIC, True),
        ("100.64.0.1", False),  # CGNAT
        ("192.0.0.1", False),  # IETF protocol assignments
        ("198.18.0.1", False),  # benchmarking
        ("224.0.0.1", False),  # multicast
    ],
)
def test_embedded_ipv4_decides_for_teredo_nat64_and_mapped_addresses(
    address: str, public: bool
) -> None:
    """Teredo's server and client, NAT64's and IPv4-mapped's IPv4 are judged; a DNS64 answer
    for a public host stays deliverable. (Python's own tables already refuse Teredo and the
    NAT64 block: these cases guard against them changing.)"""
    assert is_public(address) is public


def test_a_name_resolving_inside_is_refused_without_saying_to_what(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Issue 14: the registration error told what an internal-only name resolves to; now a
    name that resolves inside, or not at all, gets one message that names no address."""
    status, body = _register(client, world["client"], "https://localhost/hook")
    assert status == 422
    assert body["errors"] == [{"pointer": "/url", "detail": NAME_NOT_PUBLIC}]
    assert "127.0.0.1" not in str(body)
    assert "::1" not in str(body)

    def unresolvable(_host: str, _port: int) -> Sequence[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    for resolver in (lambda *_: ["10.0.0.7", PUBLIC], lambda *_: [], unresolvable):
        with pytest.raises(UnsafeUrl) as refused:
            vet_url("https://redis.internal.example/", allow_insecure=False, resolver=resolver)
        assert str(refused.value) == NAME_NOT_PUBLIC


def test_resolution_runs_off_the_calling_thread_with_a_deadline(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Issue 14: DNS was resolved on the request's thread, for as long as the resolver took;
    now on a DNS thread, and a name that does not resolve in time is refused at the deadline."""
    monkeypatch.setattr(get_settings(), "webhook_dns_timeout_seconds", 0.3)
    seen: list[str] = []
    release = threading.Event()

    def slow(_host: str, _port: int) -> Sequence[str]:
        seen.append(threading.current_thread().name)
        release.wait(5)
        return [PUBLIC]

    started = time.monotonic()
    try:
        with pytest.raises(UnsafeUrl) as refused:
            vet_url("https://slow.example.com/", allow_insecure=False, resolver=slow)
        elapsed = time.monotonic() - started
    finally:
        release.set()
    assert str(refused.value) == NAME_NOT_PUBLIC
    assert 0.25 <= elapsed < 2.0
    assert seen == ["certverify-dns"]

    def quick(_host: str, _port: int) -> Sequence[str]:
        seen.append(threading.current_thread().name)
        return [PUBLIC]

    assert vet_url("https://quick.example.com/", allow_insecure=False, resolver=quick) == [PUBLIC]
    assert seen[-1] == "certverify-dns"
    assert threading.current_thread().name != "certverify-dns"


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A TCP port on loopback that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(2)
    for conn in accepted:
        conn.close()
    server.close()


def _closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port: int = probe.getsockname()[1]
    probe.close()
    return port


def _attempt(url: str, *, timeout: float = 2.0) -> tuple[int | None, str | None]:
    endpoint = WebhookEndpoint(url=url, secret=new_secret(), events=[])
    event = OutboxEvent(id=uuid.uuid4(), event_type="certificate.expiring", payload={"x": 1})
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False) as http:
        status, error, _ = send(endpoint, event, client=http, resolver=lambda *_: ["127.0.0.1"])
    return status, error


@pytest.mark.usefixtures("insecure_webhooks")
def test_attempt_errors_name_a_class_not_what_answered(
    receiver: Receiver, silent_server: int
) -> None:
    """Issue 14: an attempt's error said what answered where ("[Errno 111] Connection
    refused", "[SSL: WRONG_VERSION_NUMBER]", "timed out"); it now says the class only."""
    port = receiver.url.split(":")[2].split("/")[0]
    assert _attempt(f"http://127.0.0.1:{_closed_port()}/hook") == (None, "connection failed")
    assert _attempt(f"https://127.0.0.1:{port}/hook") == (None, "TLS error")
    assert _attempt(f"http://127.0.0.1:{silent_server}/hook", timeout=0.3) == (None, "timeout")
    receiver.default_status = 503
    assert _attempt(receiver.url) == (503, "HTTP 503")


def test_an_endpoint_on_a_port_no_longer_allowed_is_refused_before_any_connection() -> None:
    """An endpoint registered before the port rule is refused at delivery, without connecting."""
    status, error = _attempt(f"https://{PUBLIC}:6379/hook")
    assert (status, error) == (
        None,
        "refused: port 6379 is not allowed; webhook URLs may use port 443",
    )


def test_one_clients_hanging_names_never_take_another_clients_dns_slots(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Review of issue 14: lookups that hang keep their DNS thread until the system resolver
    gives up, so one client's names could fill every slot and refuse other clients' lookups;
    a client now has at most DNS_THREADS_PER_OWNER of them."""
    monkeypatch.setattr(get_settings(), "webhook_dns_timeout_seconds", 0.2)
    release = threading.Event()

    def hangs(_host: str, _port: int) -> Sequence[str]:
        release.wait(10)
        return [PUBLIC]

    def quick(_host: str, _port: int) -> Sequence[str]:
        return [PUBLIC]

    try:
        for attempt in range(DNS_THREADS):  # more than its share, all refused at the deadline
            with pytest.raises(UnsafeUrl):
                vet_url(
                    f"https://hang{attempt}.example.com/",
                    allow_insecure=False,
                    resolver=hangs,
                    owner="client-a",
                )
        # Client A's share is taken (its lookups still hang): A is refused, B is answered.
        with pytest.raises(UnsafeUrl):
            vet_url(
                "https://a.example.com/", allow_insecure=False, resolver=quick, owner="client-a"
            )
        assert vet_url(
            "https://b.example.com/", allow_insecure=False, resolver=quick, owner="client-b"
        ) == [PUBLIC]
    finally:
        release.set()
