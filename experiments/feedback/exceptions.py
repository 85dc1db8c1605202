"""Errors the feedback statistics raise when the caller breaks their contract.

Degenerate data (no responses, one response, zero variance) never raises: it returns a
result with a reason code. These exceptions are for input the functions cannot read.

    FeedbackDataError (ValueError)
    ├── MissingColumnError   a named column is not in the frame
    └── InvalidValueError    a value is outside its scale, not an integer, or not numeric
"""

from __future__ import annotations


class FeedbackDataError(ValueError):
    """Input that the feedback statistics cannot read."""


class MissingColumnError(FeedbackDataError):
    """A column named by the caller is not in the frame."""


class InvalidValueError(FeedbackDataError):
    """A value is outside its scale, not a whole number, or a weight is missing or negative."""


__all__ = ["FeedbackDataError", "InvalidValueError", "MissingColumnError"]
