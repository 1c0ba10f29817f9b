"""The indexes of duplicate matching, declared on Person (they were raw SQL in 0003): one per blocking
branch, so that each branch is a range scan of a single index on SQLite and PostgreSQL alike."""

from django.db import migrations, models

OLD_INDEX = "registry_person_match_key"  # created by 0003; same columns as registry_person_ten_ho_year


class Migration(migrations.Migration):
    dependencies = [
        ("geo", "0001_initial"),
        ("registry", "0003_matching_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            f"DROP INDEX IF EXISTS {OLD_INDEX}",
            f"CREATE INDEX IF NOT EXISTS {OLD_INDEX} ON registry_person (ten_key, ho_key, birth_year)",
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["ten_key", "ho_key", "birth_year"], name="registry_person_ten_ho_year"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["admin_unit", "ten_key", "birth_year"], name="registry_person_unit_ten_year"
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                fields=["admin_unit", "ho_key", "sex", "birth_year"], name="registry_person_unit_ho_sex_yr"
            ),
        ),
    ]
