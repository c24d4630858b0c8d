"""A school's place in both schemes, read from the demo snapshot's registry."""

from __future__ import annotations

import pytest

from ioc import db
from ioc.config import Settings
from ioc.db import NotFound
from ioc.views.review_places import place_of, places_of


def test_places_match_the_registry(demo_settings: Settings) -> None:
    conn = db.connect_published(demo_settings)
    try:
        rows = conn.sql(
            "select school_code, province_code_legacy, district_code_legacy, "
            "commune_code_legacy, province_code_2025, commune_code_2025 "
            "from core_school__registry order by school_code limit 5"
        ).fetchall()
        places = places_of(conn, demo_settings, [r[0] for r in rows] + ["no-such-school"])
        assert set(places) == {r[0] for r in rows}
        for code, p_l, d_l, c_l, p_n, c_n in rows:
            assert places[code] == {
                ("legacy", "province"): p_l,
                ("legacy", "district"): d_l,
                ("legacy", "commune"): c_l,
                ("2025", "province"): p_n,
                ("2025", "commune"): c_n,
            }
        assert place_of(conn, demo_settings, rows[0][0]) == places[rows[0][0]]
        assert places_of(conn, demo_settings, []) == {}
        with pytest.raises(NotFound):
            place_of(conn, demo_settings, "no-such-school")
    finally:
        conn.close()
