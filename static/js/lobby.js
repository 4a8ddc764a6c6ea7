/* The lobby's Wi-Fi step, shared by the projector and the console (not loaded by phones): which
   step the lobby shows ("1. Join the Wi-Fi", "2. Join the game", or both side by side) and the
   form that sets the session's network. The server keeps both in memory and tells every
   presenter screen of the session (lobby:step); the password never comes back from it. */
"use strict";
const Lobby = (() => {
  const { $, t, toast } = Quiz;

  /** Start following the lobby of the page's session. ``cfg`` is the page's #lobby-cfg:
      ``{ view, csrf, urls: { view, step } }``; ``draw(view)`` draws a view (see host.py's
      ``_lobby``). Buttons with ``data-step`` anywhere on the page switch steps; forms
      ``.wifi-form`` set the network. Returns ``{ step, refresh, view }``. */
  function follow(socket, cfg, draw) {
    let view = cfg.view;

    function apply(v) {
      view = v;
      for (const b of document.querySelectorAll("button[data-step]")) { // not the lobby's own data-step
        b.setAttribute("aria-pressed", String(b.dataset.step === v.step));
      }
      draw(v);
    }

    async function send(url, body) {
      const response = await fetch(url, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: { Accept: "application/json", "X-CSRFToken": cfg.csrf },
      });
      const data = await response.json().catch(() => ({}));
      return { status: response.status, data };
    }

    /** Show step ``s`` now, and on the session's other presenter screens. */
    function step(s) {
      if (!view.wifi || s === view.step) return;
      const before = view;
      apply(Object.assign({}, view, { step: s }));
      const body = new FormData();
      body.set("step", s);
      send(cfg.urls.step, body).then(
        (r) => r.data.ok || apply(before),
        () => {
          apply(before);
          toast(t("no_conn"));
        },
      );
    }

    /** The lobby as the server has it (after a reconnect: it may have changed meanwhile). */
    function refresh() {
      fetch(cfg.urls.view, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then((r) => (r.ok ? r.json() : null))
        .then((v) => v && apply(v))
        .catch(() => {});
    }

    document.addEventListener("click", (e) => {
      const b = e.target.closest("button[data-step]");
      if (!b) return;
      b.blur(); // Space and Enter are the remote's "next" again, not this button
      step(b.dataset.step);
    });
    for (const form of document.querySelectorAll("form.wifi-form")) wire(form, send, apply);
    socket.on("lobby:step", apply);
    apply(view);
    return { step, refresh, view: () => view };
  }

  /** A Wi-Fi form sent by script: errors shown by their fields; on success the password is
      cleared from the page, the view drawn, and the form sends "wifi:saved". */
  function wire(form, send, apply) {
    const password = form.elements.wifi_password;
    const shown = form.querySelector("[data-show-password]");
    shown.addEventListener("change", () => (password.type = shown.checked ? "text" : "password"));
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const body = new FormData(form);
      body.set("action", (e.submitter && e.submitter.value) || "save");
      for (const p of form.querySelectorAll("[data-error]")) p.hidden = true;
      const buttons = form.querySelectorAll("button");
      buttons.forEach((b) => (b.disabled = true));
      try {
        const r = await send(form.getAttribute("action"), body); // (form.action: its "action" buttons)
        if (r.data.ok) {
          password.value = "";
          shown.checked = false;
          password.type = "password";
          apply(r.data);
          form.dispatchEvent(new CustomEvent("wifi:saved", { bubbles: true, detail: r.data }));
          toast(t(r.data.wifi ? "wifi_saved" : "wifi_off"));
        } else if (r.data.errors) {
          for (const [name, message] of Object.entries(r.data.errors)) {
            const p = form.querySelector('[data-error="' + name + '"]');
            if (p) {
              p.textContent = message;
              p.hidden = false;
            }
          }
        } else toast(t("no_conn"));
      } catch (err) {
        toast(t("no_conn"));
      } finally {
        buttons.forEach((b) => (b.disabled = false));
      }
    });
  }

  return { follow };
})();
