// An auction's page follows the bidding without a reload: it asks the JSON API for the
// auction and its bids every few seconds and redraws the price, the minimum bid, the
// history and the time left (counted down every second, on the server's clock as its
// `Date` header tells it). When the auction changes state (it opens, closes, is
// extended past the close) the page reloads to show the result. Nothing here talks to
// any other host.
(function () {
  "use strict";

  var root = document.getElementById("auction");
  if (!root) { return; }
  var id = root.getAttribute("data-auction");
  var status = root.getAttribute("data-status");
  var word = function (name) { return root.getAttribute("data-word-" + name) || ""; };
  var live = function (name) { return root.querySelector('[data-live="' + name + '"]'); };
  var offset = 0;
  var target = Date.now() + Number(root.getAttribute("data-seconds-left") || 0) * 1000;

  // The sign of the auction's currency, as the server's `price` filter writes it.
  var sign = { CNY: "¥", USD: "US$", EUR: "€", HKD: "HK$" }[root.getAttribute("data-currency")] || "¥";

  // `12345678` fen → `¥123,456.78`; whole amounts drop the decimals (as the server writes it).
  function money(minor) {
    var yuan = Math.trunc(minor / 100);
    var fen = Math.abs(minor % 100);
    var grouped = String(yuan).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return sign + (fen ? grouped + "." + (fen < 10 ? "0" : "") + fen : grouped);
  }

  function counted(name, n) {
    var one = word(name + "-one");
    return (n === 1 && one ? one : word(name)).replace("{n}", n);
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tick() {
    var node = live("time-left");
    if (!node) { return; }
    var left = Math.max(0, Math.floor((target - (Date.now() + offset)) / 1000));
    var clock = pad(Math.floor((left % 86400) / 3600)) + ":" + pad(Math.floor((left % 3600) / 60)) + ":" + pad(left % 60);
    var days = Math.floor(left / 86400);
    node.textContent = days ? counted("days", days) + " " + clock : clock;
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
    return td;
  }

  function drawBids(bids) {
    var body = live("bids");
    if (!body) { return; }
    body.textContent = "";
    if (!bids.length) {
      var empty = document.createElement("tr");
      empty.className = "empty";
      cell(empty, word("no-bids")).colSpan = 4;
      body.appendChild(empty);
      return;
    }
    bids.forEach(function (bid) {
      var row = document.createElement("tr");
      if (bid.mine) { row.className = "mine"; }
      cell(row, String(bid.sequence));
      var who = cell(row, (bid.bidder ? bid.bidder.name + " · " : "") + word("bidder").replace("{n}", bid.bidder_number));
      if (bid.mine) {
        var mark = document.createElement("strong");
        mark.textContent = " (" + word("mine") + ")";
        who.appendChild(mark);
      }
      cell(row, money(bid.amount_minor));
      var at = document.createElement("time");
      at.setAttribute("datetime", bid.created_at);
      at.textContent = bid.created_at.slice(0, 19).replace("T", " ") + " UTC";
      row.appendChild(document.createElement("td")).appendChild(at);
      body.appendChild(row);
    });
  }

  function draw(auction) {
    var current = live("current");
    if (current) { current.textContent = auction.high_amount_minor === null ? word("no-bids") : money(auction.high_amount_minor); }
    var leading = live("leading");
    if (leading) { leading.hidden = !auction.leading; }
    var minimum = live("minimum");
    if (minimum) { minimum.textContent = money(auction.minimum_bid_minor); }
    var count = live("bid-count");
    if (count) { count.textContent = counted("bid-count", auction.bid_count); }
    var reserve = live("reserve");
    if (reserve) { reserve.textContent = auction.reserve_met ? word("met") : word("not-met"); }
    var closes = live("closes");
    if (closes) {
      closes.setAttribute("datetime", auction.closes_at);
      closes.textContent = auction.closes_at.slice(0, 16).replace("T", " ") + " UTC";
    }
    if (auction.status === "open") { target = Date.parse(auction.closes_at); }
    var amount = document.getElementById("bid-amount");
    if (amount && document.activeElement !== amount) {
      var least = auction.minimum_bid_minor / 100;
      amount.min = String(least);
      if (Number(amount.value) < least) { amount.value = String(least); }
    }
  }

  async function poll() {
    try {
      var init = { headers: { "Accept": "application/json" }, credentials: "same-origin" };
      var answers = await Promise.all([fetch("/api/v1/auctions/" + id, init), fetch("/api/v1/auctions/" + id + "/bids", init)]);
      if (!answers[0].ok || !answers[1].ok) { return; }
      var served = Date.parse(answers[0].headers.get("Date") || "");
      if (!isNaN(served)) { offset = served - Date.now(); }
      var auction = await answers[0].json();
      var bids = await answers[1].json();
      if (auction.status !== status) { window.location.reload(); return; }
      draw(auction);
      drawBids(bids);
      tick();
    } catch (error) {
      // Offline for a moment: the next round tries again.
    }
  }

  tick();
  window.setInterval(tick, 1000);
  if (status === "open" || status === "scheduled") { window.setInterval(poll, 4000); }
})();
