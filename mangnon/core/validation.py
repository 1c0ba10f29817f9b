"""Collecting a service's validation errors by field, so that one refusal names every problem at once
(the form or the API shows them all) and nothing is written."""

from __future__ import annotations

from django.core.exceptions import ValidationError


class FieldErrors:
    def __init__(self) -> None:
        self.found: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.found.setdefault(name, []).append(message)

    def raise_any(self) -> None:
        if self.found:
            raise ValidationError(self.found)
