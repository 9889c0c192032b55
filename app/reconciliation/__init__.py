"""The PSA reconciliation export: a reseller's month of charges for its customers'
subscriptions (``rows.reconciliation_rows``), served as a streamed CSV by the reseller panel."""
