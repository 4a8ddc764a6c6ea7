/* The quiz editor (templates/quizzes/edit.html), and the confirmations of the quiz list.
   The quiz lives in this page until it is saved: the whole of it goes to the server as JSON,
   which stores it or answers with every problem by question and field; each problem is shown
   next to its field and listed at the top, and nothing typed is lost (a copy is also kept in
   this browser until the quiz is saved). Everything a person wrote is inserted as text, never
   as HTML. */
"use strict";
(() => {
  // Any quiz page: a form marked data-confirm asks before it is sent (deleting a draft).
  document.addEventListener("submit", (e) => {
    const form = e.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) e.preventDefault();
  });

  const root = document.getElementById("editor");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const C = JSON.parse($("editor-config").textContent);
  const T = JSON.parse($("editor-i18n").textContent);
  const LIM = C.limits;
  const CSRF = root.dataset.csrf;
  const SHAPES = ["▲", "◆", "●", "■"];
  const TIMES = [5, 10, 20, 30, 45, 60, 90, 120];
  const POINTS = [[0, "points_none"], [1000, "points_standard"], [2000, "points_double"]];
  const MINE = ["bạn", "you", "tôi", "me"];

  /** A translated string with its {name} placeholders filled in. */
  const t = (key, vars) => (T[key] || key).replace(/\{(\w+)\}/g, (m, k) => (vars && k in vars ? vars[k] : m));

  /** An element: attributes (false/null ones left out) and children (strings become text). */
  function el(tag, attrs, ...kids) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === false || v == null) continue;
      if (k === "class") e.className = v;
      else if (k === "text") e.textContent = v;
      else e.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid != null) e.append(kid);
    return e;
  }
  let seq = 0;
  const newId = (p) => p + ++seq;

  // ----- the state ---------------------------------------------------------------------------

  let slug = C.slug;
  let saveUrl = C.save_url;
  let quiz = C.quiz;
  let revision = C.quiz.revision || null; // what the server had when this page got the quiz
  let uids = 0;
  let version = 0; // bumped by every change
  let savedVersion = 0;
  let saving = false;
  /** Problems from the last save: "quiz" or a question's uid → Map(field → message). */
  let errors = new Map();
  const cards = new Map(); // uid → its card (li)

  const dirty = () => version !== savedVersion;
  const byUid = (uid) => quiz.questions.find((q) => q.uid === uid);

  function adopt(q) {
    q.uid = ++uids;
    q.chat = q.chat || [];
    q.choices = q.choices && q.choices.length ? q.choices : ["", ""];
    q.correct = q.correct || [];
    return q;
  }
  quiz.questions.forEach(adopt);

  function blank(type) {
    const last = quiz.questions[quiz.questions.length - 1];
    const q = adopt({ id: "", type: "single", text: "", choices: ["", "", "", ""], correct: [], time_limit: 20,
      points: 1000, explanation: "", topic: last ? last.topic : "", image: "", chat: [] });
    setType(q, type);
    return q;
  }

  const you = () => (quiz.language === "en" ? "You" : "Bạn");

  /** Change a question's type, keeping what still makes sense. */
  function setType(q, type) {
    const was = q.type;
    q.type = type;
    if (type === "truefalse") {
      const filled = q.choices.filter((c) => c.trim());
      q.choices = filled.length === 2 ? filled : quiz.language === "en" ? ["True", "False"] : ["Đúng", "Sai"];
      q.correct = q.correct.filter((i) => i < 2).slice(0, 1);
    } else if (was === "truefalse" && q.choices.length < 4) {
      while (q.choices.length < 4) q.choices.push("");
    }
    if (type === "poll") {
      q.correct = [];
      if (q.points === 1000) q.points = 0;
    } else if (was === "poll" && q.points === 0) q.points = 1000;
    if (type !== "multiple" && q.correct.length > 1) q.correct = q.correct.slice(0, 1);
    if (type === "chat" && !q.chat.length) q.chat = [{ from: "", text: "", mine: false }];
  }

  // ----- saving ------------------------------------------------------------------------------

  /** The quiz as the server takes it. */
  function outgoing() {
    return {
      title: quiz.title, language: quiz.language, level: quiz.level, kind: quiz.kind,
      description: quiz.description,
      questions: quiz.questions.map((q) => {
        const choices = q.choices.slice();
        while (choices.length > 2 && !choices[choices.length - 1].trim()) choices.pop(); // empty slots
        const out = { type: q.type, text: q.text, choices, correct: q.type === "poll" ? [] : q.correct.slice().sort((a, b) => a - b),
          time_limit: q.time_limit, points: q.points, explanation: q.explanation, topic: q.topic, image: q.image };
        if (q.id) out.id = q.id;
        if (q.type === "chat") out.chat = q.chat.map((m) => ({ from: m.from, text: m.text, mine: !!m.mine }));
        return out;
      }),
    };
  }

  function status(text, kind) {
    const s = $("ed-saved");
    s.textContent = text;
    s.className = "ed-saved" + (kind ? " " + kind : "");
  }

  function changed() {
    version++;
    status(t("unsaved"), "warn");
    backupSoon();
  }

  async function save() {
    if (saving) return false;
    saving = true;
    const btn = $("ed-save");
    btn.disabled = true;
    status(t("saving"), "");
    const sent = quiz.questions.map((q) => q.uid);
    const at = version;
    let response = null;
    let body = null;
    try {
      response = await fetch(saveUrl, {
        method: "POST", credentials: "same-origin", body: JSON.stringify({ quiz: outgoing(), revision }),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": CSRF },
      });
      body = await response.json().catch(() => null);
    } catch (e) {
      response = null;
    } finally {
      saving = false;
      btn.disabled = false;
    }
    if (response && response.status === 422 && body && body.problems) {
      showProblems(body.problems, sent);
      status(t("not_saved"), "bad");
      return false;
    }
    if (!response || !response.ok || !body) {
      const why = !response ? t("offline") : response.status === 401 ? t("signed_out")
        : response.status === 400 && !body ? t("expired") : (body && body.message) || t("server_error");
      failure(why);
      return false;
    }
    revision = body.quiz.revision || null;
    // stored: the questions' ids (new ones got theirs), the slug and the URLs of a new quiz
    body.quiz.questions.forEach((stored, i) => {
      const q = byUid(sent[i]);
      if (q) q.id = stored.id;
    });
    if (!slug) {
      forget();
      slug = body.slug;
      saveUrl = body.save_url;
      history.replaceState(null, "", body.edit_url);
      links();
    }
    errors = new Map();
    paintErrors();
    if (version === at) {
      savedVersion = version;
      forget();
      const now = new Date();
      status(t("saved_at", { time: now.toLocaleTimeString(document.documentElement.lang, { hour: "2-digit", minute: "2-digit" }) }), "ok");
    } else status(t("unsaved"), "warn");
    say(t("saved"));
    return true;
  }

  /** A save that did not reach the database for another reason than the quiz itself. */
  function failure(why) {
    status(t("not_saved"), "bad");
    const box = $("ed-summary");
    box.hidden = false;
    $("ed-summary-h").textContent = why;
    $("ed-summary-list").textContent = "";
    $("ed-summary-note").textContent = t("kept");
    box.focus();
  }

  $("ed-save").addEventListener("click", save);
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      save();
    }
  });
  window.addEventListener("beforeunload", (e) => {
    if (!dirty()) return;
    e.preventDefault();
    e.returnValue = "";
  });

  /** Preview and "Run it now" save first when something is not saved yet. */
  function links() {
    for (const [id, tpl] of [["ed-preview", C.preview_url], ["ed-run", C.run_url]]) {
      const a = $(id);
      a.hidden = false;
      if (slug) a.href = tpl.replace("__slug__", encodeURIComponent(slug));
    }
  }
  for (const id of ["ed-preview", "ed-run"]) {
    $(id).addEventListener("click", async (e) => {
      if (slug && !dirty()) return;
      e.preventDefault();
      if (await save()) window.location.href = $(id).href;
    });
  }
  links();

  // ----- a copy in this browser until saved ----------------------------------------------------

  const KEY = () => "quiz-editor:" + (slug || "new");
  let backupTimer = 0;
  function backupSoon() {
    clearTimeout(backupTimer);
    backupTimer = setTimeout(() => {
      try {
        localStorage.setItem(KEY(), JSON.stringify({ at: Date.now(), quiz: { ...outgoing(), translation_of: quiz.translation_of } }));
      } catch (e) {
        // no storage (private browsing): the page still holds everything
      }
    }, 400);
  }
  function forget() {
    clearTimeout(backupTimer);
    try {
      localStorage.removeItem(KEY());
    } catch (e) {
      // as above
    }
  }
  function offerBackup() {
    let kept = null;
    try {
      kept = JSON.parse(localStorage.getItem(KEY()));
    } catch (e) {
      kept = null;
    }
    if (!kept || !kept.quiz || JSON.stringify(kept.quiz.questions) === JSON.stringify(outgoing().questions) &&
        kept.quiz.title === quiz.title && kept.quiz.description === quiz.description) return;
    const box = $("ed-restore");
    const when = new Date(kept.at).toLocaleString(document.documentElement.lang, { dateStyle: "short", timeStyle: "short" });
    $("ed-restore-text").textContent = t("restore_text", { time: when });
    box.hidden = false;
    $("ed-restore-yes").addEventListener("click", () => {
      const q = kept.quiz;
      quiz = { title: q.title || "", language: q.language || "vi", level: q.level || "", kind: q.kind || "quiz",
        description: q.description || "", translation_of: quiz.translation_of, questions: (q.questions || []).map((x) => adopt({ ...x })) };
      box.hidden = true;
      fillQuizFields();
      renderAll();
      changed();
      say(t("restored"));
    });
    $("ed-restore-no").addEventListener("click", () => {
      forget();
      box.hidden = true;
    });
  }

  // ----- problems ----------------------------------------------------------------------------

  const FIELD_NAMES = { text: "f_text", choices: "f_choices", correct: "f_correct", time_limit: "f_time", points: "f_points",
    explanation: "f_explanation", topic: "f_topic", image: "f_image", chat: "f_chat", type: "f_type", id: "f_id",
    title: "f_title", slug: "f_title", language: "f_language", level: "f_level", kind: "f_kind", description: "f_description",
    questions: "f_questions" };

  /** "Answer 3", "Message 2: who sends it"… for the list of problems. */
  function fieldName(field) {
    let m = /^choices\.(\d+)$/.exec(field);
    if (m) return t("answer_n", { n: m[1] });
    m = /^chat\.(\d+)(?:\.(from|text))?$/.exec(field);
    if (m) return t(m[2] === "from" ? "f_msg_from" : "f_msg", { n: m[1] });
    return field in FIELD_NAMES ? t(FIELD_NAMES[field]) : field;
  }

  function showProblems(list, sent) {
    errors = new Map();
    for (const p of list) {
      const uid = p.question == null ? "quiz" : sent[p.question - 1];
      const key = uid === undefined || (uid !== "quiz" && !byUid(uid)) ? "quiz" : uid;
      if (!errors.has(key)) errors.set(key, new Map());
      const fields = errors.get(key);
      fields.set(p.field, fields.has(p.field) ? fields.get(p.field) + " " + p.message : p.message);
    }
    paintErrors();
    const box = $("ed-summary");
    box.focus();
    box.scrollIntoView({ block: "start" });
  }

  /** The wrapper (data-fld) that shows a field's problem in `scope`, or the scope's own. */
  function slot(scope, field) {
    const all = scope.querySelectorAll("[data-fld]");
    for (const w of all) if (w.dataset.fld === field) return w;
    if (scope === $("ed-quiz") && field === "questions") return $("ed-add"); // by the buttons that add one
    const m = /^(chat\.\d+)\./.exec(field);
    if (m) return slot(scope, m[1]);
    if (/^(chat|choices)\./.test(field)) return slot(scope, field.split(".")[0]);
    return scope.querySelector("[data-fld='']");
  }

  function paintErrors() {
    for (const w of root.querySelectorAll("[data-fld].has-error")) unpaint(w);
    let n = 0;
    const items = [];
    for (const [key, fields] of errors) {
      const scope = key === "quiz" ? $("ed-quiz") : cards.get(key);
      if (!scope) continue;
      const number = key === "quiz" ? null : quiz.questions.findIndex((q) => q.uid === key) + 1;
      for (const [field, message] of fields) {
        n++;
        const w = slot(scope, field) || slot($("ed-quiz"), "");
        paint(w, message);
        const where = number ? t("question_n", { n: number }) + (field ? " · " + fieldName(field) : "") : fieldName(field);
        items.push([where, message, w]);
      }
    }
    const box = $("ed-summary");
    box.hidden = !n;
    $("ed-summary-note").textContent = "";
    if (n) {
      $("ed-summary-h").textContent = t("problems", { n });
      const ul = $("ed-summary-list");
      ul.textContent = "";
      for (const [where, message, w] of items) {
        const go = el("button", { type: "button", class: "link" }, el("b", null, where), ": " + message);
        go.addEventListener("click", () => focusField(w));
        ul.append(el("li", null, go));
      }
    }
    outline();
  }

  function paint(w, message) {
    w.classList.add("has-error");
    const p = w._err;
    if (p) {
      p.textContent = message;
      p.hidden = false;
    }
    if (w._ctl && p) {
      w._ctl.setAttribute("aria-invalid", "true");
      w._ctl.setAttribute("aria-describedby", p.id);
    }
  }

  function unpaint(w) {
    w.classList.remove("has-error");
    if (w._err) w._err.hidden = true;
    if (w._ctl) {
      w._ctl.removeAttribute("aria-invalid");
      w._ctl.removeAttribute("aria-describedby");
    }
  }

  function focusField(w) {
    const target = w._ctl || w.querySelector("input,textarea,select,button") || w;
    target.scrollIntoView({ block: "center" });
    target.focus({ preventScroll: true });
  }

  /** The person changed a field: its problem (and those named by `also`) are gone. */
  function fixed(key, field, also) {
    const fields = errors.get(key);
    if (!fields) return;
    let any = false;
    for (const f of [...fields.keys()]) {
      if (f === field || (also && also.test(f))) {
        fields.delete(f);
        any = true;
      }
    }
    if (!fields.size) errors.delete(key);
    if (any) paintErrors();
  }

  // ----- building blocks -----------------------------------------------------------------------

  /** A labelled field: wrapper data-fld=name, its control and a slot for its problem. */
  function field(name, label, control, hint) {
    control.id = control.id || newId("c");
    const w = el("div", { class: "fld", "data-fld": name }, el("label", { for: control.id }, label), control);
    if (hint) w.append(el("p", { class: "hint" }, hint));
    return errorSlot(w, control);
  }

  function errorSlot(w, control) {
    const p = el("p", { class: "field-error", id: newId("e"), hidden: true });
    w.append(p);
    w._err = p;
    w._ctl = control || null;
    return w;
  }

  function select(options, value) {
    const s = el("select");
    for (const [v, label] of options) s.append(el("option", { value: v, selected: String(v) === String(value) }, label));
    return s;
  }

  function iconButton(text, label, act) {
    return el("button", { type: "button", class: "ed-icon", "aria-label": label, title: label, "data-act": act }, text);
  }

  /** A text input or textarea bound to obj[key]; `after` runs after each change. */
  function bound(tag, obj, key, attrs, after) {
    const c = el(tag, attrs);
    c.value = obj[key] || "";
    c.addEventListener("input", () => {
      obj[key] = c.value;
      if (tag === "textarea") grow(c);
      changed();
      if (after) after(c);
    });
    return c;
  }

  /** A textarea as tall as its text (once it is in the page). */
  function grow(ta) {
    ta.style.height = "auto";
    ta.style.height = ta.scrollHeight + 3 + "px";
  }
  const growAll = (scope) => scope.querySelectorAll("textarea").forEach(grow);
  window.addEventListener("resize", () => growAll(list));

  function counter(c, max) {
    const out = el("span", { class: "ed-count", "aria-hidden": "true" });
    const draw = () => {
      out.textContent = c.value.length + "/" + max;
      out.classList.toggle("near", c.value.length > max * 0.9);
    };
    c.addEventListener("input", draw);
    draw();
    return out;
  }

  // ----- the quiz's own fields (drawn by the page) --------------------------------------------

  const QUIZ_FIELDS = ["title", "description", "language", "level", "kind"];
  function fillQuizFields() {
    for (const name of QUIZ_FIELDS) $("qz-" + name).value = quiz[name] || "";
    grow($("qz-description"));
    $("ed-name").textContent = quiz.title || t("new_quiz");
  }
  for (const name of QUIZ_FIELDS) {
    const c = $("qz-" + name);
    const w = c.closest("[data-fld]");
    errorSlot(w, c);
    c.addEventListener(c.tagName === "SELECT" ? "change" : "input", () => {
      if (c.tagName === "TEXTAREA") grow(c);
      quiz[name] = c.value;
      changed();
      fixed("quiz", name, name === "title" ? /^slug$/ : null);
      if (name === "title") $("ed-name").textContent = c.value || t("new_quiz");
    });
  }
  errorSlot($("ed-quiz").querySelector("[data-fld='']"));
  errorSlot($("ed-add"));

  // ----- a question's card -----------------------------------------------------------------

  function card(q) {
    const li = el("li", { class: "ed-q card", "data-uid": q.uid, id: "q-" + q.uid, "data-type": q.type });
    const num = el("h2", { class: "ed-q-num", id: newId("h") });
    li.setAttribute("aria-labelledby", num.id);
    const type = select(Object.entries(C.types), q.type);
    type.setAttribute("aria-label", t("f_type"));
    type.className = "ed-type";
    type.addEventListener("change", () => {
      setType(q, type.value);
      changed();
      fixed(q.uid, "type", /^(choices|correct|chat|points)/);
      rebuild(q, ".ed-type");
    });
    const tools = el("div", { class: "ed-q-tools" },
      iconButton("↑", t("move_up"), "up"), iconButton("↓", t("move_down"), "down"),
      iconButton("⧉", t("duplicate_q"), "dup"), iconButton("✕", t("remove_q"), "remove"));
    tools.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-act]");
      if (b) act(q, b.dataset.act, b);
    });
    const head = el("div", { class: "ed-q-head" }, num, type, tools);
    li.append(head);
    const acc = q.id && C.accuracy[q.id];
    if (acc && q.type !== "poll") {
      li.append(el("p", { class: "ed-acc" + (acc.weak ? " weak" : "") },
        acc.weak ? el("b", null, "⚠ " + t("weak") + " · ") : null, acc.label));
    }
    li.append(errorSlot(el("div", { class: "ed-q-err", "data-fld": "" })));

    const text = bound("textarea", q, "text", { rows: 2, maxlength: LIM.text, placeholder: t(q.type === "chat" ? "ph_chat_q" : "ph_question") },
      () => {
        fixed(q.uid, "text");
        outline();
      });
    const textField = field("text", t("f_text"), text);
    textField.append(counter(text, LIM.text));
    li.append(textField);
    if (q.type === "chat") li.append(chatBlock(q));
    li.append(imageBlock(q), choicesBlock(q));

    const time = select(TIMES.concat(TIMES.includes(q.time_limit) ? [] : [q.time_limit]).sort((a, b) => a - b)
      .map((s) => [s, t("seconds", { n: s })]), q.time_limit);
    time.addEventListener("change", () => {
      q.time_limit = Number(time.value);
      changed();
      fixed(q.uid, "time_limit");
    });
    const points = select(POINTS.concat(POINTS.some(([p]) => p === q.points) ? [] : [[q.points, String(q.points)]])
      .map(([p, key]) => [p, T[key] ? t(key) : key]), q.points);
    points.addEventListener("change", () => {
      q.points = Number(points.value);
      changed();
      fixed(q.uid, "points");
    });
    const topic = select([["", t("no_topic")]].concat(C.topics), q.topic);
    topic.addEventListener("change", () => {
      q.topic = topic.value;
      changed();
      fixed(q.uid, "topic");
    });
    li.append(el("div", { class: "ed-grid" }, field("time_limit", t("f_time"), time), field("points", t("f_points"), points),
      field("topic", t("f_topic"), topic)));
    const expl = bound("textarea", q, "explanation", { rows: 2, maxlength: LIM.explanation,
      placeholder: t(q.type === "poll" ? "ph_discuss" : "ph_explanation") }, () => fixed(q.uid, "explanation"));
    li.append(field("explanation", t(q.type === "poll" ? "f_discuss" : "f_explanation"), expl, t("explanation_hint")));
    return li;
  }

  function choicesBlock(q) {
    const box = el("fieldset", { class: "ed-choices", "data-fld": "choices" });
    const legend = q.type === "poll" ? "answers_poll" : q.type === "multiple" ? "answers_multi" : "answers_one";
    box.append(el("legend", null, t("f_choices"), el("span", { class: "hint" }, " · " + t(legend))));
    const list = el("ol", { class: "ed-choice-list" });
    q.choices.forEach((c, i) => list.append(choiceRow(q, i)));
    box.append(list);
    errorSlot(box, null);
    const right = errorSlot(el("div", { class: "ed-correct-err", "data-fld": "correct" }));
    box.append(right);
    if (q.type !== "truefalse") {
      const add = el("button", { type: "button", class: "btn btn-small btn-line ed-add-choice", disabled: q.choices.length >= 4 }, "+ " + t("add_choice"));
      add.addEventListener("click", () => {
        q.choices.push("");
        changed();
        fixed(q.uid, "choices", /^(choices\.|correct)/);
        rebuild(q, ".ed-choice:last-child textarea");
      });
      box.append(add);
    }
    return box;
  }

  function choiceRow(q, i) {
    const row = el("li", { class: "ed-choice c" + i + (q.correct.includes(i) ? " is-right" : ""), "data-fld": "choices." + (i + 1) });
    // a textarea that grows, so that a long answer can be read whole on a phone; one line only
    const input = bound("textarea", q.choices, i, { rows: 1, maxlength: LIM.choice, "aria-label": t("answer_n", { n: i + 1 }),
      placeholder: t(i < 2 ? "ph_choice" : "ph_choice_optional", { n: i + 1 }) }, () => {
      if (/[\r\n]/.test(input.value)) {
        input.value = q.choices[i] = input.value.replace(/[\r\n]+/g, " ");
      }
      fixed(q.uid, "choices." + (i + 1), /^choices$/);
    });
    input.addEventListener("keydown", (e) => {
      if (e.key !== "Enter") return;
      e.preventDefault();
      const next = row.nextElementSibling;
      if (next) next.querySelector("textarea").focus();
    });
    row.append(el("span", { class: "ch c" + i + " ed-tile", "aria-hidden": "true" }, SHAPES[i]), input);
    if (q.type !== "poll") {
      const multi = q.type === "multiple";
      const mark = el("input", { type: multi ? "checkbox" : "radio", name: "right-" + q.uid, checked: q.correct.includes(i),
        "aria-label": t("right_n", { n: i + 1 }) });
      mark.addEventListener("change", () => {
        if (multi) q.correct = mark.checked ? [...new Set([...q.correct, i])] : q.correct.filter((x) => x !== i);
        else q.correct = [i];
        changed();
        fixed(q.uid, "correct");
        row.closest(".ed-choice-list").querySelectorAll(".ed-choice").forEach((r, k) => r.classList.toggle("is-right", q.correct.includes(k)));
      });
      row.append(el("label", { class: "ed-right" }, mark, el("span", { "aria-hidden": "true" }, t("right"))));
    }
    if (q.type !== "truefalse" && q.choices.length > 2) {
      const drop = iconButton("✕", t("remove_choice", { n: i + 1 }), "remove-choice");
      drop.addEventListener("click", () => {
        q.choices.splice(i, 1);
        q.correct = q.correct.filter((x) => x !== i).map((x) => (x > i ? x - 1 : x));
        changed();
        fixed(q.uid, "choices", /^(choices\.|correct)/);
        rebuild(q, ".ed-add-choice");
      });
      row.append(drop);
    }
    return errorSlot(row, input);
  }

  function chatBlock(q) {
    const box = el("div", { class: "ed-chat", "data-fld": "chat" });
    box.append(el("h3", null, t("chat_title")), el("p", { class: "hint" }, t("chat_hint")));
    const list = el("ol", { class: "ed-msgs" });
    const bubbles = el("div", { class: "chat ed-bubbles", role: "img", "aria-label": t("chat_preview") });
    const redraw = () => drawBubbles(q, bubbles);
    q.chat.forEach((m, i) => list.append(messageRow(q, i, redraw)));
    const add = el("button", { type: "button", class: "btn btn-small btn-line ed-add-msg", disabled: q.chat.length >= LIM.chat }, "+ " + t("add_msg"));
    add.addEventListener("click", () => {
      const last = q.chat[q.chat.length - 1];
      const other = q.chat.filter((m) => !m.mine).map((m) => m.from).filter(Boolean).pop() || "";
      q.chat.push(last && !last.mine ? { from: you(), text: "", mine: true } : { from: other, text: "", mine: false });
      changed();
      fixed(q.uid, "chat");
      rebuild(q, ".ed-msg:last-child textarea");
    });
    errorSlot(box, null);
    box.append(list, add, el("p", { class: "ed-sub", "aria-hidden": "true" }, t("chat_preview")), bubbles);
    box.insertBefore(box._err, add);
    redraw();
    return box;
  }

  function messageRow(q, i, redraw) {
    const m = q.chat[i];
    const row = el("li", { class: "ed-msg" + (m.mine ? " mine" : ""), "data-fld": "chat." + (i + 1) });
    const sender = bound("input", m, "from", { type: "text", maxlength: 40, placeholder: t("ph_sender"), list: "ed-senders" }, () => {
      fixed(q.uid, "chat." + (i + 1) + ".from");
      if (!m.touched && MINE.includes(m.from.trim().toLowerCase()) !== m.mine) {
        m.mine = !m.mine;
        mine.checked = m.mine;
        row.classList.toggle("mine", m.mine);
      }
      redraw();
    });
    const said = bound("textarea", m, "text", { rows: 1, maxlength: LIM.text, placeholder: t("ph_message") }, () => {
      fixed(q.uid, "chat." + (i + 1) + ".text");
      redraw();
    });
    const mine = el("input", { type: "checkbox", role: "switch", checked: !!m.mine });
    mine.addEventListener("change", () => {
      m.mine = mine.checked;
      m.touched = true;
      row.classList.toggle("mine", m.mine);
      changed();
      redraw();
    });
    const tools = el("div", { class: "ed-msg-tools" },
      el("label", { class: "ed-switch" }, mine, el("span", null, t("mine"))),
      iconButton("↑", t("msg_up", { n: i + 1 }), "up"), iconButton("↓", t("msg_down", { n: i + 1 }), "down"),
      iconButton("✕", t("msg_remove", { n: i + 1 }), "remove"));
    tools.querySelector("[data-act=up]").disabled = i === 0;
    tools.querySelector("[data-act=down]").disabled = i === q.chat.length - 1;
    tools.querySelector("[data-act=remove]").disabled = q.chat.length <= 1;
    tools.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-act]");
      if (!b) return;
      const j = b.dataset.act === "up" ? i - 1 : i + 1;
      if (b.dataset.act === "remove") q.chat.splice(i, 1);
      else [q.chat[i], q.chat[j]] = [q.chat[j], q.chat[i]];
      changed();
      fixed(q.uid, "chat", /^chat\./);
      const focus = b.dataset.act === "remove" ? ".ed-add-msg"
        : `.ed-msg:nth-child(${j + 1}) [data-act=${b.dataset.act}]:not(:disabled), .ed-msg:nth-child(${j + 1}) textarea`;
      rebuild(q, focus);
      say(b.dataset.act === "remove" ? t("msg_removed") : t("msg_moved", { n: j + 1 }));
    });
    row.append(el("span", { class: "ed-msg-n", "aria-hidden": "true" }, String(i + 1)),
      field("chat." + (i + 1) + ".from", t("f_sender"), sender),
      field("chat." + (i + 1) + ".text", t("f_msg", { n: i + 1 }), said), tools);
    return errorSlot(row, null);
  }

  /** The chat as the pupils' phones show it (all the messages at once here). */
  function drawBubbles(q, box) {
    box.textContent = "";
    const msgs = q.chat.filter((m) => m.text.trim() || m.from.trim());
    const other = msgs.find((m) => !m.mine);
    const many = new Set(msgs.filter((m) => !m.mine).map((m) => m.from)).size > 1;
    if (other) box.append(el("div", { class: "chat-h" }, el("i", null, other.from.charAt(0)), el("span", null, other.from)));
    msgs.forEach((m, i) => {
      const b = el("div", { class: "msg " + (m.mine ? "me" : "them") });
      if (many && !m.mine && (i === 0 || msgs[i - 1].from !== m.from)) b.append(el("b", { class: "from" }, m.from));
      b.append(el("span", null, m.text || "…"));
      box.append(b);
    });
    box.hidden = !msgs.length;
  }

  function imageBlock(q) {
    const box = el("div", { class: "ed-image", "data-fld": "image" });
    const file = el("input", { type: "file", accept: "image/png,image/jpeg,image/webp,image/gif", hidden: true });
    const pick = el("button", { type: "button", class: "btn btn-small btn-line ed-pick" }, "🖼 " + t(q.image ? "image_change" : "image_add"));
    const state = el("span", { class: "hint ed-upload-state", role: "status" });
    pick.addEventListener("click", () => file.click());
    file.addEventListener("change", () => file.files[0] && upload(q, file.files[0], state, pick));
    if (q.image) {
      const img = el("img", { class: "ed-img", src: C.media_url.replace("__name__", q.image), alt: t("image_alt") });
      const drop = el("button", { type: "button", class: "link danger" }, t("image_remove"));
      drop.addEventListener("click", () => {
        q.image = "";
        changed();
        fixed(q.uid, "image");
        rebuild(q, ".ed-pick");
      });
      box.append(img, el("div", { class: "ed-image-tools" }, pick, drop, state));
    } else box.append(el("div", { class: "ed-image-tools" }, pick, el("span", { class: "hint" }, t("image_hint")), state));
    box.append(file);
    return errorSlot(box, pick);
  }

  async function upload(q, f, state, pick) {
    const box = state.closest("[data-fld]");
    if (f.size > LIM.upload) {
      paint(box, t("image_too_big", { mb: Math.round(LIM.upload / 1048576) }));
      return;
    }
    unpaint(box);
    state.textContent = t("uploading");
    pick.disabled = true;
    const data = new FormData();
    data.append("file", f);
    let response = null;
    let body = null;
    try {
      response = await fetch(C.upload_url, { method: "POST", body: data, credentials: "same-origin", headers: { "X-CSRFToken": CSRF, Accept: "application/json" } });
      body = await response.json().catch(() => null);
    } catch (e) {
      response = null;
    }
    pick.disabled = false;
    state.textContent = "";
    if (!response || !response.ok || !body || !body.name) {
      const why = !response ? t("offline") : response.status === 401 ? t("signed_out") : (body && body.message) || t("server_error");
      paint(box, why);
      return;
    }
    q.image = body.name;
    changed();
    fixed(q.uid, "image");
    rebuild(q, ".ed-pick");
    say(t("image_done"));
  }

  // ----- the questions ---------------------------------------------------------------------

  const list = $("ed-questions");

  function renumber() {
    const n = quiz.questions.length;
    quiz.questions.forEach((q, i) => {
      const li = cards.get(q.uid);
      li.querySelector(".ed-q-num").textContent = t("question_n", { n: i + 1 });
      li.querySelector("[data-act=up]").disabled = i === 0;
      li.querySelector("[data-act=down]").disabled = i === n - 1;
      li.querySelector("[data-act=remove]").disabled = n <= 1;
    });
    for (const b of document.querySelectorAll("[data-add]")) b.disabled = n >= LIM.questions;
    outline();
  }

  /** Who sends chat messages, for the sender fields' suggestions. */
  function senders() {
    const names = new Set([you()]);
    quiz.questions.forEach((q) => q.chat.forEach((m) => m.from.trim() && names.add(m.from.trim())));
    const dl = $("ed-senders");
    dl.textContent = "";
    for (const n of names) dl.append(el("option", { value: n }));
  }

  function renderAll() {
    senders();
    list.textContent = "";
    cards.clear();
    for (const q of quiz.questions) {
      const li = card(q);
      cards.set(q.uid, li);
      list.append(li);
    }
    renumber();
    paintErrors();
    growAll(list);
  }

  /** Draw a question's card again (its type or its lists changed), then focus `focus` in it. */
  function rebuild(q, focus) {
    senders();
    const old = cards.get(q.uid);
    const li = card(q);
    cards.set(q.uid, li);
    old.replaceWith(li);
    growAll(li);
    renumber();
    paintErrors();
    const target = focus && li.querySelector(focus);
    if (target) target.focus();
  }

  function act(q, what, button) {
    const i = quiz.questions.indexOf(q);
    if (what === "up" || what === "down") {
      const j = what === "up" ? i - 1 : i + 1;
      if (j < 0 || j >= quiz.questions.length) return;
      [quiz.questions[i], quiz.questions[j]] = [quiz.questions[j], quiz.questions[i]];
      const li = cards.get(q.uid);
      if (what === "up") li.previousElementSibling.before(li);
      else li.nextElementSibling.after(li);
      changed();
      renumber();
      paintErrors();
      (button.disabled ? li.querySelector(`[data-act=${what === "up" ? "down" : "up"}]`) : button).focus();
      li.scrollIntoView({ block: "nearest" });
      say(t("moved", { n: j + 1 }));
    } else if (what === "dup") {
      if (quiz.questions.length >= LIM.questions) return;
      const copy = adopt(JSON.parse(JSON.stringify({ ...q, uid: 0, id: "" })));
      copy.chat.forEach((m) => delete m.touched);
      quiz.questions.splice(i + 1, 0, copy);
      insertCard(copy);
      say(t("duplicated", { n: i + 2 }));
    } else if (what === "remove") {
      if (quiz.questions.length <= 1) return;
      if ((q.text.trim() || q.choices.some((c) => c.trim())) && !window.confirm(t("remove_confirm", { n: i + 1 }))) return;
      quiz.questions.splice(i, 1);
      cards.get(q.uid).remove();
      cards.delete(q.uid);
      errors.delete(q.uid);
      changed();
      renumber();
      paintErrors();
      const next = quiz.questions[Math.min(i, quiz.questions.length - 1)];
      cards.get(next.uid).querySelector("textarea").focus();
      say(t("removed", { n: i + 1 }));
    }
  }

  function insertCard(q) {
    const li = card(q);
    cards.set(q.uid, li);
    const i = quiz.questions.indexOf(q);
    const after = i > 0 && cards.get(quiz.questions[i - 1].uid);
    if (after) after.after(li);
    else list.prepend(li);
    growAll(li);
    changed();
    renumber();
    paintErrors();
    li.scrollIntoView({ block: "start", behavior: "smooth" });
    li.querySelector("textarea").focus({ preventScroll: true });
  }

  for (const b of document.querySelectorAll("[data-add]")) {
    b.addEventListener("click", () => {
      if (quiz.questions.length >= LIM.questions) return;
      const q = blank(b.dataset.add);
      quiz.questions.push(q);
      fixed("quiz", "questions");
      insertCard(q);
      say(t("added", { n: quiz.questions.length }));
    });
  }

  /** The side list of questions: a number, the start of the text, a mark for a problem. */
  function outline() {
    const ol = $("ed-outline");
    ol.textContent = "";
    quiz.questions.forEach((q, i) => {
      const a = el("a", { href: "#q-" + q.uid, class: errors.has(q.uid) ? "bad" : null },
        el("span", { class: "ed-o-n" }, String(i + 1)), el("span", { class: "ed-o-t" }, q.text.trim() || t("untitled")));
      if (errors.has(q.uid)) a.append(el("span", { class: "sr-only" }, " · " + t("has_problem")));
      a.addEventListener("click", (e) => {
        e.preventDefault();
        const li = cards.get(q.uid);
        li.scrollIntoView({ block: "start" });
        li.querySelector("textarea").focus({ preventScroll: true });
      });
      ol.append(el("li", { "data-type": q.type }, a));
    });
  }

  function say(text) {
    const live = $("ed-live");
    live.textContent = "";
    setTimeout(() => (live.textContent = text), 30);
  }

  // ----- start ---------------------------------------------------------------------------------

  if (!quiz.questions.length) quiz.questions.push(blank("single"));
  fillQuizFields();
  renderAll();
  offerBackup();
  status(slug ? t("all_saved") : t("new_unsaved"), slug ? "ok" : "");
  if (!slug) $("qz-title").focus();
})();
