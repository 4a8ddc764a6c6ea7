/* A challenge at home (templates/challenge/play.html): a nickname, then the questions one at a
   time with no clock, each answer followed by its lesson, then the end: the score, "did you
   talk about it at home?" and the page for parents. Plain HTTP JSON (docs/protocol.md,
   "Challenges"); the attempt's token is kept in localStorage so a reload resumes it, with the
   last question whose lesson was seen (a reload after answering shows that lesson again). */
"use strict";
(() => {
  const { $, t, el, tile, show, playChat, toast, number } = Quiz;
  const cfg = JSON.parse($("cfg").textContent);
  const NAMES = JSON.parse($("names").textContent);
  const KEY = "challenge:" + cfg.code;
  const BRAND = $("me-name").textContent;
  /** Seconds each chat message takes to appear (as on the phone in class). */
  const CHAT_STEP = 1.2;

  let me = load(); // {token, nickname, seen: index of the last lesson shown}
  let q = null; // the question on screen
  let busy = false;
  let stopChat = () => {};
  const chosen = new Set();

  function load() {
    try {
      const v = JSON.parse(localStorage.getItem(KEY));
      return v && typeof v.token === "string" ? v : null;
    } catch (e) {
      return null;
    }
  }
  function store(value) {
    me = value;
    try {
      if (value) localStorage.setItem(KEY, JSON.stringify(value));
      else localStorage.removeItem(KEY);
    } catch (e) {
      // private browsing: the attempt still works until the page is reloaded
    }
  }
  const text = (id, value) => ($(id).textContent = value);

  /** One request to the challenge's JSON; resolves to the body (errors included: {ok: false,
      error, message}), rejects only when the network fails. */
  async function call(method, path, body) {
    const init = { method, headers: { Accept: "application/json" } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const response = await fetch(cfg.base + path, init);
    try {
      return await response.json();
    } catch (e) {
      return { ok: false, error: "bad_response", message: t("no_conn") };
    }
  }

  function setMe(s) {
    text("me-name", s.nickname || BRAND);
    $("me-score").hidden = false;
    text("me-score", s.score);
  }

  // ----- starting -----------------------------------------------------------------------------

  if (me) resume();
  else if (cfg.closed) closed(null);
  else toJoin();

  async function resume() {
    show("v-load");
    let s;
    try {
      s = await call("GET", "/state?token=" + encodeURIComponent(me.token));
    } catch (e) {
      toast(t("no_conn"));
      setTimeout(resume, 3000);
      return;
    }
    if (s.ok) return draw(s);
    if (s.error === "invalid_token") {
      store(null);
      return cfg.closed ? closed(null) : toJoin(s.message);
    }
    toast(s.message);
    setTimeout(resume, 5000);
  }

  function toJoin(message) {
    $("join-err").hidden = !message;
    text("join-err", message || "");
    show("v-join");
  }

  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  $("suggest").addEventListener("click", () => {
    let name;
    do name = NAMES.en ? pick(NAMES.t) + " " + pick(NAMES.a) : pick(NAMES.a) + " " + pick(NAMES.t);
    while (name.length > 20);
    $("nick").value = name;
  });

  $("join-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    if (busy) return;
    const btn = $("join-btn");
    busy = btn.disabled = true;
    let ack;
    try {
      ack = await call("POST", "/join", { nickname: $("nick").value.trim(), class_label: $("cls").value.trim() });
    } catch (err) {
      ack = { ok: false, message: t("no_conn") };
    }
    busy = btn.disabled = false;
    if (ack.error === "challenge_closed") return closed(null);
    if (!ack.ok) return toJoin(ack.message);
    store({ token: ack.token, nickname: ack.nickname, seen: -1 });
    draw(ack.state);
  });

  // ----- screens ------------------------------------------------------------------------------

  /** The screen for a state: the last answer's lesson if not seen yet, else the next question,
      the end, or "closed". */
  function draw(s) {
    setMe(s);
    if (s.last && s.last.index > me.seen) return result(s.last, s);
    if (s.finished) return end(s);
    if (s.closed) return closed(s);
    question(s.question);
  }

  function question(d) {
    stopChat();
    q = d;
    chosen.clear();
    text("q-num", number(d));
    text("q-pts", d.points > 0 ? t("points", { n: d.points }) : "");
    $("q-bar").style.transform = "scaleX(" + d.index / d.total + ")";
    text("q-text", d.text);
    picture($("q-text"), d);
    $("q-err").hidden = true;
    const grid = $("q-ans");
    grid.textContent = "";
    grid.className = "ans" + (d.choices.some((c) => c.length > 22) ? " one" : d.choices.length < 3 ? " two" : "");
    d.choices.forEach((c, i) => {
      const b = tile(i, c, "button");
      b.type = "button";
      if (d.multiple) b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => choose(i, b));
      grid.append(b);
    });
    $("q-submit").disabled = true;
    $("q-submit").hidden = true;
    const chat = $("q-chat");
    chat.hidden = !d.chat;
    chat.classList.remove("done");
    show("v-q");
    window.scrollTo(0, 0);
    const open = () => {
      grid.hidden = false;
      chat.classList.add("done");
      chat.scrollTop = chat.scrollHeight;
      hint(d.multiple ? t("pick_all") : "");
      $("q-submit").hidden = !d.multiple;
    };
    if (!d.chat) return open();
    // the conversation appears message by message, then the choices
    grid.hidden = true;
    hint(t("reading"));
    const total = d.chat.length * CHAT_STEP;
    stopChat = playChat(chat, d.chat, total, total, open);
  }

  /** The question's picture under its text, only for a question that has one. */
  function picture(after, d) {
    let img = after.parentNode.querySelector(".q-img");
    if (!d.image) return img && img.remove();
    if (!img) {
      img = el("img", "q-img");
      img.decoding = "async";
      after.after(img);
    }
    img.alt = d.text;
    if (img.getAttribute("src") !== d.image) img.src = d.image;
  }

  function hint(msg) {
    $("q-hint").hidden = !msg;
    text("q-hint", msg);
  }

  function choose(i, b) {
    if (!q.multiple) return answer(i);
    if (chosen.has(i)) chosen.delete(i);
    else chosen.add(i);
    b.classList.toggle("on", chosen.has(i));
    b.setAttribute("aria-pressed", String(chosen.has(i)));
    $("q-submit").disabled = !chosen.size;
  }
  $("q-submit").addEventListener("click", () => chosen.size && answer([...chosen].sort((a, b) => a - b)));

  function lock(locked) {
    busy = locked;
    for (const b of $("q-ans").querySelectorAll("button")) b.disabled = locked;
    $("q-submit").disabled = locked || !chosen.size;
  }

  async function answer(choice) {
    if (busy) return;
    lock(true);
    let ack;
    try {
      ack = await call("POST", "/answer", { token: me.token, question: q.index, choice });
    } catch (e) {
      ack = { ok: false, error: "offline", message: t("no_conn") };
    }
    lock(false);
    if (ack.ok) {
      setMe(ack.state);
      return result(ack.result, ack.state);
    }
    if (ack.error === "challenge_closed") {
      cfg.closed = true;
      return closed(null);
    }
    if (ack.error === "invalid_token") {
      store(null);
      return toJoin(ack.message);
    }
    if (ack.error === "already_answered" || ack.error === "not_accepting") return resume();
    $("q-err").hidden = false;
    text("q-err", ack.message);
  }

  /** An answered question: right or wrong, the points, the right answer and the lesson. */
  function result(r, s) {
    stopChat();
    const kind = r.poll ? "poll" : r.correct ? "ok" : "bad";
    $("v-res").className = "view res res-" + kind;
    text("res-icon", { poll: "✓", ok: "✓", bad: "✗" }[kind]);
    text("res-title", t({ poll: "poll", ok: "correct", bad: "wrong" }[kind]));
    text("res-pts", r.points > 0 ? "+" + r.points : "");
    const ans = $("res-answer");
    ans.textContent = "";
    for (const i of r.right) ans.append(tile(i, r.choices[i], "p"));
    text("res-expl", r.explanation);
    $("res-lesson").hidden = !r.right.length && !r.explanation;
    const next = $("next-btn");
    text("next-btn", t(s.finished ? "see_end" : "next"));
    next.onclick = () => {
      me.seen = Math.max(me.seen, r.index);
      store(me);
      if (s.finished) return end(s);
      if (s.closed) return closed(s);
      question(s.question);
    };
    show("v-res");
    window.scrollTo(0, 0);
    next.focus({ preventScroll: true });
  }

  function end(s) {
    stopChat();
    text("end-score", s.score);
    text("end-right", t("right_of", { n: s.right, total: s.scored }));
    const asked = !s.talked && !s.closed;
    $("talk").hidden = !asked && !s.talked;
    $("talk-btns").hidden = !asked;
    $("talk-done").hidden = asked;
    if (s.talked) text("talk-done", t("talk_thanks"));
    $("talk-err").hidden = true;
    show("v-end");
    window.scrollTo(0, 0);
  }

  for (const b of document.querySelectorAll("#talk-btns button")) {
    b.addEventListener("click", async () => {
      if (busy) return;
      busy = true;
      const answer = b.dataset.answer;
      let ack;
      try {
        ack = await call("POST", "/talk", { token: me.token, answer });
      } catch (e) {
        ack = { ok: false, error: "offline", message: t("no_conn") };
      }
      busy = false;
      if (ack.ok || ack.error === "already_talked") {
        $("talk-btns").hidden = true;
        $("talk-done").hidden = false;
        text("talk-done", t(ack.ok ? "talk_" + answer : "talk_thanks"));
        return;
      }
      $("talk-err").hidden = false;
      text("talk-err", ack.message);
    });
  }

  function closed(s) {
    stopChat();
    $("closed-score").hidden = !s;
    if (s) text("closed-score", t("closed_score", { score: s.score }));
    show("v-closed");
  }

  // ----- helplines ----------------------------------------------------------------------------

  const sheet = $("help-sheet");
  $("help-btn").addEventListener("click", () => {
    const calls = $("help-calls");
    if (!calls.firstElementChild) calls.append(document.importNode($("help-tpl").content, true));
    if (!sheet.open) sheet.showModal();
    $("help-close").focus();
  });
  $("help-close").addEventListener("click", () => sheet.close());
  sheet.addEventListener("click", (e) => e.target === sheet && sheet.close()); // the backdrop
})();
