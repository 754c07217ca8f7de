"""Many people saving at once in one worker (issue 26): the server's workers each run several
requests at a time in threads, and their writes take turns (wellbeing/db.py writing()).
"""

import fcntl
import os
import threading
import time

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


class AnotherWorker:
    """Another worker process in the middle of a write: it holds the writers' file lock
    (wellbeing/db.py WriterFile) through a file of its own, as a separate process would."""

    def __init__(self, one):
        self.fd = os.open(f"{one.database}.writer", os.O_RDWR | os.O_CREAT, 0o600)
        fcntl.flock(self.fd, fcntl.LOCK_EX)

    def done(self):
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)


def test_a_save_waits_for_another_workers_write_and_goes_on_the_moment_it_ends(one):
    one.form_token("facilitator")
    other = AnotherWorker(one)
    ends = threading.Timer(0.5, other.done)
    started = time.monotonic()
    ends.start()
    answer = send_checkin(one, "After the other worker")
    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.5  # it waited for the other worker's turn
    assert "After the other worker" in text_of(answer)


def test_a_save_that_waits_too_long_for_another_worker_is_a_503_and_lets_go_of_its_turns(one):
    one.form_token("facilitator")
    one.app.config["WRITE_WAIT_SECONDS"] = 0.5
    other = AnotherWorker(one)
    answer = send_checkin(one, "Waiting")
    assert answer.status_code == 503 and answer.headers["Retry-After"]
    other.done()
    # Neither this worker's turn nor the file was kept by the refused save.
    assert send_checkin(one, "Waiting").status_code == 200


def test_a_writer_waiting_for_another_workers_turn_looks_again_quickly_at_first_then_slowly():
    # A turn is a commit, a fraction of a millisecond: while the lock lies free no one writes, so
    # the first looks come every 20 µs. A wait past 5 ms is a slow write; looks every 0.5 ms
    # leave the CPU to it.
    assert db.look_again_after(0) == db.look_again_after(0.0049) == 0.00002
    assert db.look_again_after(0.005) == db.look_again_after(30) == 0.0005
