// The marking-scheme builder (scoring/views_console.py): validate as you go.
// On every change the form is posted with check=1; the server answers with field errors keyed
// by input name and the standings columns the scheme would give. Nothing is saved by a check.
(function () {
  "use strict";
  var form = document.querySelector("[data-scheme-check]");
  if (!form) { return; }
  var status = form.querySelector("[data-check-status]");
  var preview = form.querySelector("[data-preview-columns]");
  var timer = null;
  var sequence = 0;

  function errorBox(name) {
    if (name === "__all__") { return form.querySelector('[data-field-errors="__all__"]'); }
    var field = form.querySelector('[data-field="' + name + '"]');
    return field ? field.querySelector(".field-errors") : null;
  }

  function show(result) {
    form.querySelectorAll(".field-errors").forEach(function (box) { box.textContent = ""; });
    form.querySelectorAll(".has-error").forEach(function (el) { el.classList.remove("has-error"); });
    Object.keys(result.errors || {}).forEach(function (name) {
      var box = errorBox(name) || errorBox("__all__");
      result.errors[name].forEach(function (text) {
        var p = document.createElement("p");
        p.textContent = text;
        box.appendChild(p);
      });
      var field = form.querySelector('[data-field="' + name + '"]');
      if (field) { field.classList.add("has-error"); }
    });
    preview.textContent = "";
    (result.columns || []).forEach(function (column) {
      var li = document.createElement("li");
      li.textContent = column.title;
      if (column.detail) {
        var small = document.createElement("small");
        small.textContent = column.detail;
        li.appendChild(small);
      }
      preview.appendChild(li);
    });
    status.textContent = result.valid ? status.dataset.ok || "✓" : status.dataset.bad || "✗";
    status.className = "check-status " + (result.valid ? "ok" : "bad");
  }

  function check() {
    var mine = ++sequence;
    var body = new FormData(form);
    body.set("check", "1");
    fetch(form.action || window.location.href, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      return response.json();
    }).then(function (result) {
      if (mine === sequence) { show(result); }
    }).catch(function () { /* offline or server away: the save button still validates */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 400);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);

  var add = form.querySelector("[data-add-criterion]");
  var total = form.querySelector('input[name="criteria-TOTAL_FORMS"]');
  if (add && total) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var cards = form.querySelectorAll("[data-criterion]");
      var last = cards[cards.length - 1];
      var index = Number(total.value);
      var copy = last.cloneNode(true);
      // cloneNode keeps what was typed into inputs but not what was picked in selects: copy those.
      var picked = last.querySelectorAll("select");
      copy.querySelectorAll("select").forEach(function (select, i) { select.value = picked[i].value; });
      copy.querySelectorAll("[name], [id], [for], [data-field]").forEach(function (el) {
        ["name", "id", "for", "data-field"].forEach(function (attr) {
          var value = el.getAttribute(attr);
          if (value) { el.setAttribute(attr, value.replace(/criteria-\d+-/, "criteria-" + index + "-")); }
        });
      });
      // A new criterion keeps the copied kind, weight and panel, and starts without a code or title.
      copy.querySelectorAll("input").forEach(function (el) {
        if (/-(code|title|title_en|max_value)$/.test(el.name)) { el.value = ""; }
      });
      copy.querySelectorAll("input[type=checkbox]").forEach(function (el) { el.checked = false; });
      copy.querySelectorAll(".field-errors").forEach(function (box) { box.textContent = ""; });
      copy.querySelector("legend").textContent = copy.querySelector("legend").textContent.replace(/\d+/, String(index + 1));
      last.parentNode.insertBefore(copy, last.nextSibling);
      total.value = String(index + 1);
    });
  }
}());
