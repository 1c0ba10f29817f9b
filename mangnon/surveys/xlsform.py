"""Importing an XLSForm: the file is read by pyxform (the XLSForm standard's own converter) and what
Măng Non supports is kept as a `form.FormDefinition`; anything else is refused, naming it.

What is kept, refused and why is written down in docs/surveys-xlsform.md. In short:

- kept: text, integer, decimal, date, note, select_one, select_multiple, groups, repeats (a fixed or
  computed count, or as many as the respondent adds), relevant / constraint / required / choice_filter
  in the expression subset of `expressions`, labels, hints and messages in several languages;
- turned into something we keep, with a warning: "phone number" (a text of digits); start, end, today
  (dropped: an answer keeps only its date); media in labels (ignored);
- refused: every other question type, and above all the metadata that would identify the device or the
  person answering (deviceid, subscriberid, simserial, phonenumber, username, email, audit,
  start-geopoint) — the survey is anonymous; references to unknown questions; functions outside the
  subset; or_other.

Every refusal message names the question and the construct, in the language of the request, and all
of them are given at once (`ValidationError({"file": [...]})`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from . import expressions
from .form import Choice, FormDefinition, Group, Item, Labels, Question, QuestionKind


@dataclass
class ImportedForm:
    definition: FormDefinition
    warnings: list[str] = field(default_factory=list)


_EXTENSIONS = {".xlsx": "xlsx", ".xls": "xls", ".md": "md", ".csv": "csv"}

_KINDS = {
    "text": QuestionKind.TEXT,
    "integer": QuestionKind.INTEGER,
    "int": QuestionKind.INTEGER,
    "decimal": QuestionKind.DECIMAL,
    "date": QuestionKind.DATE,
    "note": QuestionKind.NOTE,
    "select one": QuestionKind.SELECT_ONE,
    "select all that apply": QuestionKind.SELECT_MULTIPLE,
}

# Metadata a form can ask the phone for: each would identify the device or the person.
_IDENTIFYING = frozenset(
    {
        "deviceid",
        "subscriberid",
        "simserial",
        "phonenumber",
        "username",
        "email",
        "audit",
        "start-geopoint",
        "background-geopoint",
        "background-audio",
        "imei",
        "uri:deviceid",
        "uri:subscriberid",
        "uri:simserial",
        "uri:phonenumber",
        "uri:username",
        "uri:email",
    }
)
# Times of day: Măng Non keeps only the date of an answer.
_DROPPED_TIMES = frozenset({"start", "end", "today"})

_ITEMSET_FILE = re.compile(r"\.(csv|xml|geojson)$", re.IGNORECASE)
_OR_OTHER_RELEVANT = re.compile(r"selected\(\s*\.\./(?P<name>[\w.\-]+)\s*,\s*'other'\s*\)")
_LANGUAGE_CODE = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")


def language_code(column: str) -> str:
    """The language code of a label column's language ("Vietnamese (vi)" → "vi", "default" → "")."""
    name = column.strip()
    lowered = name.lower()
    if lowered in ("", "default"):
        return ""
    match = _LANGUAGE_CODE.search(name)
    if match:
        return match.group(1).lower()
    if lowered in ("english", "tiếng anh"):
        return "en"
    if lowered in ("vietnamese", "tiếng việt", "tieng viet"):
        return "vi"
    return lowered


def _labels(value: Any, default_language: str) -> Labels:
    if value is None or value == "":
        return {}
    if isinstance(value, dict):
        out: Labels = {}
        for column, text in value.items():
            if text is None or str(text) == "":
                continue
            out[language_code(str(column))] = str(text)
        return out
    return {default_language: str(value)}


def _is_yes(value: Any) -> bool | None:
    text = str(value).strip()
    if text.lower() in ("yes", "true", "true()", "1"):
        return True
    if text.lower() in ("no", "false", "false()", "0", ""):
        return False
    return None


