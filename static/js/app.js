/* Hurtlink's few behaviours, without a framework. Every one is optional: without scripts the forms
 * still post and the pages still work.
 *
 * - data-confirm on a form (or a submit button): ask first, in a small dialog that says what is lost
 *   (data-confirm-lost) and names the action on its button (data-confirm-button);
 * - data-select-all on a checkbox: ticks every checkbox named by its value (name="…") in its form;
 * - data-bulk="name" on a form: its data-needs-selection buttons look disabled (aria-disabled) while
 *   no checkbox called "name" is ticked, and pressed anyway they put the text of its
 *   data-selection-hint into that (live) element instead of submitting or asking to confirm;
 * - data-copy="#id" on a button: copies that element's text (or value);
 * - data-autosubmit on a select: submits its form when changed;
 * - .toast button[data-dismiss]: closes a message.
 */
(function () {
  "use strict";

  function confirmDialog() {
    return document.getElementById("confirm-dialog");
  }

  function askFirst(source, onYes) {
    var dialog = confirmDialog();
    if (!dialog || typeof dialog.showModal !== "function") {
      if (window.confirm(source.dataset.confirm)) onYes();
      return;
    }
    dialog.querySelector("[data-confirm-title]").textContent = source.dataset.confirm;
    var lost = dialog.querySelector("[data-confirm-lost]");
    lost.textContent = source.dataset.confirmLost || "";
    lost.hidden = !source.dataset.confirmLost;
    var yes = dialog.querySelector("[data-confirm-yes]");
    yes.textContent = source.dataset.confirmButton || yes.dataset.defaultLabel;
    yes.onclick = function () { dialog.close(); onYes(); };
    dialog.querySelector("[data-confirm-no]").onclick = function () { dialog.close(); };
    dialog.showModal();
    dialog.querySelector("[data-confirm-no]").focus();
  }

  function selectedCount(form) {
    return form.querySelectorAll('input[type=checkbox][name="' + form.dataset.bulk + '"]:checked').length;
  }

  function bulkButtonsUpdate(form) {
    var none = selectedCount(form) === 0;
    form.querySelectorAll("[data-needs-selection]").forEach(function (button) {
      if (none) button.setAttribute("aria-disabled", "true"); else button.removeAttribute("aria-disabled");
    });
    var hint = form.querySelector("[data-selection-hint]");
    if (hint && !none) hint.textContent = "";
  }

  function bulkFormsUpdate() {
    document.querySelectorAll("form[data-bulk]").forEach(bulkButtonsUpdate);
  }

  // The checkboxes a browser restores (back button) are ticked by then too.
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", bulkFormsUpdate);
  else bulkFormsUpdate();
  window.addEventListener("pageshow", bulkFormsUpdate);

  // Capture phase: runs before HTMX's own submit handler on the form, so an hx-post waits too.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var submitter = event.submitter || null;
    if (form.dataset.bulk && submitter && submitter.hasAttribute("data-needs-selection") &&
        selectedCount(form) === 0) {
      event.preventDefault();
      event.stopImmediatePropagation();
      var hint = form.querySelector("[data-selection-hint]");
      if (hint) hint.textContent = hint.dataset.selectionHint;
      return;
    }
    var source = submitter && submitter.dataset.confirm ? submitter : form.dataset.confirm ? form : null;
    if (!source || form.dataset.confirmed === "1") {
      delete form.dataset.confirmed;
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    askFirst(source, function () {
      form.dataset.confirmed = "1";
      if (form.requestSubmit) form.requestSubmit(submitter || undefined); else form.submit();
    });
  }, true);

  document.addEventListener("change", function (event) {
    var box = event.target;
    if (box.matches("[data-select-all]")) {
      var scope = box.form || document;
      scope.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]').forEach(function (c) {
        c.checked = box.checked;
      });
    } else if (box.matches("input[type=checkbox]") && box.form) {
      // Unticking one row unticks "all"; ticking the last one ticks it.
      var all = box.form.querySelector('[data-select-all="' + box.name + '"]');
      if (all) {
        var boxes = box.form.querySelectorAll('input[type=checkbox][name="' + box.name + '"]');
        all.checked = Array.prototype.every.call(boxes, function (c) { return c.checked; });
      }
    }
    if (box.matches("input[type=checkbox]") && box.form && box.form.dataset.bulk) {
      bulkButtonsUpdate(box.form);
    }
    // A dropdown of checkboxes names what is ticked in its summary at once, as the page does once filtered:
    // the ticked labels (data-none when none) or, with data-count, its name and how many.
    var dropdown = box.matches("input[type=checkbox]") && box.closest("details.dropdown");
    var summary = dropdown && dropdown.querySelector("summary[data-none], summary[data-count]");
    if (summary) {
      var ticked = Array.prototype.filter.call(dropdown.querySelectorAll("input[type=checkbox]"), function (c) { return c.checked; });
      if (summary.hasAttribute("data-count")) {
        summary.textContent = summary.dataset.count + (ticked.length ? " (" + ticked.length + ")" : "");
      } else {
        var names = ticked.map(function (c) { return c.closest("label").textContent.trim(); }).join(", ");
        summary.textContent = !names ? summary.dataset.none : names.length > 40 ? names.slice(0, 39) + "…" : names;
      }
    }
    if (box.matches("select[data-autosubmit]") && box.form) {
      box.form.requestSubmit ? box.form.requestSubmit() : box.form.submit();
    }
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (button) {
      var target = document.querySelector(button.dataset.copy);
      var text = target ? (target.value !== undefined ? target.value : target.textContent).trim() : "";
      var done = function () {
        var label = button.querySelector("[data-copy-label]");
        if (label) {
          var before = label.textContent;
          label.textContent = button.dataset.copied || before;
          setTimeout(function () { label.textContent = before; }, 2000);
        }
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(target, text); done(); });
      } else {
        fallbackCopy(target, text);
        done();
      }
      return;
    }
    var dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) {
      var toast = dismiss.closest(".toast");
      if (toast) toast.remove();
    }
  });

  // Without the Clipboard API (plain http on another host): select the text and copy it.
  function fallbackCopy(target, text) {
    var area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selected for Ctrl-C */ }
    area.remove();
    if (target && target.select) target.select();
  }
})();
