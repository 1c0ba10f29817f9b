"""Import problems stored as a code and its parameters, worded when read (registry.import_problems).

Problems recorded before keep the text they were stored with, under the code "recorded_text": which
language that text is in cannot be known, so it is shown as it was rather than guessed at.
"""

from django.db import migrations, models
from django.db.models import F
from django.db.models.functions import JSONObject

RECORDED_TEXT = "recorded_text"  # import_problems.RECORDED_TEXT, fixed here as migrations must be


def text_to_params(apps, schema_editor):
    ImportProblem = apps.get_model("registry", "ImportProblem")
    ImportProblem.objects.update(code=RECORDED_TEXT, params=JSONObject(text=F("message")))


def params_to_text(apps, schema_editor):
    """Backwards: the stored text where there is one, else the code (the words are not in the database)."""
    ImportProblem = apps.get_model("registry", "ImportProblem")
    changed = []
    for problem in ImportProblem.objects.only("code", "params").iterator(chunk_size=2000):
        problem.message = str(problem.params.get("text") or problem.code)[:500]
        changed.append(problem)
    ImportProblem.objects.bulk_update(changed, ["message"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0004_person_matching_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="importproblem",
            name="code",
            field=models.CharField(default=RECORDED_TEXT, max_length=50),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="importproblem",
            name="params",
            field=models.JSONField(blank=True, default=dict),
        ),
        # Blank, so that migrating backwards can add the column again to existing rows ('' at first).
        migrations.AlterField(
            model_name="importproblem",
            name="message",
            field=models.CharField(blank=True, max_length=500),
        ),
        migrations.RunPython(text_to_params, params_to_text),
        migrations.RemoveField(
            model_name="importproblem",
            name="message",
        ),
    ]
