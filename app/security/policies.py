"""Every route's access rule, declared where the route is written.

A route gets its rule from the dependencies it already uses: ``CurrentUser`` means "any
logged-in user", ``require_role(...)`` means "these roles" (both carry a policy marker), and
``public(...)`` says on purpose that no log-in is needed. HTML pages check the cookie
themselves (they redirect to ``/login`` instead of answering 401), so their rules are listed
in ``PAGE_RULES`` by path prefix. ``policy_of`` finds a route's rule; the route enumeration
test (tests/security/test_route_policies.py) fails for any route where it finds none, so a
new route cannot ship without saying who may call it — and the test then calls the route as
every role and checks the answer matches the rule.

Object-level rules (whose session, which cohort) are not expressible here; they live in
``app.services.access`` and ``app.security.object_access`` and have their own tests.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from fastapi import Depends
from fastapi.dependencies.models import Dependant
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute

Kind = Literal["public", "authenticated", "roles"]
ALL_ROLES = frozenset({"trainee", "trainer", "supervisor", "admin"})
POLICY_ATTR = "__ccsim_policy__"


@dataclass(frozen=True)
class Policy:
    kind: Kind
    roles: frozenset[str] = field(default_factory=frozenset)
    page: bool = False  # an HTML page: anonymous callers are redirected to /login
    reason: str = ""

    def allows(self, role: str | None) -> bool:
        if self.kind == "public":
            return True
        if role is None:
            return False
        return self.kind == "authenticated" or role in self.roles

    def describe(self) -> str:
        if self.kind == "roles":
            return "roles " + ", ".join(sorted(self.roles))
        return self.kind


def mark(function: Callable[..., Any], policy: Policy) -> Callable[..., Any]:
    setattr(function, POLICY_ATTR, policy)
    return function


def public(reason: str) -> Any:
    """``dependencies=[public("the log-in form")]``: no log-in needed, on purpose."""

    def no_check() -> None:
        return None

    return Depends(mark(no_check, Policy("public", reason=reason)))


# Pages: (path prefix, policy). The longest matching prefix wins; "/" matches only itself.
PAGE_RULES: list[tuple[str, Policy]] = [
    ("/login", Policy("public", page=True, reason="the log-in form")),
    ("/lang/", Policy("public", page=True, reason="the language switch (a cookie)")),
    ("/", Policy("authenticated", page=True, reason="home: trainee or staff")),
    ("/sessions/", Policy("authenticated", page=True, reason="desk and debrief, per object")),
    ("/trainer", Policy("roles", frozenset({"trainer", "admin"}), page=True)),
    ("/supervisor", Policy("roles", frozenset({"supervisor", "admin"}), page=True)),
    ("/admin", Policy("roles", frozenset({"admin"}), page=True)),
]
# Mounted applications (static files) are public: they serve no personal data.
PUBLIC_MOUNTS = frozenset({"/static"})
# FastAPI's own routes: the OpenAPI document describes the API, it holds no data.
PUBLIC_PATHS = frozenset({"/openapi.json"})


def _dependency_calls(dependant: Dependant) -> Iterator[Any]:
    for sub in dependant.dependencies:
        if sub.call is not None:
            yield sub.call
        yield from _dependency_calls(sub)


def _most_restrictive(policies: list[Policy]) -> Policy | None:
    roles = [p for p in policies if p.kind == "roles"]
    if roles:
        allowed = frozenset.intersection(*(p.roles for p in roles))
        return Policy("roles", allowed)
    if any(p.kind == "authenticated" for p in policies):
        return Policy("authenticated")
    return policies[0] if policies else None


def page_rule(path: str) -> Policy | None:
    best: tuple[int, Policy] | None = None
    for prefix, policy in PAGE_RULES:
        matches = path == prefix if prefix == "/" else path.startswith(prefix)
        if matches and (best is None or len(prefix) > best[0]):
            best = (len(prefix), policy)
    return best[1] if best else None


# Websockets authenticate in the handler (a close code, not an HTTP status): declared here.
WEBSOCKET_RULES: dict[str, Policy] = {
    "/ws/sessions/{session_id}": Policy(
        "authenticated", reason="the session's trainee drives; staff who may see it watch"
    ),
    "/ws/echo": Policy("public", reason="benchmarks only; closed unless CCSIM_BENCH_ECHO=1"),
}


def all_routes(routes: list[BaseRoute]) -> list[BaseRoute]:
    """Every route an app serves, included routers flattened. FastAPI >= 0.16x keeps included
    routers as branches in ``app.routes``; older versions list the routes themselves."""
    try:
        from fastapi.routing import _iter_included_route_candidates
    except ImportError:  # pragma: no cover - older FastAPI
        return list(routes)
    return list(_iter_included_route_candidates(routes))


def policy_of(route: BaseRoute) -> Policy | None:
    """The declared rule of a route, or None when it declares none (a bug)."""
    if isinstance(route, Mount):
        return Policy("public", reason="static files") if route.path in PUBLIC_MOUNTS else None
    path = str(getattr(route, "path", ""))
    if path in PUBLIC_PATHS and not hasattr(route, "dependant"):
        return Policy("public", reason="the API description")
    is_socket = isinstance(route, WebSocketRoute) or type(route).__name__ == "APIWebSocketRoute"
    if is_socket and path in WEBSOCKET_RULES:
        return WEBSOCKET_RULES[path]
    dependant: Dependant | None = getattr(route, "dependant", None)
    if dependant is not None:
        found = [
            getattr(call, POLICY_ATTR)
            for call in _dependency_calls(dependant)
            if hasattr(call, POLICY_ATTR)
        ]
        declared = _most_restrictive(found)
        if declared is not None:
            return declared
    if isinstance(route, Route) and "pages" in (getattr(route, "tags", None) or []):
        return page_rule(path)
    return None
