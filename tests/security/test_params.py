"""Issue 13, item 10: no 500 from any input. Every query and path parameter of every GET
route (read from the OpenAPI document, so a new route is covered the day it is added) is
given each hostile value of a table, the others valid; the answer is a 200 or a 4xx
problem+json, never a 5xx. And the schemas carry bounds: every integer a minimum and a
maximum, every string a maximum length."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.security.conftest import signed_in

HOSTILE = [
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775809",
    "1e308",
    "NaN",
    "-1",
    "0",
    "",
    " ",
    "A" * 5000,
    "9" * 400,
    "٢٠٢٤-٢٠٢٥/DN",  # Arabic-Indic digits: \\d in a Unicode regex
    "0000-0000/DN",
    "2024-2026/DN",
    "9411",
    "../../etc/passwd",
    "' OR 1=1 --",
    "a\nb",
    "%00",
    "\x00",
    "[]",
]
VALID = {  # a valid value for every parameter a route requires
    "unit": "94",
    "period": "2023-2024/DN",
    "scheme": "legacy",
    "code": "94",
    "indicator": "NET_STUDENTS",
    "school_code": "94411001",
    "part": "returns",
    "run_id": "1",
    "schedule_id": "1",
    "job_id": "1",
    "alert_id": "1",
    "number": "1",
    "name": "vendor-a",  # a source (none in the demo: its routes answer 404, never 500)
    "year": "2025",  # an exam year (none in the demo: the exam routes answer 404)
    "subject": "TOAN",
}
VALID_IN_PATH = {"period": "2023-2024-DN"}  # a period in a path has no '/' (/reviews/...)


@pytest.fixture(scope="module")
def admin(api_server: Any) -> Iterator[httpx.Client]:
    client = signed_in(api_server.base, "demo-admin")
    yield client
    client.close()


@pytest.fixture(scope="module")
def document(api_server: Any) -> dict[str, Any]:
    return httpx.get(f"{api_server.base}/api/openapi.json").json()  # type: ignore[no-any-return]


def _gets(document: dict[str, Any]) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    for path, operations in document["paths"].items():
        if "get" in operations:
            yield path, operations["get"].get("parameters", [])


def _url(path: str, path_values: dict[str, str]) -> str:
    for name, value in path_values.items():
        path = path.replace(f"{{{name}}}", quote(value, safe=""))
    return path


def test_every_parameter_of_every_get_is_bounded(document: dict[str, Any]) -> None:
    unbounded = []
    for path, parameters in _gets(document):
        for p in parameters:
            schema = p["schema"]
            kinds = [schema, *schema.get("anyOf", [])]
            for kind in kinds:
                if kind.get("type") == "integer" and (
                    "maximum" not in kind or "minimum" not in kind
                ):
                    unbounded.append(f"{path} {p['name']}: integer without bounds")
                if kind.get("type") == "string" and "enum" not in kind and "maxLength" not in kind:
                    unbounded.append(f"{path} {p['name']}: string without maxLength")
    assert not unbounded, "\n".join(unbounded)


def test_no_hostile_value_gets_a_server_error(
    admin: httpx.Client, document: dict[str, Any]
) -> None:
    wrong = []
    tried = 0
    for path, parameters in _gets(document):
        path_values = {
            p["name"]: VALID_IN_PATH.get(p["name"], VALID[p["name"]])
            for p in parameters
            if p["in"] == "path"
        }
        query = {
            p["name"]: VALID[p["name"]]
            for p in parameters
            if p["in"] == "query" and p.get("required")
        }
        for p in parameters:
            if p["in"] not in ("path", "query"):
                continue
            for value in HOSTILE:
                if p["in"] == "path":
                    url, params = _url(path, {**path_values, p["name"]: value}), query
                else:
                    url, params = _url(path, path_values), {**query, p["name"]: value}
                answer = admin.get(url, params=params)
                tried += 1
                problem = answer.headers.get("content-type") == "application/problem+json"
                if not (answer.status_code == 200 or (400 <= answer.status_code < 500 and problem)):
                    wrong.append(f"{answer.status_code} {p['name']}={value[:40]!r}: {answer.url}")
    assert tried > 500
    assert not wrong, "\n".join(wrong[:50])


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/schools", {"unit": "94", "period": "2023-2024/DN", "page": "9223372036854775807"}),
        ("/audit", {"offset": "9223372036854775808"}),
        ("/ingest/runs/9223372036854775808", {}),
        ("/schedules/1/runs", {"offset": "9223372036854775808"}),
        ("/units", {"parent": "9411"}),  # units have 2, 3 or 5 digits
        ("/summary", {"unit": "94", "period": "2024-2026/DN"}),  # not consecutive years
    ],
)
def test_out_of_range_is_a_422_problem(
    admin: httpx.Client, path: str, params: dict[str, str]
) -> None:
    answer = admin.get(f"/api/v1{path}", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"]
