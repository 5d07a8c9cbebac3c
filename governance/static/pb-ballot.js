/* The running total of a participatory-budget ballot: the money chosen and left
   (knapsack) or the points left (cumulative), in the form's <output>.

   Progressive enhancement: without this script the <output> stays hidden and the
   server checks every paper and explains what is wrong. The sentences come from
   the page (data-template, data-over-template), already in the member's
   language; the script only fills in {total}, {left}, {over} and {points}. */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function moneyFormatter(form) {
    var digits = parseInt(form.getAttribute("data-minor-units"), 10) || 0;
    var formatter = null;
    try {
      formatter = new Intl.NumberFormat(form.getAttribute("data-locale") || undefined, {
        style: "currency",
        currency: form.getAttribute("data-currency"),
        minimumFractionDigits: digits,
        maximumFractionDigits: digits
      });
    } catch (error) {
      formatter = null;
    }
    return function (minorUnits) {
      var major = minorUnits / Math.pow(10, digits); // shown only, never sent
      return formatter ? formatter.format(major) : major.toFixed(digits);
    };
  }

  function knapsack(form, output) {
    var budget = parseInt(form.getAttribute("data-budget"), 10) || 0;
    var format = moneyFormatter(form);
    return function () {
      var total = 0;
      var ticked = form.querySelectorAll('input[name="project"]:checked');
      for (var i = 0; i < ticked.length; i++) {
        total += parseInt(ticked[i].getAttribute("data-cost"), 10) || 0;
      }
      var over = total > budget;
      output.textContent = fill(
        output.getAttribute(over ? "data-over-template" : "data-template"),
        {
          total: format(total),
          left: format(Math.max(budget - total, 0)),
          over: format(Math.max(total - budget, 0))
        }
      );
      output.parentNode.classList.toggle("pb-over", over);
    };
  }

  function cumulative(form, output) {
    var points = parseInt(form.getAttribute("data-points"), 10) || 0;
    return function () {
      var given = 0;
      var inputs = form.querySelectorAll('input[type="number"]');
      for (var i = 0; i < inputs.length; i++) {
        var value = parseInt(inputs[i].value, 10);
        if (value > 0) {
          given += value;
        }
      }
      var over = given > points;
      output.textContent = fill(
        output.getAttribute(over ? "data-over-template" : "data-template"),
        { left: String(Math.max(points - given, 0)), over: String(given - points), points: String(points) }
      );
      output.parentNode.classList.toggle("pb-over", over);
    };
  }

  var forms = document.querySelectorAll("form[data-pb-ballot]");
  for (var i = 0; i < forms.length; i++) {
    var form = forms[i];
    var output = form.querySelector("output");
    if (!output) {
      continue;
    }
    var kind = form.getAttribute("data-pb-ballot");
    var update = kind === "knapsack" ? knapsack(form, output) : kind === "cumulative" ? cumulative(form, output) : null;
    if (!update) {
      continue;
    }
    output.parentNode.hidden = false;
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  }
})();
