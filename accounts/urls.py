from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views
from accounts.forms import EmailAuthenticationForm

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("signup/", views.signup, name="signup"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            authentication_form=EmailAuthenticationForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", auth_views.PasswordResetView.as_view(), name="password_reset"),
    path("password-reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("profile/", views.profile, name="profile"),
    path("profile/password/", views.profile_password, name="profile-password"),
    path("language/", views.language_switch, name="language-switch"),
    path("accounts/new/", views.account_create, name="account-create"),
    path("accounts/switch/", views.account_switch, name="account-switch"),
    path("settings/company/", views.CompanySettingsView.as_view(), name="settings-company"),
    path("settings/members/", views.MembersView.as_view(), name="settings-members"),
    path("settings/members/<int:pk>/role/", views.MemberRoleView.as_view(), name="settings-member-role"),
    path(
        "settings/members/<int:pk>/remove/", views.MemberRemoveView.as_view(), name="settings-member-remove"
    ),
    path(
        "settings/invitations/<int:pk>/revoke/",
        views.InvitationRevokeView.as_view(),
        name="settings-invitation-revoke",
    ),
    path("settings/tokens/", views.ApiTokensView.as_view(), name="settings-tokens"),
    path(
        "settings/tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="settings-token-revoke"
    ),
    path("invitations/<str:key>/", views.invitation_accept, name="invitation-accept"),
]
