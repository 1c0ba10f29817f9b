"""The index the roll-up sums a unit's payments from (activities.rollup_* benchmarks, bench/README.md)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("support", "0002_disbursement_import_reference"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="disbursement",
            index=models.Index(
                fields=["admin_unit", "paid_on", "programme", "child", "amount"],
                name="support_disb_unit_date",
            ),
        ),
    ]
