// Paying a milestone with Stripe.js (Stripe's own in production, localstripe's stand-in
// in tests): the card is saved with a setup intent (`confirmCardSetup`), techex charges it
// on the milestone's payment intent, the browser completes 3-D Secure when asked
// (`confirmCardPayment`), and the page waits until techex records the payment.
(function () {
  "use strict";
  var form = document.getElementById("pay-form");
  if (!form || typeof window.Stripe !== "function") { return; }
  var stripe = window.Stripe(form.getAttribute("data-key"));
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var alert = form.querySelector(".form-alert");
  var status = document.getElementById("pay-status");
  var milestone = form.getAttribute("data-milestone");

  function csrf() {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); })
      .find(function (c) { return c.indexOf("techex_csrf=") === 0; });
    return found ? decodeURIComponent(found.slice("techex_csrf=".length)) : "";
  }

  async function api(method, path, body) {
    var init = { method: method, credentials: "same-origin",
      headers: { "Accept": "application/json", "Accept-Language": document.documentElement.lang || "zh-CN",
        "X-CSRF-Token": csrf() } };
    if (body) { init.headers["Content-Type"] = "application/json"; init.body = JSON.stringify(body); }
    var response = await fetch(path, init);
    var reply = await response.json().catch(function () { return {}; });
    if (!response.ok) { throw new Error(reply.detail || reply.title || String(response.status)); }
    return reply;
  }

  function sleep(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    var button = form.querySelector("[type=submit]");
    button.disabled = true;
    alert.hidden = true;
    status.textContent = form.getAttribute("data-paying");
    try {
      var base = "/api/v1/milestones/" + milestone;
      var setup = await api("POST", base + "/card-setup");
      var saved = await stripe.confirmCardSetup(setup.client_secret, { payment_method: { card: card } });
      if (saved.error) { throw new Error(saved.error.message || String(saved.error)); }
      var paid = await api("POST", base + "/pay", { setup_intent: saved.setupIntent.id });
      if (paid.intent_status === "requires_action") {
        var authenticated = await stripe.confirmCardPayment(paid.client_secret);
        if (authenticated.error) { throw new Error(authenticated.error.message || String(authenticated.error)); }
      } else if (paid.intent_status && paid.intent_status !== "succeeded" && paid.intent_status !== "processing") {
        throw new Error(paid.failure_reason || form.getAttribute("data-declined"));
      }
      for (var i = 0; i < 40; i++) {
        var view = await api("GET", base + "/payment");
        if (view.milestone_status === "paid") { window.location.reload(); return; }
        if (view.status === "failed") { throw new Error(view.failure_reason || form.getAttribute("data-declined")); }
        await sleep(500);
      }
      status.textContent = form.getAttribute("data-waiting");
    } catch (error) {
      status.textContent = "";
      alert.textContent = error.message || String(error);
      alert.hidden = false;
      alert.focus();
    } finally {
      button.disabled = false;
    }
  });
})();
