"""The JSON API under /api/v1 (Bearer tokens only) and its OpenAPI document."""
