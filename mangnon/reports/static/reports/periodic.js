// Periodic reports: ask before a step that cannot be undone lightly (data-confirm on a form), show the
// busy state of a form whose answer takes a moment (data-busy), and print the page (data-print-page).
// No inline script: the CSP forbids it.
(() => {
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      const question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) {
        event.preventDefault();
        event.stopImmediatePropagation();
        return;
      }
      if (form.hasAttribute("data-busy")) {
        if (form.getAttribute("aria-busy") === "true") {
          event.preventDefault(); // sent already: one report, not two
          return;
        }
        form.setAttribute("aria-busy", "true");
        const message = form.querySelector("[data-busy-message]");
        if (message) message.hidden = false;
        // Disabled after the form's data is taken, so the button's own value still goes with it.
        window.setTimeout(() => {
          form.querySelectorAll("[data-busy-button]").forEach((button) => {
            button.disabled = true;
          });
        }, 0);
      }
    },
    true,
  );
  document.addEventListener("click", (event) => {
    const target = event.target instanceof Element ? event.target.closest("[data-print-page]") : null;
    if (target) window.print();
  });
  // The new-report form: only the fields of the chosen kind's period are shown (all of them without
  // JavaScript; the server ignores the others).
  const PERIOD_FIELDS = {
    half_year: ["year", "half"],
    annual: ["year"],
    phase: ["first_year", "last_year"],
  };
  const showPeriodFields = (form) => {
    const kind = form.querySelector("[name=kind]");
    if (!kind) return;
    const wanted = PERIOD_FIELDS[kind.value] || [];
    ["year", "half", "first_year", "last_year"].forEach((name) => {
      const box = form.querySelector(`[data-field="${name}"]`);
      if (box) box.hidden = !wanted.includes(name);
    });
  };
  document.addEventListener("DOMContentLoaded", () => {
    document.querySelectorAll("form[data-report-new]").forEach(showPeriodFields);
  });
  document.addEventListener("change", (event) => {
    const form = event.target instanceof Element ? event.target.closest("form[data-report-new]") : null;
    if (form && event.target.getAttribute("name") === "kind") showPeriodFields(form);
  });
  // Coming back to a page from the browser's history: a form left busy is usable again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("form[aria-busy='true']").forEach((form) => {
      form.removeAttribute("aria-busy");
      form.querySelectorAll("[data-busy-button]").forEach((button) => {
        button.disabled = false;
      });
      form.querySelectorAll("[data-busy-message]").forEach((message) => {
        message.hidden = true;
      });
    });
  });
})();
