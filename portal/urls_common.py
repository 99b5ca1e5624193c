"""URLs served on every host: sign-in, sign-out, the language switch."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from tenants.forms import MemberAuthenticationForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=MemberAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
]
