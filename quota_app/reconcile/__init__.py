"""The counting package. Importing it keeps status intervals in step on every flush of the app's sessions."""

from . import intervals  # noqa: F401
