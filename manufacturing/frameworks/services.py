"""Loading framework definitions into the public schema (services: writes)."""

from pathlib import Path

from django.db import transaction

from manufacturing.frameworks import loader
from manufacturing.frameworks.models import Framework


class FrameworkChanged(loader.FrameworkError):
    pass


@transaction.atomic
def framework_load(*, definition: dict) -> tuple[Framework, bool]:
    """Publishes a validated definition. Loading the same content again changes nothing; different
    content under a published (code, version) is refused: a change is a new version."""
    definition = loader.validate_definition(definition)
    digest = loader.checksum(definition)
    existing = (
        Framework.objects.select_for_update()
        .filter(code=definition["code"], version=definition["version"])
        .first()
    )
    if existing is not None:
        if existing.checksum != digest:
            raise FrameworkChanged(
                f"{definition['code']} {definition['version']} is published and cannot change; "
                "give the new content a new version"
            )
        return existing, False
    if definition.get("default"):
        Framework.objects.filter(is_default=True).update(is_default=False)
    framework = Framework.objects.create(
        code=definition["code"],
        version=definition["version"],
        kind=definition["kind"],
        name_zh=definition["name"]["zh"],
        name_en=definition["name"]["en"],
        is_default=bool(definition.get("default")),
        definition=definition,
        checksum=digest,
    )
    return framework, True


def frameworks_load_shipped(*, paths: list[Path] | None = None) -> list[tuple[Framework, bool]]:
    """Every definition file the project ships (manufacturing/frameworks/definitions/*.yaml)."""
    return [framework_load(definition=loader.read_file(p)) for p in (paths or loader.definition_files())]
