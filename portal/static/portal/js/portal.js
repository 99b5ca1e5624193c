// The pages' own behaviour, kept out of the HTML so that the Content-Security-Policy needs no
// inline script (script-src 'self'). Elements opt in with data- attributes.
// Loaded in <head> without defer, so that the class below is set before the first paint (the phone
// menu collapses without a flash); everything that needs the body waits for DOMContentLoaded.
"use strict";

document.documentElement.classList.add("js");

function onReady(fn) {
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
  else fn();
}

// The phone menu: the top bar's button (hidden without JavaScript, where the nav simply shows)
// opens and closes the nav; Escape closes it and gives the focus back to the button.
onReady(() => {
  // The nav link of the section the page belongs to is marked (the longest matching path wins).
  const links = [...document.querySelectorAll("nav.topnav > a[href]")].filter(
    (a) => a.origin === location.origin && a.pathname !== "/" && location.pathname.startsWith(a.pathname),
  );
  links.sort((a, b) => b.pathname.length - a.pathname.length);
  if (links.length && !document.querySelector("nav.topnav [aria-current='page']")) {
    links[0].setAttribute("aria-current", "page");
  }

  const toggle = document.querySelector("[data-menu-toggle]");
  const nav = toggle && document.getElementById(toggle.getAttribute("aria-controls"));
  if (!nav) return;
  toggle.hidden = false;
  const set = (open) => {
    toggle.setAttribute("aria-expanded", String(open));
    nav.classList.toggle("open", open);
  };
  toggle.addEventListener("click", () => set(toggle.getAttribute("aria-expanded") !== "true"));
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && toggle.getAttribute("aria-expanded") === "true") {
      // The focus goes back to the button only from inside the menu, never from elsewhere on the page.
      const inside = nav.contains(document.activeElement) || document.activeElement === toggle;
      set(false);
      if (inside) toggle.focus();
    }
  });
});

// Tables: one that its template did not wrap gets a .table-wrap, so that on a phone it scrolls
// inside its card rather than widening the page. A wrap whose table is wider than the wrap can be
// scrolled by the keyboard: it takes the focus (tabindex 0) and is a region named after the table's
// caption or the heading before it. Templates may set these themselves (core/_tables.html does).
(() => {
  const zh = () => (document.documentElement.lang || "").toLowerCase().startsWith("zh");

  function nameOf(wrap) {
    const table = wrap.querySelector("table");
    const caption = table && table.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    let node = wrap.previousElementSibling;
    while (node && !/^H[1-6]$/.test(node.tagName)) node = node.previousElementSibling;
    if (node && node.textContent.trim()) return node.textContent.trim();
    return zh() ? "表格" : "Table";
  }

  function reachable(wrap) {
    if (wrap.hasAttribute("tabindex") && !wrap.dataset.tableWrapAuto) return; // set by the template
    const scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
    if (scrolls && !wrap.hasAttribute("tabindex")) {
      wrap.dataset.tableWrapAuto = "1";
      wrap.tabIndex = 0;
      wrap.setAttribute("role", "region");
      if (!wrap.hasAttribute("aria-label")) wrap.setAttribute("aria-label", nameOf(wrap));
    } else if (!scrolls && wrap.dataset.tableWrapAuto) {
      wrap.removeAttribute("tabindex");
      wrap.removeAttribute("role");
      delete wrap.dataset.tableWrapAuto;
    }
  }

  function wrapTables(root) {
    const tables = [...root.querySelectorAll("table.table:not(.stack)")];
    if (root.matches && root.matches("table.table:not(.stack)")) tables.push(root); // swapped in whole
    for (const table of tables) {
      if (table.parentElement.classList.contains("table-wrap")) continue;
      const wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.before(wrap);
      wrap.append(table);
    }
    for (const wrap of root.querySelectorAll(".table-wrap")) reachable(wrap);
    const own = root.closest && root.closest(".table-wrap");
    if (own) reachable(own);
  }

  onReady(() => {
    wrapTables(document);
    window.addEventListener("load", () => wrapTables(document)); // pictures may widen a table
    let pending = null;
    window.addEventListener("resize", () => {
      clearTimeout(pending);
      pending = setTimeout(() => wrapTables(document), 150);
    });
    // Content htmx swaps in gets the same treatment.
    document.body.addEventListener("htmx:afterSettle", (event) => wrapTables(event.target));
  });
})();

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
        form.dataset.confirmSending = "1"; // a second click while it is being sent sends nothing
        return;
      }
      event.preventDefault();
      if (form.dataset.confirmSending) {
        event.stopImmediatePropagation();
        return;
      }
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
  // Sent: an htmx form may be used again once its answer came; a page shown from the back/forward
  // cache may be used again too.
  document.addEventListener("htmx:afterRequest", (event) => {
    const form = event.target.closest && event.target.closest("form");
    if (form) delete form.dataset.confirmSending;
  });
  window.addEventListener("pageshow", () => {
    for (const form of document.querySelectorAll("form[data-confirm-sending]")) delete form.dataset.confirmSending;
  });
})();
