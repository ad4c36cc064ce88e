"""Hardening tests: fuzzing, stored XSS, real servers under concurrency, crashes, shared limits."""
