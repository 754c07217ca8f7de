"""The permission helpers themselves (issue 25): each answers its question in one query."""

from types import SimpleNamespace

import pytest
from werkzeug.exceptions import NotFound

from wellbeing.db import get_db
from wellbeing.permissions import get_pair


def test_opening_a_pair_reads_that_one_pair_not_every_pair_of_the_member(one):
    ran = []
    member = SimpleNamespace(id=one.rows["facilitator"], org_id=one.rows["organisation_one"])
    with one.app.test_request_context():
        get_db().conn.set_trace_callback(ran.append)
        pair = get_pair(one.rows["pair"], member)
    assert pair["id"] == one.rows["pair"]
    assert pair["name"]
    selects = [s for s in ran if s.lstrip().lower().startswith("select")]
    assert len(selects) == 1
    assert f"pairs.id = {one.rows['pair']}" in selects[0]


def test_a_pair_of_someone_else_is_not_found(one):
    member = SimpleNamespace(id=one.rows["supervisor"], org_id=one.rows["organisation_one"])
    with one.app.test_request_context(), pytest.raises(NotFound):
        get_pair(one.rows["pair"], member)
