"""Every operation both faces perform: the CLI commands and the web pages call these."""
