"""Soak the wall screen in headless chromium and watch its memory (issue 6).

:func:`soak` keeps an open wall page running (its rotation and refresh sped up through the
URL) and every ``every_s`` seconds forces a full garbage collection through the Chrome
DevTools Protocol, then samples the JS heap in use, CDP's DOM ``Nodes`` (every node the
renderer holds, attached or detached), the elements in the document, the event listeners,
and the wall's own counters: panel switches, pulls answered, redraws, and the length of
dash-renderer's undo history. The e2e test runs it for about a minute; the ``wall_soak``
bench target (``python -m tests.bench wall_soak --duration 1800``) for as long as asked.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# The wall sped up: a panel a second, a pull every two seconds that redraws every panel.
SOAK_QUERY = "dwell=1&refresh=2&redraw=always&dim=0"
STATE_JS = """() => {
  const s = (window.iocWall || {}).state || {};
  const store = window.store && window.store.getState && window.store.getState();
  return {
    switches: s.switches || 0, answers: s.answers || 0, draws: s.draws || 0,
    failures: s.failures || 0, ok: s.ok,
    history: store && store.history ? store.history.past.length : -1,
    elements: document.getElementsByTagName('*').length,
  };
}"""


@dataclass(frozen=True)
class Sample:
    at: float  # seconds since the soak started
    heap: float  # JSHeapUsedSize after a forced GC, bytes
    nodes: float  # CDP Nodes: DOM nodes alive in the renderer
    elements: int  # elements in the document
    listeners: float  # CDP JSEventListeners
    switches: int
    answers: int
    draws: int
    history: int


def take(page: Any, cdp: Any, started: float) -> Sample:
    for _ in range(2):  # a second pass frees what the first one's finalisers released
        cdp.send("HeapProfiler.collectGarbage")
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    state = page.evaluate(STATE_JS)
    return Sample(
        at=time.monotonic() - started,
        heap=metrics["JSHeapUsedSize"],
        nodes=metrics["Nodes"],
        elements=state["elements"],
        listeners=metrics.get("JSEventListeners", 0),
        switches=state["switches"],
        answers=state["answers"],
        draws=state["draws"],
        history=state["history"],
    )


def soak(
    page: Any,
    seconds: float,
    every_s: float = 10.0,
    warmup_s: float = 10.0,
    log: Callable[[str], None] | None = None,
    warm_draws: int = 0,
) -> list[Sample]:
    """Samples of an open wall page over ``seconds``, after ``warmup_s`` of running and at
    least ``warm_draws`` redraws (dash-renderer's undo history fills up over the first ones,
    so a start before that counts the history's fill as growth on a slow machine)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")
    cdp.send("HeapProfiler.enable")
    page.wait_for_timeout(warmup_s * 1000)
    page.wait_for_function(
        "(n) => ((window.iocWall || {}).state || {}).draws >= n", arg=warm_draws, timeout=180_000
    )
    started = time.monotonic()
    samples = [take(page, cdp, started)]
    if log:
        log(line(samples[-1]))
    while samples[-1].at < seconds:
        page.wait_for_timeout(max(0.0, min(every_s, seconds - samples[-1].at)) * 1000)
        samples.append(take(page, cdp, started))
        if log:
            log(line(samples[-1]))
    cdp.detach()
    return samples


def line(s: Sample) -> str:
    return (
        f"  {s.at:7.0f} s  heap {s.heap / 1e6:7.2f} MB  nodes {s.nodes:6.0f}  "
        f"elements {s.elements:5d}  listeners {s.listeners:5.0f}  switches {s.switches:5d}  "
        f"pulls {s.answers:4d}  redraws {s.draws:4d}  undo history {s.history}"
    )


def slope(samples: list[Sample], field: str) -> float:
    """Least-squares growth of ``field`` per minute."""
    xs = [s.at / 60 for s in samples]
    ys = [float(getattr(s, field)) for s in samples]
    n = len(xs)
    if n < 2:
        return 0.0
    mx, my = sum(xs) / n, sum(ys) / n
    var = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / var if var else 0.0


def report(samples: list[Sample]) -> list[str]:
    first, last = samples[0], samples[-1]
    minutes = (last.at - first.at) / 60
    return [
        f"soak of {minutes:.1f} min: {last.switches - first.switches} panel switches, "
        f"{last.answers - first.answers} pulls answered, {last.draws - first.draws} redraws",
        f"JS heap (after GC): start {first.heap / 1e6:.2f} MB, end {last.heap / 1e6:.2f} MB, "
        f"slope {slope(samples, 'heap') / 1e3:+.1f} KB/min",
        f"DOM nodes: start {first.nodes:.0f}, end {last.nodes:.0f}, "
        f"slope {slope(samples, 'nodes'):+.2f}/min; elements {first.elements} -> "
        f"{last.elements}; listeners {first.listeners:.0f} -> {last.listeners:.0f}",
        f"dash-renderer undo history: {first.history} -> {last.history} entries",
    ]


# -- the long run of `make bench` / `python -m tests.bench wall_soak --duration S` -------------

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DISPLAY_TOKEN = "ioc_demo-display-soc-trang-94"  # made by `ioc demo`


@dataclass
class BenchRun:
    samples: list[Sample]
    server_rss: list[tuple[float, int]]  # (seconds since the soak started, bytes)
    console_errors: list[str]
    heap_start: dict[str, float]  # :func:`heap_breakdown` after the warm-up
    heap_end: dict[str, float]  # and at the end


PERF_ENTRIES = ("Timing", "LayoutShift", "DOMRect", "TextRecord")


def _category(kind: str, name: str) -> str:
    if kind == "code":
        return "compiled code"  # V8's bytecode and machine code: grows and is flushed by V8
    if kind in ("string", "concatenated string", "sliced string"):
        return "strings"
    if kind == "native":
        if any(p in name for p in PERF_ENTRIES):
            return "performance entries"  # the browser's buffers, capped per entry type
        if "NetworkResources" in name or "Inspector" in name:
            return "devtools records"  # kept for the CDP session of the measurement itself
        return "DOM and other native"
    return "JS objects"


def heap_breakdown(cdp: Any) -> dict[str, float]:
    """Self sizes in a full heap snapshot (taken after a GC), by category: JS objects,
    strings, compiled code, DOM and other native objects, performance entries, devtools."""
    import json

    chunks: list[str] = []

    def keep(params: dict[str, Any]) -> None:
        chunks.append(params["chunk"])

    cdp.on("HeapProfiler.addHeapSnapshotChunk", keep)
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.takeHeapSnapshot", {"reportProgress": False})
    cdp.remove_listener("HeapProfiler.addHeapSnapshotChunk", keep)
    data = json.loads("".join(chunks))
    meta = data["snapshot"]["meta"]
    fields = meta["node_fields"]
    kinds = meta["node_types"][0]
    kind_at, name_at, size_at = (fields.index(f) for f in ("type", "name", "self_size"))
    nodes, strings, width = data["nodes"], data["strings"], len(fields)
    sizes: dict[str, float] = {}
    for i in range(0, len(nodes), width):
        kind = kinds[nodes[i + kind_at]]
        name = strings[nodes[i + name_at]] if kind == "native" else ""
        category = _category(kind, name)
        sizes[category] = sizes.get(category, 0.0) + nodes[i + size_at]
    return sizes


def chromium() -> str:
    import os
    import shutil

    return os.environ.get("IOC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def run_bench(
    base_url: str,
    seconds: float,
    rss: Callable[[], int],
    log: Callable[[str], None],
    query: str = SOAK_QUERY,
) -> BenchRun:
    """Open the demo wall at 1920x1080 with the display token and soak it for ``seconds``,
    logging a sample line every ~1/30 of the run (at least every 10 s); ``rss()`` gives the
    server's resident memory at each sample."""
    from playwright.sync_api import sync_playwright

    every = max(10.0, seconds / 30)
    errors: list[str] = []
    server_rss: list[tuple[float, int]] = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium(), headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{base_url}/wall?token={DISPLAY_TOKEN}&{query}")
            page.wait_for_selector("#wall-kpi-NET_STUDENTS", state="attached", timeout=120_000)

            def logged(text: str) -> None:
                server_rss.append((float(text.split()[0]), rss()))
                log(f"{text}  server RSS {server_rss[-1][1] / 1e6:.0f} MB")

            cdp = page.context.new_cdp_session(page)
            page.wait_for_timeout(15_000)  # warm-up
            heap_start = heap_breakdown(cdp)
            samples = soak(page, seconds, every_s=every, warmup_s=0, log=logged)
            heap_end = heap_breakdown(cdp)
            cdp.detach()
        finally:
            browser.close()
    return BenchRun(samples, server_rss, errors, heap_start, heap_end)


def breakdown_lines(start: dict[str, float], end: dict[str, float]) -> list[str]:
    return [
        f"{name:<22} {start.get(name, 0) / 1e6:8.2f} MB -> {end.get(name, 0) / 1e6:8.2f} MB "
        f"({(end.get(name, 0) - start.get(name, 0)) / 1e3:+9.1f} KB)"
        for name in sorted(set(start) | set(end), key=lambda n: -end.get(n, 0))
    ]


def second_half(samples: list[Sample]) -> list[Sample]:
    """The samples of the run's second half: past the warm-up of V8's caches and JIT."""
    middle = samples[-1].at / 2
    return [s for s in samples if s.at >= middle] or samples
