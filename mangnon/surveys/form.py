"""The definition of a questionnaire as the collection pages, the validation and the results read it.

`xlsform.import_form` makes one from an XLSForm (through pyxform) and it is stored as JSON on the
`FormVersion` (`to_json` / `from_json`). It keeps only what Măng Non supports (the `QuestionKind`s
below); anything else in a form is refused at import with a message naming it.

Names: a question's `name` is its XLSForm name, unique in the form (XLSForm requires it), and answers
are stored under it. Expressions (`relevant`, `constraint`, `required` when not simply yes/no,
`choice_filter`) are kept as written in the XLSForm (`${name}` references) and evaluated by
`expressions`. Labels are by language code ("vi", "en"; "" for a form's unlabelled default column).

Pages: the phone form shows one page per top-level group; top-level questions outside any group are
gathered, in order, into pages of their own between the groups (`pages()`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class QuestionKind(models.TextChoices):
    TEXT = "text", _("Text")
    INTEGER = "integer", _("Whole number")
    DECIMAL = "decimal", _("Decimal number")
    SELECT_ONE = "select_one", _("One choice")
    SELECT_MULTIPLE = "select_multiple", _("Several choices")
    NOTE = "note", _("Note (no answer)")
    DATE = "date", _("Date")


# Kinds whose answers are tabulated as frequencies; the others are summarised (numbers) or only counted.
CATEGORICAL = frozenset({QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE})
# Free text may hold anything a pupil typed, a name included: never shown in results or exports.
FREE_TEXT = frozenset({QuestionKind.TEXT})

Labels = dict[str, str]


def pick_label(labels: Labels, language: str | None = None, default_language: str = "") -> str:
    """The label in `language` (the page's), else the form's default language, else any."""
    language = (language or get_language() or "vi")[:2]
    for key in (language, default_language, "", "vi", "en"):
        if labels.get(key):
            return labels[key]
    return next((text for text in labels.values() if text), "")


@dataclass(frozen=True)
class Choice:
    name: str
    labels: Labels
    # Other columns of the choices sheet (what a choice_filter reads, e.g. {"state": "texas"}).
    extra: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Question:
    name: str
    kind: QuestionKind
    labels: Labels = field(default_factory=dict)
    hints: Labels = field(default_factory=dict)
    # "" (optional), "yes" (always) or an expression deciding it.
    required: str = ""
    required_messages: Labels = field(default_factory=dict)
    relevant: str = ""
    constraint: str = ""
    constraint_messages: Labels = field(default_factory=dict)
    # The choices list of a select question (a key of FormDefinition.choices) and its filter.
    list_name: str = ""
    choice_filter: str = ""
    appearance: str = ""


@dataclass(frozen=True)
class Group:
    name: str
    labels: Labels = field(default_factory=dict)
    relevant: str = ""
    children: tuple[Question | Group, ...] = ()
    repeat: bool = False
    # A repeat's number of instances when the form fixes it (a number or an expression), else the
    # respondent adds instances.
    repeat_count: str = ""
    appearance: str = ""


Item = Question | Group


@dataclass(frozen=True)
class Page:
    """What one screen of the phone form shows: a top-level group, or a run of loose questions."""

    index: int
    items: tuple[Item, ...]
    group: Group | None = None


@dataclass(frozen=True)
class FormDefinition:
    title: str
    items: tuple[Item, ...]
    choices: dict[str, tuple[Choice, ...]] = field(default_factory=dict)
    languages: tuple[str, ...] = ()
    default_language: str = ""
    form_id: str = ""
    version: str = ""

    # -- reading -----------------------------------------------------------------------------------
    def questions(self) -> Iterator[tuple[Question, tuple[Group, ...]]]:
        """Every question, depth first, with the groups (outermost first) it sits in."""

        def walk(
            items: tuple[Item, ...], parents: tuple[Group, ...]
        ) -> Iterator[tuple[Question, tuple[Group, ...]]]:
            for item in items:
                if isinstance(item, Group):
                    yield from walk(item.children, (*parents, item))
                else:
                    yield item, parents

        return walk(self.items, ())

    def question(self, name: str) -> Question | None:
        return next((q for q, _parents in self.questions() if q.name == name), None)

    def choices_of(self, question: Question) -> tuple[Choice, ...]:
        return self.choices.get(question.list_name, ())

    def pages(self) -> list[Page]:
        pages: list[Page] = []
        loose: list[Item] = []
        for item in self.items:
            if isinstance(item, Group) and not item.repeat:
                if loose:
                    pages.append(Page(len(pages), tuple(loose)))
                    loose = []
                pages.append(Page(len(pages), (item,), group=item))
            else:
                loose.append(item)
        if loose:
            pages.append(Page(len(pages), tuple(loose)))
        return pages

    def label(self, item: Item | Choice, language: str | None = None) -> str:
        return pick_label(item.labels, language, self.default_language) or item.name

    # -- storing -----------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "form_id": self.form_id,
            "version": self.version,
            "languages": list(self.languages),
            "default_language": self.default_language,
            "items": [_item_json(item) for item in self.items],
            "choices": {
                name: [{"name": c.name, "labels": c.labels, "extra": c.extra} for c in choices]
                for name, choices in self.choices.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FormDefinition:
        return cls(
            title=data["title"],
            form_id=data.get("form_id", ""),
            version=data.get("version", ""),
            languages=tuple(data.get("languages", ())),
            default_language=data.get("default_language", ""),
            items=tuple(_item_from_json(item) for item in data["items"]),
            choices={
                name: tuple(Choice(c["name"], c.get("labels", {}), c.get("extra", {})) for c in choices)
                for name, choices in data.get("choices", {}).items()
            },
        )


def _item_json(item: Item) -> dict[str, Any]:
    if isinstance(item, Group):
        return {
            "group": item.name,
            "labels": item.labels,
            "relevant": item.relevant,
            "repeat": item.repeat,
            "repeat_count": item.repeat_count,
            "appearance": item.appearance,
            "children": [_item_json(child) for child in item.children],
        }
    return {
        "name": item.name,
        "kind": str(item.kind),
        "labels": item.labels,
        "hints": item.hints,
        "required": item.required,
        "required_messages": item.required_messages,
        "relevant": item.relevant,
        "constraint": item.constraint,
        "constraint_messages": item.constraint_messages,
        "list_name": item.list_name,
        "choice_filter": item.choice_filter,
        "appearance": item.appearance,
    }


def _item_from_json(data: dict[str, Any]) -> Item:
    if "group" in data:
        return Group(
            name=data["group"],
            labels=data.get("labels", {}),
            relevant=data.get("relevant", ""),
            repeat=data.get("repeat", False),
            repeat_count=data.get("repeat_count", ""),
            appearance=data.get("appearance", ""),
            children=tuple(_item_from_json(child) for child in data.get("children", ())),
        )
    return Question(
        name=data["name"],
        kind=QuestionKind(data["kind"]),
        labels=data.get("labels", {}),
        hints=data.get("hints", {}),
        required=data.get("required", ""),
        required_messages=data.get("required_messages", {}),
        relevant=data.get("relevant", ""),
        constraint=data.get("constraint", ""),
        constraint_messages=data.get("constraint_messages", {}),
        list_name=data.get("list_name", ""),
        choice_filter=data.get("choice_filter", ""),
        appearance=data.get("appearance", ""),
    )
