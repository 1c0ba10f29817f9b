"""The case page's section listing the Decree 56 forms the case can print (registered with
cases.sections; the case page is shown only to viewers who may read the case)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from mangnon.cases.models import Case
from mangnon.cases.sections import Section, register
from mangnon.cases.workflow import Form

from . import case_forms, pdf


def _forms(viewer: Any, case: Case) -> dict[str, Any]:
    labels = dict(Form.choices)
    return {
        "printable_forms": [
            {"code": code, "label": labels[code], "filename": case_forms.filename(case, code)}
            for code in case_forms.available(case)
        ],
        "pdf_available": pdf.available(),
    }


register(Section("forms", _("Decree 56 forms"), "reports/_case_forms.html", 90, _forms))
