"""Numbered schema migrations. Only ever add new ones; never edit one that has shipped."""

from sqlite_utils.migrations import Migrations

migrations = Migrations("wellbeing")
# Issue 25's renames (m039), longest first: "sessions" is also the end of the other two.
RENAMED_IN_M039 = (
    ("group_sessions", "group_logs"),
    ("supervision_sessions", "supervision_meetings"),
    ("sessions", "signins"),
)


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
    # Failed sign-ins, kept in the database so the limit holds across the server's workers.
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
    # The optional server backup of a worker's private vault (issue 3). docs/design.md "The data
    # rule": the server keeps only what the browser's exportFile() wrote: ciphertext, salt and KDF
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
def m007_coworking(db):
    # Issue 4: co-working pairs. docs/design.md "The data rule": everything a pair writes is pair
    # data, read by the two co-workers only, and sealed at rest (wellbeing/atrest.py). Every sealed
    # column below is listed in cli.SEALED_COLUMNS so a key rotation reseals it.
    db["pairs"].add_column("checkin_day", int, not_null_default=0)  # 0 = Monday
    db["pairs"].add_column("ended_by", int)
    # Gender mix and experience, recorded only if both agree (see pair_consents "context").
    db["pairs"].add_column("context_sealed", str)
    db["pair_invitations"].create(
        {
            "id": int,
            "org_id": int,
            "inviter_id": int,
            "invitee_id": int,
            "name_sealed": str,
            "created_at": str,
            "answer": str,  # accepted, declined or withdrawn; null while open
            "answered_at": str,
            "pair_id": int,
        },
        pk="id",
        foreign_keys=[
            ("org_id", "organisations", "id"),
            ("inviter_id", "users", "id"),
            ("invitee_id", "users", "id"),
            ("pair_id", "pairs", "id"),
        ],
        not_null={"org_id", "inviter_id", "invitee_id", "name_sealed", "created_at"},
    )
    db["pair_invitations"].create_index(["invitee_id", "answer"])
    # Wider sharing needs both partners: one row per partner who said yes to a topic
    # (docs/design.md: moving something to a wider class is a deliberate act; it can be withdrawn).
    db["pair_consents"].create(
        {"pair_id": int, "topic": str, "user_id": int, "given_at": str},
        pk=("pair_id", "topic", "user_id"),
        foreign_keys=[("pair_id", "pairs", "id"), ("user_id", "users", "id")],
    )
    # The new-partnership conversation: what each partner chose to share, after a preview.
    # Drafts never come here; they stay in the author's vault.
    db["conversation_answers"].create(
        {"id": int, "pair_id": int, "user_id": int, "answers_sealed": str, "shared_at": str},
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("user_id", "users", "id")],
        not_null={"pair_id", "user_id", "answers_sealed", "shared_at"},
    )
    db["conversation_answers"].create_index(["pair_id", "user_id"], unique=True)
    # The redirection-strategy agreement. A version is agreed once both partners confirmed
    # its latest revision; editing an agreed version starts the next one. `revision` counts
    # saves, so two partners editing at once notice each other instead of overwriting.
    db["agreement_versions"].create(
        {
            "id": int,
            "pair_id": int,
            "number": int,
            "revision": int,
            "strategies_sealed": str,
            "edited_by": int,
            "edited_at": str,
            "agreed_at": str,
        },
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("edited_by", "users", "id")],
        not_null={"pair_id", "number", "revision", "strategies_sealed", "edited_at"},
    )
    db["agreement_versions"].create_index(["pair_id", "number"], unique=True)
    db["agreement_confirmations"].create(
        {"version_id": int, "user_id": int, "revision": int, "confirmed_at": str},
        pk=("version_id", "user_id"),
        foreign_keys=[("version_id", "agreement_versions", "id"), ("user_id", "users", "id")],
    )
    # Weekly check-ins: one row per partner per week (the Monday that starts it).
    db["checkins"].create(
        {
            "id": int,
            "pair_id": int,
            "week": str,
            "user_id": int,
            "more_sealed": str,
            "less_sealed": str,
            "answered_at": str,
            "reply_sealed": str,  # the partner's short reply to this answer
            "replied_at": str,
        },
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("user_id", "users", "id")],
        not_null={"pair_id", "week", "user_id", "more_sealed", "less_sealed", "answered_at"},
    )
    db["checkins"].create_index(["pair_id", "week", "user_id"], unique=True)


