"""Access control in a real browser: a server started with [passwords] in its secrets shows a login form on every
page; a viewer's navigation has no Import or Data & privacy page, an editor's has both."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cxdash.access import hash_password
from tests.e2e.conftest import _need_browser, running_app, shot, wait_idle

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app over an empty store, with user names and passwords in a secrets file of its own."""
    _need_browser()
    tmp = tmp_path_factory.mktemp("access")
    hashed = hash_password(PASSWORD)
    secrets = tmp / "secrets.toml"
    secrets.write_text(
        f'[passwords]\nann = "{hashed}"\nvic = "{hashed}"\n\n[roles]\nann = "editor"\nvic = "viewer"\n',
        encoding="utf-8",
    )
    with running_app(
        tmp / "access.db", tmp / "streamlit.log", no_demo=True, extra_args=["--secrets.files", str(secrets)]
    ) as url:
        yield url


def nav_titles(page: object) -> list[str]:
    links = page.locator('[data-testid="stSidebarNav"] a')  # type: ignore[attr-defined]
    return [t.split("\n")[-1].strip() for t in links.all_inner_texts()]  # "📊\n\nOverview" → "Overview"


def sign_in(page: object, url: str, user: str) -> None:
    page.goto(url)  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_text("Sign in to cxdash").wait_for()  # type: ignore[attr-defined]
    page.get_by_label("User name").fill(user)  # type: ignore[attr-defined]
    page.get_by_label("Password", exact=True).fill(PASSWORD)  # type: ignore[attr-defined]
    page.get_by_role("button", name="Sign in").click()  # type: ignore[attr-defined]
    page.get_by_text(f"Signed in as {user}").wait_for()  # type: ignore[attr-defined]
    wait_idle(page)


def test_login_form_then_viewer_navigation(shared_server: str, page: object) -> None:
    page.goto(f"{shared_server}/personas")  # type: ignore[attr-defined]
    wait_idle(page)
    page.get_by_text("Sign in to cxdash").wait_for()  # type: ignore[attr-defined]
    shot(page, "access-login")
    assert "Import" not in nav_titles(page)
    sign_in(page, shared_server, "vic")
    titles = nav_titles(page)
    shot(page, "access-viewer")
    assert "Overview" in titles and "Personas" in titles
    assert "Import" not in titles and "Data & privacy" not in titles
    page.goto(f"{shared_server}/import")  # type: ignore[attr-defined]  # a new browser session: signed out again
    wait_idle(page)
    page.get_by_text("Sign in to cxdash").wait_for()  # type: ignore[attr-defined]


def test_editor_navigation_has_import_and_privacy(shared_server: str, page: object) -> None:
    sign_in(page, shared_server, "ann")
    titles = nav_titles(page)
    assert "Import" in titles and "Data & privacy" in titles
    page.locator('[data-testid="stSidebarNav"] a', has_text="Data & privacy").click()  # type: ignore[attr-defined]
    page.get_by_role("heading", name="Data & privacy").wait_for()  # type: ignore[attr-defined]
    wait_idle(page)
    shot(page, "access-editor-privacy")
