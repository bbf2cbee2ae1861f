"""The words of the follow-up: statuses, call outcomes, kinds of follow-up, and one Due item.

Also the calendar rules every kind uses: a weekend date moves to Monday, retries count working
days (docs/domain.md, "The calendar").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# [cadence] of campaign.toml: numbers and lists of numbers by name (workspace.settings checks
# each against DEFAULT_CADENCE).
Cadence = dict[str, Any]

# Statuses that end the follow-up for an employer; the record stays.
ENDED = ("rejected", "closed", "hired")
ANSWERED = ("spoke", "assistant", "meeting-set")
UNANSWERED = ("no-answer", "left-message")
OUTCOMES = (*UNANSWERED, *ANSWERED)
# Each outcome as a sentence says it ("left a message on 2026-11-20"), in any face.
OUTCOME_SAID = {
    "no-answer": "no answer",
    "left-message": "left a message",
    "spoke": "spoke with them",
    "assistant": "spoke with the assistant",
    "meeting-set": "a meeting was set",
}

# Where an employer stands, in the order a campaign moves through them (docs/domain.md, "Where
# each employer stands"); the last four are not steps on the way.
STAGES = (
    "not-written",
    "written",
    "answered",
    "meeting",
    "interviewed",
    "offer",
    "hired",
    "closed",
    "rejected",
    "paused",
)

KINDS = {
    # kind: (heading, template for letters or None for calls); `due` lists them in this order,
    # a reply first (docs/domain.md, "Replies": "the first thing on the list").
    "answer-reply": ("Replies to answer today", None),
    "unknown-send": ("Sends to resolve: did they go?", None),
    "thank-you": ("Thank-you notes, the same day", "thankyou"),
    "receipt-check": ("Receipt checks: did the letter arrive?", "receipt"),
    "followup-letter-1": ("Follow-up letters, 2 weeks", "followup1"),
    "followup-letter-2": ("Follow-up letters, 4 weeks", "followup2"),
    "follow-up-call": ("Follow-up calls after a meeting", None),
    "article-note": ("Notes with an article", "article"),
    "networking-call": ("Progress calls to networking contacts", None),
    "insider-check-in": ("Check-ins with warm insiders", None),
    "call-back": ("Unanswered calls to try again", None),
    "change-approach": ("Unanswered calls: change approach", None),
    "meeting-to-log": ("Meetings agreed on the phone: log them once they happen", None),
    # Addresses that do not work: refused by the mail server, or bounced (read from the inbox).
    "refused": ("Emails refused by the mail server: find a new address, or call / write", None),
    "bounced": ("Bounced emails: find a new address, or call / write", None),
    "check-reply": ("Possible replies: is it an answer?", None),
    # Drafts written to outbox/ that `campaign sync` never found in the Sent folder.
    "draft-unsent": ("Drafts not found in your Sent folder: not sent yet?", None),
}
# Short names for one follow-up, e.g. in a calendar.
LABELS = {
    "answer-reply": "Answer the reply",
    "unknown-send": "Resolve an unknown send",
    "thank-you": "Thank-you note",
    "receipt-check": "Receipt check",
    "followup-letter-1": "Follow-up letter 1",
    "followup-letter-2": "Follow-up letter 2",
    "follow-up-call": "Follow-up call",
    "article-note": "Note with an article",
    "networking-call": "Progress call",
    "insider-check-in": "Insider check-in",
    "call-back": "Call again",
    "change-approach": "Change approach",
    "refused": "Email refused",
    "bounced": "Email bounced",
    "check-reply": "Check a possible reply",
    "meeting-to-log": "Log the meeting",
    "draft-unsent": "Send the draft?",
    # Not a follow-up: the next step of a prospect in a batch, still owed its first letter.
    "first-letter": "First letter",
}
# The follow-ups made by phone (a receipt check is one for posted letters): an unanswered call
# retries whichever of them is pending (docs/domain.md, "Unanswered calls").
CALL_KINDS = (
    "receipt-check",
    "follow-up-call",
    "networking-call",
    "insider-check-in",
    "call-back",
)
LETTER_KINDS = {  # in the order they go out after the first letter
    "receipt-check": "receipt",
    "followup-letter-1": "followup1",
    "followup-letter-2": "followup2",
    "thank-you": "thankyou",
    "article-note": "article",
}
# The letters campaign ships, by template, in the order they go out: what each is for.
LETTERS = {"intro": "first-letter", **{template: kind for kind, template in LETTER_KINDS.items()}}


def letter_name(template: str) -> str:
    """A letter named by what it is for ("Follow-up letter 1"); one the user added, by its
    file name."""
    return LABELS.get(LETTERS.get(template, ""), template)


def weekday(day: dt.date) -> dt.date:
    """Saturday and Sunday move to Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


def business_days(day: dt.date, count: int) -> dt.date:
    """`count` working days (Monday to Friday) after `day`."""
    while count > 0:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def same_person(a: str, b: str) -> bool:
    """Names equal but for case and spacing ("hans  weber" is Hans Weber)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold() != ""


@dataclass
class Due:
    """One follow-up that the cadence says is due (or coming)."""

    prospect_id: int
    company: str
    name: str
    kind: str
    channel: str  # email, post, call, note (no address: write it by hand), inbox (check-reply),
    # outbox (a draft not seen sent)
    due: dt.date
    reason: str
    dedupe: str = ""  # for letters: the send's occasion, so it goes once
    touch_id: int | None = None
    person: dict = field(default_factory=dict)  # a thank-you's addressee
    origin: str = ""  # the kind it was before it became change-approach
    stale: bool = False  # a thank-you past thank_you_late_days: it left the list
    send_id: int | None = None  # an unknown send to resolve
    hint: str = ""  # what to do, in each face's words (cli/hints.py, web/hints.py)
    values: dict = field(default_factory=dict)  # what the hint's wording names
    # For a call: the day its rhythm counts from; an unanswered call since then is what it
    # retries (docs/domain.md, "Unanswered calls"). Not kept in the ledger.
    since: dt.date | None = field(default=None, compare=False)

    @property
    def ident(self) -> str:
        """Stable across runs: the same follow-up keeps it while its date moves."""
        return self.dedupe or f"{self.origin or self.kind}:{self.prospect_id}"

    @property
    def template(self) -> str | None:
        return LETTER_KINDS.get(self.kind) if self.channel != "call" else None

    def said(self, hints: dict[str, str]) -> str:
        """The reason, and what to do about it in one face's words."""
        from campaign.errors import CampaignError, worded

        return worded(CampaignError(self.reason, hint=self.hint, **self.values), hints)

    def as_dict(self, today: dt.date, hints: dict[str, str] | None = None) -> dict:
        return {
            "prospect_id": self.prospect_id,
            "company": self.company,
            "name": self.person.get("name") or self.name,
            "kind": self.kind,
            "channel": self.channel,
            "due": self.due.isoformat(),
            "days_overdue": (today - self.due).days,
            "reason": self.said(hints) if hints is not None else self.reason,
            **({"person": self.person} if self.person else {}),
            **({"send_id": self.send_id} if self.send_id is not None else {}),
        }


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
