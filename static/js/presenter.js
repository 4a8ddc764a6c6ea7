/* The presenter's controls, shared by the projector and the console (not loaded by phones):
   Start, Next, Reveal and End, and the commands they send. */
"use strict";
const Presenter = (() => {
  const { $, t, toast } = Quiz;

  /** Wire the buttons #btn-start, #btn-next, #btn-reveal and #btn-end. ``view()`` gives what the
      screen shows: ``{ phase, index, players }``; ``onBusy(on)`` is told while a command is on
      its way (and a moment after: a double press must not skip a screen). Returns ``act`` (send a
      host command, toast its error, then ``done(ack)``) and ``next``. */
  function controls(socket, pin, view, onBusy = () => {}) {
    let busy = false;

    function act(event, data, done) {
      if (busy) return;
      busy = true;
      onBusy(true);
      if (document.activeElement) document.activeElement.blur();
      socket.timeout(8000).emit(event, Object.assign({ pin }, data), (err, ack) => {
        setTimeout(() => {
          busy = false;
          onBusy(false);
        }, 400);
        if (err) toast(t("no_conn"));
        else if (!ack.ok) toast(ack.message);
        else if (done) done(ack);
      });
    }

    function start() {
      if (view().players === 0 && !confirm(t("start_empty"))) return;
      act("host:start");
    }
    /** Next never skips a screen: an open question is revealed, and host:next names the screen
        shown, so the server ignores it if the game has already moved on. */
    function next() {
      const { phase, index } = view();
      if (phase === "lobby") start();
      else if (phase === "question") act("host:reveal");
      else if (phase !== "over" && phase) act("host:next", { phase, index });
    }

    $("btn-start").addEventListener("click", start);
    $("btn-next").addEventListener("click", next);
    $("btn-reveal").addEventListener("click", () => act("host:reveal"));
    $("btn-end").addEventListener("click", () => {
      $("btn-end").blur();
      if (confirm(t("end"))) act("host:end");
    });
    return { act, next };
  }

  return { controls };
})();
