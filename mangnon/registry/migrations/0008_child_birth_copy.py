"""The child's copies of its person's date and year of birth (Child.born_on, Child.born_in), which
replace the persons' birth index for the children counted on a day."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_person_birth_index"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="person",
            name="registry_person_birth",
        ),
        migrations.AddField(
            model_name="child",
            name="born_in",
            field=models.PositiveSmallIntegerField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="child",
            name="born_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        # The copies of the children already recorded (the same statement on SQLite and PostgreSQL).
        migrations.RunSQL(
            """
            UPDATE registry_child SET
                born_on = (SELECT p.date_of_birth FROM registry_person p WHERE p.id = registry_child.person_id),
                born_in = (SELECT p.birth_year FROM registry_person p WHERE p.id = registry_child.person_id)
            """,
            migrations.RunSQL.noop,
        ),
    ]
