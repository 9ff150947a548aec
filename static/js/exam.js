/* The exam page: autosave, flag, server-synchronised countdown, warnings, practice feedback.
   Without JavaScript the page still works through its plain form. */
(function () {
  "use strict";
  var root = document.getElementById("exam");
  if (!root) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var form = document.getElementById("answer-form");
  var statusEl = document.getElementById("save-status");
  var alertEl = document.getElementById("time-alert");
  var timerEl = document.getElementById("timer-value");
  var flagEl = document.getElementById("flag");
  var mode = root.dataset.mode;
  var position = parseInt(root.dataset.position, 10);
  var warnings = (root.dataset.warnings || "").split(",").filter(Boolean).map(Number).sort(function (a, b) { return b - a; });
  var endAt = null;           // wall-clock ms at which time runs out (Date.now() keeps counting through sleep)
  var warned = {};
  var submitting = false;

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = "save-status" + (kind ? " " + kind : "");
  }

  function sync(remaining) {
    if (remaining === null || remaining === undefined || remaining === "") return;
    endAt = Date.now() + Number(remaining) * 1000;
    // Warnings already passed at load are not announced again.
    var mins = Number(remaining) / 60;
    warnings.forEach(function (w) { if (mins <= w - 1) warned[w] = true; });
    tick();
  }

  function fmt(s) {
    s = Math.max(0, Math.floor(s));
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return h + ":" + (m < 10 ? "0" : "") + m + ":" + (sec < 10 ? "0" : "") + sec;
  }

  function tick() {
    if (endAt === null || !timerEl) return;
    var left = (endAt - Date.now()) / 1000;
    timerEl.textContent = fmt(left);
    var timer = timerEl.parentElement;
    warnings.forEach(function (w) {
      if (left <= w * 60 && !warned[w]) {
        warned[w] = true;
        alertEl.textContent = w + " minutes remain.";
        timer.classList.add("timer-warn");
      }
    });
    if (left <= 0) timeUp();
  }

  function timeUp() {
    if (submitting) return;
    submitting = true;
    alertEl.textContent = "Time is up. Your exam is being submitted.";
    request("POST", root.dataset.submitUrl, {}).then(function () {
      window.location.assign(root.dataset.resultsUrl);
    }, function () {
      window.location.assign(root.dataset.resultsUrl);
    });
  }

  function request(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        if (!r.ok) { var e = new Error(data.message || ("HTTP " + r.status)); e.status = r.status; throw e; }
        return data;
      });
    });
  }

  var pending = Promise.resolve();
  function save(body) {
    setStatus("Saving…", "");
    pending = pending.then(function () {
      return request("PUT", root.dataset.saveUrl, body).then(function (data) {
        sync(data.remaining_seconds);
        updatePalette(data);
        setStatus("Saved", "ok");
        if (data.feedback) showFeedback(data.feedback);
        return data;
      }, function (err) {
        if (err.status === 409) {
          setStatus(err.message, "bad");
          setTimeout(function () { window.location.assign(root.dataset.resultsUrl); }, 1500);
        } else {
          setStatus("Not saved: " + err.message + " Check your connection; your choice will be sent again with the next save.", "bad");
        }
      });
    });
    return pending;
  }

  function updatePalette(data) {
    var link = document.querySelector('#palette a[data-position="' + position + '"]');
    if (!link) return;
    var answered = (data.choice !== null && data.choice !== undefined) ||
      !!(data.codes && ((data.codes.diagnoses || []).length || (data.codes.procedures || []).length));
    link.classList.toggle("answered", answered);
    link.classList.toggle("flagged", !!data.flagged);
    link.setAttribute("aria-label", "Question " + (position + 1) + (answered ? ", answered" : ", not answered") + (data.flagged ? ", flagged" : ""));
  }

  var STATUS = { correct: "Correct", out_of_sequence: "Out of sequence", wrong_modifier: "Wrong modifier",
    wrong_units: "Wrong units", missing: "Missing", invalid: "Invalid code", incomplete: "Incomplete code",
    near_miss: "Near miss", optional: "Optional", extra: "Extra" };

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) n.className = cls;
    if (text !== undefined) n.textContent = text;
    return n;
  }

  function showCodingFeedback(fb) {
    var box = document.getElementById("feedback");
    box.textContent = "";
    box.appendChild(el("p", "feedback-verdict " + (fb.correct ? "ok" : "bad"), fb.correct ? "All lines correct." : "Some lines need work."));
    var score = el("p", "coding-score");
    score.appendChild(el("strong", "", Math.round(fb.score * 100) + "%"));
    score.appendChild(document.createTextNode(" of the key's points."));
    box.appendChild(score);
    var wrap = el("div", "table-wrap"), table = el("table", "table coding-lines");
    var head = el("tr");
    ["Code", "Result", "Points", "Why"].forEach(function (h) { var th = el("th", h === "Points" ? "num" : "", h); th.scope = "col"; head.appendChild(th); });
    var thead = el("thead"); thead.appendChild(head); table.appendChild(thead);
    var body = el("tbody");
    fb.lines.forEach(function (line) {
      var tr = el("tr", "status-" + line.status);
      var code = el("td"); code.appendChild(el("code", "", line.code)); tr.appendChild(code);
      var st = el("td"); st.appendChild(el("span", "status-badge status-" + line.status, STATUS[line.status] || line.status)); tr.appendChild(st);
      tr.appendChild(el("td", "num", line.points ? (line.points > 0 ? "+" : "") + line.points : "0"));
      tr.appendChild(el("td", "", line.message));
      body.appendChild(tr);
    });
    table.appendChild(body); wrap.appendChild(table); box.appendChild(wrap);
    if (fb.notes && fb.notes.length) {
      box.appendChild(el("h4", "", "Guideline notes"));
      var ul = el("ul", "coding-notes");
      fb.notes.forEach(function (n) { ul.appendChild(el("li", "", n)); });
      box.appendChild(ul);
    }
    var key = el("p", "muted", "Key: " + [].concat(fb.key.diagnoses || [], fb.key.procedures || []).join(", ") + ".");
    box.appendChild(key);
    var rationale = el("div", "prose");
    rationale.innerHTML = fb.rationale;  // server-rendered, sanitised Markdown
    box.appendChild(rationale);
    box.hidden = false;
    form.querySelectorAll("#coding-entry input").forEach(function (i) { i.disabled = true; });
    var check = document.getElementById("check-codes");
    if (check) check.remove();
  }

  function collectCodes() {
    var dx = [].map.call(form.querySelectorAll('input[name="dx"]'), function (i) { return i.value.trim(); }).filter(Boolean);
    var px = [];
    form.querySelectorAll(".px-row").forEach(function (row) {
      var code = row.querySelector('input[name="px_code"]').value.trim();
      if (!code) return;
      var mods = row.querySelector('input[name="px_mod"]').value.replace(/[,-]/g, " ").split(/\s+/).filter(Boolean);
      var units = row.querySelector('input[name="px_units"]').value.trim();
      px.push(code + mods.map(function (m) { return "-" + m; }).join("") + (units && units !== "1" ? " x" + units : ""));
    });
    return { diagnoses: dx, procedures: px };
  }

  var codesTimer = null;
  function scheduleCodesSave() {
    clearTimeout(codesTimer);
    codesTimer = setTimeout(function () { save({ codes: collectCodes() }); }, 400);
  }

  document.querySelectorAll(".add-row").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      var list = document.getElementById(button.dataset.target).querySelector("ol");
      var last = list.lastElementChild, copy = last.cloneNode(true);
      var n = list.children.length + 1;
      copy.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        input.id = input.id.replace(/-\d+$/, "-" + n);
      });
      copy.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/-\d+$/, "-" + n);
        label.textContent = label.textContent.replace(/\d+/, n);
      });
      list.appendChild(copy);
      copy.querySelector("input").focus();
    });
  });

  function showFeedback(fb) {
    if (fb.kind === "coding") { showCodingFeedback(fb); return; }
    var box = document.getElementById("feedback");
    var labels = form.querySelectorAll("label.choice");
    labels.forEach(function (label, i) {
      label.querySelector("input").disabled = true;
      if (i === fb.answer) label.classList.add("is-correct");
      else if (i === fb.chosen) label.classList.add("is-wrong");
    });
    var letter = String.fromCharCode(65 + fb.answer);
    var html = '<p class="feedback-verdict ' + (fb.correct ? "ok" : "bad") + '">' +
      (fb.correct ? "Correct." : "Not quite. The answer is " + letter + ".") + "</p>";
    html += '<ol class="why-list" type="A">' + fb.why.map(function (w) { return "<li>" + w + "</li>"; }).join("") + "</ol>";
    html += '<div class="prose">' + fb.rationale + "</div>";
    box.innerHTML = html;  // server-rendered, sanitised Markdown
    box.hidden = false;
  }

  form.addEventListener("change", function (ev) {
    var t = ev.target;
    if (t.name === "choice") save({ choice: parseInt(t.value, 10) });
    else if (t.name === "flagged") save({ flagged: t.checked });
    else if (/^(dx|px_code|px_mod|px_units)$/.test(t.name) && mode !== "practice") scheduleCodesSave();
  });

  var checkButton = document.getElementById("check-codes");
  if (checkButton) {
    checkButton.addEventListener("click", function (ev) {
      ev.preventDefault();
      save({ codes: collectCodes() });
    });
  }

  // Navigation waits for saves in flight, then lets the plain form post go (it saves again).
  form.addEventListener("submit", function (ev) {
    if (form.dataset.flushed) return;
    ev.preventDefault();
    var submitter = ev.submitter;
    if (codesTimer) { clearTimeout(codesTimer); codesTimer = null; if (mode !== "practice") save({ codes: collectCodes() }); }
    pending.then(function () {
      form.dataset.flushed = "1";
      if (submitter && submitter.name) {
        var h = document.createElement("input");
        h.type = "hidden"; h.name = submitter.name; h.value = submitter.value;
        form.appendChild(h);
      }
      form.submit();
    });
  });

  // Links (palette, review) also wait for a save in flight, so leaving the page never drops it.
  root.addEventListener("click", function (ev) {
    var link = ev.target.closest("a[href]");
    if (!link || ev.defaultPrevented || ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
    ev.preventDefault();
    pending.then(function () { window.location.assign(link.href); });
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState !== "visible" || endAt === null) return;
    request("GET", root.dataset.stateUrl + "?summary=1").then(function (data) {
      if (data.status && data.status !== "open") { window.location.assign(root.dataset.resultsUrl); return; }
      sync(data.remaining_seconds);
    }, function () {});
  });

  sync(root.dataset.remaining);
  if (endAt !== null) setInterval(tick, 500);
})();
