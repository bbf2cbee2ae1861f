"""The workspace: finding it, campaign.toml read into typed Settings, what `init` writes."""
