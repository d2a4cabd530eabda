/* The package form: a courier that makes labels generates the tracking number and link, so while one is
 * chosen those fields are hidden and disabled (not sent) and a note says so. Without scripts they stay,
 * and the server refuses a number typed for such a courier instead of dropping it. */
(function () {
  "use strict";
  var form = document.getElementById("package-form");
  if (!form) return;
  var courier = form.querySelector("[name=courier_code]");
  if (!courier) return;
  var labelCouriers = (courier.dataset.labelCouriers || "").split(" ").filter(Boolean);
  var note = form.querySelector("[data-label-note]");

  // ``firstTime``: a field the server refused stays in sight (with its message) until the courier changes.
  function update(firstTime) {
    var makesLabels = labelCouriers.indexOf(courier.value) !== -1;
    ["courier_package_nr", "tracking_url"].forEach(function (name) {
      var field = form.querySelector('[data-field="' + name + '"]');
      var input = form.querySelector('[name="' + name + '"]');
      var keep = firstTime === true && field && field.querySelector(".field-error");
      if (field) field.hidden = makesLabels && !keep;
      if (input) input.disabled = makesLabels && !keep;
    });
    if (note) note.hidden = !makesLabels;
  }

  courier.addEventListener("change", function () { update(false); });
  update(true);
})();
