// The public bracket: polls the JSON (publication policy applied by the server) and redraws.
(function () {
  "use strict";
  const root = document.getElementById("bracket-root");
  if (!root) return;
  const S = JSON.parse(document.getElementById("bracket-strings").textContent);
  const url = root.dataset.url;
  const every = Number(root.dataset.poll) || 5000;
  const $ = (id) => document.getElementById(id);

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function fmt(template, value) { return template.replace("%s", value); }

  function roundName(match, rounds) {
    const key = match.key;
    if (S.rounds[key]) return S.rounds[key];
    const prefix = key.split("-")[0];
    if (prefix === "P5") return S.rounds.P5;
    if (S.rounds[prefix]) return S.rounds[prefix];
    return fmt(S.rounds.R, prefix.replace("R", ""));
  }

  function teamName(team) { return team ? team.name : null; }

  function sideRow(match, team, ends, isHome) {
    const row = el("div", "side");
    const name = el("span", team ? "name" : "tbd", teamName(team) || (match.bye ? S.bye : S.tbd));
    row.appendChild(name);
    if (match.winner && team && match.winner === team.id) row.classList.add("won");
    if (ends) row.appendChild(el("span", "ends", isHome ? ends[0] : ends[1]));
    return row;
  }

  function when(match) {
    const bits = [];
    if (match.court) bits.push(fmt(S.court, match.court));
    if (match.starts_at) {
      const d = new Date(match.starts_at);
      bits.push(d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }));
    }
    if (match.outcome && S.outcome[match.outcome]) bits.push(S.outcome[match.outcome]);
    return bits.join(" · ");
  }

  function matchCard(match) {
    const card = el("div", "match" + (match.bye ? " bye" : ""));
    card.dataset.key = match.key;
    card.appendChild(sideRow(match, match.home, match.ends, true));
    card.appendChild(sideRow(match, match.away, match.ends, false));
    const meta = when(match);
    if (meta) card.appendChild(el("span", "meta", match.key + " · " + meta));
    return card;
  }

  function drawRounds(data) {
    const box = $("bracket-rounds");
    box.replaceChildren();
    for (const round of data.rounds) {
      const col = el("div", "round");
      // The main draw first; placing matches (3rd, 5th-8th) below it, best place first.
      const isExtra = (m) => (m.placing && m.placing !== 1) || m.key.startsWith("P5");
      const main = round.matches.filter((m) => !isExtra(m));
      const extra = round.matches.filter(isExtra).sort((a, b) => (a.placing || 6) - (b.placing || 6));
      const shown = main.length ? main : round.matches;
      col.appendChild(el("h3", null, roundName(shown[0])));
      shown.forEach((m) => col.appendChild(matchCard(m)));
      extra.forEach((m) => {
        col.appendChild(el("h3", null, roundName(m)));
        col.appendChild(matchCard(m));
      });
      box.appendChild(col);
    }
    $("knockout-title").parentElement.hidden = !data.rounds.length;
    const places = $("bracket-placings");
    places.replaceChildren();
    for (const row of data.placings) {
      places.appendChild(el("li", "place-" + row.place, row.place + ". " + (teamName(row.team) || "")));
    }
  }

  function drawGroups(data) {
    const box = $("bracket-groups");
    box.replaceChildren();
    for (const group of data.groups) {
      const card = el("div", "group");
      card.appendChild(el("h3", null, group.label));
      const table = el("table");
      const head = el("tr");
      [["rank", ""], ["team", ""], ["played", "n"], ["won", "n"], ["lost", "n"], ["ends", "n"]].forEach(([k, c]) => {
        head.appendChild(el("th", c, S.table[k]));
      });
      table.appendChild(head);
      for (const row of group.table) {
        const tr = el("tr", group.complete && row.rank <= 2 ? "through" : "");
        tr.appendChild(el("td", "n", row.rank));
        const who = el("td");
        who.appendChild(el("span", "name", row.team ? row.team.name : ""));
        if (row.team && row.team.unit) who.appendChild(el("span", "unit", row.team.unit));
        tr.appendChild(who);
        tr.appendChild(el("td", "n", row.played));
        tr.appendChild(el("td", "n", row.won));
        tr.appendChild(el("td", "n", row.lost));
        tr.appendChild(el("td", "n", row.ends_won + "-" + row.ends_lost));
        table.appendChild(tr);
      }
      card.appendChild(table);
      box.appendChild(card);
    }
    $("groups-title").parentElement.hidden = !data.groups.length;
  }

  function drawNext(data) {
    const list = $("bracket-next");
    list.replaceChildren();
    for (const m of data.next) {
      const li = el("li");
      li.appendChild(el("span", "when", [m.key, when(m)].filter(Boolean).join(" · ")));
      li.appendChild(el("span", "pair", (teamName(m.home) || S.tbd) + " — " + (teamName(m.away) || S.tbd)));
      list.appendChild(li);
    }
    $("next-title").parentElement.hidden = !data.next.length;
  }

  function draw(data) {
    const hidden = Boolean(data.hidden);
    $("bracket-policy").textContent = hidden ? S.hidden : data.policy === "frozen" ? S.frozen : "";
    if (hidden) data = { rounds: [], groups: [], next: [], placings: [] };
    drawNext(data);
    drawRounds(data);
    drawGroups(data);
    root.dataset.loaded = "1";
  }

  async function poll() {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      draw(await response.json());
      $("bracket-status").hidden = true;
    } catch (err) {
      const status = $("bracket-status");
      status.textContent = S.offline;
      status.hidden = false;
    } finally {
      window.setTimeout(poll, every);
    }
  }
  poll();
})();
