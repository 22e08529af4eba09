"""Personal data in a real store: masking at import (default, per import, per workspace), contact columns
dropped or kept, forgetting a customer, deleting a workspace, the audit log, and the CLI commands over them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import Engine, func, insert, select, text

from cxdash.cli import main
from cxdash.errors import InputRefused, NotFound
from cxdash.ingest.load import import_file, import_table
from cxdash.ingest.table import RawTable
from cxdash.store.models import FollowupCase
from cxdash.store.privacy import (
    allow_customer_again,
    audit_entries,
    customer_footprint,
    customer_ref,
    delete_customer,
    delete_workspace,
    forgotten_count,
    keep_personal_data,
    set_keep_personal_data,
)
from cxdash.store.workspaces import get_or_create_workspace, get_workspace, open_store

MAPPING = {
    "ID": "response_id",
    "Customer": "customer_id",
    "お名前": "customer_name",
    "E-mail": "customer_email",
    "NPS": "nps",
    "Delivery": "rating:Delivery",
    "Plan": "attribute:plan",
    "Comment": "comment",
}
COMMENTS = [
    "Delivery was late. Call me on 090-1234-5678 please",
    "配送が遅い。連絡は taro@example.jp まで",
    "Paid with 4111 1111 1111 1111 and the delivery never came",
    "Great delivery, order #555-123-4567 arrived on 2024-03-15",
    "とても良い配送でした。10点満点",
    "Friendly staff",
]
TABLES = ("customer", "response", "rating", "attribute", "comment", "comment_theme", "followup_case")


def survey(content_hash: str = "h1", customers: list[str] | None = None) -> RawTable:
    n = len(COMMENTS)
    who = customers or ["C1", "C1", "C2", "C2", "C3", "C3"]
    frame = pd.DataFrame(
        {
            "ID": [f"R{i}" for i in range(n)],
            "Customer": who,
            "お名前": [f"山田{c}" for c in who],
            "E-mail": [f"{c.lower()}@example.com" for c in who],
            "NPS": ["2", "9", "3", "10", "8", "5"],
            "Delivery": ["1", "5", "2", "4", "5", "3"],
            "Plan": ["Pro", "Free", "Pro", "Free", "Pro", "Free"],
            "Comment": COMMENTS,
        }
    )
    return RawTable.from_frame(frame, file_name="survey.csv", content_hash=content_hash)


@pytest.fixture
def ws(engine: Engine) -> int:
    workspace_id = get_or_create_workspace(engine, "Shop").id
    assert workspace_id is not None
    return workspace_id


def stored_comments(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.execute(text("SELECT text FROM comment ORDER BY id"))]


def contacts(engine: Engine) -> dict[str, tuple[str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(text("SELECT external_id, name, email FROM customer ORDER BY external_id"))
        return {r[0]: (r[1], r[2]) for r in rows}


def count(engine: Engine, table: str, where: str = "") -> int:
    with engine.connect() as conn:
        return int(conn.execute(text(f"SELECT count(*) FROM {table} {where}")).scalar_one())


# --- import -----------------------------------------------------------------------------------------------------------


def test_import_masks_comments_and_drops_contact_columns_by_default(engine: Engine, ws: int) -> None:
    result = import_table(engine, ws, survey(), MAPPING)
    assert stored_comments(engine) == [
        "Delivery was late. Call me on [phone] please",
        "配送が遅い。連絡は [email] まで",
        "Paid with [card] and the delivery never came",
        "Great delivery, order #555-123-4567 arrived on 2024-03-15",
        "とても良い配送でした。10点満点",
        "Friendly staff",
    ]
    assert result.masked == {"email": 1, "phone": 1, "card": 1, "texts": 3}
    assert "Personal data masked: 1 e-mail address, 1 phone number, 1 card number in 3 comments." in result.message
    assert not result.personal_data_kept
    assert result.contact_columns_dropped == ["お名前", "E-mail"]
    assert any("'お名前', 'E-mail' hold personal data and were not stored" in w for w in result.warnings)
    assert contacts(engine) == {"C1": (None, None), "C2": (None, None), "C3": (None, None)}
    assert audit_entries(engine) == []  # masking is the default: nothing to audit


def test_keep_personal_data_stores_comments_and_contacts_and_is_audited(engine: Engine, ws: int) -> None:
    result = import_table(engine, ws, survey(), MAPPING, keep_personal_data=True, actor="ann")
    assert stored_comments(engine) == COMMENTS
    assert result.personal_data_kept and result.masked == {} and result.contact_columns_dropped == []
    assert contacts(engine) == {
        "C1": ("山田C1", "c1@example.com"),
        "C2": ("山田C2", "c2@example.com"),
        "C3": ("山田C3", "c3@example.com"),
    }
    [entry] = audit_entries(engine)
    assert (entry.actor, entry.workspace, entry.event) == ("ann", "Shop", "import_personal_data")
    assert entry.detail == {
        "batch": result.batch_id,
        "file": "survey.csv",
        "comments_masked": False,
        "contact_columns": ["お名前", "E-mail"],
    }


def test_the_workspace_default_applies_and_one_import_can_override_it(engine: Engine, ws: int) -> None:
    assert keep_personal_data(engine, ws) is False
    set_keep_personal_data(engine, ws, True, actor="ann")
    assert keep_personal_data(engine, ws) is True
    import_table(engine, ws, survey("a", ["C1"] * 6), MAPPING)  # default: keep
    assert stored_comments(engine) == COMMENTS
    import_table(engine, ws, survey("b", ["C9"] * 6), {**MAPPING, "ID": "ignore"}, keep_personal_data=False)
    assert stored_comments(engine)[6:9] == [
        "Delivery was late. Call me on [phone] please",
        "配送が遅い。連絡は [email] まで",
        "Paid with [card] and the delivery never came",
    ]
    assert contacts(engine)["C9"] == (None, None)
    events = [e.event for e in audit_entries(engine)]
    assert events == ["import_personal_data", "privacy_setting"]  # newest first


def test_contact_columns_without_a_customer_id_are_not_stored(engine: Engine, ws: int) -> None:
    mapping = {**MAPPING, "Customer": "ignore"}
    result = import_table(engine, ws, survey(), mapping, keep_personal_data=True)
    assert count(engine, "customer") == 0
    assert any("no column is mapped to the customer id" in w for w in result.warnings)


def test_a_later_import_updates_contact_details_but_blanks_keep_them(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey("a"), MAPPING, keep_personal_data=True)
    frame = pd.DataFrame(
        {"ID": ["R9"], "Customer": ["C1"], "お名前": [""], "E-mail": ["new@example.com"], "NPS": ["9"]}
    )
    mapping = {k: v for k, v in MAPPING.items() if k in frame.columns}
    import_table(engine, ws, RawTable.from_frame(frame, "b.csv", content_hash="b"), mapping, keep_personal_data=True)
    assert contacts(engine)["C1"] == ("山田C1", "new@example.com")


def test_import_file_passes_the_choice_through(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "s.csv"
    path.write_text("NPS,Comment\n9,mail me at a@b.co\n3,call 03-1234-5678\n", encoding="utf-8")
    masked = import_file(engine, path, path.name, workspace="A")
    assert masked.masked["texts"] == 2 and masked.status == "imported"
    kept = import_file(engine, path, path.name, workspace="B", keep_personal_data=True)
    assert kept.personal_data_kept
    assert stored_comments(engine) == ["mail me at [email]", "call [phone]", "mail me at a@b.co", "call 03-1234-5678"]


# --- forgetting a customer ------------------------------------------------------------------------------------------


def add_followup_case(engine: Engine, ws_id: int, response_external_id: str) -> None:
    with engine.begin() as conn:
        rid = conn.execute(
            text("SELECT id FROM response WHERE workspace_id = :w AND external_id = :e"),
            {"w": ws_id, "e": response_external_id},
        ).scalar_one()
        exists = conn.execute(text("SELECT count(*) FROM followup_case WHERE response_id = :r"), {"r": rid}).scalar()
        if not exists:
            conn.execute(insert(FollowupCase).values(workspace_id=ws_id, response_id=rid, reason="detractor"))


def test_delete_customer_removes_everything_about_them_and_nothing_else(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(), MAPPING, keep_personal_data=True)
    other = get_or_create_workspace(engine, "Other").id
    assert other is not None
    import_table(engine, other, survey("x"), MAPPING)  # the same customer ids in another workspace
    add_followup_case(engine, ws, "R0")
    before = {t: count(engine, t) for t in TABLES}
    footprint = customer_footprint(engine, ws, " C1 ")
    assert footprint.counts() == {
        "responses": 2,
        "ratings": 2,
        "comments": 2,
        "attributes": 2,
        "theme_tags": footprint.theme_tags,
        "followup_cases": footprint.followup_cases,
        "contact_details": True,
    }
    assert footprint.theme_tags >= 2 and footprint.followup_cases >= 1  # "Delivery …" comments are tagged

    done = delete_customer(engine, ws, "C1", actor="ann")

    assert done == footprint
    after = {t: count(engine, t) for t in TABLES}
    assert after["customer"] == before["customer"] - 1
    for table, field in (("response", "responses"), ("rating", "ratings"), ("attribute", "attributes"),
                         ("comment", "comments"), ("comment_theme", "theme_tags"),
                         ("followup_case", "followup_cases")):  # fmt: skip
        assert after[table] == before[table] - getattr(done, field), table
    assert count(engine, "response", f"WHERE workspace_id = {ws} AND external_id IN ('R0', 'R1')") == 0
    assert count(engine, "response", f"WHERE workspace_id = {other} AND external_id IN ('R0', 'R1')") == 2
    assert set(contacts(engine)) == {"C1", "C2", "C3"}  # C1 of the other workspace stays
    assert count(engine, "customer", f"WHERE workspace_id = {ws}") == 2

    [entry] = [e for e in audit_entries(engine) if e.event == "forget_customer"]
    assert (entry.actor, entry.workspace) == ("ann", "Shop")
    assert entry.detail == {"customer_ref": customer_ref("Shop", "C1"), **done.counts()}
    assert "C1" not in json.dumps(entry.detail) and "山田" not in json.dumps(entry.detail)


def test_forgetting_an_unknown_or_empty_customer_id_is_refused(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(), MAPPING)
    with pytest.raises(NotFound, match="Workspace 'Shop' has no customer 'c1'"):
        delete_customer(engine, ws, "c1", actor="ann")
    with pytest.raises(InputRefused, match="Type the customer id"):
        customer_footprint(engine, ws, "  ")
    assert count(engine, "response") == 6 and audit_entries(engine) == []


def test_a_forgotten_customer_stays_out_of_later_imports_until_allowed_again(engine: Engine, ws: int) -> None:
    """Another file holding the forgotten customer (an older export, a re-send) does not bring them back: their
    rows are skipped with a warning; other workspaces are not affected; allowing them again is audited."""
    import_table(engine, ws, survey(), MAPPING)
    other = get_or_create_workspace(engine, "Other").id
    assert other is not None
    delete_customer(engine, ws, "C1", actor="ann")
    assert forgotten_count(engine, ws) == 1 and forgotten_count(engine, other) == 0

    again = import_table(engine, ws, survey("another-file", ["C1", "C4", "C1", "C2", "C2", "C3"]), MAPPING)
    assert again.status == "imported" and again.responses == 4 and again.rows_read == 6
    assert any("Skipped 2 rows of 1 customer who was forgotten" in w for w in again.warnings)
    assert (again.forgotten_rows, again.forgotten_customers) == (2, 1)
    assert count(engine, "customer", f"WHERE workspace_id = {ws} AND external_id = 'C1'") == 0
    assert count(engine, "response", f"WHERE workspace_id = {ws} AND external_id = 'R0'") == 0  # C1's, skipped
    assert count(engine, "response", f"WHERE workspace_id = {ws}") == 5  # R2 kept as it was (C2's answer)
    assert count(engine, "comment", "WHERE response_id NOT IN (SELECT id FROM response)") == 0
    elsewhere = import_table(engine, other, survey("another-file"), MAPPING)  # the list is per workspace
    assert elsewhere.responses == 6 and not any("forgotten" in w for w in elsewhere.warnings)

    with pytest.raises(InputRefused, match="all of its 2 valid rows belong to customers who were forgotten"):
        import_table(engine, ws, only_c1(), MAPPING)

    with pytest.raises(NotFound, match="not on the suppression list"):
        allow_customer_again(engine, ws, "C2", actor="ann")
    assert allow_customer_again(engine, ws, " C1 ", actor="bob") == "C1"
    assert forgotten_count(engine, ws) == 0
    back = import_table(engine, ws, only_c1(), MAPPING)
    assert back.responses == 2 and not any("forgotten" in w for w in back.warnings)
    events = [(e.event, e.actor) for e in audit_entries(engine, "Shop")]
    assert events[:2] == [("allow_customer", "bob"), ("forget_customer", "ann")]
    assert all("C1" not in json.dumps(e.detail) for e in audit_entries(engine))


def only_c1() -> RawTable:
    frame = pd.DataFrame(
        {"ID": ["R8", "R9"], "Customer": ["C1", "C1"], "お名前": ["x", "y"], "E-mail": ["", ""], "NPS": ["1", "2"],
         "Delivery": ["1", "2"], "Plan": ["Pro", "Pro"], "Comment": ["late", "slow"]}
    )  # fmt: skip
    return RawTable.from_frame(frame, file_name="c1.csv", content_hash="only-c1")


# --- deleting a workspace -------------------------------------------------------------------------------------------


def test_delete_workspace_removes_it_all_keeps_the_other_and_the_audit_entry(engine: Engine, ws: int) -> None:
    import_table(engine, ws, survey(), MAPPING)
    set_keep_personal_data(engine, ws, True, actor="ann")
    other = get_or_create_workspace(engine, "Other").id
    import_table(engine, other, survey("x"), MAPPING)
    with pytest.raises(InputRefused, match="type 'Shop' exactly"):
        delete_workspace(engine, ws, actor="ann", confirm_name="shop")
    assert count(engine, "workspace") == 2

    counts = delete_workspace(engine, ws, actor="ann", confirm_name="Shop")

    assert counts == {"import_batches": 1, "responses": 6, "comments": 6, "customers": 3}
    assert count(engine, "workspace") == 1 and count(engine, "response") == 6 and count(engine, "customer") == 3
    assert count(engine, "setting", f"WHERE workspace_id = {ws}") == 0
    assert count(engine, "comment_theme") > 0  # the other workspace's tags are untouched
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(FollowupCase)).scalar_one() == count(
            engine, "followup_case", f"WHERE workspace_id = {other}"
        )
    entries = audit_entries(engine, "Shop")
    assert [e.event for e in entries] == ["delete_workspace", "privacy_setting"]
    assert entries[0].detail == counts
    with pytest.raises(NotFound):
        delete_workspace(engine, ws, actor="ann")


# --- the command line -----------------------------------------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, object]:
    code = main(list(args))
    out = capsys.readouterr().out
    return code, json.loads(out) if "--json" in args and out.strip() else out


def test_cli_import_forget_audit_and_delete(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = store_url
    csv = tmp_path / "survey.csv"
    csv.write_text(
        "Response ID,Customer ID,E-mail,How likely are you to recommend us?,Comment\n"
        "R1,C1,c1@example.com,3,Call me on 090-1234-5678\n"
        "R2,C2,c2@example.com,9,Great\n",
        encoding="utf-8",
    )
    code, data = cli(capsys, "import", str(csv), "--db", db, "--workspace", "W", "--json")
    assert code == 0 and isinstance(data, dict)
    assert data["masked"]["phone"] == 1 and data["contact_columns_dropped"] == ["E-mail"]
    assert data["mapping"]["E-mail"] == "customer_email"

    code, data = cli(capsys, "forget-customer", "--db", db, "--workspace", "W", "--customer", "C1", "--json")
    assert code == 0 and isinstance(data, dict)
    assert data["status"] == "dry_run" and data["responses"] == 1 and data["comments"] == 1
    engine = open_store(db)
    assert count(engine, "response") == 2  # nothing deleted without --yes

    code, data = cli(capsys, "forget-customer", "--db", db, "--workspace", "W", "--customer", "C1", "--yes", "--json")
    assert code == 0 and isinstance(data, dict) and data["status"] == "deleted"
    assert count(engine, "response") == 1

    assert main(["forget-customer", "--db", db, "--workspace", "W", "--customer", "C1", "--yes"]) == 2
    assert "has no customer 'C1'" in capsys.readouterr().err

    resent = tmp_path / "resent.csv"  # another file with the forgotten customer: skipped, said so
    resent.write_text(csv.read_text(encoding="utf-8") + "R3,C1,c1@example.com,5,Again\n", encoding="utf-8")
    code, data = cli(capsys, "import", str(resent), "--db", db, "--workspace", "W", "--json")
    assert code == 0 and isinstance(data, dict) and data["responses"] == 1
    assert any("Skipped 2 rows of 1 customer who was forgotten" in w for w in data["warnings"])
    code, data = cli(capsys, "allow-customer", "--db", db, "--workspace", "W", "--customer", "C1", "--json")
    assert code == 0 and data == {"status": "allowed", "workspace": "W", "customer": "C1"}
    assert main(["allow-customer", "--db", db, "--workspace", "W", "--customer", "C1"]) == 2
    assert "is not on the suppression list" in capsys.readouterr().err

    code, data = cli(capsys, "privacy", "--db", db, "--workspace", "W", "--keep-pii", "--json")
    assert code == 0 and data == {"workspace": "W", "keep_personal_data": True}

    code, data = cli(capsys, "delete-workspace", "--db", db, "--workspace", "W", "--yes", "--actor", "ops", "--json")
    assert code == 0 and isinstance(data, dict) and data["status"] == "deleted" and data["responses"] == 1
    with pytest.raises(NotFound):
        get_workspace(engine, "W")

    code, data = cli(capsys, "audit", "--db", db, "--json")
    assert code == 0 and isinstance(data, list)
    assert [e["event"] for e in data] == ["delete_workspace", "privacy_setting", "allow_customer", "forget_customer"]
    assert data[0]["actor"] == "ops" and data[2]["actor"].startswith("cli")
    assert data[2]["detail"]["customer_ref"] == customer_ref("W", "C1")


def test_cli_deletes_need_a_named_workspace(store_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["delete-workspace", "--db", store_url, "--yes"]) == 2
    assert "--workspace" in capsys.readouterr().err
    assert main(["forget-customer", "--db", store_url, "--workspace", "Nope", "--customer", "C1"]) == 2
    assert "No workspace called 'Nope'" in capsys.readouterr().err


def test_cli_import_keep_pii(store_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    csv = tmp_path / "s.csv"
    csv.write_text(
        "Customer ID,Name,How likely are you to recommend us?,Comment\n"
        "C1,Ann Lee,9,mail me at a@b.co\nC2,Bo Chan,3,call 03-1234-5678 soon\nC3,Cy Diaz,7,It was fine overall\n",
        encoding="utf-8",
    )
    code, data = cli(capsys, "import", str(csv), "--db", store_url, "--workspace", "W", "--keep-pii", "--json")
    assert code == 0 and isinstance(data, dict) and data["personal_data_kept"] is True
    assert data["mapping"]["Name"] == "customer_name"
    engine = open_store(store_url)
    assert stored_comments(engine) == ["mail me at a@b.co", "call 03-1234-5678 soon", "It was fine overall"]
    assert contacts(engine) == {"C1": ("Ann Lee", None), "C2": ("Bo Chan", None), "C3": ("Cy Diaz", None)}
    assert [e.event for e in audit_entries(engine)] == ["import_personal_data"]


def test_the_skipped_rows_sentence_counts_in_words() -> None:
    from cxdash.ingest.personal import skipped_message

    assert skipped_message(1, 1, 1).startswith("Skipped 1 row of a customer who was forgotten")
    assert skipped_message(3, 1, "3").startswith("Skipped 3 rows of 1 customer who was forgotten")
    assert skipped_message(1_200, 4, "1,200").startswith("Skipped 1,200 rows of 4 customers who were forgotten")
