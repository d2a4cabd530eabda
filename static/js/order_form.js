/* The order form: lines added and removed in place, totals as you type (a product picked in a line —
 * see product_picker.js — fills its price), and "invoice same as delivery" hiding the invoice address.
 * Without scripts the form still works: "Add a line" posts and shows the form again with one more line. */
(function () {
  "use strict";
  var form = document.getElementById("order-form");
  if (!form) return;
  var lines = document.getElementById("order-lines");
  var template = document.getElementById("order-line-template");
  var lang = document.documentElement.lang || "en";

  // A number typed (null: none); one too large for a float (1e999) is Infinity, shown as "—" below.
  function number(text) {
    var value = parseFloat(String(text || "").replace(/\s/g, "").replace(",", "."));
    return isNaN(value) ? null : value;
  }

  // The largest amount an order takes (prices and totals: 14 digits, 2 of them decimals — the form's
  // max_digits). A sum beyond it, or no finite number at all (1e308 × 2), is shown as "—": the server
  // refuses such an amount anyway, and its hundreds of digits would only push the page sideways.
  var MAX_AMOUNT = 999999999999.99;

  function showable(value) {
    return value !== null && isFinite(value) && Math.abs(value) <= MAX_AMOUNT;
  }

  function money(value) {
    if (!showable(value)) return "—";
    var currency = (form.querySelector("[name=currency]") || {}).value || "";
    try {
      return new Intl.NumberFormat(lang, { style: "currency", currency: currency }).format(value);
    } catch (e) {
      return value.toFixed(2) + " " + currency;
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
      // A line too large to show makes the sums unknown too (NaN stays NaN: shown as "—").
      var value = showable(price) ? qty * price : NaN;
      sum += value;
      if (out) out.textContent = money(value);
    });
    var delivery = number((form.querySelector("[name=delivery_price]") || {}).value) || 0;
    if (!showable(delivery)) delivery = NaN;
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
    row.querySelectorAll("[name],[id],[for],[aria-controls],[aria-describedby]").forEach(function (el) {
      ["name", "id", "for", "aria-controls", "aria-describedby"].forEach(function (attr) {
        if (el.hasAttribute(attr)) el.setAttribute(attr, renumber(el.getAttribute(attr)));
      });
    });
    row.querySelectorAll(".form-errors, .field-error").forEach(function (el) { el.remove(); });
    row.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    row.querySelectorAll("[aria-describedby]").forEach(function (el) {
      // The copied line's error messages are gone: it no longer points at them.
      var ids = el.getAttribute("aria-describedby").split(/\s+/).filter(function (id) { return id && !/_error$/.test(id); });
      if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
    });
    row.querySelectorAll("input").forEach(function (input) { input.value = input.matches("[data-line-qty]") ? "1" : ""; });
    row.querySelectorAll("select").forEach(function (select) { select.selectedIndex = 0; });
    row.querySelectorAll("[role=listbox]").forEach(function (list) { list.innerHTML = ""; list.hidden = true; });
    row.querySelectorAll("[role=combobox]").forEach(function (input) {
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    });
    var hint = row.querySelector("[data-line-hint]");
    if (hint) hint.textContent = "";
    var price = row.querySelector("[data-line-price]");
    if (price) price.removeAttribute("data-filled");
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
        var hint = row.querySelector("[data-line-hint]");
        if (hint) hint.textContent = "";
        delete row.dataset.catalogPrice;
      }
      totals();
    }
  });

  // Another currency: catalog prices filled in a different one are taken out again (never converted).
  var currencyField = form.querySelector("[name=currency]");
  if (currencyField) {
    currencyField.addEventListener("change", function () {
      lines.querySelectorAll(".order-line").forEach(function (row) {
        var price = row.querySelector("[data-line-price][data-filled]");
        var from = price && price.getAttribute("data-price-currency");
        if (from && from !== currencyField.value) {
          price.value = "";
          price.removeAttribute("data-filled");
          delete row.dataset.catalogPrice;
        }
      });
    });
  }

  form.addEventListener("input", totals);
  form.addEventListener("change", totals);
  // A product picked (or its text changed): its catalog price counts while the price field is empty.
  form.addEventListener("product-picked", function (event) {
    var row = event.target.closest(".order-line");
    if (row) {
      if (event.detail.price) row.dataset.catalogPrice = event.detail.price; else delete row.dataset.catalogPrice;
    }
    totals();
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
