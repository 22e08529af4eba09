"""Access settings without Streamlit: password hashes, roles, reading the secrets, the failed-login throttle and the
`hash-password` command."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import tomllib
from pathlib import Path

import pytest

from cxdash.access import (
    AccessConfig,
    AccessMisconfigured,
    LoginThrottle,
    access_config,
    check_login,
    hash_password,
    role_for,
    verify_password,
)
from cxdash.cli import build_parser
from cxdash.cli_privacy import cmd_hash_password
from cxdash.errors import CxdashError

REPO = Path(__file__).resolve().parents[2]
SALT = b"fixed salt 16 b!"
HASH = hash_password("correct horse battery", salt=SALT)


def test_scrypt_hash_round_trip_and_format() -> None:
    kind, n, r, p, salt, key = HASH.split("$")
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1") and base64.b64decode(salt) == SALT
    assert verify_password("correct horse battery", HASH)
    assert not verify_password("correct horse batterY", HASH)
    assert hash_password("correct horse battery") != HASH  # a fresh salt each time


def test_pbkdf2_hashes_are_accepted() -> None:
    key = hashlib.pbkdf2_hmac("sha256", b"another long secret", b"salt", 1000)
    stored = f"pbkdf2_sha256$1000${base64.b64encode(b'salt').decode()}${base64.b64encode(key).decode()}"
    assert verify_password("another long secret", stored)
    assert not verify_password("another long secreT", stored)


@pytest.mark.parametrize("stored", ["", "hunter2", "scrypt$1$2", "scrypt$x$8$1$AA==$AA==", "md5$abc", "$$$$$"])
def test_malformed_hashes_never_match_and_never_raise(stored: str) -> None:
    assert verify_password("anything at all", stored) is False


def test_short_passwords_are_refused() -> None:
    with pytest.raises(CxdashError, match="at least 10 characters"):
        hash_password("short")


def test_roles_exact_then_domain_then_everyone() -> None:
    config = AccessConfig("oidc", roles={"Mika@Example.co.jp": "editor", "*@example.co.jp": "viewer"})
    assert role_for(config, "mika@example.co.jp") == "editor"
    assert role_for(config, "taro@EXAMPLE.co.jp") == "viewer"
    assert role_for(config, "someone@gmail.com") is None
    assert role_for(AccessConfig("oidc", roles={"*": "viewer"}), "anyone@x.org") == "viewer"


def test_reading_the_secrets() -> None:
    assert access_config({}).mode == "local"
    assert access_config({"connections": {"x": 1}}).mode == "local"
    config = access_config(
        {"passwords": {"ann": HASH, "kim": {"hash": HASH, "role": "Editor"}}, "roles": {"ann": "viewer"}}
    )
    assert config.mode == "password" and set(config.passwords) == {"ann", "kim"}
    assert config.roles == {"ann": "viewer", "kim": "editor"}
    oidc = access_config(
        {
            "auth": {
                "redirect_uri": "https://x/oauth2callback",
                "cookie_secret": "s",
                "google": {"client_id": "a", "client_secret": "b", "server_metadata_url": "https://g"},
                "microsoft": {"client_id": "c", "client_secret": "d", "server_metadata_url": "https://m"},
            },
            "passwords": {"ann": HASH},  # ignored when [auth] is there
        }
    )
    assert oidc.mode == "oidc" and oidc.providers == ("google", "microsoft")


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"passwords": {"ann": "plain text password"}}, "is not a hash"),
        ({"passwords": {"ann": HASH}, "roles": {"ann": "owner"}}, "a role is 'viewer' or 'editor'"),
        ({"passwords": {"kim": {"hash": HASH, "role": "root"}}}, "[passwords.kim] role is 'root'"),
        ({"roles": "editor"}, "[roles] in secrets.toml must map"),
        ({"auth": {"redirect_uri": "https://x/oauth2callback", "cookie_secret": "s"}}, "lacks a provider"),
    ],
)
def test_broken_settings_say_what_to_fix(secrets: dict[str, object], message: str) -> None:
    with pytest.raises(AccessMisconfigured) as error:
        access_config(secrets)
    assert message in error.value.message


def test_the_example_secrets_file_is_valid_toml_whose_placeholders_are_refused() -> None:
    text = (REPO / ".streamlit" / "secrets.toml.example").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    assert set(data) == {"passwords", "roles"}
    with pytest.raises(AccessMisconfigured, match="is not a hash"):
        access_config(data)  # copied unchanged, the app stays closed
    data["passwords"] = {"ann": HASH, "kenji": HASH}
    config = access_config(data)
    assert check_login(config, "ann", "correct horse battery") == "editor"
    assert check_login(config, "kenji", "correct horse battery") == "viewer"
    assert check_login(config, "kenji", "wrong one!!") is None
    assert check_login(config, "nobody", "correct horse battery") is None


def test_throttle_allows_five_failures_then_waits() -> None:
    throttle = LoginThrottle(limit=5, window=300)
    for i in range(5):
        assert throttle.wait_seconds("Ann", now=100.0 + i) == 0
        throttle.failed("Ann", now=100.0 + i)
    assert throttle.wait_seconds("ann", now=105.0) == 295  # the same user name in any case
    assert throttle.wait_seconds("bob", now=105.0) == 0
    assert throttle.wait_seconds("ann", now=401.0) == 0  # the oldest failure left the window
    throttle.succeeded("ann")
    assert throttle.wait_seconds("ann", now=105.0) == 0


class _Stdin(io.StringIO):
    def isatty(self) -> bool:
        return False


def test_hash_password_command_prints_a_line_for_secrets(capsys: pytest.CaptureFixture[str]) -> None:
    args = build_parser().parse_args(["hash-password", "--user", "ann"])
    assert cmd_hash_password(args, stdin=_Stdin("correct horse battery\n")) == 0
    line = capsys.readouterr().out.strip()
    parsed = tomllib.loads(line)
    assert verify_password("correct horse battery", parsed["ann"])
    args = build_parser().parse_args(["hash-password", "--json"])
    assert cmd_hash_password(args, stdin=_Stdin("another long one\n")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["user"] is None and verify_password("another long one", data["hash"])
