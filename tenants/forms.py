from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from tenants.access import current_enterprise, is_member


class MemberAuthenticationForm(AuthenticationForm):
    """Sign-in by email. On an enterprise's host only its members may sign in; anyone else gets the
    same message as a wrong password, so the form does not reveal who belongs where."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct email and password. Note that both fields may be case-sensitive."
        ),
    }

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        enterprise = current_enterprise(self.request) if self.request else None
        if enterprise is not None and not is_member(user=user, enterprise=enterprise):
            raise self.get_invalid_login_error()
