"""Migrations that change what is already there, on a database made before them.

The other tests build their database with every migration at once (conftest.py); these stop
before one, write what an organisation would have, and run the rest, as an upgrade does.
"""

from sqlite_utils import Database

from migrations import migrations

# Issue 25: what m039 renames, the old name and the new.
RENAMED = {
    "sessions": "signins",
    "group_sessions": "group_logs",
    "supervision_sessions": "supervision_meetings",
}


def database_before(tmp_path, migration: str) -> Database:
    db = Database(tmp_path / "before.db")
    migrations.apply(db, stop_before=migration)
    return db


def schema_words(db: Database) -> str:
    """Every name and definition in the schema, tables, indexes and triggers alike."""
    found = db.execute("select name, coalesce(sql, '') from sqlite_master").fetchall()
    return " ".join(f"{name} {sql}" for name, sql in found)


def test_one_meaning_per_name_keeps_every_row_under_the_new_names(tmp_path):
    db = database_before(tmp_path, "m039_one_meaning_per_name")
    db.execute("pragma foreign_keys = on")
    db["organisations"].insert({"id": 1, "name": "Old", "created_at": "2026-01-01"})
    for user_id, name in ((1, "Fran"), (2, "Sol")):
        db["users"].insert(
            {"id": user_id, "org_id": 1, "email": f"{name}@old.example", "name": name}
            | {"password_hash": "x", "created_at": "2026-01-01"}
        )
    db["sessions"].insert({"id": "hash", "user_id": 1, "created_at": "2026-12-01"})
    db["group_sessions"].insert(
        {"id": 7, "user_id": 1, "held_on": "2026-12-01", "with_experienced": 1}
        | {"created_at": "2026-12-01", "idempotency_key": "key-1"}
    )
    db["supervision_sessions"].insert(
        {"id": 3, "org_id": 1, "supervisor_id": 2, "held_on": "2026-12-02", "minutes": 60}
        | {"format": "individual", "areas": "[]"}
    )
    db["supervision_attendees"].insert({"session_id": 3, "supervisee_id": 1})
    (count_before,) = db.execute("select count from caseload_changes").fetchone()

    migrations.apply(db)

    assert db.execute("select id, user_id from signins").fetchall() == [("hash", 1)]
    assert db.execute("select id, idempotency_key from group_logs").fetchall() == [(7, "key-1")]
    assert db.execute("select id, minutes from supervision_meetings").fetchall() == [(3, 60)]
    assert db.execute("select meeting_id, supervisee_id from supervision_attendees").fetchall() == [
        (3, 1)
    ]
    # No table, column, index or trigger says the old words any more.
    words = schema_words(db)
    for old in RENAMED:
        assert old not in words, old
    assert "session_id" not in words
    # The foreign key follows the table: an attendee of a meeting that isn't there is refused.
    assert db.execute("pragma foreign_key_check").fetchall() == []
    fks = {(fk.column, fk.other_table) for fk in db["supervision_attendees"].foreign_keys}
    assert ("meeting_id", "supervision_meetings") in fks
    # A second send of a logged group is still one group (m035's unique key, renamed).
    unique = {index.name for index in db["group_logs"].indexes if index.unique}
    assert "group_logs_idempotency_key" in unique
    # The supervisor's home is drawn again when a meeting or a logged group changes (m010).
    db["group_logs"].insert(
        {"user_id": 1, "held_on": "2026-12-03", "with_experienced": 0, "created_at": "2026-12-03"}
    )
    db.execute("update supervision_meetings set minutes = 90 where id = 3")
    (count_after,) = db.execute("select count from caseload_changes").fetchone()
    assert count_after == count_before + 2


def test_one_meaning_per_name_after_the_render_counters_renames_their_triggers_too(tmp_path):
    """A database that had m040 (which counts each pair's rows by triggers) before m039, as one
    on main between the two did: its triggers and indexes on the group log are renamed too."""
    from migrations import m039_one_meaning_per_name, m040_render_versions

    db = database_before(tmp_path, "m039_one_meaning_per_name")
    m040_render_versions(db)
    assert "group_sessions_insert_renders" in schema_words(db)
    m039_one_meaning_per_name(db)
    words = schema_words(db)
    for old in RENAMED:
        assert old not in words, old
    assert "group_logs_insert_renders" in words and "idx_group_logs_pair_id" in words
    # The renamed trigger still counts a logged group for its pair.
    db["organisations"].insert({"id": 1, "name": "Old", "created_at": "2026-01-01"})
    db["users"].insert(
        {"id": 1, "org_id": 1, "email": "fran@old.example", "name": "Fran"}
        | {"password_hash": "x", "created_at": "2026-01-01"}
    )
    db["pairs"].insert({"id": 5, "org_id": 1, "name_sealed": "x", "created_at": "2026-01-01"})
    before = db.execute("select version from render_versions where scope = 'pair' and id = 5")
    before = (before.fetchone() or (0,))[0]
    db["group_logs"].insert(
        {"user_id": 1, "pair_id": 5, "held_on": "2026-12-03", "with_experienced": 0}
        | {"created_at": "2026-12-03"}
    )
    after = db.execute("select version from render_versions where scope = 'pair' and id = 5")
    assert after.fetchone()[0] == before + 1


def test_resets_already_told_stay_told_after_the_upgrade(tmp_path):
    """m042: a reset used, or passkeys removed, before a later sign-in was told at that sign-in;
    with no sign-in after it, it is still to be told."""
    db = database_before(tmp_path, "m042_notices_told")
    db["organisations"].insert({"id": 1, "name": "Old", "created_at": "2026-01-01"})
    for user_id, name in ((1, "Fran"), (2, "Sol")):
        db["users"].insert(
            {"id": user_id, "org_id": 1, "email": f"{name}@old.example", "name": name}
            | {"password_hash": "x", "created_at": "2026-01-01"}
            | {"passkeys_removed_at": "2026-12-01T10:00:00+00:00"}
        )
    for reset_id, user_id in ((1, 1), (2, 2)):
        db["password_resets"].insert(
            {"id": reset_id, "user_id": user_id, "token_hash": f"t{reset_id}"}
            | {"created_at": "2026-12-01T09:00:00+00:00", "expires_at": "2026-12-02T09:00:00+00:00"}
            | {"used_at": "2026-12-01T10:00:00+00:00"}
        )
    db["signins"].insert({"id": "later", "user_id": 1, "created_at": "2026-12-01T11:00:00+00:00"})
    db["signins"].insert({"id": "before", "user_id": 2, "created_at": "2026-12-01T08:00:00+00:00"})

    migrations.apply(db)

    told = dict(db.execute("select user_id, told_at from password_resets").fetchall())
    assert told == {1: "2026-12-01T10:00:00+00:00", 2: None}
    told = dict(db.execute("select id, passkeys_removal_told from users").fetchall())
    assert told == {1: "2026-12-01T10:00:00+00:00", 2: None}
