"""Every database query lives in a repository, one module per domain.

Repositories take a SQLAlchemy ``Session`` and never commit: the caller owns the unit of work
(a request, a CLI command), so several repository calls succeed or fail together.
"""
