/* The new-session form: the knowledge check follows the school's level and the quiz's language
   until the presenter chooses one. The rule is the server's (suggested_check in
   quizapp/services/games.py): the page carries its answer for every level and language. */
"use strict";
(() => {
  const data = document.getElementById("check-suggest");
  const check = document.getElementById("check");
  if (!data || !check) return;
  const S = JSON.parse(data.textContent);
  const school = document.getElementById("school");
  const quiz = document.getElementById("quiz");
  let auto = check.dataset.auto === "1"; // not after a refused form: keep what was sent
  check.addEventListener("change", () => (auto = false));

  function suggest(e) {
    if (!auto) return;
    const code = school ? school.value.trim().toUpperCase().split(" ")[0] : "";
    let level = S.schools[code];
    // a school found by the search (school-search.js) carries its level on the field when picked
    if (level === undefined && e && e.type === "change" && e.target === school) level = school.dataset.level;
    if (level === undefined) return; // not a school (yet): leave the choice as it is
    const slug = S.suggest[level + "|" + (quiz ? S.quizzes[quiz.value] : "")];
    check.value = slug || "";
  }
  for (const e of [school, quiz]) {
    if (!e) continue;
    e.addEventListener("input", suggest);
    e.addEventListener("change", suggest);
  }
  suggest();
})();
