"""Many people saving at once in one worker (issue 26): gunicorn's threaded workers serve up to
16 requests at a time in each process, and their writes take turns (wellbeing/db.py writing()).
"""

import threading

from organisation_one import path_of, text_of

from wellbeing import db


def send_checkin(one, more):
    form = {"more": more, "less": "", "csrf_token": one.form_token("facilitator")}
    path = path_of(one, "coworking.checkin_submit")
    return one.client("facilitator").post(path, data=form)


def test_many_people_saving_at_once_in_one_worker_are_all_saved(one):
    one.form_token("facilitator")  # signed in before the threads start
    answers = {}

    def save(number):
        answers[number] = send_checkin(one, f"Answer {number}").status_code

    threads = [threading.Thread(target=save, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == {n: 200 for n in range(12)}


def test_a_save_that_waits_too_long_for_its_turn_is_a_503_never_a_500(one):
    one.form_token("facilitator")
    one.app.config["WRITE_WAIT_SECONDS"] = 0.5
    # Another thread of this worker is in the middle of a long write.
    with db._one_writer:
        answer = send_checkin(one, "Waiting")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    assert "wasn't saved yet" in text_of(answer)
    # Once it is done, the same save goes through.
    assert send_checkin(one, "Waiting").status_code == 200
