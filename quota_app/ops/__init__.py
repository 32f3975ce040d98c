"""Operations: health and readiness, Prometheus metrics, request ids and structured logs (docs/operations.md)."""
