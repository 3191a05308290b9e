"""Security controls shared by every route: policies, CSRF, proxies, rate limits, audit."""
