/* The code lookup panel (templates/lookup/_panel.html): live search through /api/lookup and a
   code's detail. Every piece of data is put in the page with textContent (never as HTML).
   On /lookup the address keeps the search; elsewhere (the exam page) the panel remembers its
   state for the browser tab, so it survives moving between questions.
   Without JavaScript the panel's form opens /lookup, which renders on the server. */
(function () {
  "use strict";
  var panel = document.getElementById("lookup-panel");
  if (!panel || !window.fetch) return;
  var api = panel.dataset.api;
  var isPage = panel.dataset.page === "1";
  var box = document.getElementById("lookup-box");
  var form = document.getElementById("lookup-form");
  var input = document.getElementById("lookup-q");
  var systemEl = document.getElementById("lookup-system");
  var statusEl = document.getElementById("lookup-status");
  var resultsEl = document.getElementById("lookup-results");
  var detailEl = document.getElementById("lookup-detail");
  var STORE_KEY = "lookup-state";
  var DEBOUNCE_MS = 250;
  var MIN_CHARS = 2;

  var timer = null;
  var searchSeq = 0, detailSeq = 0;
  var searchCtl = null, detailCtl = null;
  var lastQuery = null;
  var currentCode = "";

  // ------------------------------------------------------------------ small DOM helpers

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  function setStatus(text, isError) {
    statusEl.textContent = text || "";
    statusEl.classList.toggle("is-error", !!isError);
  }

  function system() {
    return systemEl.value || "icd-10-cm";
  }

  // ------------------------------------------------------------------ state (address or tab)

  function saveState() {
    var state = { system: system(), q: input.value.trim(), code: currentCode, open: box.open };
    if (isPage) {
      var params = new URLSearchParams();
      params.set("system", state.system);
      if (state.q) params.set("q", state.q);
      if (state.code) params.set("code", state.code);
      try { history.replaceState(null, "", panel.dataset.pageUrl + "?" + params.toString()); } catch (e) { /* ignore */ }
      return;
    }
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: no memory */ }
  }

  function loadState() {
    try { return JSON.parse(sessionStorage.getItem(STORE_KEY) || "null"); } catch (e) { return null; }
  }

  // ------------------------------------------------------------------ requests

  function getJSON(url, controller) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (body) {
        return { ok: response.ok, status: response.status, body: body || {} };
      });
    });
  }

  function problem(res) {
    if (res.status === 401) return "Your session has ended: log in again to use the lookup.";
    if (res.body && res.body.message) return res.body.message;
    return "The lookup failed (" + res.status + "). Try again.";
  }

  function failed(err) {
    if (err && err.name === "AbortError") return null;
    return "The lookup could not be reached. Check your connection and try again.";
  }

  // ------------------------------------------------------------------ search

  function search(force) {
    var q = input.value.trim();
    var key = system() + "\n" + q;
    if (!force && key === lastQuery) return;
    lastQuery = key;
    if (searchCtl) searchCtl.abort();
    if (q.length < MIN_CHARS && !(force && q.length)) {
      searchSeq++;
      clear(resultsEl);
      setStatus(q.length ? "Type at least " + MIN_CHARS + " characters." : "");
      saveState();
      return;
    }
    var seq = ++searchSeq;
    searchCtl = window.AbortController ? new AbortController() : null;
    setStatus("Searching…");
    var url = api + "?system=" + encodeURIComponent(system()) + "&q=" + encodeURIComponent(q) + "&limit=20";
    getJSON(url, searchCtl).then(function (res) {
      if (seq !== searchSeq) return;
      if (!res.ok) {
        clear(resultsEl);
        setStatus(problem(res), true);
        return;
      }
      renderResults(res.body);
    }).catch(function (err) {
      var msg = failed(err);
      if (msg && seq === searchSeq) setStatus(msg, true);
    });
    saveState();
  }

  function renderResults(body) {
    clear(resultsEl);
    var results = body.results || [];
    results.forEach(function (r) {
      var li = el("li", "lookup-result");
      var button = el("button", "lookup-result-button");
      button.type = "button";
      button.dataset.code = r.code;
      button.appendChild(el("span", "lookup-result-code", r.code));
      button.appendChild(document.createTextNode(" "));
      button.appendChild(el("span", "lookup-result-desc", r.description));
      if (!r.reportable) {
        button.appendChild(document.createTextNode(" "));
        button.appendChild(el("span", "badge flag", "not reportable"));
      }
      if (r.code === currentCode) button.setAttribute("aria-current", "true");
      li.appendChild(button);
      resultsEl.appendChild(li);
    });
    if (body.message) setStatus(body.message, body.loaded === false);
    else setStatus(results.length + (results.length === 1 ? " result" : " results") + ". Choose one to see its notes.");
  }

  // ------------------------------------------------------------------ detail

  function openCode(code, opts) {
    opts = opts || {};
    if (detailCtl) detailCtl.abort();
    var seq = ++detailSeq;
    detailCtl = window.AbortController ? new AbortController() : null;
    var sys = opts.system || system();
    var url = api + "/" + encodeURIComponent(sys) + "/" + encodeURIComponent(code);
    getJSON(url, detailCtl).then(function (res) {
      if (seq !== detailSeq) return;
      if (!res.ok) {
        setStatus(problem(res), true);
        return;
      }
      currentCode = res.body.code;
      renderDetail(res.body);
      markCurrent();
      saveState();
      if (opts.focus !== false) {
        detailEl.focus();
        if (detailEl.scrollIntoView) detailEl.scrollIntoView({ block: "nearest" });
      }
    }).catch(function (err) {
      var msg = failed(err);
      if (msg && seq === detailSeq) setStatus(msg, true);
    });
  }

  function markCurrent() {
    var buttons = resultsEl.querySelectorAll("[data-code]");
    for (var i = 0; i < buttons.length; i++) {
      if (buttons[i].dataset.code === currentCode) buttons[i].setAttribute("aria-current", "true");
      else buttons[i].removeAttribute("aria-current");
    }
  }

  function codeButton(code, text) {
    var b = el("button", "lookup-code-link linklike", text || code);
    b.type = "button";
    b.dataset.code = code;
    return b;
  }

  function section(title) {
    detailEl.appendChild(el("h3", null, title));
  }

  var NOTE_SECTIONS = [
    ["includes", "Includes"],
    ["excludes1", "Excludes1"],
    ["excludes2", "Excludes2"],
    ["code_first", "Code first"],
    ["use_additional", "Use additional code"],
    ["code_also", "Code also"],
    ["notes", "Notes"]
  ];

  function renderDetail(d) {
    clear(detailEl);
    var title = el("h2", "lookup-detail-title");
    title.id = "lookup-detail-title";
    title.appendChild(el("span", "lookup-code", d.code));
    title.appendChild(document.createTextNode(" " + d.description));
    detailEl.appendChild(title);

    var verdict = el("p", "lookup-verdict");
    verdict.appendChild(el("span", d.reportable ? "badge ok" : "badge bad", d.reportable ? "Reportable" : "Not reportable"));
    verdict.appendChild(document.createTextNode(" "));
    verdict.appendChild(el("span", "muted", (d.kind || "") + (d.section ? ": " + d.section : "")));
    detailEl.appendChild(verdict);
    if (!d.reportable && d.reportable_note) detailEl.appendChild(el("p", "hint", d.reportable_note));

    if (d.system === "icd-10-cm") {
      var chain = el("ol", "lookup-chain");
      chain.setAttribute("aria-label", "Where it sits");
      var li = el("li");
      li.appendChild(el("span", "muted", "Chapter " + d.chapter.code + ":"));
      li.appendChild(document.createTextNode(" " + d.chapter.description));
      chain.appendChild(li);
      if (d.block) {
        li = el("li");
        li.appendChild(el("span", "muted", d.block.code + ":"));
        li.appendChild(document.createTextNode(" " + d.block.description));
        chain.appendChild(li);
      }
      (d.parents || []).forEach(function (p) {
        var item = el("li");
        item.appendChild(codeButton(p.code));
        item.appendChild(document.createTextNode(" " + p.description));
        chain.appendChild(item);
      });
      detailEl.appendChild(chain);

      if (d.seventh_characters && d.seventh_characters.length) {
        section("7th characters");
        if (d.seventh_note) detailEl.appendChild(el("p", "hint", d.seventh_note));
        var table = el("table", "lookup-seventh");
        var tbody = el("tbody");
        d.seventh_characters.forEach(function (s) {
          var tr = el("tr");
          if (d.seventh_character && d.seventh_character.character === s.character) tr.className = "is-current";
          var th = el("th", null, s.character);
          th.scope = "row";
          tr.appendChild(th);
          tr.appendChild(el("td", null, s.meaning));
          tbody.appendChild(tr);
        });
        table.appendChild(tbody);
        detailEl.appendChild(table);
      }
      if (d.inclusion_terms && d.inclusion_terms.length) {
        section("Inclusion terms");
        var terms = el("ul", "lookup-notes");
        d.inclusion_terms.forEach(function (t) { terms.appendChild(el("li", null, t)); });
        detailEl.appendChild(terms);
      }
      NOTE_SECTIONS.forEach(function (pair) {
        var notes = (d.notes || {})[pair[0]] || [];
        if (!notes.length) return;
        section(pair[1]);
        var ul = el("ul", "lookup-notes lookup-notes-" + pair[0]);
        notes.forEach(function (n) {
          var item = el("li");
          item.appendChild(el("span", "lookup-note-text", n.text));
          item.appendChild(document.createTextNode(" "));
          item.appendChild(el("span", "lookup-source", "(" + n.source + ")"));
          ul.appendChild(item);
        });
        detailEl.appendChild(ul);
      });
      if (d.children && d.children.length) {
        section("Codes beneath");
        var kids = el("ul", "lookup-children");
        d.children.forEach(function (c) {
          var item = el("li");
          item.appendChild(codeButton(c.code));
          item.appendChild(document.createTextNode(" " + c.description));
          kids.appendChild(item);
        });
        detailEl.appendChild(kids);
      }
    } else if (d.source) {
      detailEl.appendChild(el("p", "hint", "From the imported file " + d.source + "."));
    }
    var back = el("button", "button small secondary lookup-back", "Back to the results");
    back.type = "button";
    back.id = "lookup-back";
    detailEl.appendChild(back);
    detailEl.hidden = false;
  }

  // ------------------------------------------------------------------ keyboard

  function resultButtons() {
    return Array.prototype.slice.call(resultsEl.querySelectorAll("[data-code]"));
  }

  function moveFocus(from, delta) {
    var list = resultButtons();
    if (!list.length) return;
    var i = list.indexOf(from);
    var next = i < 0 ? (delta > 0 ? 0 : list.length - 1) : Math.max(0, Math.min(list.length - 1, i + delta));
    list[next].focus();
  }

  input.addEventListener("keydown", function (ev) {
    if (ev.key === "ArrowDown") {
      ev.preventDefault();
      moveFocus(null, 1);
    } else if (ev.key === "Escape" && input.value) {
      ev.preventDefault();
      input.value = "";
      search(true);
    }
  });

  resultsEl.addEventListener("keydown", function (ev) {
    var target = ev.target.closest ? ev.target.closest("[data-code]") : null;
    if (!target) return;
    if (ev.key === "ArrowDown") { ev.preventDefault(); moveFocus(target, 1); }
    else if (ev.key === "ArrowUp") {
      ev.preventDefault();
      if (resultButtons()[0] === target) input.focus();
      else moveFocus(target, -1);
    }
    else if (ev.key === "Home") { ev.preventDefault(); moveFocus(null, 1); }
    else if (ev.key === "End") { ev.preventDefault(); moveFocus(null, -1); }
    else if (ev.key === "Escape") { ev.preventDefault(); input.focus(); }
  });

  detailEl.addEventListener("keydown", function (ev) {
    if (ev.key === "Escape") { ev.preventDefault(); backToResults(); }
  });

  function backToResults() {
    var current = resultsEl.querySelector('[aria-current="true"]');
    (current || input).focus();
  }

  // ------------------------------------------------------------------ wiring

  panel.addEventListener("click", function (ev) {
    var target = ev.target.closest ? ev.target.closest("[data-code], #lookup-back") : null;
    if (!target || !panel.contains(target)) return;
    ev.preventDefault();
    if (target.id === "lookup-back") { backToResults(); return; }
    openCode(target.dataset.code);
  });

  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearTimeout(timer);
    search(true);
  });

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(false); }, DEBOUNCE_MS);
  });

  systemEl.addEventListener("change", function () {
    currentCode = "";
    detailEl.hidden = true;
    clear(detailEl);
    search(true);
  });

  box.addEventListener("toggle", saveState);
  document.getElementById("lookup-summary").addEventListener("click", function () {
    // After the learner opens the panel (not when it is reopened on load), type at once.
    setTimeout(function () { if (box.open) input.focus(); }, 0);
  });

  // Start: the page was rendered with its search (on /lookup), or the tab remembers one.
  if (isPage) {
    lastQuery = system() + "\n" + input.value.trim();
    var params = new URLSearchParams(window.location.search);
    currentCode = params.get("code") || "";
  } else {
    var state = loadState();
    if (state) {
      if (state.system) systemEl.value = state.system;
      if (state.open) box.open = true;
      input.value = state.q || "";
      if (state.q) search(true);
      if (state.code) openCode(state.code, { focus: false });
    }
  }
})();
