"""Sign-in, sign-out and the hand-off between hosts, served on every host
(portal/urls_common.py includes them)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import views_auth
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
    # Sign-in across hosts without a second sign-in (tenants/handoff.py).
    path("auth/handoff/", views_auth.handoff_land, name="handoff"),
    path("auth/go/", views_auth.go, name="go"),
]
