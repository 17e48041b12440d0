/* The participant's quiz page: plain JS for phones and WeChat's in-app browser (fetch, localStorage, no more).
 *
 * Every answer is saved the moment it is given (PUT …/answers/<position>/ with a rising revision,
 * so a retried save changes nothing). Unsent saves wait in localStorage and are retried every two
 * seconds, so a dropped connection or a reload loses nothing; "start" on a page that comes back
 * resumes the open attempt where it stopped. The remaining time is the server's: each response
 * carries it and the countdown restarts from there. The page never holds the answer key.
 */
(function () {
  "use strict";
  var app = document.getElementById("app");
  var roundId = app.dataset.round;
  var api = app.dataset.api;
  var text = JSON.parse(document.getElementById("quiz-messages").textContent);
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var $ = function (id) { return document.getElementById(id); };

  var state = null;        // the attempt as the server last sent it
  var position = 0;
  var rev = 0;
  var deadlineAt = 0;      // local ms when time is up, from the server's remaining_seconds
  var timerHandle = null;
  var retryHandle = null;
  var pendingKey = function () { return "quiz-pending-" + state.id; };

  function show(id) {
    var withIntro = id === "signin" || id === "home";
    ["intro", "signin", "home", "paper", "result"].forEach(function (name) {
      $(name).hidden = !(name === id || (name === "intro" && withIntro));
    });
  }

  function request(method, path, body) {
    var options = { method: method, credentials: "same-origin", headers: { "X-CSRFToken": csrf, "Accept": "application/json" } };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    return fetch(api + path, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) { var failure = new Error(data.detail || response.status); failure.code = data.code; failure.status = response.status; throw failure; }
        return data;
      });
    });
  }

  function fmt(template, values) { return template.replace(/%\((\w+)\)s/g, function (_m, key) { return values[key]; }); }

  // ---- sign-in and the unit picker
  var searchTimer = null;
  $("unit-search").addEventListener("input", function () {
    clearTimeout(searchTimer);
    var query = this.value;
    searchTimer = setTimeout(function () { loadUnits(query); }, 200);
  });
  function loadUnits(query) {
    request("GET", "rounds/" + roundId + "/units/?q=" + encodeURIComponent(query)).then(function (units) {
      var list = $("unit-list");
      list.innerHTML = "";
      units.forEach(function (unit) {
        var item = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.setAttribute("role", "option");
        button.textContent = unit.name;
        if (unit.path) { var path = document.createElement("span"); path.className = "path"; path.textContent = unit.path; button.appendChild(path); }
        button.addEventListener("click", function () {
          document.querySelector('#signin [name="unit"]').value = unit.id;
          $("unit-chosen").textContent = "✓ " + unit.name;
          $("unit-chosen").hidden = false;
          list.innerHTML = "";
        });
        item.appendChild(button);
        list.appendChild(item);
      });
    });
  }
  $("signin").addEventListener("submit", function (event) {
    event.preventDefault();
    var form = event.target;
    $("signin-error").hidden = true;
    if (!form.unit.value) { return fail("signin-error", text.pick_unit); }
    request("POST", "rounds/" + roundId + "/sign-in/", { name: form.name.value, mobile: form.mobile.value, unit: Number(form.unit.value) })
      .then(loadMe).catch(function (failure) { fail("signin-error", failure.message); });
  });
  function fail(id, message) { $(id).textContent = message; $(id).hidden = false; }

  function loadMe() {
    return request("GET", "rounds/" + roundId + "/me/").then(function (me) {
      if (!me.participant) { show("signin"); loadUnits(""); return; }
      $("hello").textContent = fmt(text.hello, { name: me.participant.name, attempts: me.attempts });
      showRank($("my-rank"), me.rank);
      if (me.open_attempt) { return request("GET", "attempts/" + me.open_attempt + "/").then(enter); }
      show("home");
    }).catch(function (failure) { show("home"); fail("start-error", failure.message); });
  }
  function showRank(element, rank) {
    element.hidden = !rank;
    if (rank) { element.textContent = fmt(text.rank, rank); }
  }

  $("start").addEventListener("click", start);
  $("again").addEventListener("click", start);
  function start() {
    $("start-error").hidden = true;
    request("POST", "rounds/" + roundId + "/attempts/").then(enter).catch(function (failure) {
      show("home");
      fail("start-error", failure.message);
    });
  }

  // ---- the paper
  function enter(attempt) {
    state = attempt;
    if (attempt.status !== "open") { return finished(attempt); }
    deadlineAt = Date.now() + attempt.remaining_seconds * 1000;
    rev = 0;
    attempt.questions.forEach(function (question) { rev = Math.max(rev, question.rev); });
    var pending = readPending();
    Object.keys(pending).forEach(function (key) {
      attempt.questions[key].answer = pending[key].value;
      rev = Math.max(rev, pending[key].rev);
    });
    position = 0;
    while (position < attempt.questions.length - 1 && attempt.questions[position].answer) { position += 1; }
    show("paper");
    $("timer").hidden = false;
    tick();
    clearInterval(timerHandle);
    timerHandle = setInterval(tick, 500);
    render();
    flush();
  }

  function tick() {
    var left = Math.max(0, Math.round((deadlineAt - Date.now()) / 1000));
    $("timer").textContent = Math.floor(left / 60) + ":" + ("0" + (left % 60)).slice(-2);
    $("timer").className = left <= 60 ? "timer low" : "timer";
    if (left <= 0 && state && state.status === "open") { clearInterval(timerHandle); submit(); }
  }

  function render() {
    var question = state.questions[position];
    var total = state.questions.length;
    var answered = state.questions.filter(function (item) { return item.answer; }).length;
    $("progress-text").textContent = fmt(text.progress, { n: position + 1, total: total, answered: answered });
    $("progress-bar").style.width = (100 * answered / total) + "%";
    $("q-kind").textContent = text.kinds[question.kind] + " · " + fmt(text.points, { points: question.points });
    $("q-stem").textContent = question.stem;
    var options = $("q-options");
    options.innerHTML = "";
    var fill = $("q-fill");
    fill.hidden = question.kind !== "fill";
    if (question.kind === "fill") {
      fill.value = question.answer;
    } else {
      options.setAttribute("role", question.kind === "multiple" ? "group" : "radiogroup");
      question.options.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "option";
        button.setAttribute("role", question.kind === "multiple" ? "checkbox" : "radio");
        button.setAttribute("aria-checked", question.answer.indexOf(option.letter) >= 0 ? "true" : "false");
        var letter = document.createElement("span");
        letter.className = "letter";
        letter.textContent = option.letter;
        var label = document.createElement("span");
        label.textContent = option.text;
        button.appendChild(letter);
        button.appendChild(label);
        button.addEventListener("click", function () { choose(question, option.letter); });
        options.appendChild(button);
      });
    }
    $("prev").disabled = position === 0;
    $("next").textContent = position === total - 1 ? text.review_submit : text.next;
  }

  function choose(question, letter) {
    var value = letter;
    if (question.kind === "multiple") {
      var letters = question.answer.split("");
      var at = letters.indexOf(letter);
      if (at >= 0) { letters.splice(at, 1); } else { letters.push(letter); }
      value = letters.sort().join("");
    }
    answer(question, value);
    render();
  }

  $("q-fill").addEventListener("change", function () { answer(state.questions[position], this.value.trim()); render(); });

  function answer(question, value) {
    question.answer = value;
    rev += 1;
    var pending = readPending();
    pending[question.position] = { value: value, rev: rev };
    writePending(pending);
    flush();
  }

  var memoryPending = {};  // where localStorage is refused (private mode), the queue lives in memory only
  function readPending() {
    try { return JSON.parse(localStorage.getItem(pendingKey()) || "{}"); } catch (_e) { return JSON.parse(JSON.stringify(memoryPending)); }
  }
  function writePending(pending) {
    memoryPending = pending;
    try { localStorage.setItem(pendingKey(), JSON.stringify(pending)); } catch (_e) { /* memory only */ }
  }

  var flushing = false;
  function flush() {
    if (flushing || !state || state.status !== "open") { return Promise.resolve(); }
    var pending = readPending();
    var keys = Object.keys(pending);
    if (!keys.length) { saveState("saved"); return Promise.resolve(); }
    flushing = true;
    saveState("saving");
    var key = keys[0];
    var item = pending[key];
    return request("PUT", "attempts/" + state.id + "/answers/" + key + "/", { value: item.value, rev: item.rev }).then(function () {
      var now = readPending();
      if (now[key] && now[key].rev === item.rev) { delete now[key]; writePending(now); }
      flushing = false;
      return flush();
    }).catch(function (failure) {
      flushing = false;
      if (failure.code === "quiz_deadline_passed" || failure.code === "quiz_attempt_closed") { writePending({}); return reload(); }
      saveState("offline");
      clearTimeout(retryHandle);
      retryHandle = setTimeout(flush, 2000);
    });
  }

  function saveState(kind) {
    var element = $("save-state");
    element.textContent = text["save_" + kind];
    element.className = kind === "offline" ? "save offline" : "save";
  }

  $("prev").addEventListener("click", function () { if (position > 0) { position -= 1; render(); } });
  $("next").addEventListener("click", function () {
    if (position < state.questions.length - 1) { position += 1; render(); } else { askSubmit(); }
  });
  $("submit").addEventListener("click", askSubmit);
  function askSubmit() {
    var left = state.questions.filter(function (item) { return !item.answer; }).length;
    $("confirm-text").textContent = left ? fmt(text.unanswered, { count: left }) : text.sure;
    $("confirm").hidden = false;
    $("confirm").scrollIntoView();
  }
  $("confirm-no").addEventListener("click", function () { $("confirm").hidden = true; });
  $("confirm-yes").addEventListener("click", submit);

  function submit() {
    $("confirm").hidden = true;
    // Every answer first: submit only once the queue is empty (or the server says time is up).
    flush().then(function () {
      if (Object.keys(readPending()).length && state.status === "open" && Date.now() < deadlineAt) {
        saveState("offline");
        setTimeout(submit, 2000);
        return null;
      }
      return request("POST", "attempts/" + state.id + "/submit/").then(finished);
    }).catch(function () { saveState("offline"); setTimeout(submit, 2000); });
  }

  function reload() { return request("GET", "attempts/" + state.id + "/").then(enter); }

  function finished(attempt) {
    state = attempt;
    clearInterval(timerHandle);
    $("timer").hidden = true;
    show("result");
    $("r-score").textContent = attempt.score;
    $("r-detail").textContent = fmt(text.detail, { correct: attempt.correct, count: attempt.count, max: attempt.max_score, seconds: attempt.seconds });
    showRank($("r-rank"), attempt.rank);
    $("r-flagged").hidden = !attempt.flagged;
    // An e-certificate when the round awards one and the counted score reaches its threshold.
    $("r-certificate").hidden = !attempt.certificate_url;
    if (attempt.certificate_url) { $("r-certificate-link").href = attempt.certificate_url; }
    var review = $("review");
    review.innerHTML = "";
    (attempt.review || []).forEach(function (item) {
      var block = document.createElement("div");
      block.className = "review-item";
      var stem = document.createElement("p");
      stem.textContent = (item.position + 1) + ". " + item.stem;
      block.appendChild(stem);
      item.options.forEach(function (option) {
        var line = document.createElement("p");
        line.className = "small";
        line.textContent = option.letter + ". " + option.text;
        block.appendChild(line);
      });
      var verdict = document.createElement("p");
      verdict.className = item.correct ? "ok" : "bad";
      verdict.textContent = fmt(item.correct ? text.right : text.wrong, { given: item.given || "—", key: item.correct_answer.split("|").join(" / ") });
      block.appendChild(verdict);
      if (item.explanation) { var explain = document.createElement("p"); explain.className = "explain"; explain.textContent = item.explanation; block.appendChild(explain); }
      review.appendChild(block);
    });
    window.scrollTo(0, 0);
  }

  window.addEventListener("online", function () { if (state && state.status === "open") { flush(); } });
  loadMe();
})();
