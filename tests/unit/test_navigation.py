"""The menu comes from the pages' own registrations (``dash.page_registry``): the same
links, in the same order, with the same catalog texts, and only for the roles that may
open them."""

from __future__ import annotations

import pytest

from dashboards.app import create_dash
from dashboards.components.frame import menu
from dashboards.i18n import t

EVERYONE = [
    ("/", "nav.overview"),
    ("/map", "nav.map"),
    ("/unit", "nav.unit"),
    ("/indicator", "nav.explorer"),
    ("/exams", "exams.nav"),  # the graduation exam's results: every role with a menu (issue 20)
    ("/quality", "nav.quality"),
    ("/ingest", "nav.ingest"),
    ("/targets", "nav.targets"),
    ("/review", "review.nav"),  # the review desk: approvers, admins and leaders (issue 17)
    ("/schedules", "nav.schedules"),
    ("/sources", "sources.nav"),  # pulled sources: admins, leaders and operators (issue 16)
    ("/alerts", "alerts.nav"),  # alerts: every role but display and sync (issue 18)
]


@pytest.fixture(scope="module", autouse=True)
def app() -> None:
    create_dash("http://127.0.0.1:9")  # registers the pages; nothing is requested


def test_admins_see_every_page() -> None:
    assert menu("admin") == EVERYONE


@pytest.mark.parametrize(
    ("role", "hidden"),
    [
        ("operator", {"/review"}),
        ("leader", {"/ingest"}),
        ("analyst", {"/ingest", "/sources", "/review"}),
        ("approver", {"/ingest", "/sources"}),
    ],
)
def test_each_role_sees_its_pages(role: str, hidden: set[str]) -> None:
    assert menu(role) == [entry for entry in EVERYONE if entry[0] not in hidden]


def test_display_and_pages_outside_the_menu() -> None:
    assert menu("display") == []
    shown = {path for path, _ in menu("admin")}
    assert not shown & {"/login", "/school", "/wall"}


def test_labels_are_in_the_catalog() -> None:
    texts = {lang: [t(key, lang) for _, key in menu("admin")] for lang in ("vi", "en")}
    assert texts["en"][:2] == ["Overview", "Map"]
    assert all(text and not text.startswith("nav.") for text in texts["vi"] + texts["en"])
