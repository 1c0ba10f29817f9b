from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mangnon.cases"
    label = "cases"

    def ready(self) -> None:
        # menu entries; the child's timeline entries; the case page's sections
        from . import navigation, record_sections, referral_sections, timeline  # noqa: F401
