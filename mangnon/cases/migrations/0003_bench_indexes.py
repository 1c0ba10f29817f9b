"""A commune's cases by status and next deadline, in one index.

The scope filters of cases.selectors name the communes by id, so the caseload, the dashboard's figures
and its overdue and due-soon lists read this index (bench/README.md, "Intake and cases": at 100,000
cases the province's dashboard went from 289 to 114 ms of CPU on SQLite). It replaces the index on
(admin_unit, status), which is its prefix.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_referrals_caller_consent_and_service_dates")]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["admin_unit", "status", "next_due_at"], name="cases_case_unit_status_due"
            ),
        ),
        migrations.RemoveIndex(model_name="case", name="cases_case_unit_status"),
    ]
