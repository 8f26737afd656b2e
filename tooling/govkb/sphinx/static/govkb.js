/* govkb site behaviour: table filters and the print button. Local, no dependencies. */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }

  function applyFilter(input) {
    var table = document.getElementById(input.getAttribute("data-govkb-filter"));
    if (!table) { return; }
    var wanted = words(input.value);
    var rows = table.tBodies[0] ? table.tBodies[0].rows : [];
    var shown = 0;
    for (var i = 0; i < rows.length; i++) {
      var text = rows[i].textContent.toLowerCase();
      var match = wanted.every(function (w) { return text.indexOf(w) !== -1; });
      rows[i].hidden = !match;
      if (match) { shown++; }
    }
    var count = document.querySelector('[data-govkb-count="' + table.id + '"]');
    if (count) { count.textContent = shown + " of " + rows.length + " rows"; }
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
      var anchor = table.parentElement && table.parentElement.classList.contains("govkb-scroll")
        ? table.parentElement : table;
      anchor.parentNode.insertBefore(bar, anchor);
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
