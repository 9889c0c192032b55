// 3-D Secure for an order's payment: Stripe.js asks the bank (confirmCardPayment), then the
// form posts so the app re-reads the payment, whatever the bank answered.
(function () {
  var form = document.getElementById("authenticate-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var button = document.getElementById("authenticate");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    document.getElementById("authenticate-errors").textContent = "";
    stripe.confirmCardPayment(form.dataset.clientSecret).then(function () { form.submit(); },
      function () { form.submit(); });
  });
})();
