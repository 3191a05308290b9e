"""Who is the client, and did it come over TLS? Proxy headers are believed only from proxies
listed in ``CCSIM_TRUSTED_PROXIES``: anybody can send ``X-Forwarded-For: 1.2.3.4`` to dodge a
per-address rate limit or to blame someone else."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from starlette.types import Scope

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=32)
def parse_networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(c.strip(), strict=False) for c in cidrs if c.strip())


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def client_ip(scope: Scope, trusted_proxies: list[str]) -> str:
    """The peer address, or — when the peer is a trusted proxy — the right-most address in
    ``X-Forwarded-For`` that is not itself a trusted proxy (the left part is client-written)."""
    client = scope.get("client")
    peer = str(client[0]) if client else "unknown"
    networks = parse_networks(tuple(trusted_proxies))
    if not networks or not _trusted(peer, networks):
        return peer
    forwarded = _header(scope, b"x-forwarded-for")
    if not forwarded:
        return peer
    hops = [h.strip() for h in forwarded.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return peer  # garbage from a client: fall back to what we know
    return hops[0] if hops else peer


def is_https(scope: Scope, trusted_proxies: list[str]) -> bool:
    if scope.get("scheme") in ("https", "wss"):
        return True
    client = scope.get("client")
    peer = str(client[0]) if client else ""
    networks = parse_networks(tuple(trusted_proxies))
    if networks and _trusted(peer, networks):
        proto = _header(scope, b"x-forwarded-proto")
        return proto is not None and proto.split(",")[-1].strip().lower() == "https"
    return False


def uvicorn_proxy_options() -> dict[str, Any]:
    """uvicorn's own proxy handling, off: by default it believes ``X-Forwarded-For`` and
    ``-Proto`` from 127.0.0.1 and rewrites the client address before the app sees it, so any
    local process (or a proxy nobody listed) could rotate its address past the per-address
    log-in limit (issue 16). Forwarded headers are read in one place, ``client_ip`` and
    ``is_https`` above, and only from ``CCSIM_TRUSTED_PROXIES``."""
    return {"proxy_headers": False, "forwarded_allow_ips": ""}
