"""Places and their status events. Writing events needs the counting package's flush hook."""

from .. import reconcile  # noqa: F401
