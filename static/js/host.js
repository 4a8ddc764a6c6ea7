/* The projector: lobby (the Wi-Fi step, QR, PIN, players), questions, reveals, leaderboards and
   the podium. A reload or a reconnect asks the server for the state and draws it again.
   Team mode: each chip is a team and its pupils, and the lobby counts both. A discussion time
   shows the question and its choices with a countdown of its own before the answers open;
   without a timer, no countdown at all. */
"use strict";
(() => {
  const { $, t, el, tile, show, timing, countdown, fullClock, playChat, toast, netBanner, onWake, number, partNote, pct, SHAPES } = Quiz;
  const CFG = JSON.parse($("cfg").textContent);
  const pin = CFG.pin;
  const TEAMS = !!CFG.teams;
  const socket = io({ query: { pin, lang: document.documentElement.lang } }); // lang: ack messages

  let phase = "";
  let index = -1; // the question the screen shows, sent with host:next
  let q = null; // the open question
  let players = 0;
  let stops = [];
  let drawn = false; // chips animate in only after the first drawing
  const chips = new Map(); // player_id -> chip

  function stop() {
    stops.forEach((f) => f());
    stops = [];
  }
  function text(id, value) {
    $(id).textContent = value;
  }

  /** Which controls each phase offers (the before-reveal of a knowledge check is a reveal). */
  const CONTROLS = {
    lobby: [],
    question: ["btn-reveal", "btn-end"],
    reveal: ["btn-next", "btn-end"],
    leaderboard: ["btn-next", "btn-end"],
    over: [],
  };
  function setPhase(p, view, i) {
    phase = p;
    if (i !== undefined) index = i;
    document.body.dataset.phase = p;
    for (const id of ["btn-next", "btn-reveal", "btn-end"]) $(id).hidden = !CONTROLS[p].includes(id);
    $("keys").hidden = p === "over" || p === "lobby";
    $("deck-pin").hidden = p === "lobby" || p === "over";
    $("deck-steps").hidden = p !== "lobby" || !lobbyView().wifi;
    for (const e of document.querySelectorAll(".lobby-only")) e.hidden = p !== "lobby";
    show(view);
  }

  // ----- the lobby's steps: 1. join the Wi-Fi, 2. join the game (lobby.js) -------------------

  const lobbyCfg = JSON.parse($("lobby-cfg").textContent);
  let qrVersion = lobbyCfg.view.wifi ? lobbyCfg.view.version : -1; // the Wi-Fi code drawn
  const steps = Lobby.follow(socket, lobbyCfg, (v) => {
    const box = $("v-lobby");
    box.dataset.step = v.step;
    box.dataset.wifi = v.wifi ? "1" : "0";
    $("deck-steps").hidden = phase !== "lobby" || !v.wifi;
    if (!v.wifi) return;
    for (const e of document.querySelectorAll(".wifi-ssid")) e.textContent = v.wifi.ssid;
    $("wifi-hidden").hidden = !v.wifi.hidden;
    if (v.version !== qrVersion) {
      qrVersion = v.version; // a new network: a new code (the URL names a version, never the password)
      $("wifi-img").src = lobbyCfg.urls.qr + "?v=" + v.version;
    }
  });
  const lobbyView = () => (steps ? steps.view() : lobbyCfg.view);

  const wifiDlg = $("wifi-dlg");
  $("btn-wifi").addEventListener("click", () => wifiDlg.showModal());
  wifiDlg.addEventListener("wifi:saved", () => wifiDlg.close());
  wifiDlg.addEventListener("click", (e) => e.target === wifiDlg && wifiDlg.close()); // backdrop

  // ----- connection and commands -------------------------------------------------------------

  netBanner(socket, $("net"));
  socket.on("connect", join);
  onWake(socket, join);

  function join() {
    socket.timeout(8000).emit("host:join", { pin }, (err, ack) => {
      if (err) {
        if (socket.connected) setTimeout(join, 1000);
        return;
      }
      if (!ack.ok) return toast(ack.message, 15000);
      draw(ack.state);
      steps.refresh();
    });
  }

  const { act, next } = Presenter.controls(socket, pin, () => ({ phase, index, players }));

  // Keyboard and presentation remotes: Space, →, Enter or PageDown = next; R = reveal. In the
  // lobby with a Wi-Fi step, next goes from "1. Join the Wi-Fi" to "2. Join the game" before it
  // starts, and ← or PageUp goes back; 1, 2 and 3 show the Wi-Fi, the game, both.
  // A focused button or link keeps its own keys.
  document.addEventListener("keydown", (e) => {
    if (e.repeat || e.ctrlKey || e.metaKey || e.altKey || kickDlg.open || wifiDlg.open || e.target.closest("button, a, input, select")) return;
    const k = e.key;
    const wifi = phase === "lobby" && lobbyView().wifi;
    if (k === " " || k === "ArrowRight" || k === "Enter" || k === "PageDown") {
      e.preventDefault();
      if (wifi && lobbyView().step === "wifi") steps.step("join");
      else next();
    } else if (wifi && (k === "ArrowLeft" || k === "PageUp")) {
      e.preventDefault();
      steps.step("wifi");
    } else if (wifi && (k === "1" || k === "2" || k === "3")) {
      steps.step(["wifi", "join", "both"][k - 1]);
    } else if ((k === "r" || k === "R") && phase === "question") {
      act("host:reveal");
    }
  });

  // ----- drawing the state -------------------------------------------------------------------

  function draw(s) {
    lobby(s);
    $("lobby-check").hidden = !s.check;
    if (s.check) text("lobby-check", t("lobby_check", { n: s.check.questions }));
    if (s.phase === "question" && s.question) question(s.question, s.answered);
    else if (s.phase === "reveal" && s.reveal) revealed(s.reveal);
    else if (s.phase === "leaderboard" && s.leaderboard) board(s.leaderboard);
    else if (s.phase === "over") over({ podium: s.podium || [], players: s.count, pupils: s.pupils, check: s.check });
    else {
      stop();
      setPhase("lobby", "v-lobby");
    }
  }

  /** The lobby list: a chip per player, newest first; a click removes the player. */
  function lobby(d) {
    players = d.count;
    text("count", d.count);
    text("q-of", d.count);
    if (TEAMS) text("pupils", d.pupils || 0);
    const box = $("chips");
    const seen = new Set();
    for (const p of d.players) {
      seen.add(p.player_id);
      if (chips.has(p.player_id)) continue;
      const chip = el("li", drawn ? "chip new" : "chip");
      const b = el("button", null, p.nickname);
      b.type = "button";
      if (TEAMS && p.members) {
        // "Đội Sao Biển · 3": the team and how many pupils share its phone
        const n = el("span", "members", p.members);
        n.setAttribute("aria-label", "· " + p.members);
        b.append(n);
      }
      b.addEventListener("click", () => {
        b.blur();
        askKick(p);
      });
      chip.append(b);
      chips.set(p.player_id, chip);
      box.prepend(chip);
    }
    for (const [id, chip] of chips) {
      if (!seen.has(id)) {
        chip.remove();
        chips.delete(id);
      }
    }
    $("lobby-empty").hidden = d.count > 0;
    drawn = true;
  }

  /** Remove, or remove and ban (that phone cannot join again): a small dialog with both. */
  const kickDlg = $("kick-dlg");
  let kicking = null;
  function askKick(p) {
    kicking = p;
    text("kick-h", t(TEAMS ? "kick_team" : "kick_title", { name: p.nickname }));
    kickDlg.returnValue = "";
    kickDlg.showModal();
  }
  kickDlg.addEventListener("close", () => {
    const p = kicking;
    kicking = null;
    if (p && (kickDlg.returnValue === "kick" || kickDlg.returnValue === "ban")) {
      act("host:kick", { player_id: p.player_id, ban: kickDlg.returnValue === "ban" });
    }
  });
  kickDlg.addEventListener("click", (e) => e.target === kickDlg && kickDlg.close()); // backdrop

  const sizeClass = (s) => (s.length > 150 ? " xl" : s.length > 90 ? " l" : "");

  function question(d, answered) {
    stop();
    q = d;
    const time = timing(d);
    const check = d.part === "before" || d.part === "after";
    text("q-num", number(d));
    $("q-num").className = "q-num" + (check ? " check" : "");
    const note = partNote(d);
    text("q-kind", note || t("type_" + d.type));
    $("q-kind").className = "q-kind" + (note ? " part " + d.part : "");
    text("q-text", d.text);
    $("q-text").className = "q-text" + sizeClass(d.text);
    picture($("q-text").parentNode, d);
    progress({ index: d.index, answered: answered || 0, players });
    const tiles = $("q-tiles");
    tiles.textContent = "";
    d.choices.forEach((c, i) => tiles.append(tile(i, c)));
    tiles.className = "tiles n" + d.choices.length;
    $("v-question").classList.toggle("with-chat", !!d.chat);
    const timed = !d.no_timer;
    const talk = d.discussion_left != null ? d.discussion_left : d.discussion || 0;
    const since = () => (performance.now() - time.at) / 1000;
    const ring = $("q-ring").closest(".ring");
    ring.hidden = !timed && !talk;
    ring.classList.remove("talk");
    $("q-talk").hidden = true;
    tiles.classList.remove("locked");
    if (timed) fullClock($("q-ring"), $("q-sec"), d.time_limit);
    setPhase("question", "v-question", d.index);
    // the countdown runs once answers open: after the chat scenario and the discussion
    const ends = time.reading + talk + (d.time_left || 0);
    const answer = () => {
      ring.classList.remove("talk");
      ring.hidden = !timed;
      $("q-talk").hidden = true;
      tiles.classList.remove("locked");
      if (timed) stops.push(countdown($("q-ring"), $("q-sec"), d.time_limit, ends - since()));
    };
    const open = () => {
      tiles.hidden = false;
      $("q-reading").hidden = true;
      const left = time.reading + talk - since();
      if (left <= 0) return answer();
      ring.classList.add("talk");
      ring.hidden = false;
      $("q-talk").hidden = false;
      tiles.classList.add("locked");
      stops.push(countdown($("q-ring"), $("q-sec"), talk, left, answer));
    };
    tiles.hidden = time.reading > 0;
    $("q-reading").hidden = time.reading <= 0;
    if (d.chat) stops.push(playChat($("q-chat"), d.chat, d.reading_time, time.reading, open));
    else {
      $("q-chat").hidden = true;
      open();
    }
  }

  /** The question's picture under its text, only for a question that has one. */
  function picture(after, d) {
    let img = after.parentNode.querySelector(".q-img");
    if (!d.image) return img && img.remove();
    if (!img) {
      img = el("img", "q-img");
      img.loading = "lazy";
      img.decoding = "async";
      after.after(img);
    }
    img.alt = d.text;
    if (img.getAttribute("src") !== d.image) img.src = d.image;
  }

  function progress(d) {
    if (!q || d.index !== q.index) return;
    text("q-ans", d.answered);
    text("q-of", d.players);
  }

  function revealed(d) {
    stop();
    if (d.part === "before") return recorded(d);
    const poll = d.type === "poll";
    text("r-num", number(d));
    $("r-num").className = "q-num" + (d.part === "after" ? " check" : "");
    text("r-text", d.text);
    text("r-ans", d.answered);
    text("r-of", d.players);
    text("r-lesson-h", t(poll ? "discuss" : "lesson"));
    text("r-expl", d.explanation);
    $("r-expl").className = d.explanation.length > 220 ? "xl" : d.explanation.length > 140 ? "l" : "";
    const mark = (i) => (poll ? "" : d.correct.includes(i) ? " right" : " dim");
    const chart = $("r-chart");
    chart.textContent = "";
    const max = Math.max(1, ...d.counts);
    d.choices.forEach((c, i) => {
      const col = el("div", "col c" + i + mark(i));
      const bar = el("div", "bar");
      bar.style.height = "calc((100% - 5.5rem) * " + (d.counts[i] || 0) / max + ")";
      const foot = el("span", "foot", SHAPES[i]);
      if (mark(i) === " right") foot.append(el("b", "ok", "✓"));
      col.append(el("b", "n", d.counts[i] || 0), bar, foot);
      chart.append(col);
    });
    const tiles = $("r-tiles");
    tiles.textContent = "";
    d.choices.forEach((c, i) => {
      const item = tile(i, c);
      item.className += mark(i);
      if (mark(i) === " right") item.append(el("span", "ok", "✓"));
      tiles.append(item);
    });
    tiles.className = "tiles small n" + d.choices.length;
    text("next-label", t(d.index + 1 >= d.total ? "finish" : "next"));
    setPhase("reveal", "v-reveal", d.index);
  }

  /** A question of the check before the quiz has closed: how many answered, and no answer (the
      server does not send it: it would teach the answers before the lesson). */
  function recorded(d) {
    text("k-num", number(d));
    text("k-text", d.text);
    text("k-ans", d.answered);
    text("k-of", d.players);
    text("next-label", t("next"));
    setPhase("reveal", "v-recorded", d.index);
  }

  function board(d) {
    stop();
    const part = d.part === "main";
    text("b-sub", t("after_q", { n: (part ? d.part_index : d.index) + 1, total: part ? d.part_total : d.total }));
    text("next-label", t("next"));
    const rows = $("b-rows");
    rows.textContent = "";
    const top = d.top[0] ? d.top[0].score || 1 : 1;
    d.top.forEach((p, i) => {
      const li = el("li", "r" + p.rank);
      li.style.setProperty("--w", Math.max(0.25, p.score / top));
      li.style.animationDelay = i * 0.08 + "s";
      li.append(el("b", "rk", p.rank), el("span", "nm", p.nickname), el("span", "sc", p.score));
      rows.append(li);
    });
    setPhase("leaderboard", "v-board", d.index);
  }

  function over(d) {
    stop();
    const podium = $("podium");
    podium.textContent = "";
    // 2nd, 1st, 3rd, as on a real podium.
    for (const i of [1, 0, 2]) {
      const p = d.podium[i];
      const step = el("div", "step p" + (i + 1) + (p ? "" : " empty"));
      if (p) step.append(el("span", "nm", p.nickname), el("span", "sc", p.score));
      step.append(el("div", "block", p ? p.rank : ""));
      podium.append(step);
    }
    text("o-sub", TEAMS ? t("teams_took_part", { n: d.players || 0, pupils: d.pupils || 0 }) : t("took_part", { n: d.players || 0 }));
    classCheck(d.check);
    setPhase("over", "v-over");
  }

  /** The class's knowledge check at the end: right answers before → after, and the gain in
      percentage points, paired over the pupils who answered both times. */
  function classCheck(c) {
    $("o-check").hidden = !c || !c.answers;
    $("v-over").classList.toggle("with-check", !$("o-check").hidden); // a lower podium makes room
    if ($("o-check").hidden) return;
    text("o-before", pct(c.before));
    text("o-after", pct(c.after));
    const gain = Math.round(c.gain * 100);
    text("o-gain", t(Math.abs(gain) === 1 ? "gain_point" : "gain_points", { n: (gain > 0 ? "+" : "") + gain }));
    $("o-gain").className = gain < 0 ? "down" : "";
  }

  socket.on("lobby:update", lobby);
  socket.on("question:start", (d) => question(d, 0));
  socket.on("question:progress", progress);
  socket.on("question:reveal", revealed);
  socket.on("leaderboard", board);
  socket.on("game:over", over);
})();
