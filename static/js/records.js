/* The records pages' filters: choosing another campaign (or province) clears the days (or the
   commune/ward) that belonged to the previous one, and shows the result at once. Without this
   script the form still works with its "Show" button. */
"use strict";
(() => {
  document.querySelectorAll("select[data-resets]").forEach((select) => {
    select.addEventListener("change", () => {
      const form = select.form;
      select.dataset.resets.split(" ").forEach((name) => {
        const field = form.elements.namedItem(name);
        if (field) field.value = "";
      });
      form.requestSubmit ? form.requestSubmit() : form.submit();
    });
  });
  // Empty filters stay out of the address, so that it can be read and shared.
  document.querySelectorAll("form.rec-filters").forEach((form) => {
    form.addEventListener("submit", () => {
      Array.from(form.elements).forEach((field) => {
        if (field.name && field.value === "") field.disabled = true;
      });
    });
    window.addEventListener("pageshow", () => {
      Array.from(form.elements).forEach((field) => { field.disabled = false; });
    });
  });
  // A table wider than a phone scrolls sideways (app.css): then it takes the keyboard's focus,
  // so that the arrow keys scroll it, and is named by its section's heading.
  const scrollable = () => {
    document.querySelectorAll(".table").forEach((table) => {
      if (table.scrollWidth > table.clientWidth + 1) {
        table.tabIndex = 0;
        const heading = table.closest("section, .card, details")?.querySelector("h2, h3, summary");
        if (heading && !table.hasAttribute("aria-label")) table.setAttribute("aria-label", heading.textContent.trim());
      } else table.removeAttribute("tabindex");
    });
  };
  scrollable();
  window.addEventListener("resize", scrollable);
  // Print buttons (the school and presenter pages).
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  });
})();
