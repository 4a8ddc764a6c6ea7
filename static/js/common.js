/* Shared by the projector and the phone: translated strings, DOM helpers, answer tiles, the
   countdown and the chat-scenario player. Data from the server is only ever inserted as text. */
"use strict";
const Quiz = (() => {
  const $ = (id) => document.getElementById(id);
  // Translated strings: the shared blocks first, then the page's own (which may override them).
  const T = Object.assign({}, ...Array.from(document.querySelectorAll("script.i18n"),
    (s) => JSON.parse(s.textContent)));
  const SHAPES = ["▲", "◆", "●", "■"];

  /** A translated string with its {name} placeholders filled in. */
  const t = (key, vars) => (T[key] || "").replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  /** An answer tile: colour, shape and letter, so that colour is never the only cue. */
  function tile(i, text, tag) {
    const e = el(tag || "li", "ch c" + i);
    const shape = el("span", "shape", SHAPES[i]);
    shape.setAttribute("aria-hidden", "true");
    e.append(shape, el("span", "letter", "ABCD"[i]), el("span", "txt", text));
    return e;
  }

  /** "Question 3/10", or "Check 2/5" for a question of the knowledge check: in a session with a
      check, each part is numbered on its own (part, part_index, part_total: docs/protocol.md). */
  function number(d) {
    const check = d.part === "before" || d.part === "after";
    const n = (d.part ? d.part_index : d.index) + 1;
    return t(check ? "check_n" : "question_n", { n, total: d.part ? d.part_total : d.total });
  }

  /** What to say above a question of a session with a knowledge check: the check before ("what
      do you already know?"), the quiz's first question, the check after; else "". */
  function partNote(d) {
    if (d.part === "before" || d.part === "after") return t("part_" + d.part);
    return d.part === "main" && d.part_index === 0 ? t("part_main") : "";
  }

  /** A share (0–1) as a whole percentage: "71%"; "–" for none. */
  const pct = (x) => (x == null ? "–" : Math.round(x * 100) + "%");

  // ----- what a screen reader says ------------------------------------------------------------
  // Two visually hidden live regions, made at once on a page that marks texts to say (data-say):
  // "polite" for what happened (a question, an answer sent, a result), "assertive" for what will
  // not wait (time is up). They exist before anything is said into them, as screen readers need.
  const live = {};
  if (document.querySelector("[data-say]")) {
    for (const kind of ["polite", "assertive"]) {
      const box = el("div", "sr-only");
      box.id = "say-" + kind;
      box.setAttribute("aria-live", kind);
      box.setAttribute("aria-atomic", "true");
      document.body.append(box);
      live[kind] = box;
    }
  }

  /** Say `text` through the polite (or, `urgent`, the assertive) region; the same words twice in
      a row are said twice. */
  function say(text, urgent) {
    const box = live[urgent ? "assertive" : "polite"];
    if (!box || !text) return;
    box.textContent = "";
    clearTimeout(box.h);
    box.h = setTimeout(() => (box.textContent = text), 80);
  }

  /** The visible texts of a view marked data-say, in order, as one sentence each; said once the
      caller has filled them in (after the current task). A view whose class names its
      data-say-urgent state (the phone's "time's up") is said assertively. */
  function sayView(view) {
    setTimeout(() => {
      if (view.hidden) return;
      const parts = [];
      for (const e of view.querySelectorAll("[data-say]")) {
        if (e.closest("[hidden]")) continue;
        // its shown texts as written (not as styled: "SCORE" would be spelt out), a comma apart
        const texts = [];
        const walk = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
        while (walk.nextNode()) {
          const box = walk.currentNode.parentElement;
          const words = walk.currentNode.textContent.trim();
          if (words && box.getClientRects().length && !box.closest("[aria-hidden=true]")) texts.push(words);
        }
        if (texts.length) parts.push(texts.join(", "));
      }
      const urgent = view.dataset.sayUrgent && view.classList.contains(view.dataset.sayUrgent);
      say(parts.map((p) => (/[.!?…:]$/.test(p) ? p : p + ".")).join(" "), urgent);
    }, 0);
  }

  function show(id) {
    for (const v of document.querySelectorAll(".view")) v.hidden = v.id !== id;
    const view = $(id);
    if (view && live.polite && view.querySelector("[data-say]")) sayView(view);
  }

  // Answer buttons (.ans) by keyboard: the arrow keys move between them as they are laid out
  // (← → along a row, ↑ ↓ between rows), and into them when nothing has the focus.
  document.addEventListener("keydown", (e) => {
    if (!e.key.startsWith("Arrow") || e.altKey || e.ctrlKey || e.metaKey) return;
    const inside = e.target.closest && e.target.closest(".ans");
    if (!inside && e.target !== document.body) return;
    const grid = inside || Array.from(document.querySelectorAll(".ans")).find((g) => g.offsetParent);
    if (!grid) return;
    const buttons = Array.from(grid.querySelectorAll("button:not(:disabled)"));
    if (!buttons.length) return;
    e.preventDefault();
    const i = buttons.indexOf(e.target);
    if (i < 0) return buttons[0].focus();
    const cols = Math.max(1, buttons.filter((b) => b.offsetTop === buttons[0].offsetTop).length);
    const step = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: cols, ArrowUp: -cols }[e.key];
    const next = buttons[Math.min(buttons.length - 1, Math.max(0, i + step))];
    next.focus();
  });

  /** Seconds from receipt until the choices show and until the countdown ends. time_left is
      always the countdown that runs once the choices are shown (see docs/protocol.md). */
  function timing(q) {
    const reading = q.reading_left != null ? q.reading_left : q.reading_time || 0;
    return { reading, ends: reading + q.time_left, at: performance.now() };
  }

  /** Set a countdown bar (scaleX) or SVG ring (pathLength 100) to a fraction, or animate it to
      zero over `secs` seconds with one linear CSS transition: nothing runs per frame. */
  function setFill(fill, f, secs) {
    const ring = fill instanceof SVGElement;
    fill.style.transition = "none";
    if (secs) fill.getBoundingClientRect(); // commit the start value first
    if (secs) fill.style.transition = (ring ? "stroke-dashoffset " : "transform ") + secs + "s linear";
    if (ring) fill.style.strokeDashoffset = String(100 * (1 - f));
    else fill.style.transform = "scaleX(" + f + ")";
  }

  /** Reset a countdown to full and still. */
  function fullClock(fill, num, total) {
    setFill(fill, 1);
    num.textContent = Math.round(total);
    num.parentNode.classList.remove("low");
  }

  const still = window.matchMedia("(prefers-reduced-motion: reduce)");

  /** Run a countdown of `left` seconds out of `total`; the number updates 4 times a second.
      For whoever asks for less motion the bar does not glide: it steps with the number.
      Returns a function that stops it. */
  function countdown(fill, num, total, left, onEnd) {
    left = Math.max(0, left);
    const end = performance.now() + left * 1000;
    setFill(fill, total > 0 ? Math.min(1, left / total) : 0);
    if (!still.matches) setFill(fill, 0, left);
    let h = 0;
    const tick = () => {
      const s = Math.max(0, Math.ceil((end - performance.now()) / 1000));
      if (still.matches) setFill(fill, total > 0 ? Math.min(1, s / total) : 0);
      num.textContent = s;
      num.parentNode.classList.toggle("low", s <= 5);
      if (s === 0) {
        clearInterval(h);
        if (onEnd) onEnd();
      }
    };
    h = setInterval(tick, 250);
    tick();
    return () => clearInterval(h);
  }

  /** Play a chat scenario: messages evenly spaced over `total` seconds, with a "typing" bubble
      before each incoming one; those already due (`left` < total) appear at once.
      Returns a function that cancels what is still to come. */
  function playChat(box, msgs, total, left, done) {
    box.textContent = "";
    box.hidden = false;
    const other = msgs.find((m) => !m.mine);
    const many = new Set(msgs.filter((m) => !m.mine).map((m) => m.from)).size > 1;
    if (other) {
      const head = el("div", "chat-h");
      head.append(el("i", null, other.from.charAt(0)), el("span", null, other.from));
      box.append(head);
    }
    const step = total / msgs.length;
    const timers = [];
    const typing = el("div", "msg them typing");
    typing.append(el("i"), el("i"), el("i"));
    msgs.forEach((m, i) => {
      const add = () => {
        typing.remove();
        const b = el("div", "msg " + (m.mine ? "me" : "them"));
        if (many && !m.mine && (i === 0 || msgs[i - 1].from !== m.from)) b.append(el("b", "from", m.from));
        b.append(el("span", null, m.text));
        box.append(b);
        if (msgs[i + 1] && !msgs[i + 1].mine) box.append(typing);
        box.scrollTop = box.scrollHeight;
      };
      const at = i * step - (total - left);
      if (at <= 0) add();
      else timers.push(setTimeout(add, at * 1000));
    });
    timers.push(setTimeout(done, Math.max(0, left) * 1000));
    return () => timers.forEach(clearTimeout);
  }

  function toast(msg, ms) {
    const box = $("toast");
    box.textContent = msg;
    box.hidden = false;
    clearTimeout(toast.h);
    toast.h = setTimeout(() => (box.hidden = true), ms || 4000);
  }

  /** A small banner while the connection is down, and "back online" for a moment after. */
  function netBanner(socket, box) {
    let down = false;
    let h = 0;
    const say = (key, cls) => {
      clearTimeout(h);
      box.textContent = t(key);
      box.className = "net " + cls;
      box.hidden = false;
    };
    const lost = () => {
      down = true;
      say("reconnecting", "down");
    };
    socket.on("disconnect", lost);
    socket.on("connect_error", lost);
    socket.on("connect", () => {
      if (!down) return;
      down = false;
      say("online", "up");
      h = setTimeout(() => (box.hidden = true), 2500);
    });
  }

  /** When the network comes back or the screen wakes: connect now rather than at the client's
      next back-off step (up to several seconds), or, if the socket still looks connected, call
      `resync` to ask the server for the state. Sending it also lets the client see at once a
      connection that died while the phone slept (an expired heartbeat closes it). */
  function onWake(socket, resync) {
    const wake = () => {
      if (document.visibilityState !== "visible") return;
      if (!socket.connected) socket.connect();
      else resync();
    };
    window.addEventListener("online", wake);
    document.addEventListener("visibilitychange", wake);
  }

  return { $, t, el, tile, show, say, timing, countdown, fullClock, playChat, toast, netBanner, onWake, number, partNote, pct, SHAPES };
})();
