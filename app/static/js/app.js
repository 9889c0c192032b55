// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.requestSubmit(); });
});
// Cart line form: show the new-customer fields only when "A new customer…" is chosen.
document.querySelectorAll("select[data-beneficiary-select]").forEach(function (select) {
  var panel = select.form.querySelector("[data-new-customer]");
  if (!panel) { return; }
  var sync = function () { panel.hidden = select.value !== "new"; };
  select.addEventListener("change", sync);
  sync();
});
