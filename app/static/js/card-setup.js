// The card form: Stripe.js collects the card and confirms the SetupIntent (3-D Secure
// included); then the form posts the SetupIntent id so the app saves the card as the default.
(function () {
  var form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") { return; }
  var stripe = Stripe(form.dataset.publishableKey);
  var card = stripe.elements().create("card");
  card.mount("#card-element");
  var errors = document.getElementById("card-errors");
  var button = document.getElementById("save-card");

  function fail(message) {
    errors.textContent = message || "That card could not be saved. Please check it and try again.";
    button.disabled = false;
    button.textContent = "Save card";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errors.textContent = "";
    button.disabled = true;
    button.textContent = "Saving…";
    stripe.confirmCardSetup(form.dataset.clientSecret, { payment_method: { card: card } }).then(function (result) {
      if (result.error) { fail(result.error.message); return; }
      form.elements.setup_intent_id.value = result.setupIntent.id;
      form.submit();
    }, function () { fail(); });
  });
})();
