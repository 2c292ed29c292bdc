// A step that says what happens next before a form does something that cannot be taken
// back (accepting an offer, signing, registering, terminating): a form with
// `data-confirm="…"` first opens the page's confirm dialog with that text; only its
// confirm button lets the form go on (to the API through workspace.js, or as a plain
// post). Going back or Esc leaves everything as it was.
(function () {
  "use strict";

  var confirmed = new WeakSet();

  function ask(form, submitter) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || typeof dialog.showModal !== "function") {
      return window.confirm(form.getAttribute("data-confirm")) ? go(form, submitter) : undefined;
    }
    dialog.querySelector(".confirm-text").textContent = form.getAttribute("data-confirm");
    var yes = dialog.querySelector(".confirm-yes");
    var label = submitter ? submitter.textContent.trim() : "";
    yes.textContent = label || yes.getAttribute("data-default");
    dialog.returnValue = "";
    dialog.onclose = function () {
      dialog.onclose = null;
      if (dialog.returnValue === "yes") { go(form, submitter); }
      else if (submitter) { submitter.focus(); }
    };
    dialog.showModal();
    yes.focus();
  }

  function go(form, submitter) {
    confirmed.add(form);
    if (typeof form.requestSubmit === "function") {
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    } else {
      form.submit();
    }
  }

  // In the capture phase, before workspace.js (or the browser) acts on the submit.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-confirm")) { return; }
    if (confirmed.has(form)) { confirmed.delete(form); return; }
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form, event.submitter || form.querySelector("[type=submit]"));
  }, true);

  document.addEventListener("click", function (event) {
    var dialog = document.getElementById("confirm-dialog");
    if (!dialog || !dialog.open) { return; }
    var button = event.target.closest && event.target.closest("#confirm-dialog button");
    if (button) { dialog.close(button.classList.contains("confirm-yes") ? "yes" : "no"); }
  });
})();
