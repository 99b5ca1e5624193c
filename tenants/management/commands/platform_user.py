"""Creates or updates a platform user: an assessor, or a regional admin with a scope."""

from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction

from tenants import services
from tenants.models import Region, User


class Command(BaseCommand):
    help = "Create or update an assessor or a regional admin (scope: all of Jingjinji, a province or a city)."

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True)
        parser.add_argument("--role", required=True, choices=["assessor", "regional_admin", "none"])
        parser.add_argument(
            "--scope",
            default="",
            help="Regional admins: empty for the whole region, or a province code (110000, 120000, 130000) "
            "or a report-city code (e.g. 130600 Baoding, 133100 Xiong'an).",
        )
        parser.add_argument("--name", default="")
        parser.add_argument(
            "--password",
            help="For a new user; without it the user sets one with 'Forgot your password?' (sign-in page).",
        )

    @transaction.atomic
    def handle(self, *args, email, role, scope, name, password, **options):
        try:
            validate_email(email)
        except Exception as exc:
            raise CommandError(f"not an email address: {email!r}") from exc
        scope_region = None
        if scope:
            if role != "regional_admin":
                raise CommandError("--scope is only for --role regional_admin")
            scope_region = Region.objects.filter(code=scope).first()
            if scope_region is None or not (scope_region.is_report_city or scope_region.level == "province"):
                raise CommandError(
                    f"--scope {scope!r} is not a province-level unit or report city of the region"
                )
        user = User.objects.filter(email__iexact=email).first()
        if user is None:
            user = services.user_create(email=email.lower(), password=password, name=name)
            if not password:
                user.set_unusable_password()
                user.save(update_fields=["password"])
            created = True
        else:
            created = False
        user.platform_role = "" if role == "none" else role
        user.scope_region = scope_region
        if name:
            user.name = name
        user.save(update_fields=["platform_role", "scope_region", "name"])
        where = (
            f" scope {scope_region.name_en}"
            if scope_region
            else (" scope all" if role == "regional_admin" else "")
        )
        self.stdout.write(f"{'created' if created else 'updated'} {user.email}: {role}{where}")
