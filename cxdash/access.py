"""Who may use a shared cxdash, and as what: the access settings read from ``.streamlit/secrets.toml``, password
hashes for the login form, roles, and a throttle on failed logins. No Streamlit here (the CLI hashes passwords).

Modes, decided by the secrets (see ``.streamlit/secrets.toml.example``):

- ``oidc`` — an ``[auth]`` section with an OpenID Connect provider: Streamlit's ``st.login``; ``[roles]`` says who
  is let in and as what (an e-mail address, ``*@example.com`` or ``*``); anyone else is refused.
- ``password`` — a ``[passwords]`` section (user → hash from ``python -m cxdash hash-password``): a login form;
  role from ``[roles]`` (or ``role`` beside the hash), viewer when not given.
- ``local`` — neither: one person on their own machine (the server listens on 127.0.0.1), who is an editor.

Roles: ``viewer`` reads everything; ``editor`` may also import, edit personas and journey maps, and delete.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cxdash.errors import CxdashError

ROLES = ("viewer", "editor")
VIEWER, EDITOR = ROLES
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1  # ~16 MB and ~50 ms per check
PBKDF2_ITERATIONS = 600_000
MIN_PASSWORD = 10


class AccessMisconfigured(CxdashError):
    """The access settings in the secrets cannot be used (the app stays closed until they are fixed)."""


# --- passwords -------------------------------------------------------------------------------------------------------


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_password(password: str, salt: bytes | None = None) -> str:
    """``scrypt$N$r$p$salt$hash`` (base64) for the ``[passwords]`` section."""
    if len(password) < MIN_PASSWORD:
        raise CxdashError(f"Choose a password of at least {MIN_PASSWORD} characters.")
    salt = salt if salt is not None else secrets.token_bytes(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(salt)}${_b64(key)}"


def verify_password(password: str, stored: str) -> bool:
    """Whether ``password`` matches ``stored`` (scrypt or ``pbkdf2_sha256$iterations$salt$hash``); constant-time
    comparison; False for a malformed hash rather than an error."""
    try:
        kind, *parts = stored.split("$")
        if kind == "scrypt" and len(parts) == 5:
            n, r, p = (int(x) for x in parts[:3])
            salt, want = base64.b64decode(parts[3]), base64.b64decode(parts[4])
            got = hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=len(want), maxmem=2**26)
        elif kind == "pbkdf2_sha256" and len(parts) == 3:
            salt, want = base64.b64decode(parts[1]), base64.b64decode(parts[2])
            got = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, int(parts[0]), dklen=len(want))
        else:
            return False
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got, want)


def _well_formed(stored: str) -> bool:
    """Whether ``stored`` has the shape of a hash ``verify_password`` reads (not a clear password or placeholder)."""
    kind, *parts = stored.split("$")
    try:
        if kind == "scrypt" and len(parts) == 5:
            [int(x) for x in parts[:3]]
        elif kind == "pbkdf2_sha256" and len(parts) == 3:
            int(parts[0])
        else:
            return False
        return all(base64.b64decode(x, validate=True) for x in parts[-2:])
    except ValueError:
        return False


_DUMMY_HASH = f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${_b64(b'cxdash-no-such-user')}${_b64(bytes(32))}"


def check_login(config: AccessConfig, user: str, password: str) -> str | None:
    """The role of ``user`` when ``password`` is right, else None (an unknown user costs the same time)."""
    stored = config.passwords.get(user.strip())
    ok = verify_password(password, stored or _DUMMY_HASH)
    if not (ok and stored):
        return None
    return role_for(config, user.strip()) or VIEWER


# --- roles -----------------------------------------------------------------------------------------------------------


def role_for(config: AccessConfig, identity: str) -> str | None:
    """The role ``[roles]`` gives ``identity`` (a user name or e-mail address): exact entry (case-insensitive),
    then ``*@domain``, then ``*``; None when no entry matches."""
    wanted = identity.strip().casefold()
    table = {k.strip().casefold(): v for k, v in config.roles.items()}
    if wanted in table:
        return table[wanted]
    if "@" in wanted:
        domain = "*@" + wanted.rsplit("@", 1)[1]
        if domain in table:
            return table[domain]
    return table.get("*")


# --- reading the secrets -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccessConfig:
    """The access settings: mode, password hashes, roles and the OIDC providers configured."""

    mode: str  # local | password | oidc
    passwords: dict[str, str] = field(default_factory=dict)
    roles: dict[str, str] = field(default_factory=dict)
    providers: tuple[str | None, ...] = ()  # None = the unnamed provider of [auth]


def access_config(secrets_: Mapping[str, Any]) -> AccessConfig:
    """Read the access settings from the app's secrets; AccessMisconfigured says what to fix."""
    roles = _roles(secrets_.get("roles", {}))
    auth = secrets_.get("auth")
    if isinstance(auth, Mapping) and auth:
        return AccessConfig("oidc", roles=roles, providers=_providers(auth))
    passwords_ = secrets_.get("passwords")
    if passwords_ is None:
        return AccessConfig("local", roles=roles)
    if not isinstance(passwords_, Mapping) or not passwords_:
        raise AccessMisconfigured(
            "[passwords] in secrets.toml is empty: add 'user = \"<hash>\"' lines made with "
            "`python -m cxdash hash-password`, or remove the section."
        )
    hashes: dict[str, str] = {}
    for user, entry in passwords_.items():
        value, role = (entry.get("hash"), entry.get("role")) if isinstance(entry, Mapping) else (entry, None)
        if not isinstance(value, str) or not _well_formed(value):
            raise AccessMisconfigured(
                f"The password of '{user}' in [passwords] is not a hash: replace it with the line printed by "
                "`python -m cxdash hash-password` (passwords are never stored in clear)."
            )
        hashes[str(user).strip()] = value
        if role is not None:
            roles.setdefault(str(user).strip(), _role(role, f"[passwords.{user}] role"))
    return AccessConfig("password", passwords=hashes, roles=roles)


