"""Follow-ups: the cadence table, what is due and when, stages, and the touches users log."""
