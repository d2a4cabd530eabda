/* The order line's product picker, an ARIA combobox: as the user types, the server's suggestions (own
 * products and suppliers' shared ones, with price and stock) open in a list under the field; the arrow
 * keys and Enter, or a click, pick one. A picked product shows its name and SKU in the field and its
 * price, stock and supplier under it, keeps its key in the hidden product_key, and fills the line's price
 * unless the user typed one; the field then sends "product-picked" for the totals. A SKU or EAN typed in
 * full is recognised the same way when the suggestions arrive. Without scripts the field is plain text:
 * a SKU, EAN or name the server resolves. */
(function () {
  "use strict";

  function partsOf(el) {
    var picker = el && el.closest && el.closest("[data-product-picker]");
    if (!picker) return null;
    var scope = picker.closest(".order-line, [data-line-fields], form") || picker.parentNode;
    return {
      input: picker.querySelector("[data-line-product]"),
      key: picker.querySelector("[data-product-key]"),
      list: picker.querySelector("[role=listbox]"),
      hint: scope.querySelector("[data-line-hint]"),
      price: scope.querySelector("[data-line-price]")
    };
  }

  function optionsOf(p) {
    return Array.prototype.slice.call(p.list.querySelectorAll("[role=option]"));
  }

  function activate(p, option) {
    optionsOf(p).forEach(function (o) { o.setAttribute("aria-selected", o === option ? "true" : "false"); });
    if (option) {
      p.input.setAttribute("aria-activedescendant", option.id);
      if (option.scrollIntoView) option.scrollIntoView({ block: "nearest" });
    } else {
      p.input.removeAttribute("aria-activedescendant");
    }
  }

  function setOpen(p, open) {
    open = open && optionsOf(p).length > 0;
    p.list.hidden = !open;
    p.input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) activate(p, null);
  }

  function announce(p, price) {
    p.input.dispatchEvent(new CustomEvent("product-picked", { bubbles: true, detail: { price: price } }));
  }

  // The order's currency: the new-order form's field, or the card's line form's data-order-currency.
  function orderCurrency(p) {
    var form = p.input.form;
    if (!form) return "";
    var field = form.querySelector("[name=currency]");
    return (field && field.value) || form.getAttribute("data-order-currency") || "";
  }

  // Its price, stock and supplier under the field (and its name when the field shows what was typed);
  // its catalog price in the price field unless the user typed one there. A price in another currency
  // than the order's is shown but never taken (amounts are not converted): the hint asks for one.
  function show(p, option, withName) {
    var currency = orderCurrency(p);
    var other = option.dataset.price && option.dataset.currency && currency && option.dataset.currency !== currency;
    var price = other ? "" : option.dataset.price || "";
    var note = other ? p.input.closest("[data-product-picker]").getAttribute("data-other-currency") : "";
    if (p.hint) p.hint.textContent = [withName ? option.dataset.name : "", option.dataset.details, note].filter(Boolean).join(" · ");
    if (p.price && (p.price.value === "" || p.price.hasAttribute("data-filled"))) {
      p.price.value = price;
      if (price) {
        p.price.setAttribute("data-filled", "");
        p.price.setAttribute("data-price-currency", option.dataset.currency || "");
      } else {
        p.price.removeAttribute("data-filled");
      }
    }
    announce(p, price);
  }

  function pick(p, option) {
    p.input.value = option.dataset.label;
    p.key.value = option.dataset.key;
    show(p, option, false);
    setOpen(p, false);
  }

  // The text changed: it no longer names the picked product.
  function forget(p) {
    p.key.value = "";
    if (p.hint) p.hint.textContent = "";
    if (p.price && p.price.hasAttribute("data-filled")) {
      p.price.value = "";
      p.price.removeAttribute("data-filled");
    }
    announce(p, "");
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target.matches("[data-product-picker] [data-line-product]")) {
      forget(partsOf(target));
    } else if (target.matches("[data-line-price]")) {
      target.removeAttribute("data-filled");
    }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (!target.matches || !target.matches("[data-product-picker] [data-line-product]")) return;
    var p = partsOf(target);
    var options = optionsOf(p);
    var current = options.indexOf(p.list.querySelector("[aria-selected=true]"));
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      if (p.list.hidden) {
        setOpen(p, true);
        current = -1;
      }
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = current < 0 ? (step > 0 ? 0 : options.length - 1) : (current + step + options.length) % options.length;
      activate(p, options[next]);
    } else if (event.key === "Enter" && !p.list.hidden && current >= 0) {
      event.preventDefault();
      pick(p, options[current]);
    } else if (event.key === "Escape" && !p.list.hidden) {
      event.preventDefault();
      setOpen(p, false);
    }
  });

  // A press on the list keeps the focus in the field, so the list is still there for the click.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest("[data-product-picker] [role=listbox]")) event.preventDefault();
  });

  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest("[data-product-picker] [role=option]");
    if (!option) return;
    var p = partsOf(option);
    pick(p, option);
    p.input.focus();
  });

  document.addEventListener("focusout", function (event) {
    if (event.target.matches && event.target.matches("[data-product-picker] [data-line-product]")) {
      setOpen(partsOf(event.target), false);
    }
  });

  // Suggestions arrived: number them for aria-activedescendant, open the list while the field has the
  // focus, and recognise a SKU or EAN typed in full.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    var list = event.detail && event.detail.target;
    if (!list || !list.matches || !list.matches("[data-product-picker] [role=listbox]")) return;
    var p = partsOf(list);
    var options = optionsOf(p);
    options.forEach(function (option, i) { option.id = list.id + "-" + i; });
    setOpen(p, document.activeElement === p.input && !p.key.value);
    var typed = p.input.value.trim().toLowerCase();
    if (!typed || p.key.value) return;
    for (var i = 0; i < options.length; i++) {
      var o = options[i];
      if ((o.dataset.sku && o.dataset.sku.toLowerCase() === typed) || (o.dataset.ean && o.dataset.ean === typed)) {
        show(p, o, true);
        return;
      }
    }
  });
})();
