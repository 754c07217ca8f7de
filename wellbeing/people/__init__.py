"""People at the bottom (issue 25): who a person is and what roles they hold, their sign-ins,
the one-time links that bring them in, and the organisation's member queries. Every feature
stands on this package; it imports no feature (docs/design.md "Architecture").

`from wellbeing import people` hands on the names below; each lives in one of the modules.
"""

from .identity import (  # noqa: F401
    ROLES,
    EmailTaken,
    Person,
    check_password,
    create_organisation,
    create_person,
    dummy_hash,
    find_by_email,
    find_email,
    gender_of,
    remove_passkeys,
    roles_of,
    set_gender,
    token_hash,
    told_of_passkey_removal,
)
from .links import (  # noqa: F401
    LinkInUse,
    accept_invitation,
    cancel_password_resets,
    create_invitation,
    create_password_reset,
    find_invitation,
    find_password_reset,
    invitation_is_for,
    reset_untold,
    reset_used_since,
    resets_of,
    told_of_resets,
    use_password_reset,
)
from .members import last_admin, members, pending_invitations, revoke_invitation, summary  # noqa: F401
from .signins import (  # noqa: F401
    browser_of,
    clear_signin_failures,
    load_person,
    mark_checked,
    recently_checked,
    record_signin_failure,
    revoke_all_signins,
    revoke_signin,
    signin_wait_minutes,
    signins_of,
    start_signin,
)
