// The signed-in pages' forms (deal room, offers, contracts, milestones) act through the
// JSON API with the browser session: the CSRF cookie's value goes in `X-CSRF-Token`, and
// the server's problem+json answer is shown next to the fields it names. Nothing here
// talks to any other host.
(function () {
  "use strict";

  function cookie(name) {
    var found = document.cookie.split(";").map(function (c) { return c.trim(); })
      .find(function (c) { return c.indexOf(name + "=") === 0; });
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  // `terms.milestones.0.title` → body.terms.milestones[0].title
  function put(target, path, value) {
    var keys = path.split(".");
    var node = target;
    for (var i = 0; i < keys.length - 1; i++) {
      var key = /^\d+$/.test(keys[i]) ? Number(keys[i]) : keys[i];
      if (node[key] === undefined) { node[key] = /^\d+$/.test(keys[i + 1]) ? [] : {}; }
      node = node[key];
    }
    var last = keys[keys.length - 1];
    node[/^\d+$/.test(last) ? Number(last) : last] = value;
  }

  // Reads a form into the JSON body the API expects. `data-type` on a field: `int`,
  // `yuan` (to fen), `percent` (to basis points), `bool` (a checkbox), `multi` (checkboxes
  // of one name, to an array), `list` (comma- or 、-separated, to an array), `datetime`
  // (a datetime-local field, to RFC 3339); empty optional fields are left out, and a
  // milestone row whose title is empty is dropped.
  function body(form) {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.disabled || field.name === "csrf_token") { return; }
      var type = field.getAttribute("data-type") || "text";
      var raw = field.value;
      if (type === "bool") { put(out, field.name, field.checked); return; }
      if (type === "multi") {
        if (!Array.isArray(out[field.name])) { out[field.name] = []; }
        if (field.checked) { out[field.name].push(raw); }
        return;
      }
      if (type === "list") {
        put(out, field.name, raw.split(/[,，、;；\n]/).map(function (x) { return x.trim(); })
          .filter(function (x) { return x; }));
        return;
      }
      if (field.type === "radio" && !field.checked) { return; }
      if (raw === "" && field.getAttribute("data-optional") !== null) { return; }
      var value = raw;
      if (type === "int") { value = raw === "" ? null : Number(raw); }
      if (type === "yuan") { value = raw === "" ? null : Math.round(Number(raw) * 100); }
      if (type === "percent") { value = raw === "" ? null : Math.round(Number(raw) * 100); }
      if (type === "date") { value = raw === "" ? null : raw; }
      if (type === "datetime") { value = raw ? new Date(raw).toISOString() : null; }
      if (typeof value === "number" && isNaN(value)) { value = raw; }
      put(out, field.name, value);
    });
    var rows = out.terms && out.terms.milestones;
    if (Array.isArray(rows)) {
      var kept = [];
      out.terms.milestones = rows.filter(function (row, index) {
        var blank = !row || (!row.title && (row.amount_minor === null || row.amount_minor === undefined));
        if (!blank) { kept.push(index); }
        return !blank;
      });
      milestoneRows.set(form, kept);
    }
    return out;
  }

  // For each form, the row on the page of each milestone sent (blank rows are not sent),
  // so that an error about `milestones[1]` is shown at the row it is about.
  var milestoneRows = new WeakMap();

  function onPage(form, path) {
    var kept = milestoneRows.get(form);
    if (!kept) { return path; }
    return path.replace(/milestones(\[|\.)(\d+)/, function (match, separator, index) {
      var row = kept[Number(index)];
      return "milestones" + separator + (row === undefined ? index : row);
    });
  }

  // The cell of a `.grid2` form grid that holds a field. A field that is a grid item by
  // itself is first wrapped in a cell of its own, so that a message added after it stays
  // in the field's column instead of taking a grid slot and pushing every later label
  // beside the wrong input. Outside a grid there is no cell.
  function cellOf(form, field) {
    var node = field;
    while (node.parentElement && node.parentElement !== form && !node.parentElement.classList.contains("grid2")) {
      node = node.parentElement;
    }
    if (!node.parentElement || node.parentElement === form) { return null; }
    if (node !== field) { return node; }
    var cell = document.createElement("div");
    cell.className = "field-cell";
    field.parentElement.insertBefore(cell, field);
    cell.appendChild(field);
    return cell;
  }

  function clear(form) {
    form.querySelectorAll(".field-error").forEach(function (node) { node.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (node) {
      node.removeAttribute("aria-invalid");
      node.removeAttribute("aria-describedby");
    });
    var alert = form.querySelector(".form-alert");
    if (alert) { alert.textContent = ""; alert.hidden = true; }
  }

  function fieldFor(form, reported) {
    var path = onPage(form, reported);
    var dotted = path.replace(/\[(\d+)\]/g, ".$1");
    var candidates = [path, dotted, "terms." + dotted];
    for (var i = 0; i < candidates.length; i++) {
      var field = form.querySelector('[name="' + candidates[i] + '"]');
      if (field) { return field; }
    }
    return null;
  }

  function show(form, problem) {
    var alert = form.querySelector(".form-alert");
    var unplaced = [];
    (problem.errors || []).forEach(function (error, index) {
      var field = fieldFor(form, error.field);
      if (!field) { unplaced.push(error.field + ": " + error.detail); return; }
      var note = document.createElement("p");
      note.className = "field-error";
      note.id = (form.id || "form") + "-error-" + index;
      note.textContent = error.detail;
      field.setAttribute("aria-invalid", "true");
      field.setAttribute("aria-describedby", note.id);
      var cell = cellOf(form, field);
      if (cell) { cell.appendChild(note); } else { field.insertAdjacentElement("afterend", note); }
    });
    if (alert) {
      var text = problem.errors && problem.errors.length && !unplaced.length ? problem.title : problem.detail || problem.title;
      alert.textContent = [text].concat(unplaced).filter(Boolean).join(" · ");
      alert.hidden = false;
    }
    var first = form.querySelector('[aria-invalid="true"]');
    if (first) { first.focus(); } else if (alert) { alert.focus(); }
  }

  // The API words its errors in the language asked for: the page's, not the browser's.
  function pageLanguage() { return document.documentElement.lang || "zh-CN"; }

  async function submit(event) {
    var form = event.target;
    if (!form.matches("form[data-api]")) { return; }
    event.preventDefault();
    clear(form);
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    var method = (form.getAttribute("data-method") || "POST").toUpperCase();
    var headers = { "Accept": "application/json", "Accept-Language": pageLanguage(), "X-CSRF-Token": cookie("techex_csrf") };
    var payload = body(form);
    var ifMatch = form.getAttribute("data-if-match");
    if (ifMatch) { headers["If-Match"] = ifMatch; }
    var init = { method: method, headers: headers, credentials: "same-origin" };
    if (form.getAttribute("data-empty") === null) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(payload);
    }
    try {
      var response = await fetch(form.getAttribute("data-api"), init);
      var reply = await response.json().catch(function () { return {}; });
      if (!response.ok) {
        show(form, reply.title ? reply : { title: response.status + " " + response.statusText });
        return;
      }
      remember(form, response.status === 202);
      // 202: the request was taken but waits on someone else (a licence taken with a
      // broker waits in its deal), so it may lead elsewhere than a 201.
      var next = (response.status === 202 && form.getAttribute("data-then-accepted")) || form.getAttribute("data-then");
      if (next) {
        window.location.assign(next.replace("{id}", reply.id || ""));
      } else {
        window.location.reload();
      }
    } catch (error) {
      show(form, { title: String(error) });
    } finally {
      if (button) { button.disabled = false; }
    }
  }

  // File forms (`data-upload`): multipart to the API; the import's per-row report is
  // drawn into the element `data-report` names, anything else reloads the page.
  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function report(target, reply, form) {
    var box = document.getElementById(target);
    if (!box) { return; }
    box.textContent = "";
    var summary = document.createElement("p");
    summary.setAttribute("role", "status");
    summary.textContent = [form.getAttribute("data-created") + " " + reply.created,
      form.getAttribute("data-updated") + " " + reply.updated,
      form.getAttribute("data-rejected") + " " + reply.rejected].join(" · ");
    box.appendChild(summary);
    var table = document.createElement("table");
    table.className = "milestones report";
    (reply.rows || []).forEach(function (row) {
      var tr = document.createElement("tr");
      tr.className = "row-" + row.outcome;
      cell(tr, String(row.line));
      cell(tr, row.title || row.patent_number || "");
      cell(tr, form.getAttribute("data-" + row.outcome) || row.outcome);
      cell(tr, (row.errors || []).map(function (e) { return e.field + ": " + (e.message || e.detail || ""); }).join("; "));
      table.appendChild(tr);
    });
    box.appendChild(table);
  }

  // After an import the list the form names in `data-refresh` (a CSS selector) is read
  // again from the server, so the imported rows appear without reloading the page.
  async function refresh(selector) {
    var current = selector && document.querySelector(selector);
    if (!current) { return; }
    var response = await fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } });
    if (!response.ok) { return; }
    var page = new DOMParser().parseFromString(await response.text(), "text/html");
    var fresh = page.querySelector(selector);
    if (fresh) { current.replaceWith(document.importNode(fresh, true)); }
  }

  // An import sent with `data-async` runs as a job on the server (202 and its
  // `Location`): its progress is shown until it is done, then its report.
  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  async function follow(location, form) {
    var box = document.getElementById(form.getAttribute("data-report"));
    for (;;) {
      var response = await fetch(location, { credentials: "same-origin",
        headers: { "Accept": "application/json", "Accept-Language": pageLanguage() } });
      var job = await response.json().catch(function () { return {}; });
      if (!response.ok) {
        show(form, job.title ? job : { title: response.status + " " + response.statusText });
        return null;
      }
      if (job.status === "done") { return job.report || {}; }
      if (job.status === "failed") {
        show(form, { title: job.error || "failed" });
        return null;
      }
      if (box) {
        box.textContent = "";
        var progress = document.createElement("p");
        progress.setAttribute("role", "status");
        progress.textContent = (form.getAttribute("data-progress") || "") + " " + job.done_rows + " / " + job.total_rows;
        box.appendChild(progress);
      }
      await wait(500);
    }
  }

  async function upload(event) {
    var form = event.target;
    if (!form.matches("form[data-upload]")) { return; }
    event.preventDefault();
    clear(form);
    var button = form.querySelector("[type=submit]");
    if (button) { button.disabled = true; }
    try {
      var data = new FormData(form);
      var sent = { "Accept": "application/json", "Accept-Language": pageLanguage(), "X-CSRF-Token": cookie("techex_csrf") };
      if (form.hasAttribute("data-async")) { sent["Prefer"] = "respond-async"; }
      var response = await fetch(form.getAttribute("data-upload"), {
        method: "POST", body: data, credentials: "same-origin", headers: sent
      });
      var reply = await response.json().catch(function () { return {}; });
      if (!response.ok) {
        show(form, reply.title ? reply : { title: response.status + " " + response.statusText });
        return;
      }
      if (response.status === 202 && response.headers.get("Location")) {
        reply = await follow(response.headers.get("Location"), form);
        if (!reply) { return; }
      }
      var target = form.getAttribute("data-report");
      if (target) {
        report(target, reply, form);
        await refresh(form.getAttribute("data-refresh"));
      } else {
        window.location.reload();
      }
    } catch (error) {
      show(form, { title: String(error) });
    } finally {
      if (button) { button.disabled = false; }
    }
  }

  // What a form says once it succeeded (`data-done`) is shown on the page the browser
  // goes to next, as a status line at the top, so a save never passes unconfirmed.
  var FLASH = "techex-done";

  function remember(form, accepted) {
    var text = (accepted && form.getAttribute("data-done-accepted")) || form.getAttribute("data-done");
    if (!text) { return; }
    try { window.sessionStorage.setItem(FLASH, text); } catch (error) { /* storage off: no message */ }
  }

  function confirmDone() {
    var text = "";
    try {
      text = window.sessionStorage.getItem(FLASH) || "";
      window.sessionStorage.removeItem(FLASH);
    } catch (error) { return; }
    var main = document.querySelector("main");
    if (!text || !main) { return; }
    var note = document.createElement("p");
    note.className = "notice ok";
    note.id = "done";
    note.setAttribute("role", "status");
    main.insertBefore(note, main.firstChild);
    // Filled after insertion, so that screen readers announce it.
    window.requestAnimationFrame(function () { note.textContent = text; });
  }

  document.addEventListener("submit", submit);
  document.addEventListener("submit", upload);
  confirmDone();
})();
