"""Issue 15, item 9: the PDF of the demo province's standard report
(``ioc export --unit 94 --period latest --scheme legacy --format pdf``), on a demo built first
(untimed): wall time of the whole command (CLI start-up included), peak RSS, pages, size."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.bench.measure import child_env, fresh_data_dir, run_child, seconds, size

if TYPE_CHECKING:
    from tests.bench.targets import Context, Outcome

WALL_LIMIT_S = 5.0
ARGS = ["--unit", "94", "--period", "latest", "--scheme", "legacy", "--format", "pdf"]


def report_pdf(ctx: Context) -> Outcome:
    from tests.bench.targets import IOC, Figure, Outcome

    with fresh_data_dir(ctx.keep) as data_dir:
        demo = run_child([str(IOC), "demo"], env=child_env(data_dir))
        if not demo.ok:
            return Outcome(error=demo.failure())
        out = data_dir / "reports"
        out.mkdir(exist_ok=True)
        ctx.log(f"ioc export {' '.join(ARGS)}")
        run = ctx.run_ioc("report_pdf", ["export", *ARGS, "--out", str(out)], data_dir)
        pages = None
        for path in out.glob("*.pdf"):
            # fpdf2 writes one /Type /Page object a page (and /Pages for the tree)
            pages = len(re.findall(rb"/Type /Page\b(?!s)", path.read_bytes()))
            ctx.log(f"  {path.name}: {size(path.stat().st_size)}, {pages} pages")
        ctx.log(
            f"  child: wall {seconds(run.wall_s)} (of which CLI start-up "
            f"~{seconds(ctx.cli_startup_s)}), peak RSS {size(run.peak_rss)}"
        )
    return Outcome(
        [
            Figure("wall", run.wall_s if run.ok else None, "s", WALL_LIMIT_S),
            Figure("peak RSS", run.peak_rss if run.ok else None, "bytes"),
            Figure("pages", pages, "n"),
        ],
        None if run.ok else run.failure(40),
    )
