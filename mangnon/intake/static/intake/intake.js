// The intake screen: keyboard shortcuts (Alt + the key shown beside each choice), Enter on a type of
// contact saves it, the filterable list of reasons, Ctrl+Enter saves from anywhere. No inline script
// (the CSP forbids it); without JavaScript the form still works with Tab and the mouse.
(() => {
  // The same folding as the server's normalize_name: no diacritics, đ → d, lower case.
  const fold = (text) =>
    text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/[đĐ]/g, "d").toLowerCase().replace(/\s+/g, " ").trim();

  const controlOf = (el) => (el.matches("input, select, textarea, button") ? el : el.querySelector("input, select, textarea, button"));

  function changed(input) {
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function shortcuts(form, save) {
    document.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        form.requestSubmit(save);
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      // event.code names the physical key, so Vietnamese input methods (Telex, VNI) do not change it.
      const match = /^(?:Digit|Numpad|Key)([0-9A-Z])$/.exec(event.code);
      const holder = match && form.querySelector(`[data-shortcut="${match[1]}"]`);
      if (!holder) return;
      event.preventDefault();
      const input = controlOf(holder);
      if (input.type === "radio") {
        input.checked = true;
        changed(input);
      } else if (input.type === "checkbox") {
        input.checked = !input.checked;
        changed(input);
      }
      const then = holder.dataset.then ? form.querySelector(holder.dataset.then) : null;
      if (then) then.focus();
      else if (input.type !== "radio" && input.type !== "checkbox") input.focus();
    });
  }

  function enterKeys(form, save, filter) {
    form.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.altKey || event.ctrlKey || event.metaKey) return;
      const target = event.target;
      if (target.matches("[data-contact-type] input[type=radio]")) {
        event.preventDefault(); // choose the type, Enter: a non-data contact in two keystrokes
        form.requestSubmit(save);
      } else if (target.matches("[data-child-search]")) {
        event.preventDefault(); // the search runs as you type; Enter must not save a half-typed contact
      } else if (filter && target === filter) {
        event.preventDefault();
        tickOnlyMatch(form, filter);
      }
    });
  }

  function visibleReasons(form) {
    return [...form.querySelectorAll("[data-reason]")].filter((li) => !li.hidden && li.dataset.match === "1");
  }

  function tickOnlyMatch(form, filter) {
    const matches = visibleReasons(form);
    if (matches.length !== 1) return;
    const box = matches[0].querySelector("input[type=checkbox]");
    box.checked = !box.checked;
    changed(box);
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
  }

  function reasonFilter(form, filter) {
    const items = [...form.querySelectorAll("[data-reason]")];
    filter.addEventListener("input", () => {
      const query = fold(filter.value);
      const shown = new Set();
      for (const li of items) {
        const hit = !query || li.dataset.search.includes(query) || li.dataset.reason.includes(query);
        li.dataset.match = hit ? "1" : "0";
        if (!hit) continue;
        // a match shows its parents too, so "sexual" reads under "Violence and abuse"
        let code = li.dataset.reason;
        shown.add(code);
        while (code.includes(".")) {
          code = code.slice(0, code.lastIndexOf("."));
          shown.add(code);
        }
      }
      for (const li of items) li.hidden = !shown.has(li.dataset.reason);
    });
    filter.addEventListener("keydown", (event) => {
      if (event.key !== "ArrowDown") return;
      const first = visibleReasons(form)[0];
      if (first) {
        event.preventDefault();
        first.querySelector("input").focus();
      }
    });
    filter.dispatchEvent(new Event("input"));
  }

  function emergencyLook(form) {
    const toggle = form.querySelector("[data-shortcut] input[name=emergency]");
    if (!toggle) return;
    const mark = () => form.classList.toggle("is-emergency", toggle.checked);
    toggle.addEventListener("change", mark);
    mark();
  }

  // The consent boxes of a referral show while the outcome is "referred" (or a commune to refer to is
  // chosen, which makes it so): hidden, they are out of the Tab order too.
  function referralConsent(form) {
    const block = form.querySelector("[data-referral-consent]");
    const outcome = form.querySelector("select[name=outcome]");
    const commune = form.querySelector("select[name=referred_to]");
    if (!block || !outcome) return;
    const show = () => {
      block.hidden = outcome.value !== "referred" && !(commune && commune.value);
    };
    outcome.addEventListener("change", show);
    if (commune) commune.addEventListener("change", show);
    show();
  }

  document.addEventListener("DOMContentLoaded", () => {
    const form = document.querySelector("[data-intake-form]");
    if (!form) return;
    const save = form.querySelector("[data-save]");
    const filter = form.querySelector("[data-reason-filter]");
    shortcuts(form, save);
    enterKeys(form, save, filter);
    if (filter) reasonFilter(form, filter);
    emergencyLook(form);
    referralConsent(form);
    form.dataset.ready = "1"; // the shortcuts are live (browser tests wait for this)
  });
})();
