"""Access to the app: who is signed in, as viewer or editor (cxdash.access reads the settings from the secrets).

``require_login()`` runs first on every page (from ``page_context``): with OIDC configured it asks Streamlit's
``st.login``; with ``[passwords]`` it shows a login form; with neither (one person on 127.0.0.1) everyone is an
editor. ``can_edit()`` hides or disables importing, editing and deleting for viewers; ``editors()`` hides the
editor-only pages (Import, Data & privacy) from their navigation.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from typing import Any, Literal

import streamlit as st

from cxdash.access import (
    EDITOR,
    VIEWER,
    AccessConfig,
    AccessMisconfigured,
    LoginThrottle,
    access_config,
    check_login,
    role_for,
)
from cxdash.i18n import t

SIGNED_IN = "auth_signed_in"  # session: (user, role) after a password login
LOOPBACK = ("127.0.0.1", "localhost", "::1")
THROTTLE = LoginThrottle()


@dataclass(frozen=True)
class Identity:
    """Who is using this session: their name (or e-mail address) and role; ``mode`` as in cxdash.access."""

    user: str
    role: str
    mode: str

    @property
    def can_edit(self) -> bool:
        return self.role == EDITOR


def _secrets() -> dict[str, Any]:
    """The app's secrets (``st.secrets`` at call time, so AppTest's secrets are seen); {} when there is no file.

    A secrets file that exists but cannot be read is an error, not "no secrets": a typo must not open a shared app.
    """
    from streamlit import config
    from streamlit.errors import StreamlitSecretNotFoundError

    try:
        return dict(st.secrets.to_dict())
    except StreamlitSecretNotFoundError as error:
        present = [str(p) for p in config.get_option("secrets.files") or [] if os.path.exists(str(p))]
        if present:
            raise AccessMisconfigured(t("privacy.auth.unreadable_secrets", path=present[0], error=error)) from None
        return {}


def _config() -> AccessConfig:
    return access_config(_secrets())


def current_identity() -> Identity | None:
    """The signed-in identity of this session, without drawing anything (None: not signed in or refused)."""
    try:
        config = _config()
    except AccessMisconfigured:
        return None
    if config.mode == "local":
        return Identity(_local_user(), EDITOR, "local")
    if config.mode == "password":
        signed = st.session_state.get(SIGNED_IN)
        if isinstance(signed, tuple) and signed[0] in config.passwords:
            return Identity(signed[0], role_for(config, signed[0]) or VIEWER, "password")
        return None
    if not st.user.get("is_logged_in", False):
        return None
    who = str(st.user.get("email") or st.user.get("preferred_username") or st.user.get("sub") or "")
    role = role_for(config, who) if who else None
    return Identity(who, role, "oidc") if role else None


def _local_user() -> str:
    try:
        return f"local:{getpass.getuser()}"
    except (KeyError, OSError):
        return "local"


def can_edit() -> bool:
    """Whether this session may import, edit personas and journey maps, and delete."""
    identity = current_identity()
    return identity is not None and identity.can_edit


def actor() -> str:
    """The name the audit log records for this session."""
    identity = current_identity()
    return identity.user if identity else ""


def editors() -> Literal["visible", "hidden"]:
    """The navigation visibility of an editor-only page: hidden for viewers (and before sign-in). A hidden page can
    still be opened by a link, where ``require_editor`` stops a viewer."""
    return "visible" if can_edit() else "hidden"


def require_login() -> Identity:
    """Gate the page: the identity of a signed-in user, or a login screen and ``st.stop()``."""
    try:
        config = _config()
    except AccessMisconfigured as error:
        st.error(t("privacy.auth.misconfigured", error=error.message), icon="🔒")
        st.stop()
        raise  # st.stop() raises; this line is for type checkers
    identity = current_identity()
    if identity is None:
        if config.mode == "password":
            _password_form(config)
        else:
            _oidc_screen(config)
        st.stop()
        raise RuntimeError("unreachable")
    _signed_in_box(identity)
    return identity


def require_editor() -> None:
    """Stop a page that only editors may use (viewers do not see it in the navigation; this covers a direct link)."""
    if not can_edit():
        st.warning(t("privacy.auth.editors_only"), icon="🔒")
        st.stop()


def _signed_in_box(identity: Identity) -> None:
    with st.sidebar:
        if identity.mode == "local":
            address = str(st.get_option("server.address") or "")
            if address and address not in LOOPBACK:
                st.warning(t("privacy.auth.open_without_login", address=address), icon="⚠️")
            return
        role = t(f"privacy.auth.role.{identity.role}")
        st.caption(t("privacy.auth.signed_in_as", user=identity.user, role=role))
        if st.button(t("privacy.auth.logout"), key="auth_logout"):
            st.session_state.pop(SIGNED_IN, None)
            if identity.mode == "oidc":
                st.logout()
            st.rerun()


def _password_form(config: AccessConfig) -> None:
    st.title(t("privacy.auth.title"))
    st.caption(t("privacy.auth.password_caption"))
    with st.form("auth_login_form", clear_on_submit=True):  # the password does not linger in the session
        user = st.text_input(t("privacy.auth.user"), key="auth_user")
        password = st.text_input(t("privacy.auth.password"), type="password", key="auth_password")
        go = st.form_submit_button(t("privacy.auth.login"), type="primary")
    if not go:
        return
    wait = THROTTLE.wait_seconds(user)
    if wait:
        st.error(t("privacy.auth.throttled", seconds=wait), icon="⏳")
        return
    role = check_login(config, user, password)
    if role is None:
        THROTTLE.failed(user)
        st.error(t("privacy.auth.wrong"), icon="🔒")
        return
    THROTTLE.succeeded(user)
    st.session_state[SIGNED_IN] = (user.strip(), role)
    st.rerun()


def _oidc_screen(config: AccessConfig) -> None:
    st.title(t("privacy.auth.title"))
    if st.user.get("is_logged_in", False):  # signed in with the provider, but [roles] does not let them in
        who = str(st.user.get("email") or st.user.get("sub") or "")
        st.error(t("privacy.auth.not_allowed", user=who), icon="🔒")
        if st.button(t("privacy.auth.logout"), key="auth_logout_refused"):
            st.logout()
        return
    st.caption(t("privacy.auth.oidc_caption"))
    from streamlit.auth_util import is_authlib_installed

    if not is_authlib_installed():
        st.error(t("privacy.auth.authlib_missing"), icon="🔒")
        return
    for provider in config.providers:
        label = t("privacy.auth.login_with", provider=provider) if provider else t("privacy.auth.login")
        if st.button(label, key=f"auth_login_{provider or 'default'}", type="primary"):
            st.login(provider)
