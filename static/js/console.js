/* The presenter's console: a private screen (the presenter's phone or a second window, never the
   projector) with the controls, the players and the students' help requests. With no projector
   ("presenter mode") it runs the whole session: the PIN and join code to show, each question and
   its choices to read out, the countdown and the answers, the lesson at the reveal, the
   leaderboard and the podium, in large type. A reload or a reconnect asks the server for the
   state and draws it again. Team mode: the players are teams, each with its pupils; a
   discussion time runs its own countdown before answers open; without a timer, none. */
"use strict";
(() => {
  const { $, t, el, tile, timing, countdown, fullClock, toast, netBanner, onWake, number, pct } = Quiz;
  const CFG = JSON.parse($("cfg").textContent);
  const pin = CFG.pin;
  const TEAMS = !!CFG.teams;
  const socket = io({ query: { pin, lang: document.documentElement.lang } }); // lang: ack messages
  const TITLE = document.title;

  let phase = "";
  let index = -1; // the question the screen shows, sent with host:next
  let q = null; // the open question
  let count = 0; // players in the game (exact)
  let pupils = 0; // in team mode, the pupils the teams are
  let answered = 0;
  let answeredOf = 0;
  let stops = [];
  let shown = false; // help requests flash only when they arrive, not when the page is drawn
  let checkSize = 0; // questions of the knowledge check (0: the session has none)
  const help = new Map(); // id -> Help
  const helpItems = new Map(); // id -> <li>
  const rows = new Map(); // player_id -> <li>

  const text = (id, value) => ($(id).textContent = value);
  function stop() {
    stops.forEach((f) => f());
    stops = [];
  }

  /** Which controls each phase offers (as on the projector). */
  const CONTROLS = {
    lobby: ["btn-start"],
    question: ["btn-reveal", "btn-end"],
    reveal: ["btn-next", "btn-end"],
    leaderboard: ["btn-next", "btn-end"],
    over: ["btn-results"],
  };
  function setPhase(p, i, label) {
    stop();
    phase = p;
    if (i !== undefined) index = i;
    document.body.dataset.phase = p;
    for (const id of ["btn-start", "btn-reveal", "btn-next", "btn-end", "btn-results"]) $(id).hidden = !CONTROLS[p].includes(id);
    for (const id of ["now-tbar", "now-clock", "now-talk", "now-progress", "now-choices", "now-part", "now-kind", "now-chat", "now-lobby", "now-lesson", "now-board", "now-safety"]) $(id).hidden = true;
    $("wifi-card").hidden = p !== "lobby"; // the projector shows the Wi-Fi in the lobby only
    $("card-link").hidden = p === "over";
    text("phase", label);
    $("phase").className = "cphase " + p;
  }

  /** The counter in the header: answers while a question is open or shown, else players. */
  function counter() {
    const q_ = phase === "question" || phase === "reveal";
    const joined = TEAMS ? t("teams_joined", { n: count, pupils }) : t("joined", { n: count });
    text("counter", q_ ? t("answered", { n: answered, total: answeredOf }) : joined);
    if (!q_) return;
    text("now-ans", answered);
    text("now-of", answeredOf);
    $("now-meter").style.width = (answeredOf ? Math.min(100, (100 * answered) / answeredOf) : 0) + "%";
  }

  // ----- presenter mode (no projector) and the lobby's Wi-Fi step ----------------------------

  /** Presenter mode: everything large on this screen, and the join code to show the class. On
      with ?present in the address; remembered by this browser. */
  function present(on) {
    document.body.classList.toggle("pm", on);
    $("pm").checked = on;
    try {
      localStorage.setItem("quiz.present", on ? "1" : "");
    } catch (e) {
      /* private mode: not remembered */
    }
  }
  let remembered = false;
  try {
    remembered = localStorage.getItem("quiz.present") === "1";
  } catch (e) {
    /* private mode */
  }
  present(new URLSearchParams(location.search).has("present") || remembered);
  $("pm").addEventListener("change", () => present($("pm").checked));

  const steps = Lobby.follow(socket, JSON.parse($("lobby-cfg").textContent), (v) => {
    $("lobby-steps").hidden = $("now-wifi").hidden = !v.wifi;
    text("wifi-state", v.wifi ? t("wifi_on", { ssid: v.wifi.ssid }) : t("wifi_none"));
    if (v.wifi) for (const e of document.querySelectorAll(".wifi-ssid")) e.textContent = v.wifi.ssid;
  });
  $("wifi-card").addEventListener("wifi:saved", () => ($("wifi-card").open = false));

  // ----- connection and commands -------------------------------------------------------------

  netBanner(socket, $("net"));
  socket.on("connect", join);
  onWake(socket, join);

  /** On every (re)connect: this socket is the presenter's console again, and the state is
      drawn from the ack (help requests included). */
  function join() {
    socket.timeout(8000).emit("host:join", { pin, console: true }, (err, ack) => {
      if (err) {
        if (socket.connected) setTimeout(join, 1000);
        return;
      }
      if (!ack.ok) return toast(ack.message, 15000);
      draw(ack.state, ack.state.help || ack.help || []);
      steps.refresh();
    });
  }

  // While a command is on its way, and a moment after, the controls are off: a double tap must
  // not skip a screen (Next appears where Reveal now was).
  const { act } = Presenter.controls(socket, pin, () => ({ phase, index, players: count }), (on) => {
    for (const b of document.querySelectorAll(".cbtns button")) b.disabled = on;
  });

  // ----- the game ----------------------------------------------------------------------------

  function draw(s, requests) {
    checkSize = s.check ? s.check.questions : 0;
    players(s);
    help.clear();
    for (const h of requests) help.set(h.id, h);
    drawHelp();
    shown = true;
    if (s.phase === "question" && s.question) question(s.question, s.answered);
    else if (s.phase === "reveal" && s.reveal) revealed(s.reveal);
    else if (s.phase === "leaderboard" && s.leaderboard) board(s.leaderboard);
    else if (s.phase === "over") over({ players: s.count, pupils: s.pupils, check: s.check, podium: s.podium });
    else lobby();
  }

  /** A line above the question for the presenter: which half of the knowledge check this is. */
  function part(key) {
    $("now-part").hidden = !key;
    $("now-part").className = "now-part " + (key || "");
    if (key) text("now-part", t(key));
  }

  function lobby() {
    q = null;
    setPhase("lobby", -1, t("lobby"));
    text("now-title", t("lobby"));
    text("now-text", t("lobby_text"));
    $("now-lobby").hidden = false;
    if (checkSize) {
      $("now-part").hidden = false;
      $("now-part").className = "now-part";
      text("now-part", t("check_lobby", { n: checkSize }));
    }
    counter();
  }

  const checkPart = (d) => (d.part === "before" || d.part === "after" ? "part_" + d.part + "_console" : "");

  /** The answers as tiles (colour, shape, letter and text, as on the phones). */
  function choices(d) {
    const list = $("now-choices");
    list.textContent = "";
    d.choices.forEach((c, i) => list.append(tile(i, c)));
    list.hidden = false;
    return list;
  }

  /** A chat scenario's messages, all at once: the presenter reads them out (the phones play
      them one by one). */
  function chat(messages) {
    const box = $("now-chat");
    box.textContent = "";
    for (const m of messages) {
      const b = el("div", "msg " + (m.mine ? "me" : "them"));
      if (!m.mine) b.append(el("b", "from", m.from));
      b.append(el("span", null, m.text));
      box.append(b);
    }
    box.hidden = false;
  }

  /** The leaderboard's or the podium's rows: rank, nickname, score. */
  function standings(rows) {
    const list = $("now-board");
    list.textContent = "";
    for (const p of rows) {
      const li = el("li", "r" + p.rank);
      li.append(el("b", "rk", p.rank), el("span", "nm", p.nickname), el("span", "sc", t("points", { n: p.score })));
      list.append(li);
    }
    list.hidden = !rows.length;
  }

  function question(d, n) {
    q = d;
    setPhase("question", d.index, number(d));
    text("now-title", number(d));
    part(checkPart(d));
    text("now-text", d.text);
    $("now-kind").hidden = false;
    text("now-kind", t("type_" + d.type));
    if (d.chat) chat(d.chat);
    choices(d);
    $("now-progress").hidden = false;
    progress({ index: d.index, answered: n || 0, players: count });
    const time = timing(d);
    const timed = !d.no_timer;
    const talk = d.discussion_left != null ? d.discussion_left : d.discussion || 0;
    const since = () => (performance.now() - time.at) / 1000;
    const ends = time.reading + talk + (d.time_left || 0); // the countdown runs once answers open
    $("now-tbar").hidden = $("now-clock").hidden = !timed;
    $("now-clock").classList.remove("talk");
    $("now-tbar").classList.remove("talk");
    if (timed) fullClock($("now-bar"), $("now-sec"), d.time_limit);
    else {
      $("now-kind").hidden = false;
      text("now-kind", t("type_" + d.type) + " · " + t("no_timer"));
    }
    const answer = () => {
      $("now-talk").hidden = true;
      $("now-clock").classList.remove("talk");
      $("now-tbar").classList.remove("talk");
      $("now-tbar").hidden = $("now-clock").hidden = !timed;
      if (timed) stops.push(countdown($("now-bar"), $("now-sec"), d.time_limit, ends - since()));
    };
    const open = () => {
      const left = time.reading + talk - since();
      if (left <= 0) return answer();
      // the discussion: its own countdown, then the question's
      $("now-talk").hidden = false;
      $("now-clock").classList.add("talk");
      $("now-tbar").classList.add("talk");
      $("now-tbar").hidden = $("now-clock").hidden = false;
      stops.push(countdown($("now-bar"), $("now-sec"), talk, left, answer));
    };
    if (time.reading > 0) {
      const h = setTimeout(open, time.reading * 1000); // the chat scenario plays first
      stops.push(() => clearTimeout(h));
    } else open();
  }

  function progress(d) {
    if (!q || d.index !== q.index || phase !== "question") return;
    answered = d.answered;
    answeredOf = d.players;
    counter();
  }

  /** A closed question. Before the quiz the server sends no answer: the counts show what the class
      thinks, marked neither right nor wrong. */
  function revealed(d) {
    q = null;
    setPhase("reveal", d.index, t(d.part === "before" ? "recorded" : "reveal"));
    text("now-title", number(d));
    part(checkPart(d));
    text("now-text", d.text);
    answered = d.answered;
    answeredOf = d.players;
    $("now-progress").hidden = false;
    counter();
    const poll = d.type === "poll" || !d.correct;
    const list = choices(d);
    Array.from(list.children).forEach((item, i) => {
      const right = !poll && d.correct.includes(i);
      item.className += poll ? "" : right ? " right" : " dim";
      item.append(el("b", "cnt", d.counts[i] || 0));
      if (right) item.append(el("span", "ok", "✓"));
    });
    // the lesson to read out (none for the check before the quiz: the server keeps it back)
    $("now-lesson").hidden = !d.explanation;
    text("now-lesson-h", t(d.type === "poll" ? "discuss" : "lesson_read"));
    text("now-expl", d.explanation || "");
    text("next-label", t(d.index + 1 >= d.total ? "finish" : "next"));
  }

  function board(d) {
    q = null;
    setPhase("leaderboard", d.index, t("leaderboard"));
    text("now-title", t("leaderboard"));
    const main = d.part === "main";
    text("now-text", t("after_q", { n: (main ? d.part_index : d.index) + 1, total: main ? d.part_total : d.total }));
    text("next-label", t("next"));
    standings(d.top || []);
    counter();
  }

  function over(d) {
    q = null;
    setPhase("over", undefined, t("over"));
    text("now-title", t("over"));
    text("now-text", TEAMS ? t("teams_took_part", { n: d.players || 0, pupils: d.pupils || 0 }) : t("took_part", { n: d.players || 0 }));
    standings(d.podium || []);
    $("now-safety").hidden = false; // to read out when no projector shows it
    const c = d.check;
    if (c && c.answers) {
      const gain = Math.round(c.gain * 100);
      $("now-part").hidden = false;
      $("now-part").className = "now-part after";
      text("now-part", t("check_over", { before: pct(c.before), after: pct(c.after), gain: (gain > 0 ? "+" : "") + gain, n: c.players }));
    }
    counter();
  }

  // ----- players -----------------------------------------------------------------------------

  const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/gi, "d").toLowerCase();
  const byName = (a, b) => a.nickname.localeCompare(b.nickname, document.documentElement.lang, { sensitivity: "base" });

  function kick(p, ban) {
    if (!confirm(t(ban ? "kick_ban" : "kick", { name: p.nickname }))) return;
    act("host:kick", { player_id: p.player_id, ban }, () => toast(t("removed", { name: p.nickname })));
  }

  function row(p) {
    const li = el("li", "prow");
    li.dataset.name = fold(p.nickname);
    const rm = el("button", "btn btn-line", t("remove"));
    const ban = el("button", "btn btn-line bad", t("ban"));
    rm.type = ban.type = "button";
    rm.addEventListener("click", () => kick(p, false));
    ban.addEventListener("click", () => kick(p, true));
    const acts = el("span", "pacts");
    acts.append(rm, ban);
    const name = el("span", "pname", p.nickname);
    if (TEAMS && p.members) name.append(el("small", "pmembers", " · " + p.members));
    li.append(name, acts);
    return li;
  }

  /** The player list, by name. Rows are kept, not redrawn, so an update never swallows a tap. */
  function players(d) {
    count = d.count;
    pupils = d.pupils || 0;
    const list = $("plist");
    const want = [...d.players].sort(byName);
    const seen = new Set(want.map((p) => p.player_id));
    for (const [id, li] of rows) {
      if (!seen.has(id)) {
        li.remove();
        rows.delete(id);
      }
    }
    const order = want.map((p) => rows.get(p.player_id) || rows.set(p.player_id, row(p)).get(p.player_id));
    if (order.some((li, i) => list.children[i] !== li)) order.forEach((li) => list.append(li));
    text("pcount", d.count);
    $("pempty").hidden = d.count > 0;
    $("pfind").hidden = d.count <= 8 && !$("pfind").value;
    $("pmore").hidden = d.count <= d.players.length;
    text("pmore", t("listed", { shown: d.players.length, n: d.count }));
    filter();
    if (phase !== "question" && phase !== "reveal") counter();
  }

  function filter() {
    const want = fold($("pfind").value.trim());
    for (const li of rows.values()) li.hidden = !!want && !li.dataset.name.includes(want);
  }
  $("pfind").addEventListener("input", filter);

  // ----- help requests -----------------------------------------------------------------------

  function clock(iso) {
    const d = new Date(iso);
    return isNaN(d) ? "" : d.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" });
  }

  function helpItem(h) {
    const li = el("li", "hreq");
    const who = el("div", "hwho");
    who.append(el("b", null, h.nickname), el("span", "hmeta", [h.class_label, clock(h.at)].filter(Boolean).join(" · ")));
    const b = el("button", "btn btn-primary", t("help_done"));
    b.type = "button";
    b.addEventListener("click", () => {
      b.disabled = true;
      socket.timeout(8000).emit("host:help_done", { pin, id: h.id }, (err, ack) => {
        b.disabled = false;
        if (err) return toast(t("no_conn"));
        if (!ack.ok) return toast(ack.message);
        update(ack.help);
      });
    });
    li.append(who, b);
    return li;
  }

  /** The open requests at the top, oldest first; the count in the header and the tab title. */
  function drawHelp(fresh) {
    const open = [...help.values()].filter((h) => !h.handled).sort((a, b) => a.id - b.id);
    const list = $("help-list");
    for (const [id, li] of helpItems) {
      if (!open.some((h) => h.id === id)) {
        li.remove();
        helpItems.delete(id);
      }
    }
    for (const h of open) {
      if (helpItems.has(h.id)) continue;
      const li = helpItem(h);
      if (fresh) li.classList.add("new");
      helpItems.set(h.id, li);
      list.append(li);
    }
    $("help").hidden = $("help-badge").hidden = !open.length;
    text("help-n", open.length);
    document.title = open.length ? "(" + open.length + ") " + TITLE : TITLE;
    document.body.classList.toggle("has-help", open.length > 0);
  }

  function update(h) {
    if (!h || typeof h.id !== "number") return;
    const known = help.has(h.id) && !help.get(h.id).handled;
    help.set(h.id, h);
    const fresh = shown && !h.handled && !known;
    drawHelp(fresh);
    if (!fresh) return;
    const box = $("help");
    box.classList.remove("flash");
    void box.offsetWidth; // restart the animation
    box.classList.add("flash");
    toast(t("help_new", { name: h.nickname }), 6000);
  }

  socket.on("help:request", update);
  socket.on("help:update", update);
  socket.on("lobby:update", players);
  socket.on("question:start", (d) => question(d, 0));
  socket.on("question:progress", progress);
  socket.on("question:reveal", revealed);
  socket.on("leaderboard", board);
  socket.on("game:over", over);
})();
