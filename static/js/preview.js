/* A quiz's preview (templates/quizzes/preview.html): its questions played on one screen, in a
   phone-sized frame that looks like the pupils' phones (the same tiles, chat bubbles appearing
   one by one, countdown, result and lesson), without a session: no connection, nothing
   recorded. Buttons or keys: ← → move between questions, R shows the answer, 1–4 answer. */
"use strict";
(() => {
  const { $, el, tile, countdown, fullClock, playChat } = Quiz;
  const QS = JSON.parse($("pv-data").textContent);
  const T = JSON.parse($("pv-i18n").textContent);
  const t = (key, vars) => (T[key] || "").replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

  let at = 0; // the question on screen
  let chosen = new Set();
  let revealed = false;
  let stops = [];
  let score = 0;
  const scored = new Set(); // questions already counted in the score

  const stop = () => {
    stops.forEach((f) => f());
    stops = [];
  };

  function view(id) {
    for (const v of document.querySelectorAll(".pv-view")) v.hidden = v.id !== id;
  }

  function say(text) {
    $("pv-live").textContent = "";
    setTimeout(() => ($("pv-live").textContent = text), 30);
  }

  /** The side facts of the question on screen, and the list to jump to any question. */
  function side() {
    const q = QS[at];
    $("pv-count").textContent = t("of", { n: at + 1, total: QS.length });
    const facts = [T.types[q.type] || q.type, t("seconds", { n: Math.round(q.time_limit) })];
    if (q.type !== "poll") facts.push(t("points", { n: q.points }));
    if (q.topic) facts.push(q.topic);
    $("pv-facts").textContent = facts.join(" · ");
    $("pv-prev").disabled = at === 0;
    $("pv-reveal").disabled = revealed;
    const list = $("pv-list");
    list.textContent = "";
    QS.forEach((x, i) => {
      const b = el("button", "link", x.text);
      b.type = "button";
      if (i === at) b.setAttribute("aria-current", "step");
      b.addEventListener("click", () => go(i));
      const li = el("li");
      li.append(b);
      list.append(li);
    });
  }

  function go(i) {
    if (i >= QS.length) return end();
    at = Math.max(0, i);
    question();
  }

  function question() {
    stop();
    $("pv-next").textContent = NEXT;
    const q = QS[at];
    chosen = new Set();
    revealed = false;
    $("pv-num").textContent = Quiz.t("question_n", { n: at + 1, total: QS.length });
    $("pv-text").textContent = q.text;
    const img = $("pv-img");
    img.hidden = !q.image;
    if (q.image) {
      img.src = q.image;
      img.alt = q.text;
    } else img.removeAttribute("src");
    const grid = $("pv-ans");
    grid.textContent = "";
    grid.className = "ans" + (q.choices.some((c) => c.length > 22) ? " one" : q.choices.length < 3 ? " two" : "");
    q.choices.forEach((c, i) => {
      const b = tile(i, c, "button");
      b.type = "button";
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => choose(i));
      grid.append(b);
    });
    $("pv-submit").hidden = true;
    const chat = $("pv-chat");
    chat.classList.remove("done");
    chat.hidden = !q.chat;
    fullClock($("pv-bar"), $("pv-sec"), q.time_limit);
    view("pv-q");
    side();
    const open = () => {
      grid.hidden = false;
      chat.classList.add("done");
      chat.scrollTop = chat.scrollHeight;
      hint(q.multiple ? t("pick_all") : "");
      $("pv-submit").hidden = !q.multiple;
      $("pv-submit").disabled = true;
      stops.push(countdown($("pv-bar"), $("pv-sec"), q.time_limit, q.time_limit, () => revealed || hint(t("timeup"))));
    };
    if (!q.chat) return open();
    grid.hidden = true;
    hint(t("reading"));
    stops.push(playChat(chat, q.chat, q.reading_time, q.reading_time, open));
  }

  function hint(text) {
    $("pv-hint").hidden = !text;
    $("pv-hint").textContent = text;
  }

  function choose(i) {
    if (revealed || $("pv-ans").hidden) return;
    const q = QS[at];
    if (q.multiple) {
      if (chosen.has(i)) chosen.delete(i);
      else chosen.add(i);
    } else chosen = new Set([i]);
    $("pv-ans").querySelectorAll(".ch").forEach((b, k) => {
      b.classList.toggle("on", chosen.has(k));
      b.setAttribute("aria-pressed", String(chosen.has(k)));
    });
    $("pv-submit").disabled = !chosen.size;
    if (!q.multiple) reveal();
  }

  /** The phone's result: right or wrong (or a poll's thanks), then the lesson. */
  function reveal() {
    if (revealed) return;
    stop();
    revealed = true;
    const q = QS[at];
    const picked = [...chosen].sort((a, b) => a - b);
    const right = q.type !== "poll" && picked.length && picked.join() === q.correct.join();
    const kind = q.type === "poll" ? "poll" : !picked.length ? "late" : right ? "ok" : "bad";
    $("pv-res").className = "pv-view res res-" + kind;
    $("pv-res-icon").textContent = { poll: "✓", late: "–", ok: "✓", bad: "✗" }[kind];
    $("pv-res-title").textContent = t({ poll: "poll", late: "none", ok: "correct", bad: "wrong" }[kind]);
    $("pv-res-pts").textContent = right && q.points ? "+" + q.points : "";
    if (right && !scored.has(at)) {
      scored.add(at);
      score += q.points;
    }
    $("pv-score").textContent = score;
    const ans = $("pv-answer");
    ans.textContent = "";
    if (q.type !== "poll") for (const i of q.correct) ans.append(tile(i, q.choices[i], "p"));
    $("pv-expl").textContent = q.explanation;
    $("pv-lesson").hidden = !ans.firstChild && !q.explanation;
    view("pv-res");
    side();
    say(t("revealed"));
  }

  const NEXT = $("pv-next").textContent;
  function end() {
    stop();
    at = QS.length - 1;
    $("pv-next").textContent = t("again");
    $("pv-end-score").textContent = t("end_score", { n: score });
    view("pv-end");
    $("pv-count").textContent = "";
    $("pv-reveal").disabled = true;
  }

  $("pv-submit").addEventListener("click", () => chosen.size && reveal());
  $("pv-prev").addEventListener("click", () => go(at - 1));
  $("pv-next").addEventListener("click", () => ($("pv-end").hidden ? go(at + 1) : go(0)));
  $("pv-reveal").addEventListener("click", reveal);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.target.closest("input,textarea,select")) return;
    if (e.key === "ArrowRight") $("pv-next").click();
    else if (e.key === "ArrowLeft") at > 0 && go(at - 1);
    else if (e.key === "r" || e.key === "R") !$("pv-q").hidden && reveal();
    else if (/^[1-4]$/.test(e.key) && !$("pv-q").hidden) {
      const b = $("pv-ans").querySelectorAll(".ch")[Number(e.key) - 1];
      if (b) b.click();
    } else return;
    e.preventDefault();
  });

  go(0);
})();
