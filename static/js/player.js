/* The phone: join, wait, answer, see the result, the leaderboard and the safety summary.
   The resume token survives refreshes and lost networks; an answer is re-sent until acked, and
   one tapped while offline is kept and sent when the phone is back (or said not to count if its
   question closed meanwhile).
   "I need help" is there at all times: a private request to the presenter, and the helplines.
   A knowledge check before the quiz shows no right or wrong (the server never sends it): only
   "Answer recorded"; after the quiz the same questions come with the answers, and the end screen
   shows the pupil's own before and after.
   Team mode: the phone is a team's (a team name and how many pupils share it). A discussion time
   shows the question and its choices locked, with a countdown, before answers open; without a
   timer no countdown is shown. */
"use strict";
(() => {
  const { $, t, el, tile, show, timing, countdown, fullClock, playChat, toast, netBanner, onWake, number, partNote } = Quiz;
  const CFG = JSON.parse($("cfg").textContent);
  const pin = CFG.pin;
  const TEAMS = !!CFG.teams; // team mode: a team's name and its members on the join form
  const NAMES = JSON.parse($("names").textContent);
  const TEAM_NAMES = TEAMS ? JSON.parse($("team-names").textContent) : null;
  const KEY = "quiz:" + pin;
  const socket = io({ query: { pin, lang: document.documentElement.lang } }); // lang: ack messages
  const BRAND = $("me-name").textContent;

  let me = load(); // {token, player_id, nickname}
  let q = null; // the question on screen
  const chosen = new Set(); // multiple select
  let pending = null; // an answer not yet acknowledged: {question, choice}
  let reveal = null; // the last question:reveal
  let result = null; // the last player:result
  let stops = []; // cancels the running timers
  let later = 0;
  let helpId = 0; // this player's help request, while the presenter has not dealt with it
  const DEVICE = deviceKey();

  /** One random key per phone, for all games: the server keeps only its hash, to keep a phone
      the presenter banned out of that game. */
  function deviceKey() {
    const DKEY = "quiz:device";
    try {
      const v = localStorage.getItem(DKEY);
      if (v && /^[\w-]{16,100}$/.test(v)) return v;
    } catch (e) {
      // no storage: a key for this page only
    }
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const v = btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    try {
      localStorage.setItem(DKEY, v);
    } catch (e) {
      // as above
    }
    return v;
  }

  function load() {
    try {
      const v = JSON.parse(localStorage.getItem(KEY));
      return v && v.token ? v : null;
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
      // private browsing: the game still works until the page is reloaded
    }
  }
  function stop() {
    stops.forEach((f) => f());
    stops = [];
    clearTimeout(later);
  }
  const text = (id, value) => ($(id).textContent = value);
  const rank = (r, n) => (r ? r + (n ? "/" + n : "") : "–");
  function setScore(score) {
    $("me-score").hidden = false;
    text("me-score", score);
  }

  // ----- connecting and joining ---------------------------------------------------------------

  netBanner(socket, $("net"));
  socket.on("connect", () => (me ? resume() : $("v-connect").hidden || toJoin()));
  onWake(socket, () => me && resume());
  socket.on("disconnect", () => {
    // an answer on its way: now it waits on this phone for the connection
    if (pending && !$("v-sent").hidden) sent(pending.choice, "sending");
  });
  show(me ? "v-connect" : "v-join");

  /** Come back into the game with the stored token: after a refresh and after every reconnect. */
  function resume() {
    const token = me.token;
    socket.timeout(6000).emit("player:resume", { pin, token }, (err, ack) => {
      if (!me || me.token !== token) return;
      if (err) return socket.connected && setTimeout(resume, 1000);
      if (ack.ok) return joined(ack.nickname, ack.score, ack.state, true, ack.members);
      if (ack.error === "invalid_token") {
        store(null);
        toJoin(ack.message);
      } else if (ack.error === "game_not_found") {
        store(null);
        show("v-gone");
      } else toast(ack.message);
    });
  }

  function toJoin(message) {
    stop();
    $("join-err").hidden = !message;
    text("join-err", message || "");
    show("v-join");
  }

  function joined(nickname, score, state, again, members) {
    me.nickname = nickname;
    if (members) me.members = members;
    store(me);
    text("me-name", nickname);
    text("wait-nick", nickname);
    $("wait-team").hidden = !TEAMS || !me.members;
    if (TEAMS && me.members) text("wait-team", t("team_of", { n: me.members }));
    setScore(score || 0);
    draw(state, again);
  }

  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  /** A team name as the server's generate_team_name makes them: "Đội Sao Biển", "Team Starfish",
      one in three with a trait ("Đội Cá Heo Tỉnh Táo", "Team Brave Otters"). */
  function teamName() {
    const T = TEAM_NAMES;
    let name;
    do {
      const n = pick(T.n);
      const trait = Math.random() < 1 / 3 ? pick(T.t) : "";
      name = !trait ? T.w + " " + n : T.en ? T.w + " " + trait + " " + n : T.w + " " + n + " " + trait;
    } while (name.length > 20);
    return name;
  }
  function nickname() {
    let name;
    do name = NAMES.en ? pick(NAMES.t) + " " + pick(NAMES.a) : pick(NAMES.a) + " " + pick(NAMES.t);
    while (name.length > 20);
    return name;
  }
  $("suggest").addEventListener("click", () => ($("nick").value = TEAMS ? teamName() : nickname()));

  // How many pupils share this phone: a big − / + stepper around a number field (1–6).
  const MEMBERS_MIN = 1;
  const MEMBERS_MAX = 6;
  function members(step) {
    const box = $("members");
    const n = parseInt(box.value, 10);
    const v = Math.min(MEMBERS_MAX, Math.max(MEMBERS_MIN, (isNaN(n) ? 2 : n) + (step || 0)));
    box.value = v;
    $("members-less").disabled = v <= MEMBERS_MIN;
    $("members-more").disabled = v >= MEMBERS_MAX;
    return v;
  }
  if (TEAMS) {
    $("members-less").addEventListener("click", () => members(-1));
    $("members-more").addEventListener("click", () => members(1));
    $("members").addEventListener("change", () => members());
    members();
  }

  $("join-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const btn = $("join-btn");
    const data = { pin, nickname: $("nick").value.trim(), class_label: $("cls").value.trim(), device: DEVICE };
    if (TEAMS) data.members = members();
    btn.disabled = true;
    socket.timeout(8000).emit("player:join", data, (err, ack) => {
      btn.disabled = false;
      if (err) return toJoin(t("no_conn"));
      if (!ack.ok) return toJoin(ack.message);
      me = { token: ack.token, player_id: ack.player_id, nickname: ack.nickname };
      joined(ack.nickname, ack.state.score, ack.state, false, ack.members);
    });
  });

  $("rejoin").addEventListener("click", () => {
    $("nick").value = "";
    toJoin();
    $("nick").focus();
  });

  // ----- screens ------------------------------------------------------------------------------

  /** Draw the screen for a State from a join or resume ack. */
  function draw(s, again) {
    if (pending && !(s.phase === "question" && s.question && s.question.index === pending.question)) {
      settle(pending);
      pending = null;
    }
    if (s.phase === "question" && s.question) return question(s.question, s.answered);
    if (s.phase === "reveal" || s.phase === "leaderboard") {
      reveal = s.reveal || null;
      result = s.result || null;
      if (result) return s.phase === "reveal" ? showResult(result) : board(s.leaderboard || null);
      return waiting("wait_next", again);
    }
    if (s.phase === "over") return over(s);
    waiting("wait_lobby", again, !!s.check);
  }

  function waiting(key, again, check) {
    stop();
    text("wait-title", t(again ? "back" : "in"));
    text("wait-msg", t(key));
    $("wait-check").hidden = !check;
    show("v-wait");
  }

  function question(data, answered) {
    const same = q && q.index === data.index && !$("v-q").hidden;
    stop();
    q = data;
    if (answered) {
      pending = null; // it arrived before the connection went
      return sent(answered, "ok");
    }
    if (pending && pending.question === data.index) {
      sent(pending.choice, "sending");
      return send();
    }
    const time = data.time || (data.time = clock(data)); // kept for a redraw of this question
    const since = () => (performance.now() - time.at) / 1000;
    const reading = time.reading - since();
    const chat = $("q-chat");
    const grid = $("q-ans");
    const timed = !data.no_timer;
    $("q-clock").hidden = $("q-tbar").hidden = !timed;
    const unlock = () => {
      locked(false);
      hint(data.multiple ? t("pick_all") : timed ? "" : t("no_timer"));
      $("q-submit").hidden = !data.multiple;
      if (timed) stops.push(countdown($("q-bar"), $("q-sec"), data.time_limit, time.ends - since(), timeUp));
    };
    const open = () => {
      grid.hidden = false;
      chat.classList.add("done");
      chat.scrollTop = chat.scrollHeight;
      const talk = time.reading + time.talk - since();
      if (talk <= 0) return unlock();
      // the discussion: the choices are shown, locked, with its own countdown
      locked(true);
      hint("");
      $("q-submit").hidden = !data.multiple;
      text("q-talk-msg", t(TEAMS ? "talk_team" : "talk"));
      $("q-talk").hidden = false;
      stops.push(countdown($("q-talk-bar"), $("q-talk-sec"), time.talk, talk, () => {
        $("q-talk").hidden = true;
        unlock();
      }));
    };
    if (same && reading <= 0) return open();
    chosen.clear();
    text("q-num", number(data));
    const note = partNote(data);
    $("q-part").hidden = !note;
    $("q-part").className = "q-part " + (data.part || "");
    text("q-part", note);
    text("q-text", data.text);
    picture($("q-text"), data);
    $("q-err").hidden = true;
    grid.textContent = "";
    grid.className = "ans" + (data.choices.some((c) => c.length > 22) ? " one" : data.choices.length < 3 ? " two" : "");
    data.choices.forEach((c, i) => {
      const b = tile(i, c, "button");
      b.type = "button";
      if (data.multiple) b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", () => choose(i, b));
      grid.append(b);
    });
    $("q-submit").disabled = true;
    $("q-submit").hidden = true;
    $("q-talk").hidden = true;
    if (timed) fullClock($("q-bar"), $("q-sec"), data.time_limit);
    chat.hidden = !data.chat;
    chat.classList.remove("done");
    show("v-q");
    if (!data.chat) return open();
    if (reading <= 0) {
      playChat(chat, data.chat, 1, 0, () => {});
      return open();
    }
    grid.hidden = true;
    hint(t("reading"));
    stops.push(playChat(chat, data.chat, data.reading_time, reading, () => {
      open();
      window.scrollTo(0, 0);
    }));
  }

  /** When things happen, in seconds from receipt: the chat scenario (reading), the discussion
      (talk) and the end of the countdown, which runs once answers open (docs/protocol.md). */
  function clock(d) {
    const time = timing(d);
    time.talk = d.discussion_left != null ? d.discussion_left : d.discussion || 0;
    time.ends = time.reading + time.talk + (d.time_left || 0);
    return time;
  }

  /** Answer buttons off while the class talks the question over (the server would refuse). */
  function locked(on) {
    const grid = $("q-ans");
    grid.classList.toggle("locked", on);
    for (const b of grid.querySelectorAll("button")) {
      b.disabled = on;
      b.setAttribute("aria-disabled", String(on));
    }
    if (on) $("q-submit").disabled = true;
    else $("q-submit").disabled = !chosen.size;
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

  function hint(msg) {
    $("q-hint").hidden = !msg;
    text("q-hint", msg);
  }

  function timeUp() {
    // The server still takes an answer sent in the last second; after that, time is up.
    later = setTimeout(() => $("v-q").hidden || pending || sent(null, "late"), 1200);
  }

  function choose(i, b) {
    if ($("q-ans").classList.contains("locked")) return;
    if (!q.multiple) return answer(i);
    if (chosen.has(i)) chosen.delete(i);
    else chosen.add(i);
    b.classList.toggle("on", chosen.has(i));
    b.setAttribute("aria-pressed", String(chosen.has(i)));
    $("q-submit").disabled = !chosen.size;
  }
  $("q-submit").addEventListener("click", () => chosen.size && answer([...chosen].sort((a, b) => a - b)));

  function answer(choice) {
    pending = { question: q.index, choice };
    sent(choice, "sending");
    send();
  }

  /** Send the pending answer; without an ack in 4 s send it again (the server makes a repeat
      harmless). While offline it waits: the resume after reconnecting sends it. */
  function send() {
    const p = pending;
    if (!p || !socket.connected) return;
    socket.timeout(4000).emit("player:answer", { question: p.question, choice: p.choice }, (err, ack) => {
      if (pending !== p) return;
      if (err) return setTimeout(send, 300);
      pending = null;
      if (ack.ok || ack.error === "already_answered") return sent(p.choice, "ok");
      if (ack.error === "not_joined") {
        pending = p;
        return me && resume();
      }
      if (ack.error === "not_accepting") return sent(p.choice, "late", ack.message);
      question(q, null);
      $("q-err").hidden = false;
      text("q-err", ack.message);
    });
  }

  /** An answer kept while offline whose question has closed since. Sent once more, the server
      says whether it had arrived in time (the same answer again is acknowledged as a duplicate)
      or not (not_accepting): then the phone says it did not count. */
  function settle(p) {
    socket.timeout(6000).emit("player:answer", { question: p.question, choice: p.choice }, (err, ack) => {
      if (err || ack.ok || ack.error !== "not_accepting") return;
      const note = t("not_counted", { n: p.question + 1 });
      if (!$("v-res").hidden && result && result.index === p.question) {
        $("res-note").hidden = false;
        text("res-note", note);
      } else toast(note, 8000);
    });
  }

  /** After answering: the chosen shapes and what happens next ("sending" while offline: kept on
      this phone until the connection is back). */
  function sent(choice, how, message) {
    stop();
    if (how === "sending" && !socket.connected) how = "queued";
    const box = $("sent-tiles");
    box.textContent = "";
    for (const i of choice == null ? [] : [].concat(choice)) box.append(tile(i, "", "span"));
    $("v-sent").className = "view center sent-" + how;
    text("sent-title", t({ ok: "sent", sending: "sending", queued: "queued", late: "timeup" }[how]));
    text("sent-msg", message || t({ late: "timeup_wait", queued: "queued_wait" }[how] || "sent_wait"));
    show("v-sent");
  }

  /** The outcome of a question. A knowledge check's question scores nothing: no points, score or
      rank; before the quiz not even right or wrong (r.correct is null), only "recorded". */
  function showResult(r) {
    stop();
    const before = r.part === "before";
    const check = before || r.part === "after";
    const kind = r.poll ? "poll" : !r.answered ? "late" : before ? "rec" : r.correct ? "ok" : "bad";
    $("v-res").className = "view res res-" + kind;
    text("res-icon", { poll: "✓", late: "⌛", rec: "✓", ok: "✓", bad: "✗" }[kind]);
    text("res-title", t({ poll: "poll", late: "timeup", rec: "recorded", ok: "correct", bad: "wrong" }[kind]));
    text("res-pts", r.points > 0 ? "+" + r.points : "");
    $("res-streak").hidden = check || r.poll || r.streak < 2;
    text("res-streak", "🔥 " + t("streak", { n: r.streak }));
    $("res-sub").hidden = !check;
    text("res-sub", check ? t(before ? "recorded_wait" : "check_after") : "");
    $("res-stats").hidden = check;
    text("res-score", r.score);
    text("res-rank", rank(r.rank, r.players));
    $("res-note").hidden = true;
    if (before) $("res-lesson").hidden = true;
    else lesson(r.index);
    show("v-res");
    window.scrollTo(0, 0);
  }

  /** The lesson of the question, from question:reveal: the right answer(s) and the explanation. */
  function lesson(index) {
    const box = $("res-lesson");
    const ans = $("res-answer");
    ans.textContent = "";
    box.hidden = !reveal || reveal.index !== index;
    if (box.hidden) return;
    if (reveal.type !== "poll" && reveal.correct) for (const i of reveal.correct) ans.append(tile(i, reveal.choices[i], "p"));
    text("res-expl", reveal.explanation);
    box.hidden = !ans.firstChild && !reveal.explanation;
  }

  function board(d) {
    stop();
    text("board-score", result ? result.score : $("me-score").textContent);
    text("board-rank", result ? rank(result.rank, result.players) : "–");
    list($("board-top"), d ? d.top : []);
    show("v-board");
  }

  function list(ol, rows) {
    ol.textContent = "";
    for (const p of rows) {
      const li = el("li", me && p.nickname === me.nickname ? "mine" : "");
      li.append(el("b", "rk", p.rank), el("span", "nm", p.nickname), el("span", "sc", p.score));
      ol.append(li);
    }
    ol.hidden = !rows.length;
  }

  function over(d) {
    stop();
    pending = null;
    setScore(d.score);
    text("over-score", d.score);
    text("over-rank", rank(d.rank, d.players));
    myCheck(d.check);
    list($("over-podium"), d.podium || []);
    show("v-over");
    window.scrollTo(0, 0);
  }

  /** The pupil's own knowledge check at the end: right answers before and after ("2/5 → 5/5"). */
  function myCheck(c) {
    $("over-check").hidden = !c || c.before == null;
    if ($("over-check").hidden) return;
    text("over-before", c.before + "/" + c.questions);
    text("over-after", c.after + "/" + c.questions);
    text("over-check-msg", t(c.after === c.questions ? "check_all" : c.after > c.before ? "check_more" : "check_same"));
  }

  // ----- "I need help" ------------------------------------------------------------------------

  const sheet = $("help-sheet");

  /** The sheet: "ask" (confirm before sending), "told" (sent: the presenter will come, and the
      helplines) or "lines" (not in a game: the helplines only). */
  function helpSheet(view) {
    $("help-ask").hidden = view !== "ask";
    $("help-lines").hidden = view === "ask";
    $("help-told").hidden = view !== "told";
    $("help-call").hidden = view === "told";
    $("help-err").hidden = true;
    $("help-seen").hidden = true;
    const calls = $("help-calls");
    if (!calls.firstElementChild) calls.append(document.importNode($("help-tpl").content, true));
    if (!sheet.open) sheet.showModal();
    (view === "ask" ? $("help-send") : $("help-close")).focus();
  }
  function helpError(message) {
    $("help-err").hidden = false;
    text("help-err", message);
  }

  $("help-btn").addEventListener("click", () => helpSheet(!me ? "lines" : helpId ? "told" : "ask"));
  $("help-cancel").addEventListener("click", () => sheet.close());
  $("help-close").addEventListener("click", () => sheet.close());
  sheet.addEventListener("click", (e) => e.target === sheet && sheet.close()); // the backdrop
  sheet.addEventListener("close", () => ($("help-calls").textContent = ""));
  $("help-send").addEventListener("click", () => {
    const btn = $("help-send");
    // While offline, say so now: a request buffered until the next connection would arrive
    // after the phone said it failed.
    if (!socket.connected) return helpError(t("no_conn"));
    const label = btn.textContent;
    btn.disabled = true;
    btn.textContent = t("sending");
    socket.timeout(8000).emit("player:help", {}, (err, ack) => {
      btn.disabled = false;
      btn.textContent = label;
      if (err) return helpError(t("no_conn"));
      if (!ack.ok) return helpError(ack.message);
      helpId = ack.id;
      helpSheet("told");
    });
  });

  // ----- events -------------------------------------------------------------------------------

  socket.on("question:start", (d) => {
    if (!me) return;
    reveal = pending = q = null;
    question(d, null);
  });
  socket.on("question:reveal", (d) => {
    if (!me) return;
    stop();
    reveal = d;
    // player:result follows at once; should it not come, leave no dead question on screen.
    later = setTimeout(() => waiting("wait_next"), 3000);
  });
  socket.on("player:result", (r) => {
    if (!me) return;
    pending = null;
    result = r;
    setScore(r.score);
    showResult(r);
  });
  socket.on("leaderboard", (d) => me && board(d));
  socket.on("game:over", (d) => me && over(d));
  socket.on("help:handled", (d) => {
    if (d && d.id === helpId) helpId = 0;
    if (sheet.open && $("help-ask").hidden) $("help-seen").hidden = false;
    toast(t("help_seen"), 6000);
  });
  socket.on("player:kicked", (d) => {
    const banned = !!(d && d.banned);
    $("kicked-again").hidden = banned;
    $("kicked-banned").hidden = !banned;
    $("rejoin").hidden = banned;
    store(null);
    pending = null;
    helpId = 0;
    if (sheet.open && !$("help-ask").hidden) helpSheet("lines");
    stop();
    $("me-score").hidden = true;
    text("me-name", BRAND);
    show("v-kicked");
  });
})();
