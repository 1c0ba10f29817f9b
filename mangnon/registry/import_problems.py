"""What an import's problems say: a stable code and its parameters, put into words when they are read.

A dry run may run in a background worker under whichever language was active when the job started,
while the officer reading the report may have chosen another since. So `ImportProblem` stores a code
from WORDS and the values it needs (JSON), and `render` turns them into text in the reader's language.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mangnon.core.xlsx_import import RECORDED_TEXT, Problem, register_words, render

__all__ = ["ID_NUMBER_RULES", "RECORDED_TEXT", "WORDS", "Problem", "render"]

# The codes stored in the database: renaming one orphans the problems recorded under it.
WORDS: dict[str, Promise] = {
    # A whole file
    "file.not_xlsx": _("The file cannot be opened as an Excel workbook (.xlsx)."),
    "file.empty": _("The file is empty."),
    "file.no_headings": _(
        "The first row must hold the column headings of the template (for example “%(h)s”)."
    ),
    "file.no_sheet": _(
        "No sheet has the column headings of the template in its first row (“%(h)s”, …). "
        "Sheets in this file: %(sheets)s. Use the sheet “%(template)s” of the template."
    ),
    "file.missing_columns": _("Missing columns: %(columns)s."),
    "file.not_utf8": _("The file is not UTF-8 text: save it as “CSV UTF-8” and upload it again."),
    "file.not_utf8_on_import": _("The file is not UTF-8 text."),
    "file.no_rows": _("The file has no rows of children."),
    # A cell
    "cell.formula": _("The cell holds a formula (%(value)s): type the value itself."),
    "cell.too_long": _("Too long: at most %(max)s characters."),
    "name.missing": _("Enter the child's full name."),
    "sex.unknown": _("Write Nam or Nữ, not “%(value)s”."),
    "birth.not_a_date": _("“%(value)s” is not a date: write it as dd/mm/yyyy."),
    "birth.not_a_year": _("“%(value)s” is not a year of birth."),
    "birth.missing": _("Enter the date of birth, or at least the year of birth."),
    "birth.year_mismatch": _("The year does not match the date of birth."),
    "birth.date_future": _("The date of birth cannot be in the future."),
    "birth.year_future": _("The year of birth cannot be in the future."),
    "birth.adult": _("16 or older today: the register is for children under 16."),
    "ethnicity.unknown": _("Unknown ethnic group “%(value)s”: use a name from the list of 54 groups."),
    "commune.unknown_code": _(
        "Unknown commune code “%(value)s”: use the 5-digit code of a commune in force today."
    ),
    "commune.unknown_name": _("Unknown commune “%(value)s”."),
    "commune.ambiguous": _("Several communes are called “%(value)s”: give the commune code."),
    "commune.out_of_area": _(
        "%(commune)s is outside your area: you can import only the children of %(own)s."
    ),
    "group.unknown": _(
        "Unknown group “%(value)s”: use the letters a to o of the Law on Children, "
        "art. 10, separated by commas."
    ),
    "id_number.taken": _("This personal ID number is already recorded for another person: check it."),
    # A whole row
    "row.same_as_row": _("The same child as row %(row)s of this file."),
    "row.likely_registered": _(
        "Probably a child already registered (record no. %(id)s): register this row on the "
        "registration page, where you can link it to that record or confirm a new child."
    ),
}

ID_NUMBER_RULES = "id_number.rules"  # in the registration form's words (services.id_number_errors)


def _missing_columns(params: Mapping[str, Any]) -> dict[str, Any]:
    missing = list(params.get("columns", []))
    if params.get("date_or_year"):
        missing.append(gettext("%(a)s or %(b)s") % {"a": "Ngày sinh", "b": "Năm sinh"})
    return {"columns": ", ".join(missing)}


def _sheet_names(params: Mapping[str, Any]) -> dict[str, Any]:
    return {**params, "sheets": ", ".join(f"“{name}”" for name in params.get("sheets", []))}


# Codes whose parameters are lists or flags, put into words before the template takes them.
_PREPARE: dict[str, Callable[[Mapping[str, Any]], Mapping[str, Any]]] = {
    "file.missing_columns": _missing_columns,
    "file.no_sheet": _sheet_names,
}


def _id_number_rules(params: Mapping[str, Any]) -> str:
    """The `index`-th complaint of the registration rules about the ID number, asked again now.

    The rules and their words belong to services (the form and the API say the same); the problem
    keeps what they were asked, so the answer comes in the reader's language.
    """
    from .services import id_number_errors

    errors = id_number_errors(
        params.get("id_number", ""), sex=params.get("sex", ""), birth_year=params.get("birth_year")
    )
    index = params.get("index", 0)
    return errors[index] if 0 <= index < len(errors) else " ".join(errors)


register_words(WORDS, prepare=_PREPARE, special={ID_NUMBER_RULES: _id_number_rules})
