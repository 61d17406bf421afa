"""Quality measurements shared by benchmarks/ and the tests (no timing here)."""
