"""Domain errors with stable codes.

Every error a person or a client can meet carries a ``code`` (dotted, lower case, never
renamed once released), a message a person understands (Chinese first, since the users are
Chinese bureau staff) and ``details`` for machines. The API maps each class to one HTTP status
in a single handler; the command line prints code and message.

Codes are listed in ``docs/errors.md``; add new ones there too.
"""

from __future__ import annotations

from typing import Any


class CityopsError(Exception):
    """Base class. ``http_status`` is a hint for the API layer only."""

    http_status = 400
    default_code = "error"

    def __init__(self, code: str | None = None, message: str = "", **details: Any) -> None:
        self.code = code or self.default_code
        self.message = message or self.code
        self.details: dict[str, Any] = details
        super().__init__(f"{self.code}: {self.message}")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class ValidationError(CityopsError):
    """Input that breaks a rule: a missing reason, an unknown class, a bad coordinate."""

    http_status = 422
    default_code = "validation"


class NotFoundError(CityopsError):
    http_status = 404
    default_code = "not_found"


class ForbiddenError(CityopsError):
    """The actor's role or unit may not do this."""

    http_status = 403
    default_code = "forbidden"


class InvalidTransitionError(CityopsError):
    """The command does not apply to the case in its current state."""

    http_status = 409
    default_code = "case.invalid_transition"


class ConflictError(CityopsError):
    """Someone else changed the record first (optimistic locking); reload and retry."""

    http_status = 409
    default_code = "conflict"


class ProfileError(CityopsError):
    """A city profile failed validation; ``details['problems']`` lists every problem."""

    http_status = 422
    default_code = "profile.invalid"


class AttachmentError(CityopsError):
    http_status = 422
    default_code = "attachment.invalid"


class TooLargeError(AttachmentError):
    """A file or a request body over the limit; refused before anything is stored."""

    http_status = 413
    default_code = "request.too_large"


class CalendarError(CityopsError):
    default_code = "calendar.invalid"
