/* The new-account form: only the field the chosen role needs (a presenter's unit, a staff
   member's school) is shown. Without this script both stay visible and the server checks. */
"use strict";
(() => {
  const role = document.getElementById("role");
  if (!role) return;
  const groups = { unit: "presenter", school: "staff" };
  function update() {
    for (const [id, needs] of Object.entries(groups)) {
      const group = document.getElementById(id + "-group");
      if (group) group.hidden = role.value !== needs;
    }
  }
  role.addEventListener("change", update);
  update();
})();
