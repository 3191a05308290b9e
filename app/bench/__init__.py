"""Benchmarks: a load generator, the echo ceiling, offline timings (docs/performance.md)."""
