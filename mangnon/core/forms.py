"""Form pieces every page shares."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Vietnamese order first; ISO is accepted from links, pastes and scripts.
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class VietnameseDateField(forms.DateField):
    """A date typed as dd/mm/yyyy in a plain text box.

    Not the browser's date picker: it follows the browser's locale (mm/dd/yyyy on an English browser),
    which misleads people who write dates day first.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        kwargs.setdefault("error_messages", {"invalid": _("Enter a date as dd/mm/yyyy.")})
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
                format="%d/%m/%Y",
            ),
        )
        super().__init__(**kwargs)


class PeriodForm(forms.Form):
    """A form with a period, its `start` and `end` fields declared by the subclass: the end may not
    come before the start."""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", _("The end of the period is before its start."))
        return data


def parse_date(text: str) -> dt.date | None:
    """`text` as a date (dd/mm/yyyy or yyyy-mm-dd), or None when it is not one."""
    try:
        return VietnameseDateField().clean(text)
    except ValidationError:
        return None


def errors_to_form(
    form: Any, error: ValidationError, aliases: Mapping[str, str | None] | None = None
) -> None:
    """A service's ValidationError shown beside the fields it names (`aliases`: the service's name of a
    field → the form's), the rest above the form: the services check the rules, the forms read input."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for name, problems in error.error_dict.items():
        field = (aliases or {}).get(name, name)
        for problem in problems:
            form.add_error(field if field in form.fields else None, problem)
