"""Pages of the disbursements import (upload, the dry run's report, confirmation, progress) and its template.

Views only translate: the steps are core.row_import's, the pages core.import_pages', the rules
`importing`'s (and services', through which every row is written).
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from mangnon.core.import_pages import ImportPages

from . import import_template
from .importing import DisbursementImport

PAGES = ImportPages(
    importer=DisbursementImport,
    namespace="support",
    templates="support/import",
    template_file=import_template.template_file,
    template_filename=import_template.FILENAME,
    title=gettext_lazy("Import payment lists"),
)
VIEWS = PAGES.views()
