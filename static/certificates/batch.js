// A certificate batch's progress, polled until it is done (templates/certificates/batch.html).
"use strict";
(function () {
  const box = document.getElementById("batch");
  if (!box || !("poll" in box.dataset)) return;
  const label = (status) => box.dataset["label" + status.charAt(0).toUpperCase() + status.slice(1)] || status;
  async function poll() {
    const r = await fetch(box.dataset.url, {credentials: "same-origin"});
    if (!r.ok) return setTimeout(poll, 3000);
    const b = await r.json();
    document.getElementById("progress").textContent = b.progress;
    document.getElementById("status").textContent = label(b.status);
    const bar = document.getElementById("bar"); bar.max = b.total || 1; bar.value = b.done;
    if (b.status === "done" || b.status === "failed") { location.reload(); return; }
    setTimeout(poll, 1000);
  }
  poll();
})();
