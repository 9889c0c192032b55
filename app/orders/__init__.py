"""Orders: what a buyer placed, with the prices frozen as charged."""