def _role(value: Any, where: str) -> str:
    role = str(value).strip().lower()
    if role not in ROLES:
        raise AccessMisconfigured(f"{where} is '{value}': a role is 'viewer' or 'editor'.")
    return role


def _roles(raw: Any) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise AccessMisconfigured("[roles] in secrets.toml must map users or e-mail addresses to 'viewer' or 'editor'.")
    return {str(k).strip(): _role(v, f"The role of '{k}' in [roles]") for k, v in raw.items()}


def _providers(auth: Mapping[str, Any]) -> tuple[str | None, ...]:
    missing = [k for k in ("redirect_uri", "cookie_secret") if not auth.get(k)]
    named = tuple(str(k) for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id"))
    unnamed: tuple[str | None, ...] = (None,) if auth.get("client_id") else ()
    if missing or not (named or unnamed):
        what = ", ".join(missing) if missing else "a provider (client_id, client_secret, server_metadata_url)"
        raise AccessMisconfigured(
            f"[auth] in secrets.toml lacks {what}: complete it as in .streamlit/secrets.toml.example, or remove it."
        )
    return unnamed + named


# --- failed logins ---------------------------------------------------------------------------------------------------


class LoginThrottle:
    """At most ``limit`` failed logins per user name within ``window`` seconds (per server process)."""

    def __init__(self, limit: int = 5, window: float = 300.0) -> None:
        self.limit, self.window = limit, window
        self._failures: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, user: str, now: float) -> list[float]:
        kept = [t for t in self._failures.get(user.casefold(), []) if now - t < self.window]
        self._failures[user.casefold()] = kept
        return kept

    def wait_seconds(self, user: str, now: float | None = None) -> int:
        """Seconds before ``user`` may try again (0: now)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._recent(user, now)
            if len(recent) < self.limit:
                return 0
            return max(1, int(recent[-self.limit] + self.window - now))

    def failed(self, user: str, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            self._recent(user, now).append(now)

    def succeeded(self, user: str) -> None:
        with self._lock:
            self._failures.pop(user.casefold(), None)

    def reset(self) -> None:
        with self._lock:
            self._failures.clear()
