/* The new-session form's school field as a search: the presenter's own unit's schools first
   (read from the page's datalist, which also serves browsers without this script), then any
   school by name or code from GET /api/v1/schools?q= (diacritics optional). Picking a school
   writes "CODE — Name" into the field: the server reads the code before the first space.
   Data from the server is only ever inserted as text. */
"use strict";
(() => {
  const input = document.getElementById("school");
  const list = document.getElementById("school-list");
  const box = input && input.closest(".school-pick");
  if (!input || !box) return;
  const T = JSON.parse(document.getElementById("school-search-i18n").textContent);
  const url = box.dataset.search;
  const own = Array.from(list ? list.options : [], (o) => ({
    code: o.value, name: o.dataset.name, unit: o.dataset.unit, province: o.dataset.province,
    level: o.dataset.level,
  }));
  const say = (key, vars) => (T[key] || "").replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

  // The datalist stays for browsers without this script; with it, this listbox replaces it.
  input.removeAttribute("list");
  const results = document.createElement("ul");
  results.id = "school-results";
  results.className = "school-results";
  results.setAttribute("role", "listbox");
  results.setAttribute("aria-label", say("label"));
  results.hidden = true;
  box.append(results);
  const chosen = document.createElement("p");
  chosen.className = "school-chosen";
  chosen.setAttribute("aria-live", "polite");
  chosen.hidden = true;
  box.after(chosen);
  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", results.id);
  input.setAttribute("aria-expanded", "false");

  let options = []; // the schools shown, in order
  let active = -1;
  let picked = null; // the school whose label the field holds
  let timer = 0;
  let request = null;
  let asked = 0; // the latest search: older answers are dropped

  const label = (s) => s.code + " — " + s.name;
  const where = (s) => [s.unit, s.province].filter(Boolean).join(", ");

  function close() {
    results.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
    active = -1;
  }

  function line(text, cls) {
    const li = document.createElement("li");
    li.className = cls;
    li.setAttribute("role", "presentation");
    li.textContent = text;
    results.append(li);
  }

  /** Draw groups of schools ([[title, schools], ...]) or a note alone. */
  function draw(groups, note) {
    results.replaceChildren();
    options = [];
    active = -1;
    for (const [title, schools] of groups) {
      if (!schools.length) continue;
      if (title) line(title, "group");
      for (const s of schools) {
        const li = document.createElement("li");
        li.id = "school-opt-" + options.length;
        li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        const name = document.createElement("span");
        name.className = "opt-name";
        name.textContent = s.name;
        const sub = document.createElement("span");
        sub.className = "opt-where";
        sub.textContent = [s.code, where(s)].filter(Boolean).join(" · ");
        li.append(name, sub);
        const index = options.length;
        li.addEventListener("mousedown", (e) => e.preventDefault()); // keep the focus
        li.addEventListener("click", () => pick(options[index]));
        results.append(li);
        options.push(s);
      }
    }
    if (note) line(note, "note");
    results.hidden = !results.childElementCount;
    input.setAttribute("aria-expanded", String(!results.hidden));
  }

  function highlight(i) {
    const items = results.querySelectorAll("[role=option]");
    if (!items.length) return;
    active = (i + items.length) % items.length;
    items.forEach((li, n) => li.setAttribute("aria-selected", String(n === active)));
    input.setAttribute("aria-activedescendant", items[active].id);
    items[active].scrollIntoView({ block: "nearest" });
  }

  function pick(s) {
    picked = s;
    input.value = label(s);
    chosen.textContent = "✓ " + s.name + (where(s) ? " — " + where(s) : "");
    chosen.hidden = false;
    input.dataset.level = s.level || "";
    close();
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function ownList() {
    if (own.length) draw([[say("own"), own]]);
    else draw([], say("type"));
  }

  function search() {
    const q = input.value.trim();
    if (picked && input.value === label(picked)) return ownList();
    if (picked) {
      picked = null;
      chosen.hidden = true;
    }
    clearTimeout(timer);
    if (request) request.abort();
    if (q.length < 2) return ownList();
    draw([], say("searching"));
    timer = setTimeout(() => run(q), 220);
  }

  async function run(q) {
    const mine = ++asked;
    request = new AbortController();
    try {
      const response = await fetch(url + "?limit=30&q=" + encodeURIComponent(q), {
        credentials: "same-origin", signal: request.signal, headers: { Accept: "application/json" },
      });
      if (!response.ok) throw new Error(String(response.status));
      const found = (await response.json()).schools || [];
      if (mine !== asked) return;
      const ownCodes = new Set(own.map((s) => s.code));
      const first = found.filter((s) => ownCodes.has(s.code));
      const rest = found.filter((s) => !ownCodes.has(s.code));
      if (!found.length) draw([], say("none", { q }));
      else draw([[first.length ? say("own") : "", first], [first.length ? say("other") : "", rest]]);
    } catch (e) {
      if (e.name === "AbortError" || mine !== asked) return;
      draw([], say("offline"));
    }
  }

  input.addEventListener("input", search);
  input.addEventListener("focus", () => {
    if (picked && input.value === label(picked)) input.select();
    search();
  });
  input.addEventListener("blur", () => setTimeout(close, 120));
  input.addEventListener("keydown", (e) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (results.hidden) search();
      highlight(active + (e.key === "ArrowDown" ? 1 : -1));
    } else if (e.key === "Enter" && !results.hidden && active >= 0) {
      e.preventDefault();
      pick(options[active]);
    } else if (e.key === "Escape" && !results.hidden) {
      e.preventDefault();
      close();
    }
  });

  // A school already in the field (the only school, or a refused form sent back) is shown.
  const start = input.value.trim().toUpperCase().split(" ")[0];
  const known = own.find((s) => s.code === start);
  if (known) {
    picked = known;
    input.value = label(known);
    chosen.textContent = "✓ " + known.name + (where(known) ? " — " + where(known) : "");
    chosen.hidden = false;
  }
})();
