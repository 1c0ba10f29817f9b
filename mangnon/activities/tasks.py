"""Background tasks of activities (django-tasks): the import's dry run and the import.

Tasks only translate: they take a job's id and call the step in core.row_import with the import of
`importing`, which owns the rules.
"""

from __future__ import annotations

from django_tasks import task

from mangnon.core import row_import

from .importing import ActivityImport


@task()
def validate_activities_import(job_id: int) -> None:
    row_import.job_validate(ActivityImport, job_id)


@task()
def run_activities_import(job_id: int) -> None:
    row_import.job_run(ActivityImport, job_id)
