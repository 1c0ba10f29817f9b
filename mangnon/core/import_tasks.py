"""Background tasks of the row imports (django-tasks, database backend): the dry run and the import.

Tasks only translate: they take the import's class by its dotted path (a task's arguments must be
plain JSON) and a job's id, and call the step in core.row_import.
"""

from __future__ import annotations

from django.utils.module_loading import import_string
from django_tasks import task

from . import row_import


@task()
def validate_rows(importer: str, job_id: int) -> None:
    row_import.job_validate(import_string(importer), job_id)


@task()
def import_rows(importer: str, job_id: int) -> None:
    row_import.job_run(import_string(importer), job_id)
