"""The fault tests use the same small world as the security tests."""

from tests.security.conftest import world  # noqa: F401  (a fixture, re-exported)
