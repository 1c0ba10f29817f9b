"""Forms of the case record: a note (of any kind), its correction, and an upload. They parse what was
typed; the rules (dates, what a conference must record) are the services' (`record_services`), which
the forms run too so the page shows every problem at once."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mangnon.core.forms import VietnameseDateField

from . import record_services
from .codes import NoteKind
from .models import Case, CaseNote

TEXT_MAX = 20000


class NoteForm(forms.Form):
    submission = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    kind = forms.ChoiceField(label=_("Kind"), choices=NoteKind.choices, initial=NoteKind.NOTE)
    on = VietnameseDateField(label=_("Date"))
    participants = forms.CharField(
        label=_("Participants"),
        required=False,
        max_length=record_services.PARTICIPANTS_MAX,
    )
    text = forms.CharField(
        label=_("Content of the note"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    decisions = forms.CharField(
        label=_("Decisions of the conference"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, case: Case, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.case = case

    def note_input(self) -> record_services.NoteInput:
        data = self.cleaned_data
        return record_services.NoteInput(
            kind=data.get("kind") or "",
            on=data.get("on"),
            text=data.get("text") or "",
            participants=data.get("participants") or "",
            decisions=data.get("decisions") or "",
        )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not self.errors:
            for name, problems in record_services.note_errors(self.case, self.note_input()).items():
                for problem in problems:
                    self.add_error(name if name in self.fields else None, problem)
        return cleaned


class NoteEditForm(NoteForm):
    version = forms.CharField(widget=forms.HiddenInput, max_length=64)

    @classmethod
    def for_note(cls, note: CaseNote, case: Case) -> NoteEditForm:
        text, decisions = record_services.split_text(note.text)
        return cls(
            case=case,
            initial={
                "kind": note.kind,
                "on": note.on,
                "participants": note.participants,
                "text": text,
                "decisions": decisions,
                "version": record_services.note_version(note),
            },
        )


def new_note_form(case: Case, submission: str) -> NoteForm:
    return NoteForm(case=case, initial={"on": timezone.localdate(), "submission": submission})


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"), required=False, max_length=record_services.DESCRIPTION_MAX
    )
