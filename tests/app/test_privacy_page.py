"""The Data & privacy page and access control, driven through the app: the workspace's personal-data default,
forgetting a customer, deleting a workspace, the audit log; the password login, viewers vs editors, OIDC roles,
and settings that keep the app closed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from streamlit.testing.v1 import AppTest

from cxdash.access import hash_password
from cxdash.store.privacy import audit_entries, delete_customer, keep_personal_data
from cxdash.store.workspaces import list_workspaces, open_store
from cxdash.ui.auth import THROTTLE
from tests.app.conftest import new_app

PASSWORD = "correct horse battery"
HASH = hash_password(PASSWORD, salt=b"0123456789abcdef")  # one hash for the module (scrypt costs ~50 ms)
SECRETS = {
    "passwords": {"ann": HASH, "vic": HASH, "kim": {"hash": HASH, "role": "editor"}},
    "roles": {"ann": "editor", "vic": "viewer"},
}


@pytest.fixture(autouse=True)
def fresh_throttle() -> Iterator[None]:
    THROTTLE.reset()
    yield
    THROTTLE.reset()


def privacy_page(at: AppTest) -> AppTest:
    at.switch_page("pages/privacy.py").run()
    assert not at.exception, at.exception
    return at


def one(db: Path, sql: str) -> object:
    engine = open_store(str(db))
    with engine.connect() as conn:
        value = conn.execute(text(sql)).scalar()
    engine.dispose()
    return value


def a_customer_with_responses(db: Path) -> tuple[str, int]:
    engine = open_store(str(db))
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT c.external_id, count(r.id) FROM customer c JOIN response r ON r.customer_id = c.id "
                "WHERE c.workspace_id = 1 GROUP BY c.id HAVING count(r.id) >= 2 ORDER BY c.id LIMIT 1"
            )
        ).one()
    engine.dispose()
    return str(row[0]), int(row[1])


# --- the page (local mode: no secrets, the one user is an editor) -------------------------------------------------


def test_privacy_page_runs_on_an_empty_store(empty_app: Path) -> None:
    at = privacy_page(new_app().run())
    assert at.title[0].value == "Data & privacy"
    assert "no workspace yet" in at.info[0].value
    assert "Nothing recorded yet." in [c.value for c in at.caption]


def test_workspace_default_is_saved_and_audited(demo_app: Path) -> None:
    at = privacy_page(new_app().run())
    assert not at.error
    toggle = at.toggle(key="privacy_keep_default_1")
    assert toggle.value is False
    toggle.set_value(True).run()
    assert not at.exception, at.exception
    engine = open_store(str(demo_app))
    assert keep_personal_data(engine, 1) is True
    [entry] = audit_entries(engine)
    assert entry.event == "privacy_setting" and entry.detail == {"keep_personal_data": True}
    assert entry.actor.startswith("local")
    assert "now keep personal data" in at.success[0].value
    assert at.toggle(key="privacy_keep_default_1").value is True  # the page reads it back from the store


def test_forget_a_customer_shows_counts_asks_and_deletes(demo_app: Path) -> None:
    customer, responses = a_customer_with_responses(demo_app)
    total = int(one(demo_app, "SELECT count(*) FROM response"))  # type: ignore[call-overload]
    at = privacy_page(new_app().run())
    at.text_input(key="privacy_forget_id").input("no-such-customer").run()
    assert "has no customer 'no-such-customer'" in at.info[0].value
    at.text_input(key="privacy_forget_id").input(customer).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Responses"] == str(responses)
    go = at.button(key="privacy_forget_go")
    assert go.disabled  # not before the confirmation is ticked
    at.checkbox(key="privacy_forget_sure").check().run()
    at.button(key="privacy_forget_go").click().run()
    assert not at.exception, at.exception
    assert f"Customer {customer} forgotten: {responses} responses" in at.success[0].value
    assert one(demo_app, f"SELECT count(*) FROM customer WHERE external_id = '{customer}' AND workspace_id = 1") == 0
    assert one(demo_app, "SELECT count(*) FROM response") == total - responses
    assert at.text_input(key="privacy_forget_id").value == ""  # ready for the next one
    log = at.dataframe[-1].value
    assert log.iloc[0]["What"] == "Customer forgotten"
    assert customer not in log.to_string()
    assert any("suppression list (forgotten at their request): 1." in c.value for c in at.caption)

    at.text_input(key="privacy_allow_id").input("no-such-customer").run()
    at.button(key="privacy_allow_go").click().run()
    assert "not on the suppression list" in at.error[0].value
    at.text_input(key="privacy_allow_id").input(customer).run()
    at.button(key="privacy_allow_go").click().run()
    assert not at.exception, at.exception
    assert f"Customer {customer} is off the suppression list" in at.success[0].value
    assert one(demo_app, "SELECT count(*) FROM forgotten_customer") == 0
    assert at.dataframe[-1].value.iloc[0]["What"] == "Forgotten customer allowed again"
    assert not any(
        "suppression list (forgotten at their request)" in c.value for c in at.caption
    )  # the list is empty again


def test_delete_the_workspace_after_typing_its_name(demo_app: Path) -> None:
    engine = open_store(str(demo_app))
    name = list_workspaces(engine)[0].name
    at = privacy_page(new_app().run())
    assert at.button(key="privacy_delete_go").disabled
    at.text_input(key="privacy_delete_name").input(name.upper()).run()
    assert at.button(key="privacy_delete_go").disabled
    at.text_input(key="privacy_delete_name").input(name).run()
    at.button(key="privacy_delete_go").click().run()
    assert not at.exception, at.exception
    assert [w.name for w in list_workspaces(engine)] == ["デモ — さくらマート (JA)"]
    assert f"Workspace {name} deleted" in at.success[0].value
    at.checkbox(key="privacy_audit_all").check().run()
    log = at.dataframe[-1].value
    assert (log.iloc[0]["What"], log.iloc[0]["Workspace"]) == ("Workspace deleted", name)


def upload(csv: str, name: str, workspace: str, new: bool = True) -> AppTest:
    """The Import page with ``csv`` uploaded for a new (or an existing) workspace, not yet imported."""
    at = new_app().run()
    at.switch_page("pages/import.py").run()
    if new:
        at.selectbox(key="import_target_workspace").set_value("➕ New workspace…").run()
        at.text_input(key="import_new_workspace").input(workspace).run()
    else:
        at.selectbox(key="import_target_workspace").set_value(workspace).run()
    at.file_uploader(key="import_upload").set_value((name, csv.encode(), "text/csv")).run()
    return at


def test_import_page_offers_keep_personal_data_and_reports_masking(empty_app: Path) -> None:
    csv = (
        "Response ID,E-mail,How likely are you to recommend us to a friend?,Why?\n"
        "A1,a@example.com,9,Quick and easy. Call 090-1234-5678 if needed\n"
        "A2,b@example.com,3,The parcel arrived a week late\n"
        "A3,c@example.com,7,Fine\n"
    )
    at = upload(csv, "s.csv", "Masked")
    assert at.checkbox(key="import_keep_pii_new").value is False
    assert "Not stored: E-mail" in " ".join(c.value for c in at.caption)
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    assert "Personal data masked: 1 phone number in 1 comment." in at.success[0].value
    stored = one(empty_app, "SELECT text FROM comment WHERE text LIKE 'Quick%'")
    assert stored == "Quick and easy. Call [phone] if needed"


def test_import_page_says_which_rows_of_forgotten_customers_it_skipped(empty_app: Path) -> None:
    csv = (
        "Response ID,Customer ID,How likely are you to recommend us to a friend?,Why?\n"
        "A1,C1,9,Quick and easy\n"
        "A2,C2,3,The parcel arrived a week late\n"
    )
    upload(csv, "s.csv", "Shop").button(key="import_go").click().run()
    engine = open_store(str(empty_app))
    [workspace] = [w for w in list_workspaces(engine) if w.name == "Shop"]
    assert workspace.id is not None
    delete_customer(engine, workspace.id, "C2", actor="ann")
    resent = csv + "A3,C2,4,Still late\n"
    at = upload(resent, "resent.csv", "Shop", new=False)
    at.button(key="import_go").click().run()
    assert not at.exception, at.exception
    assert "Skipped 2 rows of 1 customer who was forgotten" in at.success[0].value
    assert one(empty_app, "SELECT count(*) FROM response") == 1  # A1 only


# --- password login, viewers and editors ---------------------------------------------------------------------------


def signed_in(user: str, password: str = PASSWORD) -> AppTest:
    at = new_app()
    at.secrets = SECRETS
    at.run()
    assert at.title[0].value == "Sign in to cxdash"
    at.text_input(key="auth_user").input(user)
    at.text_input(key="auth_password").input(password)
    at.button[0].click().run()
    assert not at.exception, at.exception
    return at


def test_every_page_waits_for_a_login(demo_app: Path) -> None:
    at = new_app()
    at.secrets = SECRETS
    at.run()
    assert [t.value for t in at.title] == ["Sign in to cxdash"]
    assert not at.metric and not at.get("vega_lite_chart")  # nothing of the data before signing in
    at.switch_page("pages/personas.py").run()
    assert [t.value for t in at.title] == ["Sign in to cxdash"]


def test_a_wrong_password_is_refused_and_repeated_failures_wait(demo_app: Path) -> None:
    at = signed_in("ann", "wrong password!")
    assert at.error[0].value == "Wrong user name or password."
    assert "auth_signed_in" not in at.session_state
    for _ in range(4):
        at.text_input(key="auth_user").input("ann")
        at.text_input(key="auth_password").input("still wrong!!")
        at.button[0].click().run()
    at.text_input(key="auth_user").input("ann")
    at.text_input(key="auth_password").input(PASSWORD)
    at.button[0].click().run()
    assert "Too many failed attempts" in at.error[0].value
    assert "auth_signed_in" not in at.session_state


def test_an_unknown_user_gets_the_same_answer(demo_app: Path) -> None:
    at = signed_in("mallory")
    assert at.error[0].value == "Wrong user name or password."


def test_viewer_reads_but_cannot_import_edit_or_delete(demo_app: Path) -> None:
    at = signed_in("vic")
    assert at.title[0].value != "Sign in to cxdash"
    assert "Signed in as **vic** (viewer)" in [c.value for c in at.sidebar.caption]
    assert at.metric  # the Overview's numbers
    for page in ("pages/import.py", "pages/privacy.py"):  # a direct link stops at once
        at.switch_page(page).run()
        assert [w.value for w in at.warning] == ["Only editors can use this page. You are signed in as a viewer."]
        assert not at.main.file_uploader and not at.main.text_input and not at.main.toggle
    at.switch_page("pages/personas.py").run()
    assert not at.exception, at.exception
    keys = [b.key for b in at.button]
    assert not any(k and k.startswith(("persona_edit_", "persona_del_", "persona_dup_")) for k in keys)
    new = next(b for b in at.button if b.label == "➕ New persona")
    assert new.disabled
    at.switch_page("pages/journey.py").run()
    assert not at.exception, at.exception
    assert not any(str(b.key).startswith(("journey_stage_del_", "journey_undo")) for b in at.button)
    assert not any(str(i.key).startswith("journey_stage_") for i in at.text_input)
    assert at.dataframe  # the steps, read-only
    engine = open_store(str(demo_app))
    assert audit_entries(engine) == []


def test_editor_signs_in_edits_and_is_the_actor_of_the_audit(demo_app: Path) -> None:
    at = signed_in("ann")
    assert "Signed in as **ann** (editor)" in [c.value for c in at.sidebar.caption]
    at.switch_page("pages/import.py").run()
    assert not at.warning and at.file_uploader
    at = privacy_page(at)
    at.toggle(key="privacy_keep_default_1").set_value(True).run()
    [entry] = audit_entries(open_store(str(demo_app)))
    assert entry.actor == "ann"
    at.switch_page("pages/personas.py").run()
    assert any(str(b.key).startswith("persona_edit_") for b in at.button)


def test_a_role_beside_the_hash_and_sign_out(demo_app: Path) -> None:
    at = signed_in("kim")
    assert "Signed in as **kim** (editor)" in [c.value for c in at.sidebar.caption]
    at.sidebar.button(key="auth_logout").click().run()
    assert [t.value for t in at.title] == ["Sign in to cxdash"]


def test_editor_pages_are_hidden_from_viewers_navigation(demo_app: Path) -> None:
    def app() -> None:  # AppTest runs the function's source alone: its imports go inside
        import streamlit as st

        from cxdash.ui.auth import editors

        st.write(editors())

    for user, expected in (("vic", "hidden"), ("ann", "visible"), (None, "hidden")):
        at = AppTest.from_function(app)
        at.secrets = SECRETS
        if user:
            at.session_state["auth_signed_in"] = (user, "")
        at.run()
        assert at.markdown[0].value == expected, user


@pytest.mark.parametrize(
    ("secrets", "message"),
    [
        ({"passwords": {"ann": "hunter2hunter2"}}, "The password of 'ann' in [passwords] is not a hash"),
        ({"passwords": {"ann": HASH}, "roles": {"ann": "admin"}}, "a role is 'viewer' or 'editor'"),
        ({"passwords": {}}, "[passwords] in secrets.toml is empty"),
        ({"auth": {"client_id": "x"}}, "[auth] in secrets.toml lacks redirect_uri, cookie_secret"),
    ],
)
def test_broken_access_settings_keep_the_app_closed(demo_app: Path, secrets: dict[str, object], message: str) -> None:
    at = new_app()
    at.secrets = secrets
    at.run()
    assert not at.exception, at.exception
    assert message in at.error[0].value and "stays closed" in at.error[0].value
    assert not at.metric


# --- OIDC (st.login): who gets in is decided by [roles] -------------------------------------------------------------

OIDC = {
    "auth": {
        "redirect_uri": "http://localhost:8501/oauth2callback",
        "cookie_secret": "s3cret-for-tests",
        "client_id": "cxdash",
        "client_secret": "x",
        "server_metadata_url": "https://id.example.com/.well-known/openid-configuration",
    },
    "roles": {"mika@example.co.jp": "editor", "*@example.co.jp": "viewer"},
}


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("mika@example.co.jp", "Signed in as **mika@example.co.jp** (editor)"),
        ("Taro@Example.co.jp", "Signed in as **Taro@Example.co.jp** (viewer)"),
    ],
)
def test_oidc_users_get_the_role_of_their_address(demo_app: Path, email: str, shown: str) -> None:
    at = new_app()
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": email}
    at.run()
    assert not at.exception, at.exception
    assert shown in [c.value for c in at.sidebar.caption]


def test_oidc_users_not_in_roles_are_refused(demo_app: Path) -> None:
    at = new_app()
    at.secrets = OIDC
    at.user = {"is_logged_in": True, "email": "someone@gmail.com"}
    at.run()
    assert "someone@gmail.com is signed in but has no access" in at.error[0].value
    assert not at.metric


def test_oidc_sign_in_screen(demo_app: Path) -> None:
    at = new_app()
    at.secrets = OIDC
    at.user = {"is_logged_in": False}
    at.run()
    assert at.title[0].value == "Sign in to cxdash" and not at.metric
