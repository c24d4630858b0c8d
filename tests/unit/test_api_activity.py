"""Requests in flight, and the pause in them that background work waits for."""

from __future__ import annotations

import threading
import time

from ioc.api.activity import Activity


def test_quiet_only_after_the_last_request_has_ended_for_the_pause() -> None:
    activity = Activity()
    assert activity.wait_quiet(0.0, 0.0)  # nothing ever asked
    activity.begin()
    activity.begin()
    assert not activity.wait_quiet(0.05, 0.1)  # two in flight
    activity.end()
    assert not activity.wait_quiet(0.05, 0.1)  # one still in flight
    activity.end()
    assert not activity.wait_quiet(10.0, 0.05)  # ended just now: no 10 s pause yet
    assert activity.wait_quiet(0.05, 1.0)


def test_a_waiter_goes_on_once_the_requests_pause() -> None:
    activity = Activity()
    activity.begin()
    waited: list[bool] = []
    waiter = threading.Thread(target=lambda: waited.append(activity.wait_quiet(0.05, 5.0)))
    waiter.start()
    time.sleep(0.1)
    assert waited == []  # still waiting while the request runs
    activity.end()
    waiter.join(5.0)
    assert waited == [True]
