"""Background rendering of a periodic report's files (django-tasks): the task only translates, the
work is `outputs.render_file`."""

from __future__ import annotations

from django_tasks import task


@task()
def render_file(file_id: int) -> None:
    from .outputs import render_file as render

    render(file_id)
