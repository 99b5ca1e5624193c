"""Return notices written before the reasons moved into the enterprises quoted the assessor's
reason (an enterprise's private data) in the public Notice table: they now read as new ones do,
pointing to the assessment's page, where the enterprise reads the reason."""

from django.db import migrations

OLD_EN = "Your assessment was returned by the assessor for changes: "
OLD_ZH = "您的评估被评估员退回修改："
NEW_EN = "Your assessment was returned by the assessor for changes; the reasons are on its page."
NEW_ZH = "您的评估已被审核员退回修改，退回理由见评估页面。"


def forget_reasons(apps, schema_editor):
    Notice = apps.get_model("review", "Notice")
    Notice.objects.filter(text_en__startswith=OLD_EN).update(text_en=NEW_EN, text_zh=NEW_ZH)
    Notice.objects.filter(text_zh__startswith=OLD_ZH).update(text_en=NEW_EN, text_zh=NEW_ZH)


class Migration(migrations.Migration):
    dependencies = [("review", "0003_audit_exhibition")]

    operations = [migrations.RunPython(forget_reasons, migrations.RunPython.noop)]
