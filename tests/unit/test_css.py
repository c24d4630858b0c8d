"""The stylesheet check of ``make lint`` (tests/tools/check_css.py): the dashboard's own
stylesheets parse cleanly, and a broken one fails it, the unclosed ``@media`` block of
issue 15 first of all."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.tools import check_css

ASSETS = REPO / "dashboards" / "assets"
UNCLOSED_MEDIA = """\
.tiles { display: grid; }
@media (max-width: 760px) {
  .tiles { grid-template-columns: 1fr; }
  @media (max-width: 400px) { .tile { padding: 4px; } }
/* --- the next page's rules, now only on narrow screens --- */
.facts { display: grid; }
"""


def test_the_dashboard_stylesheets_parse_cleanly() -> None:
    sheets = check_css.stylesheets([str(ASSETS)])
    assert {p.name for p in sheets} >= {"style.css", "wall.css"}
    for sheet in sheets:
        assert check_css.problems(sheet.read_text(encoding="utf-8")) == [], sheet.name


def test_an_unclosed_media_block_fails_with_its_line(tmp_path: Path) -> None:
    assert check_css.problems(UNCLOSED_MEDIA) == ["2:27: block opened here is never closed"]
    (tmp_path / "broken.css").write_text(UNCLOSED_MEDIA, encoding="utf-8")
    (tmp_path / "fine.css").write_text(".a { color: red; }\n", encoding="utf-8")
    assert check_css.main([str(tmp_path)]) == 1
    assert check_css.main([str(tmp_path / "fine.css")]) == 0


@pytest.mark.parametrize(
    "css",
    [
        ".a { color: red; ",  # rule never closed
        ".a { color: red; } }",  # stray closer
        ".a { color: red; }\n/* comment never closed",
        '.a { content: "open string\n}',
        ".a { background: url(x.png }",
        ".a { color red; }",  # declaration without a colon
        "@font-face { font-family: x; src }",  # same, inside an at-rule
        ".a { color: (red; }",
    ],
)
def test_other_breakage_fails(css: str) -> None:
    assert check_css.problems(css), css


def test_the_live_stylesheet_had_the_bug_the_check_catches() -> None:
    """The stylesheet as it was before issue 15: one `}` short after the explorer's rules."""
    fixed = (ASSETS / "style.css").read_text(encoding="utf-8")
    broken = fixed.replace(
        "  .def-list { grid-template-columns: 1fr; }\n}\n",
        "  .def-list { grid-template-columns: 1fr; }\n",
        1,
    )
    assert broken != fixed
    assert [p.split(": ", 1)[1] for p in check_css.problems(broken)] == [
        "block opened here is never closed"
    ]
