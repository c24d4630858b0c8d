"""The reference vendor server (:mod:`tests.tools.vendor_server`) in a process of its own for
the ``pull`` benchmark (issue 16), so that it does not share a GIL with the measured pull.

``python -m tests.bench.pull_vendor`` serves the national returns of the bench
(:func:`tests.bench.national.generate`: the very rows the national CSV was written from, with
the same size and seed) and a registry derived from them, on a free loopback port, and prints
one line ``READY <url>`` once it answers. A control endpoint changes schools at the source:
``POST /_bench/change?n=500`` moves ``n`` schools' returns (one more pupil) and registry
records (a new e-mail) to the end of the change order and answers their codes.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.bench import national
from tests.tools.vendor_server import Faults, Vendor, _Api, free_port

CHANGE_PATH = "/_bench/change"


def registry_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The registry records of the schools of ``rows`` (every one open)."""
    return [
        {
            "school_code": r["school_code"],
            "school_name": r["school_name"],
            "level": r["level"],
            "ownership": r["ownership"],
            "province_code": r["province_code"],
            "district_code": r["district_code"],
            "commune_code": r["commune_code"],
            "status": "open",
            "opened_year": "2001-2002",
            "email": f"c{r['school_code']}@moet.edu.vn",
        }
        for r in rows
    ]


def changed_schools(rows: list[dict[str, Any]], n: int) -> list[int]:
    """The positions of ``n`` schools spread over the country (every k-th row)."""
    step = max(1, len(rows) // max(n, 1))
    return list(range(0, len(rows), step))[:n]


def main() -> None:
    rows = national.generate(national.SCHOOLS, national.SEED).to_dicts()
    schools = registry_of(rows)
    vendor = Vendor(rows, schools, Faults())
    vendor.prepare()
    app = _Api(vendor).app()
    rounds = [0]

    async def change(request: Request) -> JSONResponse:
        n = int(request.query_params.get("n", "500"))
        rounds[0] += 1
        picked = changed_schools(rows, n)
        for i in picked:
            rows[i] = dict(rows[i], students=int(rows[i]["students"]) + 1)
            schools[i] = dict(schools[i], email=f"c{rows[i]['school_code']}.{rounds[0]}@moet.vn")
        vendor.update(rows[i] for i in picked)
        vendor.update_schools(schools[i] for i in picked)
        vendor.prepare()
        return JSONResponse(
            {
                "schools": [rows[i]["school_code"] for i in picked],
                "students_added": len(picked),
                "returns": len(rows),
                "registry": len(schools),
            }
        )

    app.router.routes.append(Route(CHANGE_PATH, change, methods=["POST"]))
    port = free_port()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=port,
        log_config=None,
        log_level="warning",
        access_log=False,
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="vendor", daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            sys.exit("the vendor server did not start")
        time.sleep(0.02)
    print(f"READY http://127.0.0.1:{port}", flush=True)
    thread.join()  # until SIGTERM or SIGINT (uvicorn's handlers end it)


if __name__ == "__main__":
    main()
