"""The ledger, campaign.db: connect (and migrate), transactions, named queries, search."""
