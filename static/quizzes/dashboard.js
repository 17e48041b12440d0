/* The organiser's quiz dashboard: pushed over a WebSocket; polls the JSON endpoint every 5 s while the socket is down. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  var $ = function (id) { return document.getElementById(id); };
  function cell(row, value) { var td = document.createElement("td"); td.textContent = value; row.appendChild(td); }
  function draw(data) {
    $("d-progress").textContent = data.in_progress;
    $("d-participants").textContent = data.participants;
    $("d-attempts").textContent = data.attempts;
    $("d-average").textContent = data.average === null ? "—" : data.average;
    $("d-flagged").textContent = data.flagged;
    $("dash-at").textContent = new Date(data.at).toLocaleTimeString();
    var peak = Math.max.apply(null, data.per_minute.map(function (m) { return m.count; }).concat([1]));
    var minutes = $("d-minutes");
    minutes.innerHTML = "";
    data.per_minute.forEach(function (m, index) {
      var bar = document.createElement("div");
      bar.style.height = (100 * m.count / peak) + "%";
      bar.title = m.minute + " · " + m.count;
      if (index % 5 === 0) { var label = document.createElement("span"); label.textContent = m.minute; bar.appendChild(label); }
      minutes.appendChild(bar);
    });
    var body = $("d-units");
    body.innerHTML = "";
    data.units.forEach(function (unit) {
      var row = document.createElement("tr");
      cell(row, (unit.depth ? "　" : "") + unit.name);
      cell(row, unit.participants);
      cell(row, unit.headcount || "—");
      cell(row, unit.rate === null ? "—" : (unit.rate * 100).toFixed(1) + "%");
      cell(row, unit.average === null ? "—" : unit.average);
      body.appendChild(row);
    });
  }
  function poll() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.json(); }).then(draw).catch(function () { /* next poll */ });
  }
  var mode = $("dash-mode");
  var pollHandle = null;
  var retry = 1000;
  function polling(on) {
    mode.textContent = on ? mode.dataset.polling : mode.dataset.live;
    root.dataset.mode = on ? "polling" : "live";
    if (on && !pollHandle) { poll(); pollHandle = setInterval(poll, 5000); }
    if (!on && pollHandle) { clearInterval(pollHandle); pollHandle = null; }
  }
  function connect() {
    var socket = new WebSocket((location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.dataset.socket);
    socket.onopen = function () { retry = 1000; polling(false); };
    socket.onmessage = function (event) { draw(JSON.parse(event.data)); };
    socket.onclose = function () {
      polling(true);
      retry = Math.min(retry * 2, 30000);
      setTimeout(connect, retry * (0.5 + Math.random() / 2));
    };
  }
  poll();
  connect();
})();
