"""The command line: a lazy click group, shared options and output, one module per job."""
