/* Judge tablet: offline-first mark entry over the scoring API.
 *
 * Every mark goes into a queue in localStorage, with its idempotency key, BEFORE it is
 * sent. The queue is replayed in order whenever the network is there (on load, on the
 * "online" event, every few seconds); the server treats a replayed key as the same
 * request, so nothing is counted twice. Every request has a timeout (an AbortController),
 * so a request the venue Wi-Fi swallowed never stalls the queue: it is sent again, with the
 * same key. What happened to each mark (sent, or refused and why, beside the server's
 * value) is kept in a log the judge opens from the sync bar.
 *
 * The whole event works offline after one online visit: opening the home page or a sheet
 * fetches the event's offline bundle (every sheet the judge may mark: codes, criteria,
 * values, versions, states) into IndexedDB, and asks the service worker to cache every
 * sheet page. A sheet then takes the newest of what the page, the bundle and this tablet
 * know (marks by version, the sheet's state by the server's clock).
 *
 * The judge's socket (/ws/judge/events/<id>/) pushes locks, unlocks, corrections and
 * scheme changes; the tablet shows them at once. The socket is a hint: on reconnect the
 * bundle is fetched again.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "tablet-queue-v1";
  // v2: cells are keyed by entry code (blind marking), no longer by entry id; v1 values are ignored.
  var MARKS_KEY = "tablet-marks-v2";
  var LOG_KEY = "tablet-log-v1";
  var LOG_MAX = 300;
  var RETRY_MS = 5000;
  var timeoutMs = 8000;
  var PREFETCH_EVERY_MS = 120000;

  // ---------------------------------------------------------------- storage

  function load(key, fallback) {
    try {
      var raw = localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }
  function store(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }
  // The queue of everyone who used this tablet; each judge only ever sees and sends their own marks.
  function allItems() { return load(QUEUE_KEY, []); }
  function currentUser() {
    var root = document.getElementById("tablet");
    return root ? root.dataset.user : "";
  }
  function globalString(name) {
    var strings = document.getElementById("tablet-strings");
    return strings ? strings.dataset[name] || "" : "";
  }
  function queue() {
    var me = currentUser();
    return allItems().filter(function (i) { return i.user === me; });
  }
  function saveQueue(items) { // ``items``: the current judge's queue
    var me = currentUser();
    store(QUEUE_KEY, allItems().filter(function (i) { return i.user !== me; }).concat(items));
    renderBadge();
  }
  // Entries are known by code, which is unique only within an event: a cell names its event too.
  function cellId(event, entry, criterion, attempt) { return event + "/" + entry + ":" + criterion + ":" + attempt; }
  function known() { return load(MARKS_KEY + ":" + currentUser(), {}); }
  function remember(mark, event) {
    var marks = known();
    var id = cellId(event, mark.entry, mark.criterion, mark.attempt);
    if (!marks[id] || marks[id].version <= mark.version) {
      marks[id] = { value: mark.value, penalty: mark.penalty, status: mark.status, version: mark.version };
      store(MARKS_KEY + ":" + currentUser(), marks);
    }
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes); // works on plain-HTTP venue networks, unlike randomUUID
    return "tab-" + Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  // Every request gives up after ``timeoutMs``: the caller sees a rejected promise and retries later.
  function request(url, options) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, timeoutMs);
    return fetch(url, Object.assign({ credentials: "same-origin", signal: controller.signal }, options))
      .then(function (response) { clearTimeout(timer); return response; },
        function (problem) { clearTimeout(timer); throw problem; });
  }

  function api(method, url, body, extraHeaders) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" };
    Object.keys(extraHeaders || {}).forEach(function (k) { headers[k] = extraHeaders[k]; });
    return request(url, { method: method, headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  // ---------------------------------------------------------------- the log: what was sent, what was refused and why

  function logKey() { return LOG_KEY + ":" + currentUser(); }
  function outcomes() { return load(logKey(), []); }
  function logOutcome(item, outcome, reason, server) {
    var log = outcomes();
    log.push({ key: item.key, event: item.event, entry: item.entry, criterion: item.criterion, title: item.title, attempt: item.attempt,
      value: item.value, penalty: item.penalty, status: item.status, outcome: outcome, reason: reason || "",
      server: server || null, at: Date.now() });
    store(logKey(), log.slice(-LOG_MAX));
    renderBadge();
  }
  function refusedFor(event, entry, criterion, attempt) {
    var log = outcomes();
    for (var i = log.length - 1; i >= 0; i--) {
      var o = log[i];
      if (o.event === event && o.entry === entry && o.criterion === criterion && o.attempt === attempt) {
        return o.outcome === "refused" ? o : null;
      }
    }
    return null;
  }

  // ---------------------------------------------------------------- IndexedDB: each event's offline bundle

  var dbPromise = null;
  function db() {
    if (!dbPromise) {
      dbPromise = new Promise(function (resolve, reject) {
        if (!window.indexedDB) { reject(new Error("no indexedDB")); return; }
        var open = indexedDB.open("judge-tablet", 1);
        open.onupgradeneeded = function () { open.result.createObjectStore("bundles", { keyPath: "id" }); };
        open.onsuccess = function () { resolve(open.result); };
        open.onerror = function () { reject(open.error); };
      });
    }
    return dbPromise;
  }
  function bundleId(event) { return currentUser() + ":" + event; }
  function getBundle(event) {
    return db().then(function (d) {
      return new Promise(function (resolve) {
        var req = d.transaction("bundles").objectStore("bundles").get(bundleId(event));
        req.onsuccess = function () { resolve(req.result || null); };
        req.onerror = function () { resolve(null); };
      });
    }).catch(function () { return null; });
  }
  function putBundle(bundle) {
    bundle.id = bundleId(bundle.event);
    return db().then(function (d) {
      return new Promise(function (resolve) {
        var tx = d.transaction("bundles", "readwrite");
        tx.objectStore("bundles").put(bundle);
        tx.oncomplete = function () { resolve(bundle); };
        tx.onerror = function () { resolve(bundle); };
      });
    }).catch(function () { return bundle; });
  }
  // A pushed frame changes one sheet of the stored bundle (state and/or marks), stamped with the server's clock.
  function patchBundle(event, entry, patch) {
    return getBundle(event).then(function (bundle) {
      if (!bundle) return null;
      bundle.sheets.forEach(function (sheet) {
        if (sheet.entry !== entry) return;
        if (patch.state) { sheet.state = patch.state; sheet.reason = patch.reason || ""; sheet.at = patch.at; }
        Object.keys(patch.marks || {}).forEach(function (k) {
          var m = patch.marks[k];
          if (!sheet.marks[k] || sheet.marks[k].version <= m.version) sheet.marks[k] = m;
        });
      });
      return putBundle(bundle);
    });
  }

  // Fetch the event's bundle (the truth, as of now), keep it, and remember its marks.
  function refreshBundle(event) {
    return request("/judge/events/" + event + "/offline.json", { headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (!response.ok || response.redirected) throw new Error("bundle " + response.status);
        return response.json();
      })
      .then(function (bundle) {
        bundle.sheets.forEach(function (sheet) {
          sheet.at = bundle.at;
          Object.keys(sheet.marks).forEach(function (k) {
            var parts = k.split(":");
            remember({ entry: sheet.entry, criterion: parts[0], attempt: Number(parts[1]), value: sheet.marks[k].value,
              penalty: sheet.marks[k].penalty, status: sheet.marks[k].status, version: sheet.marks[k].version }, event);
          });
        });
        return putBundle(bundle);
      });
  }

  // Opening an event: its bundle into IndexedDB, and every sheet page into the service worker's cache.
  function prefetchEvent(event, force) {
    var stampKey = "tablet-prefetched:" + currentUser() + ":" + event;
    var last = Number(localStorage.getItem(stampKey) || 0);
    // Offline: what an earlier visit stored (all pages, if the stamp says so).
    var stored = function (b) { showOffline(event, b, last && b ? b.sheets.length : null); };
    if (!navigator.onLine) return getBundle(event).then(stored);
    return refreshBundle(event).then(function (bundle) {
      if (!force && Date.now() - last < PREFETCH_EVERY_MS) { showOffline(event, bundle, bundle.sheets.length); return bundle; }
      var urls = [bundle.home].concat(bundle.sheets.map(function (s) { return s.url; }));
      return cachePages(urls).then(function (cached) {
        if (cached === urls.length) localStorage.setItem(stampKey, String(Date.now()));
        showOffline(event, bundle, cached - 1);
        return bundle;
      });
    }).catch(function () { return getBundle(event).then(stored); });
  }

  // The service worker fetches and caches the pages; it answers with how many it cached.
  function cachePages(urls) {
    if (!("serviceWorker" in navigator)) return Promise.resolve(0);
    return navigator.serviceWorker.ready.then(function (registration) {
      return new Promise(function (resolve) {
        var channel = new MessageChannel();
        var timer = setTimeout(function () { resolve(0); }, 60000);
        channel.port1.onmessage = function (message) { clearTimeout(timer); resolve(message.data.cached || 0); };
        registration.active.postMessage({ type: "cache-pages", urls: urls }, [channel.port2]);
      });
    });
  }

  function showOffline(event, bundle, cached) {
    var node = document.querySelector('.offline-state[data-event="' + event + '"]');
    if (!node || !bundle) return;
    var total = bundle.sheets.length;
    if (cached === null) {
      node.dataset.ready = node.dataset.ready || "0";
    } else {
      node.dataset.ready = String(cached);
      node.dataset.total = String(total);
      node.textContent = (cached >= total ? node.dataset.done : node.dataset.partial)
        .replace("%(n)s", String(Math.min(cached, total))).replace("%(total)s", String(total));
      node.classList.toggle("ready", cached >= total);
    }
  }

  // ---------------------------------------------------------------- badge and network state

  function renderBadge() {
    var badge = document.getElementById("sync-badge");
    if (!badge) return;
    var n = queue().length;
    document.getElementById("pending-count").textContent = String(n);
    badge.hidden = n === 0;
    badge.dataset.count = String(n);
    var log = outcomes();
    var sent = log.filter(function (o) { return o.outcome === "sent"; }).length;
    var refused = log.length - sent;
    var button = document.getElementById("sync-log");
    if (button) {
      document.getElementById("sent-count").textContent = String(sent);
      document.getElementById("refused-count").textContent = String(refused);
      button.classList.toggle("has-refused", refused > 0);
      button.dataset.refused = String(refused);
    }
  }
  function renderNet() {
    var net = document.getElementById("net-state");
    if (!net) return;
    net.textContent = navigator.onLine ? net.dataset.online : net.dataset.offline;
    net.classList.toggle("offline", !navigator.onLine);
  }

  // ---------------------------------------------------------------- validation (same rules as scoring/validation.py)

  var NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)$/;
  function decimalsOf(text) {
    var t = String(text);
    if (t.indexOf(".") < 0) return 0;
    return t.split(".")[1].replace(/0+$/, "").length;
  }
  function scaled(text, places) { // BigInt of text × 10^places, exact
    var t = String(text).replace(/^\+/, "");
    var negative = t.charAt(0) === "-";
    if (negative) t = t.slice(1);
    var parts = t.split(".");
    var frac = (parts[1] || "").padEnd(places, "0").slice(0, places);
    var n = BigInt((parts[0] || "0") + frac);
    return negative ? -n : n;
  }
  function validate(criterion, value, penalty, status, messages) {
    function fail(code, field) { return { code: code, field: field, message: messages[code] || code }; }
    if (["ok", "dnf", "dns", "dsq"].indexOf(status) < 0) return fail("unknown_status", "status");
    if ((status === "dnf" || status === "dns") && criterion.kind !== "time") return fail("status_not_allowed", "status");
    var p = (penalty === null || penalty === undefined || String(penalty).trim() === "") ? "0" : String(penalty).trim();
    if (!NUMBER.test(p)) return fail("not_a_number", "penalty");
    if (Number(p) < 0) return fail("penalty_negative", "penalty");
    if (Number(p) !== 0 && criterion.kind !== "time") return fail("penalty_not_allowed", "penalty");
    if (Number(p) > 9999999.999) return fail("penalty_out_of_range", "penalty");
    var v = value === null || value === undefined ? "" : String(value).trim();
    if (v === "") return status === "ok" ? fail("value_required", "value") : null;
    if (!NUMBER.test(v)) return fail("not_a_number", "value");
    var places = Math.max(decimalsOf(v), decimalsOf(criterion.min), decimalsOf(criterion.max), decimalsOf(criterion.step || "0"));
    var n = scaled(v, places);
    if (n < scaled(criterion.min, places) || n > scaled(criterion.max, places)) return fail("out_of_range", "value");
    if (criterion.step && (n - scaled(criterion.min, places)) % scaled(criterion.step, places) !== 0n) return fail("off_step", "value");
    if (decimalsOf(v) > criterion.decimals) return fail("too_precise", "value");
    return null;
  }
  function normal(text) { // "7.50" → "7.5", as the API reports values
    if (text === null || text === undefined || String(text).trim() === "") return null;
    var t = String(text).trim();
    if (t.indexOf(".") >= 0) t = t.replace(/0+$/, "").replace(/\.$/, "");
    return t.replace(/^\+/, "").replace(/^(-?)0+(\d)/, "$1$2");
  }

  // ---------------------------------------------------------------- the queue

  function enqueue(mark) {
    var items = queue();
    var id = cellId(mark.event, mark.entry, mark.criterion, mark.attempt);
    var last = null;
    for (var i = items.length - 1; i >= 0; i--) {
      if (cellId(items[i].event, items[i].entry, items[i].criterion, items[i].attempt) === id) { last = items[i]; break; }
    }
    if (last && !last.sent) {
      // Never sent: no server has seen its key, so the newer value may simply take its place.
      last.value = mark.value; last.penalty = mark.penalty; last.status = mark.status; last.title = mark.title;
    } else {
      var current = known()[id];
      items.push({
        key: newKey(), user: currentUser(), event: mark.event, entry: mark.entry, criterion: mark.criterion, attempt: mark.attempt,
        title: mark.title,
        value: mark.value, penalty: mark.penalty, status: mark.status,
        // Based on the last confirmed version; decided at first send when an earlier write is still queued.
        version: last ? null : (current ? current.version : 0), sent: false
      });
    }
    saveQueue(items); // stored before anything is sent
    flush();
  }

  var flushing = false;
  var retryTimer = null;
  var handlers = { conflict: null, locked: null, error: null, saved: null, relogin: null };

  function scheduleRetry() {
    if (retryTimer) return;
    retryTimer = setTimeout(function () { retryTimer = null; flush(); }, RETRY_MS);
  }

  function flush() {
    if (flushing || !queue().length) return Promise.resolve();
    if (!navigator.onLine) { scheduleRetry(); return Promise.resolve(); }
    flushing = true;
    return step().then(function () { flushing = false; }, function () { flushing = false; scheduleRetry(); });
  }

  function dropItem(key) {
    saveQueue(queue().filter(function (i) { return i.key !== key; }));
  }

  function step() {
    var items = queue();
    if (!items.length) return Promise.resolve();
    var item = items[0];
    if (item.version === null || item.version === undefined) {
      var current = known()[cellId(item.event, item.entry, item.criterion, item.attempt)];
      item.version = current ? current.version : 0;
    }
    item.sent = true;
    saveQueue(items);
    var body = {
      marks: [{ entry: item.entry, criterion: item.criterion, attempt: item.attempt, value: item.value,
        penalty: item.penalty, status: item.status, version: item.version }],
      device: "tablet"
    };
    return api("POST", "/api/v1/events/" + item.event + "/marks/", body, { "Idempotency-Key": item.key })
      .then(function (result) {
        var data = result.data || {};
        if (result.status === 200) {
          (data.marks || []).forEach(function (m) { remember(m, item.event); });
          dropItem(item.key);
          logOutcome(item, "sent");
          if (handlers.saved) handlers.saved(item, data.marks && data.marks[0]);
          return step();
        }
        if (result.status === 409 && data.code === "version_conflict") {
          return resolveConflict(item, data.current).then(step);
        }
        if (result.status === 409 && data.code === "sheet_locked") {
          // Every queued mark of that sheet is refused; each is shown beside the server's value.
          var here = function (i) { return i.event === item.event && i.entry === item.entry; };
          var refused = queue().filter(here);
          saveQueue(queue().filter(function (i) { return !here(i); }));
          return refreshBundle(item.event).catch(function () { return null; }).then(function (bundle) {
            var sheet = bundle && bundle.sheets.filter(function (s) { return s.entry === item.entry; })[0];
            var reason = data.detail || "";
            if (sheet && sheet.reason) reason += " " + sheet.reason;
            refused.forEach(function (i) {
              logOutcome(i, "refused", reason, known()[cellId(i.event, i.entry, i.criterion, i.attempt)] || null);
            });
            if (handlers.locked) handlers.locked(item, refused, sheet);
          }).then(step);
        }
        if (result.status === 403 && (data.code === "not_authenticated" || data.code === "authentication_failed")) {
          if (handlers.relogin) handlers.relogin();
          throw new Error("login");
        }
        if (result.status === 429) {
          throw new Error("throttled"); // rate-limited (API_WRITE_RATE): keep the mark, the queue retries later
        }
        if (result.status >= 400 && result.status < 500) {
          dropItem(item.key); // the server refused it for good (bad value, not assigned…): show why
          logOutcome(item, "refused", refusalText(data), known()[cellId(item.event, item.entry, item.criterion, item.attempt)] || null);
          if (handlers.error) handlers.error(item, data);
          return step();
        }
        throw new Error("server " + result.status);
      });
  }

  function refusalText(body) {
    var message = (body && body.detail) || "";
    if (body && body.errors) {
      var first = Object.keys(body.errors)[0];
      if (first && body.errors[first] && body.errors[first][0]) message = body.errors[first][0];
    }
    return message;
  }

  function resolveConflict(item, current) {
    var choose = handlers.conflict || function () { return Promise.resolve("theirs"); };
    return choose(item, current).then(function (choice) {
      var items = queue();
      var index = items.findIndex(function (i) { return i.key === item.key; });
      if (current) remember(current, item.event);
      if (choice === "mine" && index >= 0) {
        items[index] = Object.assign({}, items[index], { key: newKey(), version: current ? current.version : 0, sent: false });
        saveQueue(items);
      } else {
        dropItem(item.key);
        logOutcome(item, "refused", globalString("keptServer"), current || null);
        if (handlers.saved) handlers.saved(item, current);
      }
    });
  }

  // ---------------------------------------------------------------- times as m:ss.s

  var TIME = /^(\d+):([0-5]\d)(\.\d+)?$/;
  // "4:12.5" → "252.5" (seconds, as the API takes them); plain seconds pass unchanged; false: a malformed time.
  function timeToSeconds(text) {
    var t = text === null || text === undefined ? "" : String(text).trim();
    if (t === "") return null;
    if (t.indexOf(":") < 0) return normal(t);
    var m = TIME.exec(t);
    if (!m) return false;
    return normal(String(Number(m[1]) * 60 + Number(m[2])) + (m[3] || ""));
  }
  function secondsToTime(text) { // "252.5" → "4:12.5"
    var t = normal(text);
    if (t === null || !NUMBER.test(t) || t.charAt(0) === "-") return t === null ? "" : t;
    var parts = t.split(".");
    var whole = Number(parts[0]);
    var sec = whole % 60;
    return Math.floor(whole / 60) + ":" + (sec < 10 ? "0" : "") + sec + (parts[1] ? "." + parts[1] : "");
  }
  function shown(criterion, value) { // a stored value as the judge reads it
    if (value === null || value === undefined) return "";
    return criterion.kind === "time" ? secondsToTime(value) : String(value);
  }
  // What the ± buttons add: the scheme's step, but at least a whole second for a time.
  function stepOf(criterion) {
    if (!criterion.step) return null;
    if (criterion.kind !== "time" || Number(criterion.step) >= 1) return criterion.step;
    return normal(String(Math.ceil(1 / Number(criterion.step)) * Number(criterion.step)).replace(/(\.\d{3})\d+$/, "$1"));
  }

  // ---------------------------------------------------------------- the judge's socket

  function openSocket(event, onFrame, onReconnect) {
    var attempt = 0;
    var first = true;
    function connect() {
      if (!navigator.onLine) { window.addEventListener("online", connect, { once: true }); return; }
      var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws/judge/events/" + event + "/");
      socket.onopen = function () {
        attempt = 0;
        document.body.dataset.pushed = "1";
        if (!first && onReconnect) onReconnect(); // frames may have been missed meanwhile
        first = false;
      };
      socket.onmessage = function (message) {
        var frame;
        try { frame = JSON.parse(message.data); } catch (e) { return; }
        if (frame.event === event) onFrame(frame);
      };
      socket.onclose = function () {
        document.body.dataset.pushed = "0";
        attempt += 1;
        setTimeout(connect, Math.min(30000, 1000 * Math.pow(2, attempt - 1)) + Math.random() * 500);
      };
    }
    connect();
  }

  // A pushed frame kept for offline use: the bundle's sheet, and the marks as confirmed values.
  function keepFrame(frame) {
    var marks = frame.marks || {};
    Object.keys(marks).forEach(function (k) {
      var parts = k.split(":");
      remember({ entry: frame.entry, criterion: parts[0], attempt: Number(parts[1]), value: marks[k].value,
        penalty: marks[k].penalty, status: marks[k].status, version: marks[k].version }, frame.event);
    });
    if (frame.type === "sheet.state" || frame.type === "marks.changed") {
      return patchBundle(frame.event, frame.entry, { state: frame.type === "sheet.state" ? frame.state : null,
        reason: frame.reason, marks: marks, at: frame.at });
    }
    return Promise.resolve(null);
  }

  function toast(text) {
    var node = document.getElementById("toast");
    if (!node) return;
    node.textContent = text;
    node.hidden = false;
    clearTimeout(node._timer);
    node._timer = setTimeout(function () { node.hidden = true; }, 6000);
  }

  // ---------------------------------------------------------------- the sheet page

  function setupSheet() {
    var root = document.getElementById("sheet");
    if (!root) return;
    var data = JSON.parse(document.getElementById("sheet-data").textContent);
    getBundle(data.event).then(function (bundle) { buildSheet(root, data, bundle); });
  }

  function buildSheet(root, data, bundle) {
    var strings = document.getElementById("strings").dataset;
    var fromBundle = bundle && bundle.sheets.filter(function (s) { return s.entry === data.entry; })[0];
    // The sheet's state: whichever the server said last (a cached page may be older than a pushed lock).
    if (fromBundle && (fromBundle.at || 0) > (data.at || 0)) {
      data.sheet = { state: fromBundle.state, reason: fromBundle.reason };
    }
    var locked = data.sheet.state === "locked" || data.sheet.state === "published";
    var criteria = {};
    var cells = {};

    data.criteria.forEach(function (c) { criteria[c.code] = c; });
    function currentMark(code, attempt) {
      var id = cellId(data.event, data.entry, code, attempt);
      var key = code + ":" + attempt;
      var best = null;
      [data.marks[key], fromBundle && fromBundle.marks[key], known()[id]].forEach(function (m) {
        if (m && (!best || m.version > best.version)) best = m;
      });
      var pending = queue().filter(function (i) { return cellId(i.event, i.entry, i.criterion, i.attempt) === id; }).pop();
      return { confirmed: best, pending: pending || null };
    }

    var template = document.getElementById("attempt-template");
    document.querySelectorAll(".cell").forEach(function (article) {
      var c = criteria[article.dataset.code];
      var holder = article.querySelector(".attempts");
      for (var attempt = 1; attempt <= c.attempts; attempt++) {
        var node = template.content.firstElementChild.cloneNode(true);
        holder.appendChild(node);
        cells[c.code + ":" + attempt] = buildCell(node, c, attempt);
      }
    });

    function buildCell(node, c, attempt) {
      var input = node.querySelector(".value");
      var penalty = node.querySelector(".penalty");
      var error = node.querySelector(".field-error");
      var state = node.querySelector(".cell-state");
      var status = "ok";
      var step = stepOf(c);
      node.dataset.key = c.code + ":" + attempt;
      input.setAttribute("aria-label", c.title + " " + strings.value);
      if (c.kind === "time") {
        input.placeholder = strings.timeFormat;
        input.inputMode = "text"; // a colon: m:ss.s
      } else {
        input.placeholder = c.min + "–" + c.max;
      }
      if (c.attempts > 1) node.querySelector(".attempt-label").textContent = strings.attempt.replace("%s", attempt);
      else node.querySelector(".attempt-label").remove();
      if (!step) node.querySelectorAll(".step").forEach(function (b) { b.remove(); });
      if (c.kind !== "time") {
        // Any criterion may record a disqualification; penalties, DNF and DNS belong to times.
        node.querySelector(".penalty-label").remove();
        node.querySelectorAll('.status[data-status="dnf"], .status[data-status="dns"]').forEach(function (b) { b.remove(); });
        penalty = null;
      } else if (Number(c.penalty_per_unit || 0) > 0) {
        node.querySelector(".penalty-name").textContent = strings.faults;
      }

      function readValue() { return status === "ok" ? (c.kind === "time" ? timeToSeconds(input.value) : normal(input.value)) : null; }
      function read() { return { value: readValue(), status: status, penalty: penalty ? normal(penalty.value) || "0" : "0" }; }
      // The problem with what the cell holds now, as the API would word it (null: none).
      function problemOf(mark) {
        if (mark.value === false) return { code: "time_format", message: strings.timeFormatError };
        if (mark.status === "ok" && mark.value === null) return null;
        return validate(c, mark.value, mark.penalty, mark.status, data.messages);
      }
      function show(mark, pending, refused) {
        status = mark ? mark.status || "ok" : "ok";
        // A field the judge is typing in keeps what was typed: a pushed frame or another cell's save
        // refreshes every cell, and must not wipe an entry before its change event commits it.
        var active = document.activeElement;
        if (active !== input) input.value = mark && mark.value !== null && mark.value !== undefined ? shown(c, mark.value) : "";
        if (penalty && active !== penalty) penalty.value = mark && mark.penalty && mark.penalty !== "0" ? mark.penalty : "";
        node.querySelectorAll(".status").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.dataset.status === status));
        });
        input.disabled = locked || status !== "ok";
        node.classList.toggle("pending", !!pending);
        node.classList.toggle("saved", !pending && !refused && !!mark);
        node.classList.toggle("refused", !pending && !!refused);
        if (pending) state.textContent = strings.queued;
        else if (refused) {
          state.textContent = strings.refused + refused.reason + " · " + strings.serverValue + " " +
            (mark ? (mark.status && mark.status !== "ok" ? mark.status.toUpperCase() : shown(c, mark.value)) : "—");
        } else state.textContent = mark ? strings.saved : strings.empty;
      }
      function showError(message) {
        error.textContent = message || "";
        error.hidden = !message;
        node.classList.toggle("invalid", !!message);
      }
      function commit() {
        if (locked) return;
        var mark = read();
        if (status === "ok" && mark.value === null) { showError(""); return; }
        var problem = problemOf(mark);
        if (problem) { showError(problem.message); return; }
        showError("");
        if (c.kind === "time") input.value = shown(c, mark.value);
        var now = currentMark(c.code, attempt);
        var confirmed = now.confirmed;
        if (confirmed && normal(confirmed.value) === mark.value && (confirmed.status || "ok") === mark.status &&
            (normal(confirmed.penalty) || "0") === mark.penalty && !now.pending) {
          return; // unchanged
        }
        enqueue({ event: data.event, entry: data.entry, criterion: c.code, attempt: attempt, title: c.title,
          value: mark.value, penalty: mark.penalty, status: mark.status });
        show(mark, true);
      }
      function bump(direction) {
        if (locked || status !== "ok") return;
        var raw = readValue();
        var places = Math.max(decimalsOf(step), decimalsOf(c.step), decimalsOf(c.min), decimalsOf(c.max));
        var base = raw && NUMBER.test(raw) ? scaled(raw, places) : null;
        var stepN = scaled(step, places), minN = scaled(c.min, places), maxN = scaled(c.max, places);
        var next = base === null ? (direction > 0 ? minN : maxN) : base + BigInt(direction) * stepN;
        var gridN = scaled(c.step, places);
        if (base !== null && (base - minN) % gridN !== 0n) { // snap an off-step value to the grid first
          next = minN + ((base - minN) / gridN + (direction > 0 ? 1n : 0n)) * gridN;
        }
        if (next < minN) next = minN;
        if (next > maxN) next = maxN;
        var s = next.toString().padStart(places + 1, "0");
        input.value = shown(c, normal(places ? s.slice(0, s.length - places) + "." + s.slice(s.length - places) : s));
        clearTimeout(node._timer);
        node._timer = setTimeout(commit, 700); // one queued write for a run of taps
        showError("");
      }
      node.querySelectorAll(".step").forEach(function (b) {
        b.addEventListener("click", function () { bump(b.classList.contains("plus") ? 1 : -1); });
      });
      input.addEventListener("change", commit);
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") { input.blur(); } });
      if (penalty) penalty.addEventListener("change", commit);
      node.querySelectorAll(".status").forEach(function (b) {
        b.addEventListener("click", function () {
          if (locked) return;
          status = status === b.dataset.status ? "ok" : b.dataset.status;
          node.querySelectorAll(".status").forEach(function (o) { o.setAttribute("aria-pressed", String(o.dataset.status === status)); });
          input.disabled = status !== "ok";
          if (status !== "ok") input.value = "";
          commit();
        });
      });
      function refresh() {
        var now = currentMark(c.code, attempt);
        var refused = now.pending ? null : refusedFor(data.event, data.entry, c.code, attempt);
        // A refusal matters until the server's value moves past what the judge saw then.
        if (refused && now.confirmed && refused.server && now.confirmed.version > refused.server.version) refused = null;
        show(now.pending || now.confirmed, now.pending, refused);
      }
      refresh();
      if (locked) node.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
      return {
        node: node, criterion: c, attempt: attempt, show: show, showError: showError, refresh: refresh,
        read: read, problem: function () { return problemOf(read()); }, raw: function () { return input.value.trim(); },
        enable: function () {
          node.querySelectorAll("input, button").forEach(function (el) { el.disabled = false; });
          input.disabled = status !== "ok";
        }
      };
    }

    function here(item) { return item.event === data.event && item.entry === data.entry; }
    function cellOf(item) { return here(item) ? cells[item.criterion + ":" + item.attempt] : null; }
    function refreshAll() { Object.keys(cells).forEach(function (k) { cells[k].refresh(); }); }

    handlers.saved = function (item) {
      var cell = cellOf(item);
      if (cell) cell.refresh();
    };
    handlers.error = function (item, body) {
      var cell = cellOf(item);
      if (cell) { cell.refresh(); cell.showError(refusalText(body)); }
    };
    handlers.locked = function (item, refused, sheet) {
      if (!here(item)) return;
      if (sheet) fromBundle = sheet;
      setLocked(sheet ? sheet.reason : "");
      refreshAll();
    };
    handlers.relogin = function () { showRelogin(strings.relogin); };
    handlers.conflict = function (item, current) {
      var dialog = document.getElementById("conflict-dialog");
      var c = criteria[item.criterion] || { title: item.criterion, kind: "" };
      function label(m) {
        if (!m || (m.value === null && !m.status)) return "—";
        if (m.status && m.status !== "ok") return m.status.toUpperCase() + " " + (strings["status" + m.status.charAt(0).toUpperCase() + m.status.slice(1)] || "");
        return shown(c, m.value) + (m.penalty && m.penalty !== "0" ? " (+" + m.penalty + ")" : "");
      }
      document.getElementById("conflict-what").textContent = (here(item) ? "" : item.entry + " · ") + c.title;
      document.getElementById("conflict-mine-value").textContent = label(item);
      document.getElementById("conflict-theirs-value").textContent = label(current);
      return new Promise(function (resolve) {
        function pick(choice) {
          return function () {
            dialog.close();
            document.getElementById("conflict-mine").onclick = null;
            document.getElementById("conflict-theirs").onclick = null;
            resolve(choice);
          };
        }
        document.getElementById("conflict-mine").onclick = pick("mine");
        document.getElementById("conflict-theirs").onclick = pick("theirs");
        dialog.showModal();
      });
    };

    function setPill(state) {
      var pill = document.getElementById("sheet-state");
      pill.textContent = strings["state" + state.charAt(0).toUpperCase() + state.slice(1)] || state;
      pill.className = "pill state-" + state;
    }
    function setLocked(reason) {
      locked = true;
      root.classList.add("is-locked");
      document.getElementById("locked-banner").hidden = false;
      document.getElementById("locked-reason").textContent = reason || strings.lockedByChief;
      root.querySelectorAll(".cells input, .cells button, #submit-sheet").forEach(function (el) { el.disabled = true; });
      setPill("locked");
    }
    function setUnlocked(state) {
      locked = false;
      root.classList.remove("is-locked");
      document.getElementById("locked-banner").hidden = true;
      Object.keys(cells).forEach(function (k) { cells[k].enable(); });
      document.getElementById("submit-sheet").disabled = false;
      setPill(state);
    }
    if (locked) setLocked(data.sheet.reason);

    // Pushed state: a lock, an unlock or a correction of this sheet shows at once.
    function applySheet(state, reason) {
      if (state === "locked" || state === "published") { setLocked(reason); setPill(state); }
      else if (locked) setUnlocked(state);
      else setPill(state);
    }
    function onFrame(frame) {
      keepFrame(frame).then(function (updated) {
        if (updated) fromBundle = updated.sheets.filter(function (s) { return s.entry === data.entry; })[0] || fromBundle;
        if (frame.type === "scheme.changed") {
          // The pages are cached again with the new scheme; then the sheet rebuilds itself, unless
          // the judge is in the middle of an entry (a value being typed, the confirm dialog open):
          // then a banner asks for the reload. Queued marks live in storage and survive it.
          var changed = frame.revision !== data.revision;
          prefetchEvent(data.event, true).catch(function () {}).then(function () {
            if (!changed) return;
            var active = document.activeElement;
            var busy = (active && root.contains(active) && active.tagName === "INPUT") || confirmDialog.open;
            if (busy) document.getElementById("scheme-banner").hidden = false;
            else window.location.reload();
          });
          return;
        }
        if (frame.entry !== data.entry) return;
        if (frame.type === "sheet.state") {
          applySheet(frame.state, frame.reason);
          if (frame.state === "locked") toast(strings.lockedNow + (frame.reason ? "：" + frame.reason : ""));
          if (frame.state === "locked") flush(); // a queued mark of this sheet is refused now, not later
        } else if (frame.type === "marks.changed" && frame.by === "chief") {
          toast(strings.corrected + (frame.reason ? "：" + frame.reason : ""));
        }
        refreshAll();
      });
    }
    openSocket(data.event, onFrame, function () {
      refreshBundle(data.event).then(function (fresh) {
        var sheet = fresh.sheets.filter(function (s) { return s.entry === data.entry; })[0];
        if (sheet) { fromBundle = sheet; applySheet(sheet.state, sheet.reason); refreshAll(); }
      }).catch(function () {});
    });
    document.getElementById("scheme-reload").addEventListener("click", function () { window.location.reload(); });

    // Submit: a summary first, each value checked as the server will check it; everything synced and filled in.
    var confirmDialog = document.getElementById("confirm-dialog");
    var confirmError = document.getElementById("confirm-error");
    confirmDialog.querySelectorAll("[data-close]").forEach(function (b) { b.addEventListener("click", function () { confirmDialog.close(); }); });
    document.getElementById("submit-sheet").addEventListener("click", function () {
      var rows = document.getElementById("confirm-rows");
      rows.textContent = "";
      var missing = [];
      var invalid = [];
      Object.keys(cells).forEach(function (key) {
        var cell = cells[key];
        var c = cell.criterion;
        var mark = cell.read();
        var problem = cell.problem();
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.textContent = c.title + (c.attempts > 1 ? " #" + cell.attempt : "");
        var td = document.createElement("td");
        if (problem) {
          td.textContent = cell.raw() + " — " + problem.message;
          invalid.push(th.textContent);
          tr.className = "invalid";
        } else if (mark.status !== "ok") {
          td.textContent = mark.status.toUpperCase() + " " + (strings["status" + mark.status.charAt(0).toUpperCase() + mark.status.slice(1)] || "");
        } else if (mark.value === null) {
          td.textContent = "—";
          missing.push(th.textContent);
          tr.className = "missing";
        } else if (c.kind === "time") {
          td.textContent = shown(c, mark.value) + (mark.penalty !== "0" ? " + " + mark.penalty : "");
        } else {
          td.textContent = mark.value + " / " + c.max;
        }
        tr.appendChild(th); tr.appendChild(td); rows.appendChild(tr);
      });
      var problem = "";
      if (invalid.length) problem = strings.invalid + invalid.join("、");
      else if (missing.length) problem = strings.missing + missing.join("、");
      else if (queue().some(here)) problem = strings.pendingFirst;
      confirmError.textContent = problem;
      confirmError.hidden = !problem;
      document.getElementById("confirm-submit").disabled = !!problem;
      confirmDialog.showModal();
    });
    document.getElementById("confirm-submit").addEventListener("click", function () {
      var button = this;
      button.disabled = true;
      api("POST", "/api/v1/events/" + data.event + "/sheets/submit/", { entry: data.entry }).then(function (result) {
        button.disabled = false;
        if (result.status === 200) {
          confirmDialog.close();
          setPill("submitted");
          // A short confirmation, and the next entry one tap away.
          var done = document.getElementById("after-submit");
          done.hidden = false;
          var next = document.getElementById("next-entry");
          next.focus();
          done.scrollIntoView({ block: "nearest" });
        } else if (result.status === 409 && result.data.code === "sheet_locked") {
          confirmDialog.close();
          setLocked();
        } else {
          confirmError.textContent = (result.data && result.data.detail) || String(result.status);
          confirmError.hidden = false;
        }
      }, function () {
        button.disabled = false;
        confirmError.textContent = strings.pendingFirst;
        confirmError.hidden = false;
      });
    });
    root.dataset.ready = "1";
    prefetchEvent(data.event, false);
  }

  function showRelogin(message) {
    var net = document.getElementById("net-state");
    if (net) { net.textContent = message; net.classList.add("offline"); }
  }

  // ---------------------------------------------------------------- the home page

  function setupHome() {
    var cards = document.querySelectorAll(".event-card[data-event]");
    if (!cards.length) return;
    var strings = document.getElementById("home-strings").dataset;
    cards.forEach(function (card) {
      var event = Number(card.dataset.event);
      prefetchEvent(event, false);
      openSocket(event, function (frame) {
        keepFrame(frame);
        if (frame.type === "scheme.changed") { prefetchEvent(event, true); return; }
        if (frame.type !== "sheet.state") return;
        var row = card.querySelector('.entry[data-entry="' + frame.entry + '"]');
        if (!row) return;
        var locked = frame.state === "locked" || frame.state === "published";
        row.classList.toggle("locked", locked);
        var label = strings["state" + frame.state.charAt(0).toUpperCase() + frame.state.slice(1)];
        if (label) row.querySelector(".state").textContent = label;
      }, function () { prefetchEvent(event, false); });
    });
  }

  // ---------------------------------------------------------------- the sync log: queued, sent, refused and why

  function setupSyncLog() {
    var button = document.getElementById("sync-log");
    var dialog = document.getElementById("sync-dialog");
    if (!button || !dialog) return;
    var strings = document.getElementById("tablet-strings").dataset;
    function line(item, extra) {
      var li = document.createElement("li");
      var what = document.createElement("strong");
      what.textContent = item.entry + " · " + (item.title || item.criterion) + (item.attempt > 1 ? " #" + item.attempt : "");
      var value = item.status && item.status !== "ok" ? item.status.toUpperCase() : (item.value === null ? "—" : item.value);
      li.appendChild(what);
      li.appendChild(document.createTextNode(" " + value + (extra ? " — " + extra : "")));
      return li;
    }
    function fill(id, items, extra) {
      var list = document.getElementById(id);
      list.textContent = "";
      items.forEach(function (item) { list.appendChild(line(item, extra(item))); });
      if (!items.length) {
        var none = document.createElement("li");
        none.className = "none";
        none.textContent = strings.none;
        list.appendChild(none);
      }
      list.closest("section").dataset.count = String(items.length);
    }
    button.addEventListener("click", function () {
      var log = outcomes();
      fill("log-queued", queue(), function (i) { return i.sent ? strings.sending : strings.waiting; });
      fill("log-refused", log.filter(function (o) { return o.outcome === "refused"; }).reverse(), function (o) {
        var server = o.server ? (o.server.status && o.server.status !== "ok" ? o.server.status.toUpperCase() : o.server.value) : "—";
        return o.reason + " · " + strings.serverValue + " " + server;
      });
      fill("log-sent", log.filter(function (o) { return o.outcome === "sent"; }).reverse().slice(0, 50), function (o) {
        return new Date(o.at).toLocaleTimeString();
      });
      dialog.showModal();
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
  }

  // ---------------------------------------------------------------- the chief judge's page

  function setupChief() {
    var root = document.getElementById("chief");
    if (!root) return;
    var error = document.getElementById("chief-error");
    var dialog = document.getElementById("reason-dialog");
    var text = document.getElementById("reason-text");
    var pending = null;
    function act(sheetId, action, reason) {
      return api("POST", "/api/v1/sheets/" + sheetId + "/" + action + "/", { reason: reason || "" }).then(function (result) {
        if (result.status === 200) { window.location.reload(); return; }
        error.textContent = (result.data && result.data.detail) || String(result.status);
        error.hidden = false;
      });
    }
    root.querySelectorAll("[data-action]").forEach(function (button) {
      button.addEventListener("click", function () {
        // Locking may give a reason (the judge sees it); unlocking must (it is audited).
        pending = { sheet: button.closest("[data-sheet]").dataset.sheet, action: button.dataset.action };
        document.getElementById("reason-title").textContent = button.dataset.title;
        document.getElementById("reason-label").textContent = button.dataset.label;
        text.value = "";
        text.required = pending.action === "unlock";
        dialog.showModal();
      });
    });
    dialog.querySelector("[data-close]").addEventListener("click", function () { dialog.close(); });
    document.getElementById("reason-form").addEventListener("submit", function (event) {
      event.preventDefault();
      var reason = text.value.trim();
      if (text.required && !reason) { text.focus(); return; }
      dialog.close();
      act(pending.sheet, pending.action, reason);
    });
  }

  // ---------------------------------------------------------------- start

  function registerServiceWorker() {
    var root = document.getElementById("tablet");
    if (!root || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/judge/" }).catch(function () {});
  }

  document.addEventListener("DOMContentLoaded", function () {
    setupSheet();
    setupHome();
    setupSyncLog();
    setupChief();
    renderBadge();
    renderNet();
    registerServiceWorker();
    var badge = document.getElementById("sync-badge");
    if (badge) badge.addEventListener("click", function () { flush(); });
    var logout = document.querySelector("form.logout");
    if (logout && window.caches) {
      // Cached sheets and stored bundles belong to this judge: drop them before the next judge signs in
      // (queued marks stay theirs).
      logout.addEventListener("submit", function (event) {
        event.preventDefault();
        if (window.indexedDB) indexedDB.deleteDatabase("judge-tablet");
        caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("judge-tablet") === 0; }).map(function (k) { return caches.delete(k); }));
        }).catch(function () {}).then(function () { logout.submit(); });
      }, { once: true });
    }
    window.addEventListener("online", function () { renderNet(); flush(); });
    window.addEventListener("offline", renderNet);
    window.addEventListener("storage", function (e) { if (e.key === QUEUE_KEY || e.key === logKey()) renderBadge(); });
    setInterval(function () { if (queue().length) flush(); }, 10000);
    flush();
  });

  window.tabletQueue = {
    queue: queue, flush: flush, validate: validate, outcomes: outcomes, timeToSeconds: timeToSeconds,
    setTimeout: function (ms) { timeoutMs = ms; }
  };
})();
