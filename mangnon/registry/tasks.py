"""Background tasks of the registry (django-tasks, database backend): the import's dry run and the import.

Tasks only translate: they take a job's id and call the step in `importing`, which owns the rules.
"""

from __future__ import annotations

from django_tasks import task

from . import importing


@task()
def validate_import(job_id: int) -> None:
    importing.job_validate(job_id)


@task()
def run_import(job_id: int) -> None:
    importing.job_run(job_id)
