"""The platform's own remarks on two questions of miit-sme-mfg 2024.1 ("各档分界为本平台暂定值，尚待与官方
文本核对。") were written into their help, which enterprises read. They move to the questions' `note`,
which only assessors, regional admins and operators see (issue 17). The one change ever made to a
published version, and an editorial one: no key, option, score or band changes, so no result does;
the definition file says the same, and the checksum is recomputed so loading the file again
matches."""

import hashlib
import json

from django.db import migrations

CODE, VERSION = "miit-sme-mfg", "2024.1"
# question key -> the remark at the end of its help, in each language
NOTES = {
    "plan-implementation": {
        "zh": "最高一档（F）的表述在不同资料中不一致，尚待与官方文本核对。",
        "en": "The wording of the top option (F) differs between sources and awaits checking against the official text.",
    },
    "funding": {
        "zh": "各档分界为本平台暂定值，尚待与官方文本核对。",
        "en": "The band limits are provisional values set by this platform and await checking against the official text.",
    },
}


def _checksum(definition: dict) -> str:  # manufacturing.frameworks.loader.checksum, as of this migration
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def forwards(apps, schema_editor):
    Framework = apps.get_model("frameworks", "Framework")
    for framework in Framework.objects.filter(code=CODE, version=VERSION):
        definition = framework.definition
        changed = False
        for dim in definition.get("dimensions", []):
            for sub in dim.get("subdimensions", []):
                for question in sub.get("questions", []):
                    note = NOTES.get(question.get("key"))
                    help_text = question.get("help") or {}
                    if note is None or "note" in question:
                        continue
                    if not all(help_text.get(lang, "").endswith(note[lang]) for lang in ("zh", "en")):
                        continue
                    question["help"] = {
                        lang: help_text[lang][: -len(note[lang])].rstrip() for lang in ("zh", "en")
                    }
                    question["note"] = dict(note)
                    changed = True
        if changed:
            framework.definition = definition
            framework.checksum = _checksum(definition)
            framework.save(update_fields=["definition", "checksum"])


class Migration(migrations.Migration):
    dependencies = [("frameworks", "0003_outbox_gave_up")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
