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

  function init() {
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
