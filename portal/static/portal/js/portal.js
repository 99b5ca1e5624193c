// The pages' own behaviour, kept out of the HTML so that the Content-Security-Policy needs no
// inline script (script-src 'self'). Elements opt in with data- attributes.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});

// Confirmation before an action that cannot be taken back. A form (or its submit button) with
// data-confirm="what will happen" opens a dialog saying so; the form is sent only on "Confirm".
// data-confirm-yes names the confirming button (default "Confirm" / "确认"). Without JavaScript
// the form is sent as it is: the server still checks everything.
(() => {
  const zh = () => (document.documentElement.lang || "").toLowerCase().startsWith("zh");
  let confirmed = null;

  function ask(text, yesLabel, danger) {
    return new Promise((resolve) => {
      const dialog = document.createElement("dialog");
      dialog.className = "confirm-dialog";
      dialog.setAttribute("aria-labelledby", "confirm-dialog-text");
      const p = document.createElement("p");
      p.id = "confirm-dialog-text";
      p.textContent = text;
      const actions = document.createElement("div");
      actions.className = "actions";
      const yes = document.createElement("button");
      yes.type = "button";
      yes.className = danger ? "button danger" : "button";
      yes.dataset.confirmYes = "";
      yes.textContent = yesLabel || (zh() ? "确认" : "Confirm");
      const no = document.createElement("button");
      no.type = "button";
      no.className = "button secondary";
      no.dataset.confirmNo = "";
      no.textContent = zh() ? "取消" : "Cancel";
      actions.append(yes, no);
      dialog.append(p, actions);
      document.body.append(dialog);
      const close = (answer) => {
        dialog.close();
        dialog.remove();
        resolve(answer);
      };
      yes.addEventListener("click", () => close(true));
      no.addEventListener("click", () => close(false));
      dialog.addEventListener("cancel", (e) => {
        e.preventDefault();
        close(false);
      });
      dialog.showModal();
      no.focus();
    });
  }

  // Capture phase: runs before htmx's own submit handler, which then sees only confirmed submits.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      const submitter = event.submitter;
      const source = submitter && submitter.dataset.confirm !== undefined ? submitter : form;
      const text = source.dataset && source.dataset.confirm;
      if (!text) return;
      if (confirmed === form) {
        confirmed = null;
        return;
      }
      event.preventDefault();
      event.stopImmediatePropagation();
      ask(text, source.dataset.confirmYes, source.dataset.confirmDanger !== undefined).then((ok) => {
        if (!ok) return;
        confirmed = form;
        if (form.requestSubmit) form.requestSubmit(submitter || undefined);
        else form.submit();
      });
    },
    true,
  );
})();
