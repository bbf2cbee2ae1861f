"""What to do next, in the command line's words: one entry per `hint` key the library uses."""

HINTS: dict[str, str] = {
    "list-prospects": "`campaign prospects` lists them with their ids",
    "pick-batch": "run `campaign batch` first",
    "pick-batch-week": "`campaign batch --week {week}` picks one",
    "import-more": "import more employers with `campaign import` to start another",
    "import-list": "import your list first: `campaign import employers.xlsx`",
    "name-or-pick": "name a prospect (`campaign preview 12`), or run `campaign batch` first",
    "name-prospect": "name a prospect: `campaign preview 12` (`campaign prospects` lists them)",
    "preview-letter": "`campaign preview` shows it",
    "check-mail": "`campaign check-mail` says what works",
    "another-run": "wait for the other `campaign send` (or the web app's Send) to finish",
    "list-unknown": "`campaign unknown` lists them",
    "refused-earlier": "find a new one, or call / write: see `campaign due`",
    "make-workspace": "run `campaign init {root}` to make one",
    "no-workspace": "run `campaign init DIR` to make one, or pass --workspace DIR",
    "encoding": "pass --encoding NAME (e.g. --encoding latin-1)",
    "encoding-other": "try another --encoding",
    "include-hidden": "--include-hidden imports hidden rows too",
    "csv-one-sheet": "leave out --sheet",
    "map-column": 'or name a column with --map "Your Header={field}"',
    "check-emails": "check the emails in your sheet against `campaign prospects`",
    "log-again": "pass --again to record it a second time",
    "list-due": "see `campaign due --days 90`",
    "read-inbox-first": (
        "fix the mailbox (`campaign check-mail`), or send without reading it (--no-inbox)"
    ),
    "set-up-imap": 'README: "Connect your mail", or `campaign init DIR --provider NAME` writes it',
    "call-outcome": "pass --outcome, one of: {choices}",
    "skip-item": "pass --item, one of: {choices}",
    "people-format": 'write each as --with "Name, Title, email; ..."',
    "thank-you-by-hand": (
        "write it by hand, then `campaign mailed --followups`; or log the interview again with "
        '--with "Name, Title, email"'
    ),
    "log-interview": '`campaign log {id} interview --with "Name, Title, email"`',
    "resolve-unknown": "then `campaign unknown --sent {id}` or `--unsent {id}`",
    "log-reply": "`campaign log {id} reply` if so",
    "draft-unsent": (
        "send it from outbox/ if not; if it went, `campaign mailed --drafts --on DAY` records "
        "the day (or `campaign sync` finds it once it is in your Sent folder)"
    ),
    "answer-reply": "answer it today, then `campaign log {id} answered`",
    "change-approach": "write instead, ask for the assistant, or call at another time of day",
    "new-address": (
        "find a new address (fix the sheet and `campaign import` it again), or call / write"
    ),
    "first-letter": "`campaign send` (by email) or `campaign print` (by post) sends it",
    "call-or-close": "call, or close it (`campaign log {id} closed`)",
    "log-what-follows": "`campaign log {id} EVENT` records what happens next",
    "offer-decide": "`campaign log {id} hired` once you accept, or `closed` if you decline",
    "show-history": "`campaign show {id}` gives each event its id",
    "smtp-password": (
        "set CAMPAIGN_SMTP_PASSWORD, or store it with `keyring set campaign {user}`, or run on "
        "a terminal to be asked"
    ),
    "imap-password": (
        "set CAMPAIGN_IMAP_PASSWORD, or store it with `keyring set campaign {user}`, or run on "
        "a terminal to be asked"
    ),
    "mailed-followups": (
        "the follow-up letters due by post are recorded with `campaign mailed --followups`"
    ),
}
