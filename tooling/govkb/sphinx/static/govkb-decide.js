/* govkb decision helper: the ladder semantics of `govkb decide`, offline, in the page.
 *
 * Reads the policy's versions, ladder steps and rules from the JSON blob that
 * govkb.sphinx.decision_helper embeds (<script type="application/json" class="govkb-decide-data">)
 * and fills in the form next to it.  No request leaves the page.  The rules, as in
 * govkb/decide/core.py: the version in force is the latest effective on or before the
 * decision date; an entry dated E is active on D when E <= D < E + window; the next strike
 * is 1 + the highest active strike, at least the severe entry, at most the last step.
 */
(function () {
  "use strict";
  var DAY = 86400000;

  function parseDay(text) {
    if (typeof text !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(text)) return null;
    var parts = text.split("-").map(Number);
    var time = Date.UTC(parts[0], parts[1] - 1, parts[2]);
    var back = new Date(time);
    if (back.getUTCFullYear() !== parts[0] || back.getUTCMonth() !== parts[1] - 1 || back.getUTCDate() !== parts[2]) return null;
    return time / DAY;
  }

  function showDay(day) {
    return new Date(day * DAY).toISOString().slice(0, 10);
  }

  function versionInForce(versions, on) {
    var chosen = null;
    versions.forEach(function (version) {
      var effective = parseDay(version.effective);
      if (effective !== null && effective <= on && (chosen === null || effective >= parseDay(chosen.effective))) chosen = version;
    });
    return chosen;
  }

  /* data: the embedded blob; input: {rule, severe, decision_date, start_date, history: [{policy, rule, strike,
   * decision_date, reversed}]}.  Returns the decision's ladder fields, or {error: {field, message}}. */
  function decide(data, input) {
    var fail = function (field, message) { return {error: {field: field, message: message}}; };
    var rule = null;
    data.rules.forEach(function (r) { if (r.id === input.rule) rule = r; });
    if (rule === null) return fail("rule", "unknown rule " + input.rule);
    var on = parseDay(input.decision_date);
    if (on === null) return fail("decision_date", "expected a date YYYY-MM-DD");
    var version = versionInForce(data.versions, on);
    if (version === null) return fail("decision_date", input.decision_date + " is before policy " + data.policy + " took effect");
    var ruleIds = data.rules.map(function (r) { return r.id; });
    var window = version.strike_window_days;
    var highest = 0;
    var history = input.history || [];
    for (var i = 0; i < history.length; i++) {
      var entry = history[i];
      var dated = parseDay(entry.decision_date);
      if (dated === null) return fail("history[" + i + "].decision_date", "expected a date YYYY-MM-DD");
      if (dated > on) return fail("history[" + i + "].decision_date", "after the case's decision date");
      var strike = Number(entry.strike);
      if (!(strike >= 1) || Math.floor(strike) !== strike) return fail("history[" + i + "].strike", "expected a whole number from 1");
      var samePolicy = entry.policy ? entry.policy === data.policy : (!entry.rule || ruleIds.indexOf(entry.rule) >= 0);
      if (samePolicy && !entry.reversed && dated <= on && on < dated + window) highest = Math.max(highest, strike);
    }
    var next = highest + 1;
    if (input.severe && rule.severe_start) next = Math.max(next, rule.severe_start);
    var steps = version.steps;
    next = Math.min(next, steps[steps.length - 1].strike);
    var step = null;
    steps.forEach(function (s) { if (s.strike <= next) step = s; });
    if (step === null) return fail("rule", "the ladder has no step for strike " + next);
    var start = input.start_date ? parseDay(input.start_date) : on;
    if (start === null) return fail("start_date", "expected a date YYYY-MM-DD");
    var days = step.duration_days === undefined ? null : step.duration_days;
    return {
      policy: data.policy, policy_version: version.version, rule: rule.id, strike: next, action: step.action,
      action_title: step.action_title, duration_days: days, start_date: showDay(start),
      end_date: days === null ? null : showDay(start + days),
      strike_expires: showDay(on + window), appeal_until: showDay(on + version.appeal_window_days), error: null
    };
  }

  function setup(root) {
    var blob = root.querySelector("script.govkb-decide-data");
    if (!blob || root.getAttribute("data-ready")) return;
    root.setAttribute("data-ready", "1");
    var data = JSON.parse(blob.textContent);
    var form = root.querySelector("form");
    var rows = root.querySelector(".govkb-decide-history");
    var out = root.querySelector(".govkb-decide-result");
    root.querySelector(".govkb-decide-add").addEventListener("click", function () {
      var row = document.createElement("div");
      row.className = "govkb-decide-strike";
      row.innerHTML = '<label>Strike date <input type="date" name="strike_date" required></label> ' +
        '<label>Step <input type="number" name="strike_step" min="1" value="1" required></label> ' +
        '<button type="button" class="govkb-decide-remove">Remove</button>';
      row.querySelector(".govkb-decide-remove").addEventListener("click", function () { row.remove(); });
      rows.appendChild(row);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var history = [];
      rows.querySelectorAll(".govkb-decide-strike").forEach(function (row) {
        history.push({policy: data.policy, strike: Number(row.querySelector("[name=strike_step]").value),
                      decision_date: row.querySelector("[name=strike_date]").value, reversed: false});
      });
      var result = decide(data, {rule: form.elements.rule.value, severe: form.elements.severe.checked,
                                 decision_date: form.elements.decision_date.value, history: history});
      show(out, result);
    });
  }

  function show(out, result) {
    out.textContent = "";
    var list = document.createElement("dl");
    var add = function (name, key, value) {
      var term = document.createElement("dt");
      term.textContent = name;
      var detail = document.createElement("dd");
      detail.textContent = value;
      detail.setAttribute("data-field", key);
      list.appendChild(term);
      list.appendChild(detail);
    };
    if (result.error) {
      add("Error", "error", result.error.field + ": " + result.error.message);
    } else {
      add("Strike", "strike", String(result.strike));
      add("Action", "action", result.action);
      add("Duration", "duration_days", result.duration_days === null ? "no end date" : result.duration_days + " days");
      add("End date", "end_date", result.end_date === null ? "none" : result.end_date);
      add("Strike expires", "strike_expires", result.strike_expires);
      add("Appeal until", "appeal_until", result.appeal_until);
    }
    out.appendChild(list);
  }

  function setupAll() {
    document.querySelectorAll(".govkb-decide").forEach(setup);
  }

  window.govkbDecide = decide;
  window.govkbDecideSetup = setupAll;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setupAll);
  else setupAll();
})();
