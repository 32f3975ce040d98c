"""Places and events inserted directly with the models (the counting tests' factory)."""

from __future__ import annotations

from tests.reconcile.conftest import make_place  # noqa: F401  (the fixture, shared)
