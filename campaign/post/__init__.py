"""Letters for the post: page layout, signed PDF letters, envelopes and labels, enclosures."""
