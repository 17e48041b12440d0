/* Judge tablet: offline-first mark entry over the scoring API.
 *
 * Every mark goes into a queue in localStorage, with its idempotency key, BEFORE it is
 * sent. The queue is replayed in order whenever the network is there (on load, on the
 * "online" event, every few seconds); the server treats a replayed key as the same
 * request, so nothing is counted twice. Confirmed marks are remembered too, so a sheet
 * opened offline from the service worker's cache shows the latest values.
 */
(function () {
  "use strict";

  var QUEUE_KEY = "tablet-queue-v1";
  // v2: cells are keyed by entry code (blind marking), no longer by entry id; v1 values are ignored.
  var MARKS_KEY = "tablet-marks-v2";
  var RETRY_MS = 5000;

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

  function api(method, url, body, extraHeaders) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), "Accept": "application/json" };
    Object.keys(extraHeaders || {}).forEach(function (k) { headers[k] = extraHeaders[k]; });
    return fetch(url, { method: method, headers: headers, credentials: "same-origin", body: body ? JSON.stringify(body) : undefined })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  // ---------------------------------------------------------------- badge and network state

  function renderBadge() {
    var badge = document.getElementById("sync-badge");
    if (!badge) return;
    var n = queue().length;
    document.getElementById("pending-count").textContent = String(n);
    badge.hidden = n === 0;
    badge.dataset.count = String(n);
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
      last.value = mark.value; last.penalty = mark.penalty; last.status = mark.status;
    } else {
      var current = known()[id];
      items.push({
        key: newKey(), user: currentUser(), event: mark.event, entry: mark.entry, criterion: mark.criterion, attempt: mark.attempt,
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
          if (handlers.saved) handlers.saved(item, data.marks && data.marks[0]);
          return step();
        }
        if (result.status === 409 && data.code === "version_conflict") {
          return resolveConflict(item, data.current).then(step);
        }
        if (result.status === 409 && data.code === "sheet_locked") {
          saveQueue(queue().filter(function (i) { return !(i.event === item.event && i.entry === item.entry); }));
          if (handlers.locked) handlers.locked(item);
          return step();
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
          if (handlers.error) handlers.error(item, data);
          return step();
        }
        throw new Error("server " + result.status);
      });
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
        if (handlers.saved) handlers.saved(item, current);
      }
    });
  }

  // ---------------------------------------------------------------- the sheet page

  function setupSheet() {
    var root = document.getElementById("sheet");
    if (!root) return;
    var data = JSON.parse(document.getElementById("sheet-data").textContent);
    var strings = document.getElementById("strings").dataset;
    var locked = data.sheet.state === "locked" || data.sheet.state === "published";
    var criteria = {};
    var cells = {};

    data.criteria.forEach(function (c) { criteria[c.code] = c; });
    var local = known();
    function currentMark(code, attempt) {
      var id = cellId(data.event, data.entry, code, attempt);
      var server = data.marks[code + ":" + attempt];
      var mine = local[id];
      var best = server && (!mine || server.version >= mine.version) ? server : mine;
      var pending = queue().filter(function (i) { return cellId(i.event, i.entry, i.criterion, i.attempt) === id; }).pop();
      return { confirmed: best || null, pending: pending || null };
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
      node.dataset.key = c.code + ":" + attempt;
      input.setAttribute("aria-label", c.title + " " + strings.value);
      input.placeholder = c.min + "–" + c.max;
      if (c.attempts > 1) node.querySelector(".attempt-label").textContent = strings.attempt.replace("%s", attempt);
      else node.querySelector(".attempt-label").remove();
      if (!c.step) node.querySelectorAll(".step").forEach(function (b) { b.remove(); });
      if (c.kind !== "time") node.querySelector(".time-extra").remove();

      function show(mark, pending) {
        status = mark ? mark.status || "ok" : "ok";
        input.value = mark && mark.value !== null && mark.value !== undefined ? mark.value : "";
        if (penalty) penalty.value = mark && mark.penalty && mark.penalty !== "0" ? mark.penalty : "";
        node.querySelectorAll(".status").forEach(function (b) {
          b.setAttribute("aria-pressed", String(b.dataset.status === status));
        });
        input.disabled = locked || status !== "ok";
        node.classList.toggle("pending", !!pending);
        node.classList.toggle("saved", !pending && !!mark);
        state.textContent = pending ? strings.queued : mark ? strings.saved + " · v" + mark.version : strings.empty;
      }
      function showError(message) {
        error.textContent = message || "";
        error.hidden = !message;
        node.classList.toggle("invalid", !!message);
      }
      function commit() {
        if (locked) return;
        var mark = { event: data.event, entry: data.entry, criterion: c.code, attempt: attempt,
          value: status === "ok" ? normal(input.value) : null,
          penalty: penalty ? normal(penalty.value) || "0" : "0", status: status };
        if (status === "ok" && mark.value === null) { showError(""); return; }
        var problem = validate(c, mark.value, mark.penalty, mark.status, data.messages);
        if (problem) { showError(problem.message); return; }
        showError("");
        var confirmed = currentMark(c.code, attempt).confirmed;
        if (confirmed && normal(confirmed.value) === mark.value && (confirmed.status || "ok") === mark.status &&
            (normal(confirmed.penalty) || "0") === mark.penalty && !currentMark(c.code, attempt).pending) {
          return; // unchanged
        }
        enqueue(mark);
        show(mark, true);
      }
      function bump(direction) {
        if (locked || status !== "ok") return;
        var places = Math.max(decimalsOf(c.step), decimalsOf(c.min), decimalsOf(c.max));
        var raw = normal(input.value);
        var base = raw !== null && NUMBER.test(raw) ? scaled(raw, places) : null;
        var stepN = scaled(c.step, places), minN = scaled(c.min, places), maxN = scaled(c.max, places);
        var next = base === null ? (direction > 0 ? minN : maxN) : base + BigInt(direction) * stepN;
        if (base !== null && (base - minN) % stepN !== 0n) { // snap an off-step value to the grid first
          next = minN + ((base - minN) / stepN + (direction > 0 ? 1n : 0n)) * stepN;
        }
        if (next < minN) next = minN;
        if (next > maxN) next = maxN;
        var s = next.toString().padStart(places + 1, "0");
        input.value = normal(places ? s.slice(0, s.length - places) + "." + s.slice(s.length - places) : s);
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
      var now = currentMark(c.code, attempt);
      show(now.pending || now.confirmed, now.pending);
      if (locked) node.querySelectorAll("input, button").forEach(function (el) { el.disabled = true; });
      return {
        node: node, criterion: c, attempt: attempt, show: show, showError: showError,
        read: function () {
          return { value: status === "ok" ? normal(input.value) : null, status: status, penalty: penalty ? normal(penalty.value) || "0" : "0" };
        }
      };
    }

    function here(item) { return item.event === data.event && item.entry === data.entry; }
    function cellOf(item) { return here(item) ? cells[item.criterion + ":" + item.attempt] : null; }

    handlers.saved = function (item, mark) {
      var cell = cellOf(item);
      if (!cell) return;
      var pending = currentMark(item.criterion, item.attempt).pending;
      cell.show(pending || mark, pending);
    };
    handlers.error = function (item, body) {
      var cell = cellOf(item);
      var message = (body && body.detail) || "";
      if (body && body.errors) {
        var first = Object.keys(body.errors)[0];
        if (first && body.errors[first] && body.errors[first][0]) message = body.errors[first][0];
      }
      if (cell) { cell.showError(message); cell.node.classList.remove("pending"); }
    };
    handlers.locked = function (item) { if (here(item)) setLocked(); };
    handlers.relogin = function () { showRelogin(strings.relogin); };
    handlers.conflict = function (item, current) {
      var dialog = document.getElementById("conflict-dialog");
      var c = criteria[item.criterion] || { title: item.criterion };
      function label(m) {
        if (!m || (m.value === null && !m.status)) return "—";
        if (m.status && m.status !== "ok") return m.status.toUpperCase() + " " + (strings["status" + m.status.charAt(0).toUpperCase() + m.status.slice(1)] || "");
        return m.value + (m.penalty && m.penalty !== "0" ? " (+" + m.penalty + ")" : "");
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

    function setLocked(reason) {
      locked = true;
      root.classList.add("is-locked");
      document.getElementById("locked-banner").hidden = false;
      if (reason) document.getElementById("locked-reason").textContent = reason;
      root.querySelectorAll(".cells input, .cells button, #submit-sheet").forEach(function (el) { el.disabled = true; });
      var pill = document.getElementById("sheet-state");
      pill.textContent = strings.locked;
      pill.className = "pill state-locked";
    }

    // Submit: a confirmation summary first; everything must be synced and filled in.
    var confirmDialog = document.getElementById("confirm-dialog");
    var confirmError = document.getElementById("confirm-error");
    confirmDialog.querySelectorAll("[data-close]").forEach(function (b) { b.addEventListener("click", function () { confirmDialog.close(); }); });
    document.getElementById("submit-sheet").addEventListener("click", function () {
      var rows = document.getElementById("confirm-rows");
      rows.textContent = "";
      var missing = [];
      Object.keys(cells).forEach(function (key) {
        var cell = cells[key];
        var mark = cell.read();
        var tr = document.createElement("tr");
        var th = document.createElement("th");
        th.textContent = cell.criterion.title + (cell.criterion.attempts > 1 ? " #" + cell.attempt : "");
        var td = document.createElement("td");
        td.textContent = mark.status !== "ok" ? mark.status.toUpperCase() : (mark.value === null ? "—" : mark.value + " / " + cell.criterion.max);
        if (mark.status === "ok" && mark.value === null) { missing.push(th.textContent); tr.className = "missing"; }
        tr.appendChild(th); tr.appendChild(td); rows.appendChild(tr);
      });
      var problem = "";
      if (missing.length) problem = strings.missing + missing.join("、");
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
          var pill = document.getElementById("sheet-state");
          pill.textContent = strings.submitted;
          pill.className = "pill state-submitted";
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
  }

  function showRelogin(message) {
    var net = document.getElementById("net-state");
    if (net) { net.textContent = message; net.classList.add("offline"); }
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
    setupChief();
    renderBadge();
    renderNet();
    registerServiceWorker();
    var badge = document.getElementById("sync-badge");
    if (badge) badge.addEventListener("click", function () { flush(); });
    var logout = document.querySelector("form.logout");
    if (logout && window.caches) {
      // Cached sheets belong to this judge: drop them before the next judge signs in (queued marks stay theirs).
      logout.addEventListener("submit", function (event) {
        event.preventDefault();
        caches.keys().then(function (keys) {
          return Promise.all(keys.filter(function (k) { return k.indexOf("judge-tablet") === 0; }).map(function (k) { return caches.delete(k); }));
        }).catch(function () {}).then(function () { logout.submit(); });
      }, { once: true });
    }
    window.addEventListener("online", function () { renderNet(); flush(); });
    window.addEventListener("offline", renderNet);
    window.addEventListener("storage", function (e) { if (e.key === QUEUE_KEY) renderBadge(); });
    setInterval(function () { if (queue().length) flush(); }, 10000);
    flush();
  });

  window.tabletQueue = { queue: queue, flush: flush, validate: validate };
})();
