/* Live board client: a read-only socket as a hint, the HTTP standings as the truth.
 *
 * - The standings are fetched over HTTP at once, and again on every (re)connect; while
 *   the socket is down they are polled slowly, so a board never depends on the socket.
 * - Each delta carries the generation it makes (gen) and the exact generation it was
 *   built on (base); a client applies it only on that base, else refetches.
 * - Reconnects follow the server's hint (the Live-Reconnect header of the standings):
 *   a uniform wait up to "spread" ms, then tries every "retry" ms with jitter while
 *   the server restarts, then exponential backoff with full jitter for a long outage.
 * No build step, no framework: one file, plain DOM.
 */
(function () {
  "use strict";

  var root = document.getElementById("live-root");
  if (!root) return;
  var mode = root.dataset.mode;            // board | phone | overview | monitor
  var wsPath = root.dataset.ws;
  var dataUrl = root.dataset.url;
  var T = JSON.parse(document.getElementById("live-strings").textContent);

  var BACKOFF_BASE_MS = 500, BACKOFF_CAP_MS = 30000, REFRESH_JITTER_MS = 2000;
  // While the socket is down the board still follows the database, slowly, over HTTP.
  var POLL_MS = 15000;
  var pollTimer = null;
  var state = { version: null, gen: null, policy: null, rows: new Map(), hidden: 0, preview: false };
  // How to come back if the server goes away; the server updates it with every refetch.
  var hint = { spread: 2000, retry: 1000 }, QUICK_TRIES = 8, RECONNECT_CAP_MS = 10000;
  var attempt = 0, socket = null, fetching = null, queued = [];

  // ---- connection -------------------------------------------------------
  function backoffDelay(n) {
    // "Full jitter": uniform in [0, min(cap, base·2^n)].
    return Math.random() * Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * Math.pow(2, n));
  }

  function reconnectDelay(n) {
    // Spread the first try over the server's window, retry about every hint.retry while it
    // restarts, then back off: a restart brings screens back in seconds, an outage costs little.
    if (n === 0) return Math.random() * hint.spread;
    if (n <= QUICK_TRIES) return hint.retry * (0.5 + Math.random());
    // A refused connection costs the server nothing: keep trying at most every RECONNECT_CAP_MS.
    return Math.min(RECONNECT_CAP_MS, backoffDelay(n - QUICK_TRIES));
  }

  function readHint(response) {
    var header = response.headers.get("Live-Reconnect") || "";
    header.split(",").forEach(function (part) {
      var kv = part.split("=");
      var value = parseInt(kv[1], 10);
      if (value > 0 && (kv[0].trim() === "spread" || kv[0].trim() === "retry")) hint[kv[0].trim()] = value;
    });
  }

  function setConnected(ok) {
    root.classList.toggle("is-offline", !ok);
    var banner = document.getElementById("live-status");
    if (banner) banner.hidden = ok;
  }

  function poll() {
    pollTimer = setTimeout(function () { refetch(); poll(); }, POLL_MS * (0.75 + Math.random() / 2));
  }

  // Boards ask the socket for the current board on connect (?board=1): a reconnecting screen
  // then needs no HTTP refetch; if none comes (or this is a chief's preview), it refetches.
  var SOCKET_BOARD = mode === "board" || mode === "phone", SOCKET_BOARD_WAIT_MS = 3000, boardWait = null;

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + wsPath + (SOCKET_BOARD ? "?board=1" : ""));
    socket.onopen = function () {
      attempt = 0;
      setConnected(true);
      if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
      if (SOCKET_BOARD && !state.preview) boardWait = setTimeout(refetch, SOCKET_BOARD_WAIT_MS);
      else refetch();
    };
    socket.onmessage = function (ev) { onMessage(JSON.parse(ev.data)); };
    socket.onclose = function () {
      setConnected(false);
      if (pollTimer === null) poll();
      setTimeout(connect, reconnectDelay(attempt++));
    };
  }

  function refetch() {
    if (fetching) return fetching;
    fetching = fetch(dataUrl, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) throw new Error(r.status); readHint(r); return r.json(); })
      .then(function (data) {
        fetching = null;
        applyFull(data);
        var pending = queued; queued = [];
        pending.forEach(onMessage);
      })
      .catch(function () {
        fetching = null;
        setTimeout(refetch, backoffDelay(attempt++));
      });
    return fetching;
  }

  function onMessage(msg) {
    if (msg.type === "standings.full" && boardWait !== null) { clearTimeout(boardWait); boardWait = null; }
    // A chief's preview shows the live rows over HTTP; the socket carries the public board.
    if (msg.type === "standings.full" && state.preview && !msg.preview) return refetch();
    if (fetching && msg.type !== "standings.full" && msg.type !== "overview.full") { queued.push(msg); return; }
    switch (msg.type) {
      case "standings.full": case "overview.full": case "monitor.full": applyFull(msg); break;
      case "standings.delta": applyDelta(msg); break;
      case "standings.refresh": setTimeout(refetch, Math.random() * REFRESH_JITTER_MS); break;
      case "overview.event": applyOverviewEvent(msg); break;
      case "monitor.changed": refetch(); break;
      default: break;
    }
  }

  // ---- state ------------------------------------------------------------
  function applyFull(data) {
    if (mode === "overview") { state.events = new Map(); data.events.forEach(function (e) { state.events.set(e.event, e); }); return render(); }
    if (mode === "monitor") { state.monitor = data; state.version = data.version; return render(); }
    // A whole board older than the one shown (a late frame) must not take the screen back.
    if (data.gen != null && state.gen !== null && data.gen < state.gen) return;
    state.version = data.version;
    state.gen = data.gen == null ? null : data.gen;
    state.policy = data.policy;
    state.hidden = data.hidden || 0;
    state.sealed = !!data.sealed;
    state.preview = !!data.preview;
    state.reveal = data.reveal || null;      // the ceremony's tier and steps left (reveal policy only)
    state.rows = new Map();
    data.rows.forEach(function (row) { state.rows.set(row.key, row); });
    render();
  }

  function applyDelta(msg) {
    if (state.gen === null || msg.policy !== state.policy) return refetch();
    if (msg.gen <= state.gen) return;                       // old news
    if (msg.base !== state.gen) return refetch();            // built on another board: the DB is the truth
    msg.rows.forEach(function (row) { state.rows.set(row.key, row); });
    (msg.removed || []).forEach(function (key) { state.rows.delete(key); });
    state.version = msg.version;
    state.gen = msg.gen;
    state.hidden = msg.hidden || 0;
    render();
  }

  function applyOverviewEvent(msg) {
    if (!state.events) return refetch();
    state.events.set(msg.event, msg);
    render();
  }

  // ---- rendering --------------------------------------------------------
  var tv = root.dataset.tv === "1";
  var reduceMotion = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : { matches: false };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function awardLabel(award) { return award ? (T.awards[award - 1] || "") : ""; }

  // A ceremony step's heading: the award's name, or the places without award (tier 0).
  function tierLabel(tier) { return tier ? awardLabel(tier) : T.otherPlaces; }

  // Rows may come without a total or rank (a blind board that hides them): "—", never "undefined".
  function rowNode(row) {
    var tr = el("tr", "row");
    // Rows are keyed by an opaque per-event key, never an entry id (blind marking).
    tr.dataset.key = row.key;
    if (row.award) tr.classList.add("award-" + Math.min(row.award, 3));
    if (row.pending) tr.classList.add("is-pending");
    tr.appendChild(el("td", "rank", row.rank == null ? "—" : row.rank));
    // A blind event shows the entry code until it is decoded; then the name and unit beside it.
    var who = el("td", "who");
    if (row.code) who.appendChild(el("span", "code", row.code));
    if (row.name) who.appendChild(el("span", "name", row.name));
    if (row.organisation) who.appendChild(el("span", "org", row.organisation));
    tr.appendChild(who);
    var total = row.total == null ? "—" : row.total;
    // A sealed row (a blind event before decoding) has no score: it says whether its marks are all in.
    if (row.total === undefined) total = row.complete ? T.sealedDone : T.sealedMarking;
    if (row.status && row.status !== "ok") total = T.status[row.status] || row.status;
    var td = el("td", "total", total);
    if (row.complete === false && row.total != null) td.appendChild(el("span", "provisional", T.provisional));
    if (row.pending) td.appendChild(el("span", "pending", T.pending));
    tr.appendChild(td);
    tr.appendChild(el("td", "award", awardLabel(row.award)));
    return tr;
  }

  function sortedRows() {
    return Array.from(state.rows.values()).sort(function (a, b) { return a.pos - b.pos; });
  }

  // ---- highlight: every changed score shows for CHANGED_MS, moved rows an arrow as well ---
  var CHANGED_MS = 4000;
  var seen = null, seenPolicy = null;       // row key → { text a spectator reads in it, place }, as last rendered
  var changedAt = new Map(), moved = new Map();   // row key → { at } and { dir, at }
  var notedAt = 0;                                 // when the last render noted its changes

  function readout(row) {
    return [row.total, row.rank, row.award, row.status, row.pending, row.complete].join("|");
  }

  // Compare with the rows last rendered: a new or changed row is marked, a row whose place
  // changed gets its direction (not on the first board, nor across a policy change, when every
  // row is new to the screen; nor in a ceremony, where each step moves every row below it).
  function noteChanges(rows) {
    var now = notedAt = performance.now();
    if (seen !== null && seenPolicy === state.policy) {
      rows.forEach(function (row) {
        var was = seen.get(row.key);
        if (!was || was.text !== readout(row)) changedAt.set(row.key, { at: now });
        if (was && was.pos !== row.pos && state.policy !== "reveal") {
          moved.set(row.key, { dir: row.pos < was.pos ? "moved-up" : "moved-down", at: now });
        }
      });
    }
    seen = new Map();
    rows.forEach(function (row) { seen.set(row.key, { text: readout(row), pos: row.pos }); });
    seenPolicy = state.policy;
    [changedAt, moved].forEach(function (marks) {
      marks.forEach(function (mark, key) { if (now - mark.at >= CHANGED_MS) marks.delete(key); });
    });
  }

  // A re-render within the 4 s continues the pulse where it was (negative delay), never restarts it.
  function showMarks(tr) {
    var now = performance.now(), change = changedAt.get(tr.dataset.key), move = moved.get(tr.dataset.key);
    if (change !== undefined) {
      tr.classList.add("is-changed");
      tr.style.animationDelay = -(now - change.at) + "ms";
      setTimeout(function () { tr.classList.remove("is-changed"); }, CHANGED_MS - (now - change.at));
    }
    if (move !== undefined) {
      tr.classList.add(move.dir);
      setTimeout(function () { tr.classList.remove(move.dir); }, CHANGED_MS - (now - move.at));
    }
  }

  // ---- the board -----------------------------------------------------------
  function renderBoard() {
    var body = document.getElementById("live-rows");
    var rows = sortedRows();
    noteChanges(rows);
    renderUnitFilter(rows);
    // FLIP: remember where each shown row was, re-render, then animate from there.
    var before = new Map();
    Array.prototype.forEach.call(body.querySelectorAll("tr.row"), function (tr) {
      var box = tr.getBoundingClientRect();
      if (box.height) before.set(tr.dataset.key, box.top);
    });
    var frag = document.createDocumentFragment(), tier;
    rows.filter(unitShown).forEach(function (row) {
      if (state.policy === "reveal" && (row.award || 0) !== tier) {
        tier = row.award || 0;
        var head = el("tr", "tier-head");
        head.appendChild(el("th", null, tierLabel(tier))).colSpan = 4;
        frag.appendChild(head);
      }
      frag.appendChild(rowNode(row));
    });
    body.replaceChildren(frag);
    layoutPages();
    Array.prototype.forEach.call(body.querySelectorAll("tr.row"), function (tr) {
      // Only rows whose place changed just now slide (a filter or a page turn moves nothing).
      var old = before.get(tr.dataset.key), box = tr.getBoundingClientRect(), move = moved.get(tr.dataset.key);
      if (old !== undefined && box.height && move && move.at === notedAt && !reduceMotion.matches) {
        tr.animate([{ transform: "translateY(" + (old - box.top) + "px)" }, { transform: "none" }], { duration: 700, easing: "ease-out" });
      }
      showMarks(tr);
    });
    renderPolicyNote();
    root.dataset.sealed = state.sealed ? "1" : "";
    root.dataset.policy = state.policy || "";
    root.dataset.version = state.version === null ? "" : state.version;
    root.dataset.revealLeft = state.reveal ? state.reveal.left : "";
    document.getElementById("live-empty").hidden = state.rows.size > 0;
  }

  function renderPolicyNote() {
    var note = document.getElementById("live-policy");
    note.textContent = T.policy[state.policy] || "";
    if (state.policy === "reveal" && state.reveal) {
      if (state.reveal.tier !== null) note.textContent = state.reveal.left ? T.revealing.replace("%s", tierLabel(state.reveal.tier)) : T.revealDone;
      if (state.hidden) note.textContent += " · " + T.toReveal.replace("%s", state.hidden);
    } else if (state.policy === "reveal" && state.hidden) {
      note.textContent += " · " + T.toReveal.replace("%s", state.hidden);
    }
    if (state.sealed) note.textContent = T.sealed;
    if (state.preview) note.textContent = T.preview;
  }

  // ---- TV paging: as many rows as the screen holds, pages turning every PAGE_MS ------------
  var PAGE_MS = 10000, page = 0, pages = 1;

  // During the ceremony the newest name is at the top: the screen stays on page 1 (once the
  // places without award are out, those may page through like a live board).
  function pinnedToTop() { return state.policy === "reveal" && !!state.reveal && !!state.reveal.tier; }

  function layoutPages() {
    var indicator = document.getElementById("live-page");
    if (!tv || !indicator) return;
    var body = document.getElementById("live-rows");
    var items = Array.prototype.slice.call(body.children);
    items.forEach(function (tr) { tr.hidden = false; });
    indicator.hidden = true;
    if (!items.length) { pages = 1; page = 0; return; }
    var rowHeight = items[items.length - 1].getBoundingClientRect().height;
    var room = window.innerHeight - body.getBoundingClientRect().top - indicator.offsetHeight - 24;
    var perPage = Math.max(1, Math.floor(room / rowHeight));
    var pageOf = [], p = 0, n = 0;
    items.forEach(function (tr, i) {
      // A tier heading never ends a page: it goes over with its first row.
      var lastSlot = n === perPage - 1 && tr.classList.contains("tier-head") && i < items.length - 1;
      if (n === perPage || (lastSlot && n > 0)) { p++; n = 0; }
      pageOf.push(p);
      n++;
    });
    pages = p + 1;
    if (pinnedToTop() || page >= pages) page = 0;
    items.forEach(function (tr, i) { tr.hidden = pageOf[i] !== page; });
    indicator.hidden = pages < 2;
    indicator.textContent = T.page.replace("%(page)s", page + 1).replace("%(pages)s", pages);
  }

  function turnPage() {
    if (pages > 1 && !pinnedToTop()) { page = (page + 1) % pages; layoutPages(); }
  }

  // ---- unit filter (phone): over the rows the screen has, kept across live updates ----------
  var unitFilter = document.getElementById("live-unit-filter"), chosenUnit = "";

  function unitShown(row) { return !chosenUnit || row.organisation === chosenUnit; }

  function renderUnitFilter(rows) {
    if (!unitFilter) return;
    var units = Array.from(new Set(rows.map(function (row) { return row.organisation; }).filter(Boolean)));
    if (chosenUnit && units.indexOf(chosenUnit) < 0) units.push(chosenUnit);
    units.sort(function (a, b) { return a.localeCompare(b, "zh"); });
    var current = Array.prototype.slice.call(unitFilter.options, 1).map(function (o) { return o.value; });
    if (current.join("\n") !== units.join("\n")) {
      var all = unitFilter.options[0];
      unitFilter.replaceChildren(all);
      units.forEach(function (unit) { var o = el("option", null, unit); o.value = unit; unitFilter.appendChild(o); });
      unitFilter.value = chosenUnit;
    }
    unitFilter.closest(".unit-filter").hidden = units.length === 0;
  }

  if (unitFilter) {
    unitFilter.addEventListener("change", function () { chosenUnit = unitFilter.value; renderBoard(); });
  }

  function renderOverview() {
    var list = document.getElementById("live-events");
    list.replaceChildren();
    state.events.forEach(function (ev) {
      var card = el("section", "event-card");
      var heading = el("h2");
      // The event's own board; the URL comes from the page (reversed for event 0).
      var link = el("a", null, ev.title);
      link.href = root.dataset.boardUrl.replace(/\/0\/$/, "/" + ev.event + "/");
      heading.appendChild(link);
      card.appendChild(heading);
      card.appendChild(el("p", "policy", ev.sealed ? T.sealed : (T.policy[ev.policy] || "")));
      var table = el("table", "leaders");
      var tb = el("tbody");
      ev.rows.forEach(function (row) { tb.appendChild(rowNode(row)); });
      table.appendChild(tb);
      card.appendChild(table);
      list.appendChild(card);
    });
  }

  // A mark as judges write it: "17.750" from the database reads 17.75, "16.000" reads 16.
  function plain(decimal) { return String(Number(decimal)); }

  function renderMonitor() {
    var data = state.monitor, p = data.progress || {};
    root.dataset.version = data.version;
    document.getElementById("monitor-summary").textContent =
      T.missingOf.replace("%(missing)s", p.missing).replace("%(expected)s", p.expected);
    var judges = document.getElementById("monitor-judges");
    judges.replaceChildren();
    (p.by_judge || []).forEach(function (j) {
      var li = el("li", j.missing ? "missing" : "done", (j.name || j.username) + " · " + T.missing.replace("%s", j.missing));
      judges.appendChild(li);
    });
    var entries = document.getElementById("monitor-entries");
    entries.replaceChildren();
    (p.by_entry || []).forEach(function (e) {
      if (!e.missing) return;
      entries.appendChild(el("li", "missing", e.code + (e.station ? " / " + e.station : "") + " · " + T.missing.replace("%s", e.missing)));
    });
    var alerts = document.getElementById("monitor-alerts");
    alerts.replaceChildren();
    (data.alerts || []).forEach(function (a) {
      alerts.appendChild(el("li", "alert", T.alert.replace("%(code)s", a.code)
        .replace("%(criterion)s", a.criterion_title || a.criterion).replace("%(username)s", a.name || a.username)
        .replace("%(value)s", plain(a.value)).replace("%(median)s", plain(a.panel_median))));
    });
    document.getElementById("monitor-alerts-empty").hidden = (data.alerts || []).length > 0;
    var body = document.getElementById("live-rows");
    body.replaceChildren();
    data.rows.forEach(function (row) { body.appendChild(rowNode(row)); });
  }

  function render() {
    if (mode === "overview") return renderOverview();
    if (mode === "monitor") return renderMonitor();
    renderBoard();
  }

  if (tv) {
    setInterval(turnPage, PAGE_MS);
    window.addEventListener("resize", function () { if (state.rows.size) layoutPages(); });
  }
  window.liveBoard = { state: state, refetch: refetch, backoffDelay: backoffDelay, reconnectDelay: reconnectDelay, hint: hint };
  // The standings come over HTTP first: a board shows them even if its socket never opens.
  refetch();
  connect();
})();
