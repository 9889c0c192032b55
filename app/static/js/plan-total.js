// The running total of each plan card as its quantities change: the rule of app/catalog/totals.py,
// which computes the total the page is served with (and the cart's quote computes the charge).
document.querySelectorAll("[data-plan-total]").forEach(function (box) {
  var form = box.closest("form");
  var format = new Intl.NumberFormat((box.dataset.locale || "en_US").replace("_", "-"),
                                     { style: "currency", currency: box.dataset.currency });
  var scale = Math.pow(10, format.resolvedOptions().maximumFractionDigits);
  var update = function () {
    var perPeriod = parseInt(box.dataset.price, 10);
    var once = 0;
    form.querySelectorAll("[data-unit-price]").forEach(function (input) {
      var quantity = input.type === "checkbox" ? (input.checked ? 1 : 0) : parseInt(input.value, 10);
      var extra = Math.max(0, (quantity >= 0 ? quantity : 0) - parseInt(input.dataset.included, 10));
      var amount = extra * parseInt(input.dataset.unitPrice, 10);
      if (input.dataset.oneTime === "1") { once += amount; } else { perPeriod += amount; }
    });
    box.querySelector("[data-total-per-period]").textContent = format.format(perPeriod / scale);
    box.querySelector("[data-total-once]").textContent = format.format(once / scale);
    box.querySelector("[data-total-once-row]").hidden = once === 0;
  };
  form.addEventListener("input", update);
  form.addEventListener("change", update);
});