def _check_file(data: bytes, filename: str) -> str:
    """The file type (pyxform's) after checking size, extension and content; ValidationError if not."""
    limit = settings.MANGNON_SURVEY_FORM_MAX_BYTES
    if len(data) > limit:
        raise ValidationError(
            {"file": [_("The file is larger than %(size)s MB.") % {"size": f"{limit / 1024 / 1024:g}"}]}
        )
    if not data:
        raise ValidationError({"file": [_("The file is empty.")]})
    extension = ""
    if "." in filename:
        extension = "." + filename.rsplit(".", 1)[1].lower()
    kind = _EXTENSIONS.get(extension)
    if kind is None:
        raise ValidationError(
            {
                "file": [
                    _("An XLSForm must be an .xlsx, .xls, .md or .csv file, not “%(name)s”.")
                    % {"name": filename}
                ]
            }
        )
    if kind == "xlsx":
        ok = data.startswith(b"PK\x03\x04")
    elif kind == "xls":
        ok = data.startswith(b"\xd0\xcf\x11\xe0")
    else:
        try:
            data.decode("utf-8")
            ok = b"\x00" not in data
        except UnicodeDecodeError:
            ok = False
    if not ok:
        raise ValidationError(
            {
                "file": [
                    _("The content of “%(name)s” is not a %(kind)s file.") % {"name": filename, "kind": kind}
                ]
            }
        )
    return kind


def import_form(data: bytes, filename: str) -> ImportedForm:
    """The form definition of an XLSForm file, with what the import noted; ValidationError({"file": …})
    naming every problem when the file is not an XLSForm or uses what Măng Non does not support."""
    kind = _check_file(data, filename)
    from pyxform.xls2xform import convert  # imported here: pyxform is slow to import

    try:
        result = convert(xlsform=BytesIO(data), file_type=f".{kind}", validate=False)
    except Exception as error:  # pyxform raises PyXFormError and, on odd files, almost anything
        message = str(error).strip() or error.__class__.__name__
        raise ValidationError(
            {"file": [_("The file could not be read as an XLSForm: %(error)s") % {"error": message}]}
        ) from error
    return _Converter(result._pyxform, list(result.warnings or [])).run()


