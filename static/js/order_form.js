/* The order form: lines added and removed in place, the catalog price and stock of a picked product,
 * totals as you type, and "invoice same as delivery" hiding the invoice address. Without scripts the
 * form still works: "Add a line" posts and shows the form again with one more line. */
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) return;
  var lines = document.getElementById("order-lines");
  var template = document.getElementById("order-line-template");
  var lang = document.documentElement.lang || "en";

  function number(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return isFinite(value) ? value : null;
  }

  function money(value) {
    var currency = (form.querySelector("[name=currency]") || {}).value || "";
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(value);
    } catch (e) {
      return value.toFixed(2) + " " + currency;
    }
  }

  function pickedOption(row) {
    var input = row.querySelector("[data-line-product]");
    var list = row.querySelector("datalist");
    if (!input || !list || !input.value) return null;
    var options = list.querySelectorAll("option");
    for (var i = 0; i < options.length; i++) {
      if (options[i].value === input.value) return options[i];
    }
    return null;
  }

  function showPicked(row) {
    var option = pickedOption(row);
    var hint = row.querySelector("[data-line-hint]");
    var price = row.querySelector("[data-line-price]");
    if (option) {
      row.dataset.catalogPrice = option.dataset.price || "";
      if (hint) {
        hint.textContent = option.dataset.name + (option.dataset.stock !== undefined ? " · " + option.textContent.split(" · ").pop() : "");
      }
      if (price && option.dataset.price) price.placeholder = option.dataset.price;
    }
  }

  function totals() {
    var sum = 0;
    if (!lines) return;
    lines.querySelectorAll(".order-line").forEach(function (row) {
      var qty = number((row.querySelector("[data-line-qty]") || {}).value) || 0;
      var price = number((row.querySelector("[data-line-price]") || {}).value);
      if (price === null) price = number(row.dataset.catalogPrice);
      var out = row.querySelector("[data-line-value]");
      if (price === null) {
        if (out) out.textContent = "—";
        return;
      }
      sum += qty * price;
      if (out) out.textContent = money(qty * price);
    });
    var delivery = number((form.querySelector("[name=delivery_price]") || {}).value) || 0;
    var set = function (selector, value) {
      var el = form.querySelector(selector);
      if (el) el.textContent = money(value);
    };
    set("[data-total-lines]", sum);
    set("[data-total-delivery]", delivery);
    set("[data-total-grand]", sum + delivery);
  }

  // A new line is a copy of the first one, renumbered (line-0-… → line-<n>-…) and emptied.
  function addLine() {
    var n = parseInt(lines.dataset.nextLine || "0", 10);
    lines.dataset.nextLine = String(n + 1);
    var first = lines.querySelector(".order-line");
    var row = first.cloneNode(true);
    var renumber = function (value) { return value.replace(/line-\d+-/g, "line-" + n + "-").replace(/^line-\d+$/, "line-" + n); };
    row.dataset.line = "line-" + n;
    row.querySelectorAll("[name],[id],[for],[list],[aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "list", "aria-describedby"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, renumber(el.getAttribute(attr)));
      });
    });
    row.querySelectorAll(".form-errors, .field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    row.querySelectorAll("input").forEach(function (input) { input.value = input.matches("[data-line-qty]") ? "1" : ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll("datalist").forEach(function (list) { list.innerHTML = ""; });
    var hint = row.querySelector("[data-line-hint]");
    if (hint) hint.textContent = "";
    var price = row.querySelector("[data-line-price]");
    if (price) price.placeholder = price.dataset.placeholder || price.placeholder;
    delete row.dataset.catalogPrice;
    lines.appendChild(row);
    if (window.htmx) window.htmx.process(row);
    row.querySelector("[data-line-product]").focus();
    totals();
  }

  form.addEventListener("click", function (event) {
    if (event.target.closest("[data-add-line]")) {
      event.preventDefault();
      addLine();
      return;
    }
    var remove = event.target.closest("[data-remove-line]");
    if (remove) {
      var row = remove.closest(".order-line");
      if (lines.querySelectorAll(".order-line").length > 1) {
        row.remove();
      } else {
        row.querySelectorAll("input").forEach(function (input) { input.value = input.matches("[data-line-qty]") ? "1" : ""; });
        delete row.dataset.catalogPrice;
      }
      totals();
    }
  });

  form.addEventListener("input", function (event) {
    var row = event.target.closest(".order-line");
    if (row && event.target.matches("[data-line-product]")) showPicked(row);
    totals();
  });
  form.addEventListener("change", totals);
  // Suggestions arrive after typing: a value typed in full (a SKU) is recognised when they do.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var row = event.target.closest && event.target.closest(".order-line");
    if (row) { showPicked(row); totals(); }
  });

  // "Invoice same as delivery": the invoice's address fields are copied on save, so they hide.
  var same = form.querySelector("[name=same_as_delivery]");
  function invoiceFields() {
    if (!same) return;
    ["invoice_fullname", "invoice_company", "invoice_address", "invoice_postcode", "invoice_city", "invoice_country_code", "invoice_state"].forEach(function (name) {
      var field = form.querySelector('[data-field="' + name + '"]');
      if (field) field.hidden = same.checked;
    });
  }
  if (same) {
    same.addEventListener("change", invoiceFields);
    invoiceFields();
  }
  totals();
})();
