/* govkb site behaviour: table filters and the print button. Local, no dependencies. */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  // Grouped tables (traceability): a group row heads its policy's rows until the next one.
  function groups(table) {
    var found = [];
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    for (var i = 0; i < rows.length; i++) {
      if (rows[i].classList.contains("govkb-group")) { found.push({ head: rows[i], rows: [] }); }
      else if (found.length) { found[found.length - 1].rows.push(rows[i]); }
      else { found.push({ head: null, rows: [rows[i]] }); }
    }
    return found;
  }

  function applyFilter(input) {
    var table = document.getElementById(input.getAttribute("data-govkb-filter"));
    if (!table) { return; }
    var wanted = words(input.value);
    var shown = 0;
    var total = 0;
    groups(table).forEach(function (group) {
      var open = !group.head || group.head.getAttribute("data-open") === "true";
      var any = false;
      group.rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = wanted.every(function (w) { return text.indexOf(w) !== -1; });
        total++;
        if (match) { shown++; any = true; }
        // typing opens every group that matches; with no words, a group shows its rows when open
        row.hidden = !match || (wanted.length === 0 && !open);
      });
      if (group.head) {
        group.head.hidden = wanted.length > 0 && !any;
        var toggle = group.head.querySelector(".govkb-toggle");
        if (toggle) { toggle.setAttribute("aria-expanded", String(open || wanted.length > 0)); }
      }
    });
    var count = document.querySelector('[data-govkb-count="' + table.id + '"]');
    if (count) { count.textContent = shown + " of " + total + " rows"; }
  }

  function setOpen(table, open) {
    groups(table).forEach(function (group) {
      if (group.head) { group.head.setAttribute("data-open", String(open)); }
    });
  }

  // A toggle in each group row; groups start folded, so the page opens as one line per policy.
  function addToggles(table, input) {
    groups(table).forEach(function (group) {
      if (!group.head) { return; }
      var cell = group.head.cells[0];
      var toggle = document.createElement("button");
      toggle.type = "button";
      toggle.className = "govkb-toggle";
      toggle.setAttribute("aria-expanded", "false");
      toggle.setAttribute("aria-label", "Show or hide the rows of this policy");
      toggle.textContent = "\u25B8";
      (cell.firstElementChild || cell).insertBefore(toggle, (cell.firstElementChild || cell).firstChild);
      group.head.setAttribute("data-open", "false");
      toggle.addEventListener("click", function () {
        var open = group.head.getAttribute("data-open") !== "true";
        group.head.setAttribute("data-open", String(open));
        toggle.textContent = open ? "\u25BE" : "\u25B8";
        applyFilter(input);
      });
    });
  }

  // The table header sits under the sticky filter bar: tell the stylesheet how tall the bar is.
  function noteBarHeight(bar) {
    document.documentElement.style.setProperty("--govkb-filter-h", bar.offsetHeight + "px");
  }

  // A filter box above each filterable table (the table itself is plain docutils output,
  // so readers without JavaScript, and other builders, get every row).
  function addFilterBoxes() {
    document.querySelectorAll("table.govkb-filterable[id]").forEach(function (table) {
      if (document.querySelector('[data-govkb-filter="' + table.id + '"]')) { return; }
      var bar = document.createElement("div");
      bar.className = "govkb-filter";
      var label = document.createElement("label");
      label.htmlFor = table.id + "-filter";
      label.textContent = "Filter";
      var input = document.createElement("input");
      input.type = "search";
      input.id = table.id + "-filter";
      input.setAttribute("data-govkb-filter", table.id);
      input.placeholder = "rule, step, actor, action\u2026 (all words must match)";
      input.autocomplete = "off";
      var count = document.createElement("span");
      count.className = "govkb-count";
      count.setAttribute("data-govkb-count", table.id);
      bar.appendChild(label);
      bar.appendChild(document.createTextNode(" "));
      bar.appendChild(input);
      bar.appendChild(document.createTextNode(" "));
      bar.appendChild(count);
      if (table.classList.contains("govkb-grouped")) {
        [["Open all", true], ["Close all", false]].forEach(function (spec) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = spec[0];
          button.addEventListener("click", function () {
            setOpen(table, spec[1]);
            table.querySelectorAll(".govkb-toggle").forEach(function (t) {
              t.textContent = spec[1] ? "\u25BE" : "\u25B8";
            });
            applyFilter(input);
          });
          bar.appendChild(button);
        });
      }
      var anchor = table.parentElement && table.parentElement.classList.contains("govkb-scroll")
        ? table.parentElement : table;
      anchor.parentNode.insertBefore(bar, anchor);
      if (table.classList.contains("govkb-grouped")) { addToggles(table, input); }
      noteBarHeight(bar);
      window.addEventListener("resize", function () { noteBarHeight(bar); });
    });
  }

  function init() {
    addFilterBoxes();
    var inputs = document.querySelectorAll("input[data-govkb-filter]");
    inputs.forEach(function (input) {
      var params = new URLSearchParams(window.location.search);
      if (params.get("filter")) { input.value = params.get("filter"); }
      input.addEventListener("input", function () { applyFilter(input); });
      applyFilter(input);
    });
    document.querySelectorAll(".govkb-print-button").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
