"""Subscriptions and their lifecycle: increases, decreases, cancel, resume, renewal, duties.
The domain only: the pages and the ``run-duties`` command are in ``app.subscriptions``."""