class _Converter:
    def __init__(self, survey: dict[str, Any], pyxform_warnings: list[str]) -> None:
        self.survey = survey
        self.default_language = language_code(str(survey.get("default_language") or "default"))
        self.errors: list[str] = []
        self.warnings: list[str] = [str(w) for w in pyxform_warnings]
        self.languages: set[str] = set()
        self.list_names: set[str] = set()
        # Names of everything kept (questions, groups, repeats), for the references check.
        self.names: set[str] = set()
        self.questions: list[tuple[Question, dict[str, Any]]] = []
        self.repeats: list[Group] = []
        self.choice_columns: dict[str, set[str]] = {}

    # -- reporting ---------------------------------------------------------------------------------
    def refuse(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)

    def unsupported_type(self, name: str, type_: str) -> None:
        self.refuse(
            _("Question “%(name)s”: the type “%(type)s” is not supported.") % {"name": name, "type": type_}
        )

    # -- labels ------------------------------------------------------------------------------------
    def labels(self, value: Any) -> Labels:
        out = _labels(value, self.default_language)
        self.languages.update(out)
        return out

    def media_warning(self, element: dict[str, Any], name: str) -> None:
        if element.get("media"):
            self.warnings.append(
                _("Question “%(name)s”: its images, audio or video are not shown (only text is).")
                % {"name": name}
            )

    # -- walking -----------------------------------------------------------------------------------
    def run(self) -> ImportedForm:
        for list_name, choices in (self.survey.get("choices") or {}).items():
            columns: set[str] = {"name"}
            for choice in choices:
                columns.update(k for k in choice if k not in ("name", "label", "media"))
            self.choice_columns[str(list_name)] = columns
        items = self.children(self.survey.get("children") or [], in_repeat=False)
        self.check_expressions()
        if self.errors:
            raise ValidationError({"file": self.errors})
        choices = {
            name: tuple(self.choice(c) for c in (self.survey.get("choices") or {}).get(name, []))
            for name in sorted(self.list_names)
        }
        languages = tuple(sorted(self.languages, key=lambda code: (code != self.default_language, code)))
        definition = FormDefinition(
            title=str(self.survey.get("title") or self.survey.get("name") or ""),
            items=items,
            choices=choices,
            languages=languages,
            default_language=self.default_language,
            form_id=str(self.survey.get("id_string") or ""),
            version=str(self.survey.get("version") or ""),
        )
        if not definition.items:
            raise ValidationError({"file": [_("The form has no question Măng Non can ask.")]})
        return ImportedForm(definition=definition, warnings=list(dict.fromkeys(self.warnings)))

    def choice(self, data: dict[str, Any]) -> Choice:
        extra = {
            str(k): str(v)
            for k, v in data.items()
            if k not in ("name", "label", "media") and not isinstance(v, dict | list)
        }
        return Choice(name=str(data.get("name", "")), labels=self.labels(data.get("label")), extra=extra)

    def children(self, elements: list[dict[str, Any]], *, in_repeat: bool) -> tuple[Item, ...]:
        out: list[Item] = []
        or_other: set[str] = set()
        for element in elements:
            relevant = str((element.get("bind") or {}).get("relevant") or "")
            match = _OR_OTHER_RELEVANT.search(relevant)
            if (
                element.get("type") == "text"
                and match
                and str(element.get("name")) == f"{match['name']}_other"
            ):
                or_other.add(match["name"])
        for name in or_other:
            self.refuse(
                _(
                    "Question “%(name)s”: “or_other” is not supported; add an “other” choice and a "
                    "question instead."
                )
                % {"name": name}
            )
        for element in elements:
            name = str(element.get("name") or "")
            if any(name == f"{base}_other" for base in or_other):
                continue
            item = self.element(element, in_repeat=in_repeat)
            if item is not None:
                out.append(item)
        return tuple(out)

    def element(self, element: dict[str, Any], *, in_repeat: bool) -> Item | None:
        type_ = str(element.get("type") or "")
        name = str(element.get("name") or "")
        control = element.get("control") or {}
        bind = element.get("bind") or {}
        if type_ == "group" and name == "meta" and control.get("bodyless"):
            # pyxform's own metadata (instanceID, instanceName): dropped; what would identify refused.
            for child in element.get("children") or []:
                if str(child.get("type")) in _IDENTIFYING:
                    self.identifying(str(child.get("name")), str(child.get("type")))
            return None
        if type_ in _IDENTIFYING:
            self.identifying(name, type_)
            return None
        if type_ in _DROPPED_TIMES:
            self.warnings.append(
                _("“%(name)s” (%(type)s) is left out: Măng Non keeps only the date of an answer.")
                % {"name": name, "type": type_}
            )
            return None
        if type_ in ("group", "repeat"):
            return self.group(element, repeat=type_ == "repeat", in_repeat=in_repeat)
        self.media_warning(element, name)
        if type_ == "phone number":
            self.warnings.append(
                _("Question “%(name)s”: a phone number is asked as digits in a text question.")
                % {"name": name}
            )
            kind = QuestionKind.TEXT
            appearance = "numbers"
        elif type_ in _KINDS:
            kind = _KINDS[type_]
            appearance = str(control.get("appearance") or "")
        else:
            self.unsupported_type(name, type_.replace(" ", "_") if type_ else "?")
            return None
        if bind.get("calculate") or bind.get("jr:preload"):
            self.refuse(_("Question “%(name)s”: a calculation is not supported.") % {"name": name})
            return None
        if appearance.startswith("ex:"):
            self.refuse(
                _("Question “%(name)s”: an answer from another app (%(appearance)s) is not supported.")
                % {"name": name, "appearance": appearance}
            )
            return None
        if element.get("trigger"):
            self.refuse(_("Question “%(name)s”: a trigger is not supported.") % {"name": name})
        list_name = ""
        if kind in (QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE):
            itemset = str(element.get("itemset") or "")
            list_name = str(element.get("list_name") or "") or (
                "" if _ITEMSET_FILE.search(itemset) else itemset
            )
            if _ITEMSET_FILE.search(itemset) or not list_name:
                self.refuse(
                    _("Question “%(name)s”: choices from a file (%(file)s) are not supported.")
                    % {"name": name, "file": itemset or "?"}
                )
                return None
            self.list_names.add(list_name)
        required_value = bind.get("required", "")
        yes = _is_yes(required_value)
        required = "yes" if yes else ("" if yes is False else str(required_value))
        question = Question(
            name=name,
            kind=kind,
            labels=self.labels(element.get("label")),
            hints=self.labels(element.get("hint")),
            required=required,
            required_messages=self.labels(bind.get("jr:requiredMsg")),
            relevant=str(bind.get("relevant") or ""),
            constraint=str(bind.get("constraint") or ""),
            constraint_messages=self.labels(bind.get("jr:constraintMsg")),
            list_name=list_name,
            choice_filter=str(element.get("choice_filter") or ""),
            appearance=appearance,
        )
        if kind == QuestionKind.TEXT and type_ != "phone number":
            self.warnings.append(
                _(
                    "Question “%(name)s” takes free text: a pupil may write a name in it. Its answers are "
                    "kept but never shown in results or exports."
                )
                % {"name": name}
            )
        self.names.add(name)
        self.questions.append((question, element))
        return question

    def identifying(self, name: str, type_: str) -> None:
        self.refuse(
            _(
                "“%(name)s” (%(type)s) is not supported: it would identify the device or the person in an "
                "anonymous survey."
            )
            % {"name": name, "type": type_}
        )

    def group(self, element: dict[str, Any], *, repeat: bool, in_repeat: bool) -> Group | None:
        name = str(element.get("name") or "")
        control = element.get("control") or {}
        bind = element.get("bind") or {}
        if repeat and in_repeat:
            self.refuse(_("Repeat “%(name)s”: a repeat inside a repeat is not supported.") % {"name": name})
        self.media_warning(element, name)
        children = self.children(element.get("children") or [], in_repeat=in_repeat or repeat)
        group = Group(
            name=name,
            labels=self.labels(element.get("label")),
            relevant=str(bind.get("relevant") or ""),
            children=children,
            repeat=repeat,
            repeat_count=str(control.get("jr:count") or "") if repeat else "",
            appearance=str(control.get("appearance") or ""),
        )
        self.names.add(name)
        if repeat:
            self.repeats.append(group)
        return group

    # -- expressions -------------------------------------------------------------------------------
    def check_expressions(self) -> None:
        for question, _element in self.questions:
            checks = [
                ("relevant", question.relevant),
                ("constraint", question.constraint),
                ("choice_filter", question.choice_filter),
            ]
            if question.required not in ("", "yes"):
                checks.append(("required", question.required))
            for column, expr in checks:
                self.check(question.name, column, expr, choice_filter=column == "choice_filter")
            if question.choice_filter:
                columns = self.choice_columns.get(question.list_name, {"name"})
                for bare in sorted(expressions.bare_names(question.choice_filter) - columns):
                    self.refuse(
                        _(
                            "Question “%(name)s”: choice_filter reads “%(column)s”, which is not a column of "
                            "its choices."
                        )
                        % {"name": question.name, "column": bare}
                    )
        for group in self._groups():
            self.check(group.name, "relevant", group.relevant)
            if group.repeat:
                self.check(group.name, "repeat_count", group.repeat_count)

    def _groups(self) -> list[Group]:
        found: list[Group] = []

        def walk(element: dict[str, Any]) -> None:
            for child in element.get("children") or []:
                if child.get("type") in ("group", "repeat") and str(child.get("name")) in self.names:
                    bind = child.get("bind") or {}
                    control = child.get("control") or {}
                    found.append(
                        Group(
                            name=str(child.get("name")),
                            relevant=str(bind.get("relevant") or ""),
                            repeat=child.get("type") == "repeat",
                            repeat_count=str(control.get("jr:count") or ""),
                        )
                    )
                    walk(child)

        walk(self.survey)
        return found

    def check(self, name: str, column: str, expr: str, *, choice_filter: bool = False) -> None:
        if not expr.strip():
            return
        unsupported = expressions.used_unsupported(expr, choice_filter=choice_filter)
        if unsupported:
            self.refuse(
                _("Question “%(name)s”: %(column)s uses %(what)s, which is not supported.")
                % {"name": name, "column": column, "what": ", ".join(unsupported)}
            )
            return
        unknown = sorted(expressions.references(expr) - self.names)
        for ref in unknown:
            self.refuse(
                _(
                    "Question “%(name)s”: %(column)s refers to ${%(ref)s}, which is not a question "
                    "this form keeps."
                )
                % {"name": name, "column": column, "ref": ref}
            )
        try:
            expressions.parse(expr)
        except expressions.ExpressionError as error:
            self.refuse(
                _("Question “%(name)s”: %(column)s cannot be read (%(error)s).")
                % {"name": name, "column": column, "error": error}
            )
