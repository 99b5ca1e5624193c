"""Sign-in and sign-out, served on every host (portal/urls_common.py includes them)."""

from django.contrib.auth import views as auth_views
from django.urls import path

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
]
