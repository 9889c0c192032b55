"""The cart: what a buyer is about to order (built by the checkout issue)."""
