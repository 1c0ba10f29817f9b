from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "mangnon.cases"
    label = "cases"

    def ready(self) -> None:
        # menu entries; the child's timeline entries; the case page's sections; the intake screen's
        # "referred to a commune" recorded as a referral (intake.referrals)
        from . import navigation, record_sections, referral_intake, referral_sections, timeline  # noqa: F401
