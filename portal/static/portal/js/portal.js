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
