/* The running sum of a split ballot: how much of the whole the voter has given,
   in the form's <output> ("Total: 85% of 100%. 15% still to give.").

   Progressive enhancement: without this script the <output> stays hidden and the
   server checks the split and says what is wrong. The sentences come from the
   page (data-template, data-under-template, data-over-template), already in the
   member's language, and so does the way a share is written (data-units, e.g.
   "{n}%"); the script only fills in {sum}, {whole}, {left} and {over}. An empty
   field counts as 0, as it does on the server. */
(function () {
  "use strict";

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? values[key] : match;
    });
  }

  function share(input) {
    var text = input.value.trim();
    return /^[0-9]+$/.test(text) ? parseInt(text, 10) : 0;
  }

  function tally(form, output) {
    var whole = parseInt(form.getAttribute("data-scale"), 10) || 100;
    var units = form.getAttribute("data-units") || "{n}";
    var inputs = form.querySelectorAll("input[data-share]");
    function written(n) {
      return fill(units, { n: String(n) });
    }
    return function () {
      var sum = 0;
      for (var i = 0; i < inputs.length; i++) {
        sum += share(inputs[i]);
      }
      var name = sum < whole ? "data-under-template" : sum > whole ? "data-over-template" : "data-template";
      var sentences = [fill(output.getAttribute(name), {
        sum: written(sum),
        whole: written(whole),
        left: written(Math.max(whole - sum, 0)),
        over: written(Math.max(sum - whole, 0))
      })];
      // A floor or a ceiling broken by a share typed so far: said before the
      // vote is cast, as the server would say it after.
      var bounded = false;
      for (var j = 0; j < inputs.length; j++) {
        var input = inputs[j];
        if (input.value.trim() === "") {
          continue;
        }
        var value = share(input);
        var floor = parseInt(input.getAttribute("data-floor"), 10) || 0;
        var ceiling = parseInt(input.getAttribute("data-ceiling"), 10);
        var option = input.getAttribute("data-option") || "";
        if (value < floor) {
          sentences.push(fill(output.getAttribute("data-floor-template"), { option: option, floor: written(floor) }));
          bounded = true;
        } else if (!isNaN(ceiling) && value > ceiling) {
          sentences.push(fill(output.getAttribute("data-ceiling-template"), { option: option, ceiling: written(ceiling) }));
          bounded = true;
        }
      }
      output.textContent = sentences.join(" ");
      // Too much, or a bound broken, is a mistake to fix; too little is a split
      // still being made.
      output.parentNode.classList.toggle("split-over", sum > whole || bounded);
    };
  }

  var forms = document.querySelectorAll("form[data-split-ballot]");
  for (var i = 0; i < forms.length; i++) {
    var form = forms[i];
    var output = form.querySelector("output");
    if (!output) {
      continue;
    }
    var update = tally(form, output);
    output.parentNode.hidden = false;
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }
})();
