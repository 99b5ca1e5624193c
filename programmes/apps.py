from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = _("Transformation programmes")

    def ready(self) -> None:
        # What the programmes hand to the kernel and listen to (docs/architecture.md, "When a lower
        # app needs a higher one to act"): the review's signals and the assessor fence (receivers),
        # the facts' outbox, the data export and the erasure (registrations).
        from programmes import receivers, registrations

        receivers.connect()
        registrations.register()
