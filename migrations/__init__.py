"""Numbered schema migrations. Only ever add new ones; never edit one that has shipped."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("wellbeing")


@migrations()
def m001_organisations_and_people(db):
    # Everything belongs to one organisation; nobody sees another organisation's people.
    db["organisations"].create({"id": int, "name": str, "created_at": str}, pk="id")
    db["users"].create(
        {
            "id": int,
            "org_id": int,
            "email": str,
            "name": str,
            "password_hash": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id")],
        not_null={"org_id", "email", "name", "password_hash"},
    )
    db["users"].create_index(["email"], unique=True)
    # A person can hold more than one role: facilitator, supervisor, admin.
    db["user_roles"].create(
        {"user_id": int, "role": str},
        pk=("user_id", "role"),
        foreign_keys=[("user_id", "users", "id")],
    )


@migrations()
def m002_sessions_and_signin_attempts(db):
    # Server-side sessions, so that signing out revokes a cookie even if it is replayed.
    db["sessions"].create(
        {"id": str, "user_id": int, "created_at": str, "revoked_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
    )
    db["sessions"].create_index(["user_id"])
    # Failed sign-ins, kept in the database so the limit holds across gunicorn workers.
    db["signin_failures"].create({"id": int, "key": str, "at": str}, pk="id")
    db["signin_failures"].create_index(["key", "at"])


@migrations()
def m003_invitations_and_password_resets(db):
    # No email server: admins copy these one-time links to people. Only hashes are stored.
    db["invitations"].create(
        {
            "id": int,
            "org_id": int,
            "token_hash": str,
            "email": str,
            "roles": str,
            "created_by": int,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
            "revoked_at": str,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id")],
    )
    db["invitations"].create_index(["token_hash"], unique=True)
    db["password_resets"].create(
        {
            "id": int,
            "user_id": int,
            "token_hash": str,
            "created_by": int,
            "created_at": str,
            "expires_at": str,
            "used_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
    )
    db["password_resets"].create_index(["token_hash"], unique=True)


@migrations()
def m004_organisation_content(db):
    # WWP EN guidelines: "Feel free to add and remove practices to fit what you think is
    # most relevant to your local context". Kinds: practice, situation, support_contact.
    # Removal is soft so that an admin can undo it.
    db["content_entries"].create(
        {
            "id": int,
            "org_id": int,
            "kind": str,
            "position": int,
            "text": str,
            "note": str,
            "phone": str,
            "link": str,
            "removed_at": str,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id")],
    )
    db["content_entries"].create_index(["org_id", "kind", "position"])


@migrations()
def m005_pairs(db):
    # Co-working pairs. The pair's name is free text a pair writes, so it is sealed at rest.
    db["pairs"].create(
        {"id": int, "org_id": int, "name_sealed": str, "created_at": str, "ended_at": str},
        pk="id",
        foreign_keys=[("org_id", "organisations", "id")],
    )
    db["pair_members"].create(
        {"pair_id": int, "user_id": int},
        pk=("pair_id", "user_id"),
        foreign_keys=[("pair_id", "pairs", "id"), ("user_id", "users", "id")],
    )


@migrations()
def m006_vault_backups(db):
    # The optional server backup of a worker's private vault (issue 3). DESIGN "The data rule":
    # the server keeps only what the browser's exportFile() wrote: ciphertext, salt and KDF
    # settings, never a key or a word in the clear. A few versions per person, so a bad backup
    # can't wipe out the last good one; a version number per person lets two phones notice
    # each other instead of overwriting.
    db["vault_backups"].create(
        {"id": int, "user_id": int, "version": int, "file": str, "size": int, "created_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "version", "file", "size", "created_at"},
    )
    db["vault_backups"].create_index(["user_id", "version"], unique=True)


@migrations()
def m008_line_rooms(db):
    # Training-day rooms for the live 'Is this always abusive?' line (issue 6). DESIGN "The data
    # rule", class room: anonymous positions, deleted automatically after a set time; the room
    # sees only the combined picture. The organisation sets that time (30 days unless changed).
    db["organisations"].add_column("room_retention_days", int)
    db["rooms"].create(
        {
            "id": int,
            "org_id": int,
            "trainer_id": int,
            # What people type on their phones; unique while the room's data is kept.
            "code": str,
            # A double-tapped "Open a room" opens one room, not two.
            "opened_with": str,
            "practice_id": int,
            "round": int,
            "revealed": int,
            "view": str,
            "timer_ends_at": str,
            "dv_context": int,
            # `version` changes with every placement and control, `stage_version` only when the
            # trainer changes what the room is doing: they are the ETags the views poll with.
            "version": int,
            "stage_version": int,
            "created_at": str,
            "ended_at": str,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id"), ("trainer_id", "users", "id")],
        not_null={"org_id", "trainer_id", "code", "created_at"},
        defaults={
            "round": 1,
            "revealed": 0,
            "view": "line",
            "dv_context": 0,
            "version": 0,
            "stage_version": 0,
        },
    )
    db["rooms"].create_index(["code"], unique=True)
    db["rooms"].create_index(["trainer_id", "opened_with"], unique=True)
    # The room's own copy of the practices: "Feel free to add and remove practices to fit what
    # you think is most relevant to your local context" (guidelines), without touching the
    # organisation's list unless the trainer saves it as that.
    db["room_practices"].create(
        {"id": int, "room_id": int, "position": int, "text": str, "note": str},
        pk="id",
        foreign_keys=[("room_id", "rooms", "id")],
    )
    db["room_practices"].create_index(["room_id", "position"])
    # No account is needed: a random token in the person's cookie, kept here only as a hash.
    db["participants"].create(
        {"id": int, "room_id": int, "token_hash": str, "first_name": str, "joined_at": str},
        pk="id",
        foreign_keys=[("room_id", "rooms", "id")],
    )
    db["participants"].create_index(["token_hash"], unique=True)
    db["participants"].create_index(["room_id"])
    # One place per person, practice and round; `seq` keeps a late retry from undoing a move.
    db["placements"].create(
        {
            "participant_id": int,
            "practice_id": int,
            "round": int,
            "position": int,
            "seq": int,
            "updated_at": str,
        },
        pk=("participant_id", "practice_id", "round"),
        foreign_keys=[
            ("participant_id", "participants", "id"),
            ("practice_id", "room_practices", "id"),
        ],
    )
    db["placements"].create_index(["practice_id", "round"])
