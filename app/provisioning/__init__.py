"""Provisioning: fulfillment requests, connectors and the RQ jobs that run them."""
