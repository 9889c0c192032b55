// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () { select.form.requestSubmit(); });
});