@migrations()
def m008_line_rooms(db):
    # Training-day rooms for the live 'Is this always abusive?' line (issue 6). docs/design.md "The
    # data rule", class room: anonymous positions, deleted automatically after a set time; the room
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


@migrations()
def m009_supervision(db):
    # Issue 5: supervision. An admin assigns a supervisor to a facilitator; the supervisor may
    # set a monthly target above Respect §3.13's minimum of 1.5 hours ("Inexperienced staff
    # will require more than this"). Null means the minimum.
    db["supervisions"].create(
        {
            "id": int,
            "org_id": int,
            "supervisor_id": int,
            "supervisee_id": int,
            "target_minutes": int,
            "assigned_at": str,
        },
        pk="id",
        foreign_keys=[
            ("org_id", "organisations", "id"),
            ("supervisor_id", "users", "id"),
            ("supervisee_id", "users", "id"),
        ],
        not_null={"org_id", "supervisor_id", "supervisee_id", "assigned_at"},
    )
    db["supervisions"].create_index(["supervisor_id", "supervisee_id"], unique=True)
    db["supervisions"].create_index(["supervisee_id"])
    # docs/design.md "The data rule": every time a supervisor views something a pair shared, it is
    # logged, and the pair can see the log.
    db["supervision_views"].create(
        {"id": int, "pair_id": int, "supervisor_id": int, "what": str, "at": str},
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("supervisor_id", "users", "id")],
        not_null={"pair_id", "supervisor_id", "what", "at"},
    )
    db["supervision_views"].create_index(["pair_id", "at"])
    # What a supervisor says about a shared agreement version: a comment, "reviewed", or a
    # request for a change. The pair sees all three on their agreement.
    db["agreement_reviews"].create(
        {
            "id": int,
            "pair_id": int,
            "version_number": int,
            "supervisor_id": int,
            "kind": str,
            "text_sealed": str,
            "at": str,
        },
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("supervisor_id", "users", "id")],
        not_null={"pair_id", "version_number", "supervisor_id", "kind", "at"},
    )
    db["agreement_reviews"].create_index(["pair_id", "version_number"])
    # The supervision record (Respect §3.13). Notes are sealed at rest; the supervisee reads
    # the notes about them unless the supervisor marked one "supervisor only", and then they
    # see that such a note exists.
    db["supervision_sessions"].create(
        {
            "id": int,
            "org_id": int,
            "supervisor_id": int,
            "held_on": str,
            "minutes": int,
            "format": str,  # individual or group
            "areas": str,  # JSON list of Respect §3.13 area ids
            "notes_sealed": str,
            "supervisor_only": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id"), ("supervisor_id", "users", "id")],
        not_null={"org_id", "supervisor_id", "held_on", "minutes", "format", "areas"},
    )
    db["supervision_sessions"].create_index(["supervisor_id", "held_on"])
    db["supervision_attendees"].create(
        {"session_id": int, "supervisee_id": int},
        pk=("session_id", "supervisee_id"),
        foreign_keys=[
            ("session_id", "supervision_sessions", "id"),
            ("supervisee_id", "users", "id"),
        ],
    )
    db["supervision_attendees"].create_index(["supervisee_id"])
    # Group sessions a facilitator ran (Respect §3.12 mentoring, §4.9 workload). Dates and
    # ticks only: nothing about the group or its members.
    db["group_sessions"].create(
        {
            "id": int,
            "user_id": int,
            "pair_id": int,
            "held_on": str,
            "with_experienced": int,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id"), ("pair_id", "pairs", "id")],
        not_null={"user_id", "held_on", "with_experienced", "created_at"},
    )
    db["group_sessions"].create_index(["user_id", "held_on"])


@migrations()
def m010_caseload_changes(db):
    # Issue 5: the supervisor's home draws every supervisee's pairs and a year of check-ins. It
    # is drawn again only when something it shows has changed: SQLite counts every change to
    # those tables here, in the same transaction as the change, so no write can be missed.
    db["caseload_changes"].create({"id": int, "count": int}, pk="id", not_null={"count"})
    db["caseload_changes"].insert({"id": 1, "count": 0})
    for table in (
        "users",
        "supervisions",
        "pairs",
        "pair_members",
        "pair_consents",
        "checkins",
        "agreement_versions",
        "agreement_reviews",
        "supervision_sessions",
        "supervision_attendees",
        "group_sessions",
    ):
        for event in ("insert", "update", "delete"):
            db.execute(
                f"create trigger {table}_{event}_counts after {event} on {table}"
                " begin update caseload_changes set count = count + 1 where id = 1; end"
            )


@migrations()
def m011_anonymous_rooms(db):
    # Issue 11, findings 4 and 5. A room's own anonymity threshold (the trainer may raise it
    # from 3 to 10); first names are no longer asked for or kept; failed room-code lookups and
    # joins are counted per client (a keyed hash of the address, never the address itself).
    db["rooms"].add_column("threshold", int, not_null_default=3)
    db.execute("update participants set first_name = null")
    db["room_lookups"].create({"key": str, "at": str}, not_null={"key", "at"})
    db["room_lookups"].create_index(["key", "at"])


@migrations()
def m012_password_reset_trail(db):
    # Issue 11, finding 3: one live reset link per person (a new one, or using one, cancels
    # the others), and a person's account page lists their recent sign-ins, with the kind of
    # browser each came from, and every reset with who made it.
    db["password_resets"].add_column("cancelled_at", str)
    db["password_resets"].create_index(["user_id", "created_at"])
    db["sessions"].add_column("browser", str)


@migrations()
def m013_people_come_and_go(db):
    # Issue 11: an admin disables a person (and may enable them again) or deletes them; a
    # person deletes their own account. A deleted person's row stays as "a former co-worker"
    # so that what both partners confirmed still says who else confirmed it.
    db["users"].add_column("disabled_at", str)
    db["users"].add_column("deleted_at", str)


@migrations()
def m014_session_adaptations(db):
    # Issue 12: an organisation adapts the guidelines' Sexual Respect sessions to its own session
    # length ("You can and should adapt them to your standard session lengths", seed 000). A row
    # here means the organisation has its own version of a session; none means the guidelines'.
    # `version` counts saves, so two admins editing at once notice each other.
    db["session_adaptations"].create(
        {
            "org_id": int,
            "session_key": str,
            "version": int,
            "updated_by": int,
            "updated_at": str,
        },
        pk=("org_id", "session_key"),
        foreign_keys=[("org_id", "organisations", "id"), ("updated_by", "users", "id")],
        not_null={"version", "updated_at"},
    )


@migrations()
def m015_session_activities(db):
    # Issue 12: the organisation's version of a session, one row per activity in its order.
    # `activity_key` names a guidelines activity, or the organisation's own ("own-…", with its
    # own title and description); the guidelines' words are never copied here.
    db["session_activities"].create(
        {
            "id": int,
            "org_id": int,
            "session_key": str,
            "position": int,
            "activity_key": str,
            "title": str,
            "description": str,
            "minutes": int,
            "left_out": int,
        },
        pk="id",
        foreign_keys=[("org_id", "organisations", "id")],
        not_null={"org_id", "session_key", "position", "activity_key", "minutes", "left_out"},
    )
    db["session_activities"].create_index(["org_id", "session_key", "position"])


@migrations()
def m016_session_plans(db):
    # Issue 12: a pair plans tonight's session and who leads each part (co-worker question
    # "Agree who leads each part of the session"). Not private data: the organisation's content
    # plus the pair's plan. One plan per pair and date; `version` catches two partners at once.
    # `leads` maps an activity key to a partner's user id, or "both".
    db["session_plans"].create(
        {
            "id": int,
            "pair_id": int,
            "held_on": str,
            "starts_at": str,
            "session_key": str,
            "leads": str,
            "version": int,
            "updated_by": int,
            "updated_at": str,
            "ran_at": str,
        },
        pk="id",
        foreign_keys=[("pair_id", "pairs", "id"), ("updated_by", "users", "id")],
        not_null={"pair_id", "held_on", "starts_at", "session_key", "leads", "version"},
    )
    db["session_plans"].create_index(["pair_id", "held_on"], unique=True)


@migrations()
def m017_group_size(db):
    # Issue 12, Respect §4.9: "Ideal group numbers are 8-10 with a maximum of 12 men." How many
    # took part, if the facilitator says (null when they don't): a number only, nothing about who.
    db["group_sessions"].add_column("participants", int)


@migrations()
def m018_training_topics(db):
    # Issue 12, Respect §3.12: the training topics a facilitator has had, ticked by the
    # facilitator themself on their own supervision record (see supervision/training.py for
    # why). One row per topic ticked; unticking deletes the row. Topic ids are en.json's.
    db["training_topics"].create(
        {"user_id": int, "topic": str, "ticked_at": str},
        pk=("user_id", "topic"),
        foreign_keys=[("user_id", "users", "id")],
        not_null={"ticked_at"},
    )


@migrations()
def m019_passkeys(db):
    # Issue 15: sign in with a passkey (WebAuthn). One row per passkey a person added; only the
    # public key is here, so a copy of the database can't sign in as anyone. `sign_count` is the
    # authenticator's counter (a cloned key shows as a counter that goes back); `last_used_at`
    # is shown on the account page so a person notices a passkey they don't recognise.
    db["passkeys"].create(
        {
            "id": int,
            "user_id": int,
            "credential_id": str,
            "public_key": bytes,
            "sign_count": int,
            "name": str,
            "created_at": str,
            "last_used_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"user_id", "credential_id", "public_key", "sign_count", "name", "created_at"},
    )
    db["passkeys"].create_index(["credential_id"], unique=True)


@migrations()
def m020_webauthn_challenges(db):
    # Issue 15: a WebAuthn challenge is kept on the server, not in the cookie, so it is used at
    # most once (deleted on use) and refused after two minutes. `user_id` is set when adding a
    # passkey (the challenge belongs to that person) and null for signing in.
    db["webauthn_challenges"].create(
        {"id": str, "challenge": bytes, "user_id": int, "purpose": str, "created_at": str},
        pk="id",
        foreign_keys=[("user_id", "users", "id")],
        not_null={"challenge", "purpose", "created_at"},
    )


@migrations()
def m021_recent_check_and_passkey_removals(db):
    # Issue 21, H2: adding a passkey needs a password or passkey check in the last 5 minutes
    # ("sudo mode"). `checked_at` is when this session last proved who it is: its sign-in, or
    # the account page's re-check. A password reset or a switch-off removes the person's
    # passkeys; `passkeys_removed_at` and `_because` let the account page and the next sign-in
    # tell them so.
    db["sessions"].add_column("checked_at", str)
    db.execute("update sessions set checked_at = created_at")
    db["users"].add_column("passkeys_removed_at", str)
    db["users"].add_column("passkeys_removed_because", str)


@migrations()
def m022_challenge_created_at_index(db):
    # Issue 21, L6: every new challenge sweeps the expired ones by `created_at`; without an
    # index that sweep read the whole table, which anonymous requests could fill.
    db["webauthn_challenges"].create_index(["created_at"])


@migrations()
def m030_standards_readings(db):
    # Issue 24: how the organisation reads the Respect standards where they leave a choice.
    # §3.12 "at least 6 months or 26 sessions": "at_least" (both) unless it chooses "either";
    # §3.13 "Inexperienced staff will require more": the monthly target while in mentoring
    # (null = the app's 2 hours); and how a group supervision session counts for each person in
    # it ("full" or "shared" between them; null = full). Null everywhere means the defaults.
    db["organisations"].add_column("mentoring_reading", str)
    db["organisations"].add_column("mentoring_target_minutes", int)
    db["organisations"].add_column("group_supervision_counts", str)
    # The supervisor's home shows each target, which now turns on these readings: a change to
    # them draws the caseload again, as m010 does for the tables it shows.
    db.execute(
        "create trigger organisations_update_counts after update on organisations"
        " begin update caseload_changes set count = count + 1 where id = 1; end"
    )


@migrations()
def m031_supervision_external(db):
    # Issue 24, Respect §3.13: supervision "aside from line management with appropriate external
    # supervisors". Each session says whether it was: 1 yes, 0 no, null not said (older records).
    db["supervision_sessions"].add_column("external", int)


@migrations()
def m032_gender_and_experience(db):
    # Issue 24, Respect §4.9 "a mixed gender team" and §3.12 "an experienced co-worker".
    # Gender is each worker's own optional entry, sealed at rest and never shown as a label on
    # them; the team view only says whether a pair is mixed. An admin may mark someone
    # experienced who came with experience from elsewhere (null = not marked).
    db["users"].add_column("gender_sealed", str)
    db["users"].add_column("experienced_marked_at", str)


@migrations()
def m035_group_log_once(db):
    # Issue 27: a group is logged once however often the form is sent (a second tap on a bad
    # signal). The form carries a random key; the server keeps it here and a send with a key it
    # already has changes nothing. Null for groups logged before, and SQLite lets nulls repeat.
    db["group_sessions"].add_column("idempotency_key", str)
    db.execute(
        "create unique index group_sessions_idempotency_key on group_sessions (idempotency_key)"
    )


@migrations()
def m036_supervision_notes(db):
    # Issue 27: a partner's short note "to bring to supervision" from the debrief. It is the
    # writer's own until they share it with their supervisor (`shared_at`), which they can
    # withdraw; the text is sealed at rest like other pair and supervision free text.
    db["supervision_notes"].create(
        {
            "id": int,
            "user_id": int,
            "pair_id": int,
            "text_sealed": str,
            "created_at": str,
            "shared_at": str,
        },
        pk="id",
        foreign_keys=[("user_id", "users", "id"), ("pair_id", "pairs", "id")],
        not_null={"user_id", "text_sealed", "created_at"},
    )
    db["supervision_notes"].create_index(["user_id", "shared_at"])


@migrations()
def m037_invitation_name(db):
    # Issue 27: an invitation can carry the name of the person it is for, so an admin can tell
    # open links apart and the person finds their name filled in. Organisation data, like the
    # email beside it: admins see who is invited.
    db["invitations"].add_column("name", str)


@migrations()
def m025_safety_checks(db):
    # Issue 22, docs/design.md "Her safety first": after a group the pair answers one question,
    # did anything tonight raise a concern for the safety of a partner, a child or anyone else?
    # One row per pair and evening. The app holds no client data, so there is no text column
    # here at all: `concern` is 0 or 1, and a concern's passing on is when, to which kind of
    # service and how (chosen from fixed lists, wellbeing/safety/checks.py) and by whom.
    # `passed_on_at` null with `concern` 1 is "not yet passed on" (Respect §4.4: "immediately").
    db["safety_checks"].create(
        {
            "id": int,
            "pair_id": int,
            "held_on": str,
            "concern": int,
            "answered_by": int,
            "answered_at": str,
            "raised_at": str,
            "passed_on_at": str,
            "passed_on_to": str,
            "passed_on_how": str,
            "passed_on_by": int,
        },
        pk="id",
        foreign_keys=[
            ("pair_id", "pairs", "id"),
            ("answered_by", "users", "id"),
            ("passed_on_by", "users", "id"),
        ],
        not_null={"pair_id", "held_on", "concern", "answered_at"},
    )
    db["safety_checks"].create_index(["pair_id", "held_on"], unique=True)


@migrations()
def m026_contact_email(db):
    # Issue 22: the women's support service is reached by phone or by secure email, so a
    # contact can carry an email address. The other kinds of contact leave it empty.
    db["content_entries"].add_column("email", str)


@migrations()
def m027_respect_phoneline_to_mens_helplines(db):
    # Issue 22: the Respect Phoneline is a line for perpetrators and for professionals, not
    # for a worker in distress, so the suggestion moved from staff support to the helplines
    # for the men. An organisation that had added it to its staff support finds it there.
    db.execute(
        "update content_entries set kind = 'men_helpline'"
        " where kind = 'support_contact' and text = 'Respect Phoneline'"
        " and replace(coalesce(phone, ''), ' ', '') in ('', '08088024040')"
    )


@migrations()
def m028_womens_service_summaries(db):
    # Issue 22: each Sexual Respect session's page for the women's support service starts with
    # a plain-language summary in this app's words; an organisation may write its own, as it
    # adapts the sessions. A row here is the organisation's own version; none is the app's.
    # `version` counts saves, so two admins editing at once notice each other.
    db["womens_service_summaries"].create(
        {
            "org_id": int,
            "session_key": str,
            "summary": str,
            "version": int,
            "updated_by": int,
            "updated_at": str,
        },
        pk=("org_id", "session_key"),
        foreign_keys=[("org_id", "organisations", "id"), ("updated_by", "users", "id")],
        not_null={"summary", "version", "updated_at"},
    )


@migrations()
def m038_organisation_time_zone(db):
    # Issue 25: "today" and the Monday a week starts on are the organisation's, in its own time
    # zone (wellbeing/clock.py), not UTC's: a check-in made at 00:30 in Berlin belongs to that
    # Berlin day. London unless the organisation says otherwise.
    db["organisations"].add_column("time_zone", str, not_null_default="Europe/London")


@migrations()
def m039_one_meaning_per_name(db):
    # Issue 25, docs/design.md "Words, one meaning each": "session" means one of the Sexual Respect
    # module's three sessions and nothing else. A sign-in was a row of `sessions`, a logged group
    # one of `group_sessions` and a supervision meeting one of `supervision_sessions`. SQLite's
    # RENAME carries the foreign keys, indexes and triggers that name a table along with it, and
    # rewrites the triggers' bodies; the attendees' `session_id` becomes `meeting_id` the same way.
    for old, new in RENAMED_IN_M039:
        db.execute(f"alter table {old} rename to {new}")
    db.execute("alter table supervision_attendees rename column session_id to meeting_id")
    # Indexes and triggers keep their own names through a RENAME: those that carry an old word
    # (m002's, m009's, m010's, m035's, and m040's where a database had it before this one) are
    # made again under the new word, from the definition SQLite already rewrote.
    found = db.execute(
        "select type, name, sql from sqlite_master"
        " where type in ('index', 'trigger') and sql is not null"
    ).fetchall()
    for kind, name, sql in found:
        renamed = name
        for old, new in RENAMED_IN_M039:
            renamed = renamed.replace(old, new)
        if renamed != name:
            db.execute(f'drop {kind} "{name}"')
            db.execute(sql.replace(name, renamed, 1))


@migrations()
def m040_render_versions(db):
    # Issue 26, "Render once per change": the signed-in home and a pair's card are drawn once
    # for each state of what they show and kept in each worker's memory (wellbeing/drawn.py).
    # What they show is counted here by scope: a pair ('pair', pairs.id: everything the pair
    # wrote, planned, logged or answered, and its partners' names), a person ('person',
    # users.id: their name, roles, pairs and invitations to co-work) and an organisation
    # ('org', organisations.id: its content, settings, time zone, people and invitations).
    # SQLite triggers count each change in the same transaction as the change, so no write
    # can be missed and no write can forget to count (m010 does the same for the caseload).
    db["render_versions"].create(
        {"scope": str, "id": int, "version": int}, pk=("scope", "id"), not_null={"version"}
    )
    events = {"insert": ("new",), "update": ("new", "old"), "delete": ("old",)}

    def bump(scope: str, row_id: str, source: str = "where true") -> str:
        # One more for (scope, id); the first change in a scope makes its row. `source` finds
        # several ids (a person's pairs); without it the id is the changed row's own.
        return (
            f"insert into render_versions (scope, id, version) select '{scope}', {row_id}, 1"
            f" {source} and {row_id} is not null"
            " on conflict (scope, id) do update set version = version + 1;"
        )

    def triggers(table: str, name: str, *bumps_of):
        # After each insert, update and delete on `table`: every bump, for the new row, the
        # old row or both.
        for event, rows in events.items():
            bumps = " ".join(make(row) for row in rows for make in bumps_of)
            db.execute(
                f"create trigger {table}_{event}_{name} after {event} on {table} begin {bumps} end"
            )

    # Every table that holds a pair's rows, found by its `pair_id` column, so that a table
    # renamed before this migration runs (issue 25's renames) is counted under its new name.
    # The log of supervisors' looks is left out: every look writes it, no kept drawing shows it.
    for table in sorted(db.table_names()):
        if table != "supervision_views" and "pair_id" in db[table].columns_dict:
            triggers(table, "renders", lambda row: bump("pair", f"{row}.pair_id"))
    # A pair's rows are found by its id: the card asks whether a pair has logged a group,
    # which without an index on the group log's `pair_id` read the whole log, for every pair
    # of the organisation (about 6 ms of each card with a year of logs, issue 26's profile).
    for table in sorted(db.table_names()):
        if "pair_id" in db[table].columns_dict and not any(
            index.columns[0] == "pair_id" for index in db[table].indexes
        ):
            db[table].create_index(["pair_id"])
    triggers("pairs", "renders", lambda row: bump("pair", f"{row}.id"))
    # A confirmation names its version, not its pair.
    triggers(
        "agreement_confirmations",
        "renders",
        lambda row: bump("pair", "pair_id", f"from agreement_versions where id = {row}.version_id"),
    )
    # Who is in a pair, and who is invited to one, is on each person's home.
    triggers("pair_members", "people", lambda row: bump("person", f"{row}.user_id"))
    triggers(
        "pair_invitations",
        "people",
        lambda row: bump("person", f"{row}.inviter_id"),
        lambda row: bump("person", f"{row}.invitee_id"),
    )
    triggers("user_roles", "renders", lambda row: bump("person", f"{row}.user_id"))
    # A person's name and state show on their own home, on their pairs' pages and in their
    # organisation's count of people.
    triggers(
        "users",
        "renders",
        lambda row: bump("person", f"{row}.id"),
        lambda row: bump("org", f"{row}.org_id"),
        lambda row: bump("pair", "pair_id", f"from pair_members where user_id = {row}.id"),
    )
    # An organisation: its content, its settings (the time zone, the standards' readings) and
    # its invitations (the admin's home counts those still open).
    for table in (
        "content_entries",
        "session_adaptations",
        "session_activities",
        "womens_service_summaries",
        "invitations",
    ):
        triggers(table, "renders", lambda row: bump("org", f"{row}.org_id"))
    triggers("organisations", "renders", lambda row: bump("org", f"{row}.id"))


@migrations()
def m041_link_claims(db):
    # Issue 26: of many people pressing the button on one invitation or reset link at once,
    # only the one holding the claim hashes a password (wellbeing/people/links.py, claimed). A
    # claim runs out by itself, so one left by a process that died frees the link in half a
    # minute (WRITE_WAIT_SECONDS and 10 s more).
    for table in ("invitations", "password_resets"):
        db[table].add_column("claimed_until", str)


@migrations()
def m042_notices_told(db):
    # A person is told once, at their next sign-in, that their password was reset or their
    # passkeys removed. Which they had been told of was decided by comparing moments kept to the
    # second, so one in the same second as the sign-in before it went untold. Now a reset says
    # when it was told, and a person which removal of their passkeys they were told of. What a
    # later sign-in came after was told then.
    db["password_resets"].add_column("told_at", str)
    db.execute(
        "update password_resets set told_at = used_at where used_at is not null and exists"
        " (select 1 from signins where signins.user_id = password_resets.user_id"
        " and signins.created_at > password_resets.used_at)"
    )
    db["users"].add_column("passkeys_removal_told", str)
    db.execute(
        "update users set passkeys_removal_told = passkeys_removed_at"
        " where passkeys_removed_at is not null and exists (select 1 from signins"
        " where signins.user_id = users.id and signins.created_at > users.passkeys_removed_at)"
    )
