"""Measurements run on purpose, never as tests."""

# The benchmarks send far more requests than any budget allows; the limits stay on, raised out
# of reach, so every request still pays for being counted as in production.
UNREACHABLE_RATE_LIMITS = {
    name: "1000000000/minute"
    for name in ("RATELIMIT_ANONYMOUS", "RATELIMIT_TOKEN", "RATELIMIT_STAFF")
}
