"""`campaign serve`: the local web app, a second face over the same library.

Imported only by the `serve` command, so `campaign --help` never loads Starlette.
"""
