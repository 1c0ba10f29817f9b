"""Downloads of the documents Măng Non writes: a case's Decree 56 forms (Mẫu 01-06) as DOCX, and as PDF
where LibreOffice is installed.

The case comes through `cases.access.get_case_for_user` (404 outside the viewer's scope, also for a
hotline counsellor or a leadership viewer, who do not read cases); a form the case has not reached is
404 as well. Each download is audited as a view of the case and an export before the file leaves.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from mangnon.cases.access import get_case_for_user

from . import case_forms, pdf
from .docx_layout import DOCX_CONTENT_TYPE

FORMATS = ("docx", "pdf")


def _attachment(content: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "no-store"  # a child's personal data: no copy left in a shared cache
    return response


@require_GET
@login_required
def case_form(request: HttpRequest, pk: int, form: str, fmt: str) -> HttpResponse:
    case = get_case_for_user(request.user, pk)
    if fmt not in FORMATS or (fmt == "pdf" and not pdf.available()):
        raise Http404
    try:
        printed = case_forms.build(case, form)
    except case_forms.NotReached:
        raise Http404 from None
    if fmt == "pdf":
        try:
            content = pdf.docx_to_pdf(printed.content)
        except pdf.ConversionFailed:
            context = {"case": case, "form": form}
            return render(request, "reports/pdf_failed.html", context, status=503)
        case_forms.record_form_export(viewer=request.user, case=case, printed=printed, fmt=fmt)
        return _attachment(content, case_forms.filename(case, form, "pdf"), pdf.PDF_CONTENT_TYPE)
    case_forms.record_form_export(viewer=request.user, case=case, printed=printed, fmt=fmt)
    return _attachment(printed.content, printed.filename, DOCX_CONTENT_TYPE)
