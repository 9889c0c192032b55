"""Subscriptions and their lifecycle: increases, decreases, cancel, resume, renewal."""
