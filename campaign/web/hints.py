"""What to do next, in the web app's words: one entry per `hint` key the library uses."""

HINTS: dict[str, str] = {
    "list-prospects": "the Prospects page lists them",
    "pick-batch": "pick it on This week first",
    "pick-batch-week": "pick it on This week",
    "import-more": "import more employers (the Import page) to start another",
    "import-list": "import your list first (the Import page)",
    "name-or-pick": "pick a prospect, or pick this week's batch on This week first",
    "name-prospect": "pick a prospect on the Prospects page",
    "preview-letter": "make it yours on the Letters page (edit it, then remove the example note)",
    "check-mail": "check your mail account on the Setup page (Test the connection says what fails)",
    "another-run": "wait for it to finish, then look at this page again",
    "list-unknown": "the Due page lists them",
    "refused-earlier": "find a new one, or call / write: see Due",
    "make-workspace": "make one first",
    "no-workspace": "make one first",
    "encoding": "save it as CSV UTF-8 (or as .xlsx) and upload it again",
    "encoding-other": "save it as CSV UTF-8 (or as .xlsx) and upload it again",
    "include-hidden": (
        "tick “Also import the rows hidden in the sheet” under More choices to import them"
    ),
    "csv-one-sheet": "leave the worksheet name blank",
    "map-column": (
        "or name the column so in the sheet and upload it again, or say what it means under "
        "More choices (Column=field)"
    ),
    "check-emails": "check the emails in your sheet against the Prospects page",
    "log-again": 'tick "Record it again anyway" to record it again',
    "list-due": "see the Due page",
    "read-inbox-first": "fix your mail account on the Setup page first",
    "set-up-imap": "add the reading server (IMAP) to your mail account on the Setup page",
    "call-outcome": "pick one under Call outcome",
    "skip-item": "pick one under Follow-up to dismiss",
    "people-format": "write each person as Name, Title, email, separated by semicolons",
    "thank-you-by-hand": (
        "write it by hand, then record it under Notes to write by hand on the Due page; or log "
        "the interview again on the prospect's page, People met: Name, Title, email"
    ),
    "log-interview": "on the prospect's page",
    "resolve-unknown": "then say whether it went",
    "log-reply": "log it as a reply on the prospect's page if so",
    "draft-unsent": (
        "send it from the outbox folder if not; Read my inbox finds it once it is in your "
        "Sent folder"
    ),
    "answer-reply": "answer it today, then log Answered on the prospect's page",
    "change-approach": "write instead, ask for the assistant, or call at another time of day",
    "new-address": "find a new address (fix the sheet and import it again), or call / write",
    "first-letter": "This week sends it (by email) or prints it (by post)",
    "call-or-close": "call, or close it on the prospect's page",
    "log-what-follows": "log what happens next on the prospect's page",
    "offer-decide": "log Hired on the prospect's page once you accept, or Closed if you decline",
    "show-history": "the prospect's page lists each event",
    "smtp-password": "type it under Your mail account on the Setup page",
    "imap-password": "type it under Your mail account on the Setup page",
    "mailed-followups": "the follow-up letters due by post are recorded from the Due page",
}
