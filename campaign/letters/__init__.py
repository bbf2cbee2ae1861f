"""Letters: the week's batch, templates rendered for a prospect, which channel each takes."""
