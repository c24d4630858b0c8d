/* IOC-EDU wall screen (pages/wall.py): clock, panel rotation, data pulls with backoff,
 * stale-data banner and burn-in care, all driven by ONE timer for the life of the page.
 *
 * Dash draws the wall once. This script only
 *  - asks the server for fresh data by setting the `wall-pull` store (dash_clientside.set_props),
 *  - hears each answer through a no-output clientside callback (dash_clientside.iocWall.status),
 *  - changes classes, styles and text of elements Dash renders once and never updates
 *    (clock, banner, panel classes, the shift wrapper),
 * so the page keeps the same number of DOM nodes however long it runs. Inert on other pages.
 */
(function () {
  "use strict";

  var TICK_MS = 250;
  var HISTORY_KEEP = 10;
  var PROBE_AFTER_MS = 3000;
  var ORBIT = [[0, 0], [1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]];
  var WEEKDAY = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

  var s = {
    timer: null, waited: 0, wall: null, cfg: null, panels: [], dots: [], texts: {}, fmt: null,
    n: 0, answers: 0, draws: 0, inFlight: false, probed: false, sentAt: 0, failures: 0, nextPullAt: 0,
    startedAt: 0, lastOk: null, ok: null, error: "",
    panel: 0, switchedAt: 0, switches: 0, shiftAt: 0, shiftStep: 0, dim: -1
  };

  function now() { return Date.now(); }

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (_, k) { return values[k]; });
  }

  function setText(id, text) {
    if (s.texts[id] === text) { return; }
    var el = document.getElementById(id);
    if (!el) { return; }
    el.textContent = text;
    s.texts[id] = text;
  }

  // -- attach to the wall Dash drew (again, if it ever redraws it) ------------------------
  function attach() {
    var wall = document.getElementById("wall");
    if (!wall || !wall.dataset.config) { return false; }
    if (wall === s.wall) { return true; }
    s.wall = wall;
    s.cfg = JSON.parse(wall.dataset.config);
    s.panels = Array.prototype.slice.call(wall.querySelectorAll(".wall-panel"));
    s.dots = Array.prototype.slice.call(wall.querySelectorAll(".wall-dot"));
    s.texts = {};
    s.fmt = new Intl.DateTimeFormat("en-GB", {
      timeZone: s.cfg.tz, hourCycle: "h23", hour: "2-digit", minute: "2-digit",
      day: "2-digit", month: "2-digit", year: "numeric", weekday: "short"
    });
    var t = now();
    s.startedAt = t; s.switchedAt = t; s.shiftAt = t; s.panel = 0; s.dim = -1;
    s.inFlight = false; s.failures = 0; s.nextPullAt = t;  // first pull at once
    wall.dataset.panel = "0";
    return true;
  }

  function start() {
    if (s.timer === null) {
      s.waited = 0;
      s.timer = window.setInterval(tick, TICK_MS);
      tick();
    }
  }

  function stop() {
    window.clearInterval(s.timer);
    s.timer = null; s.wall = null;
  }

  function tick() {
    if (!attach()) {
      // not drawn yet: wait a little; gone (navigated away): stop until a new wall starts
      s.waited += 1;
      if (s.wall !== null || s.waited > 40) { stop(); }
      return;
    }
    var t = now();
    var parts = clock(t);
    rotate(t);
    pull(t);
    banner(t);
    shift(t);
    dim(parts);
  }

  // -- clock: HH:MM and weekday dd/mm/yyyy in the screen's time zone ------------------------
  function clock(t) {
    var p = {};
    s.fmt.formatToParts(new Date(t)).forEach(function (x) { p[x.type] = x.value; });
    setText("wall-clock", p.hour + ":" + p.minute);
    setText("wall-date", s.cfg.text.weekdays[WEEKDAY[p.weekday]] + " " +
      p.day + "/" + p.month + "/" + p.year);
    return p;
  }

  // -- rotation ---------------------------------------------------------------------------
  function show(i) {
    s.panels.forEach(function (el, k) { el.classList.toggle("active", k === i); });
    s.dots.forEach(function (el, k) { el.classList.toggle("active", k === i); });
    setText("wall-panel-title", s.cfg.titles[i] || "");
    s.panel = i;
    s.switches += 1;
    s.wall.dataset.panel = String(i);
    s.wall.dataset.switches = String(s.switches);
  }

  // a panel with nothing to show (the exam panel before any exam is loaded) has a body
  // marked .wall-skip: the rotation passes it by
  function next(from) {
    for (var k = 1; k <= s.panels.length; k++) {
      var i = (from + k) % s.panels.length;
      if (!s.panels[i].querySelector(".wall-skip")) { return i; }
    }
    return from;
  }

  function rotate(t) {
    if (s.panels.length < 2) { return; }
    var skipped = s.panels[s.panel].querySelector(".wall-skip");
    if (skipped || t - s.switchedAt >= (s.cfg.dwell[s.panel] || 20000)) {
      var i = next(s.panel);
      s.switchedAt = t;
      if (i !== s.panel) { show(i); }
    }
  }

  // -- pulls, answers and backoff ---------------------------------------------------------
  function trimHistory() {
    // dash-renderer keeps every input change in an undo history that nothing on a wall
    // reads and that would otherwise grow with each pull: keep only the last few.
    var state = window.store && window.store.getState && window.store.getState();
    var past = state && state.history && state.history.past;
    if (Array.isArray(past) && past.length > HISTORY_KEEP) {
      past.splice(0, past.length - HISTORY_KEEP);
    }
  }

  function failed(t, message) {
    s.failures += 1;
    s.ok = false;
    s.error = message || s.cfg.text.unreachable;
    var delay = Math.min(s.cfg.retry_max, s.cfg.retry * Math.pow(2, s.failures - 1));
    s.nextPullAt = t + delay * (0.9 + 0.2 * Math.random());  // jitter: walls do not retry in step
  }

  function probe(seq) {
    // A pull unanswered for a few seconds: is the server there at all? A refused
    // connection counts as a failure at once rather than at the timeout.
    window.fetch("/api/v1/health", { cache: "no-store" }).then(null, function () {
      if (s.inFlight && s.n === seq) {
        s.inFlight = false;
        failed(now(), s.cfg.text.unreachable);
      }
    });
  }

  function pull(t) {
    if (s.inFlight) {
      if (!s.probed && t - s.sentAt > PROBE_AFTER_MS) {
        s.probed = true;
        probe(s.n);
      }
      if (t - s.sentAt < s.cfg.timeout) { return; }
      s.inFlight = false;  // no answer in time: the server cannot be reached
      failed(t, s.cfg.text.unreachable);
    }
    if (t < s.nextPullAt || !window.dash_clientside || !window.dash_clientside.set_props) {
      return;
    }
    trimHistory();
    s.n += 1;
    s.inFlight = true;
    s.probed = false;
    s.sentAt = t;
    window.dash_clientside.set_props("wall-pull", {
      data: { n: s.n, w: window.innerWidth, h: window.innerHeight }
    });
  }

  function status(data) {
    start();
    var none = window.dash_clientside.no_update;
    if (!data || !data.seq || data.seq !== s.n || !s.cfg) { return none; }  // first, or superseded
    var t = now();
    s.inFlight = false;
    s.answers += 1;
    if (data.drawn) { s.draws += 1; }
    if (data.ok) {
      s.ok = true; s.failures = 0; s.error = ""; s.lastOk = t;
      s.nextPullAt = t + s.cfg.refresh;
    } else {
      failed(t, data.error);
    }
    s.wall.dataset.ok = String(!!data.ok);
    banner(t);
    return none;
  }

  // -- stale-data banner ------------------------------------------------------------------
  function age(ms) {
    var text = s.cfg.text, sec = Math.max(0, Math.floor(ms / 1000));
    if (sec < 60) { return fill(text.seconds, { n: sec }); }
    if (sec < 3600) { return fill(text.minutes, { n: Math.floor(sec / 60) }); }
    if (sec < 172800) { return fill(text.hours, { n: Math.floor(sec / 3600) }); }
    return fill(text.days, { n: Math.floor(sec / 86400) });
  }

  function banner(t) {
    var since = s.lastOk === null ? s.startedAt : s.lastOk;
    var stale = s.ok === false || t - since > s.cfg.stale;
    var el = document.getElementById("wall-stale");
    if (!el) { return; }
    if (el.classList.contains("show") !== stale) {
      el.classList.toggle("show", stale);
      s.wall.dataset.stale = String(stale);
    }
    if (!stale) { return; }
    var text = s.lastOk === null ? s.cfg.text.never : fill(s.cfg.text.stale, { age: age(t - s.lastOk) });
    if (s.error) { text += " · " + s.error; }
    if (!s.inFlight && s.nextPullAt > t) {
      text += " · " + fill(s.cfg.text.retry, { seconds: Math.ceil((s.nextPullAt - t) / 1000) });
    }
    setText("wall-stale-text", text);
  }

  // -- burn-in care: a slow orbit of a few pixels, and dimming at night ---------------------
  function shift(t) {
    if (!s.cfg.shift_px || t - s.shiftAt < s.cfg.shift_every) { return; }
    s.shiftAt = t;
    s.shiftStep = (s.shiftStep + 1) % ORBIT.length;
    var px = s.cfg.shift_px * window.innerHeight / 1080;
    var el = document.getElementById("wall-shift");
    if (el) {
      el.style.transform = "translate(" + (ORBIT[s.shiftStep][0] * px).toFixed(1) + "px," +
        (ORBIT[s.shiftStep][1] * px).toFixed(1) + "px)";
    }
  }

  function dim(p) {
    var d = s.cfg.dim, hhmm = p.hour + ":" + p.minute;
    var night = d.level > 0 && (d.from <= d.to ? hhmm >= d.from && hhmm < d.to
      : hhmm >= d.from || hhmm < d.to);
    var level = night ? d.level : 0;
    if (level === s.dim) { return; }
    s.dim = level;
    var el = document.getElementById("wall-dim");
    if (el) { el.style.opacity = String(level); }
  }

  window.dash_clientside = window.dash_clientside || {};
  window.dash_clientside.iocWall = { status: status };
  // for diagnosis in the browser's console (and the tests): the state, and a panel on demand
  window.iocWall = {
    state: s,
    show: function (i) { if (attach()) { s.switchedAt = now(); show(i); } }
  };
})();
