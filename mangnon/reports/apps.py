from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "mangnon.reports"
    label = "reports"

    def ready(self) -> None:
        # the case page's section listing the forms to download; the periodic reports' menu entry
        from . import case_sections, navigation  # noqa: F401
