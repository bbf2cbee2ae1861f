"""What the ledger says, for people: status, history, tracker, call sheet, calendar."""
