"""The follow-up cadence from DOMAIN.md: which touch is due for whom, when, and why.

Every number comes from [cadence] in campaign.toml. A due date on a weekend moves to Monday.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections import defaultdict, namedtuple
from dataclasses import dataclass, field

from . import channels

# Statuses that end the follow-up for an employer; the record stays.
ENDED = ("rejected", "closed", "hired")
ANSWERED = ("spoke", "assistant", "meeting-set")
UNANSWERED = ("no-answer", "left-message")
OUTCOMES = (*UNANSWERED, *ANSWERED)

KINDS = {
    # kind: (heading, template for letters or None for calls)
    "thank-you": ("Thank-you notes (same day)", "thankyou"),
    "receipt-check": ("Receipt checks: did the letter arrive?", "receipt"),
    "followup-letter-1": ("Follow-up letters, 2 weeks", "followup1"),
    "followup-letter-2": ("Follow-up letters, 4 weeks", "followup2"),
    "follow-up-call": ("Follow-up calls after a meeting", None),
    "article-note": ("Notes with an article", "article"),
    "networking-call": ("Progress calls to networking contacts", None),
    "insider-check-in": ("Check-ins with warm insiders", None),
    "change-approach": ("Unanswered calls: change approach", None),
    # From `campaign sync` (issue 11, campaign/maildue.py).
    "bounced": ("Bounced emails: find a new address, or call / write", None),
    "check-reply": ("Possible replies: is it an answer?", None),
}
# Short names for one follow-up, e.g. in a calendar.
LABELS = {
    "thank-you": "Thank-you note",
    "receipt-check": "Receipt check",
    "followup-letter-1": "Follow-up letter 1",
    "followup-letter-2": "Follow-up letter 2",
    "follow-up-call": "Follow-up call",
    "article-note": "Note with an article",
    "networking-call": "Progress call",
    "insider-check-in": "Insider check-in",
    "change-approach": "Change approach",
    "bounced": "Email bounced",
    "check-reply": "Check a possible reply",
}
LETTER_KINDS = {
    "thank-you": "thankyou",
    "receipt-check": "receipt",
    "followup-letter-1": "followup1",
    "followup-letter-2": "followup2",
    "article-note": "article",
}


def weekday(day: dt.date) -> dt.date:
    """Saturday and Sunday move to Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7) if day.weekday() >= 5 else day


@dataclass
class Due:
    """One follow-up that the cadence says is due (or coming)."""

    prospect_id: int
    company: str
    name: str
    kind: str
    channel: str  # email, post, call, note (no address: write it by hand), inbox (check-reply)
    due: dt.date
    reason: str
    dedupe: str = ""  # for letters: the send's occasion, so it goes once
    touch_id: int | None = None
    person: dict = field(default_factory=dict)  # a thank-you's addressee
    origin: str = ""  # the kind it was before it became change-approach

    @property
    def ident(self) -> str:
        """Stable across runs: the same follow-up keeps it while its date moves."""
        return self.dedupe or f"{self.origin or self.kind}:{self.prospect_id}"

    @property
    def template(self) -> str | None:
        return LETTER_KINDS.get(self.kind) if self.channel != "call" else None

    def as_dict(self, today: dt.date) -> dict:
        return {
            "prospect_id": self.prospect_id,
            "company": self.company,
            "name": self.person.get("name") or self.name,
            "kind": self.kind,
            "channel": self.channel,
            "due": self.due.isoformat(),
            "days_overdue": (today - self.due).days,
            "reason": self.reason,
            **({"person": self.person} if self.person else {}),
        }


def _d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


# Light rows: attribute access, no sqlite3.Row lookups by name (100,000 prospects, issue 6).
Sent = namedtuple("Sent", "dedupe channel sent_on")
Touch = namedtuple("Touch", "id kind on_date outcome people")
Prospect = namedtuple(
    "Prospect", "id company first_name last_name email phone postal_code status role"
)


def _rows(conn: sqlite3.Connection, sql: str, shape) -> sqlite3.Cursor:
    cursor = conn.cursor()
    cursor.row_factory = lambda _, row: shape._make(row)
    return cursor.execute(sql)


def compute(conn: sqlite3.Connection, cadence: dict, today: dt.date, horizon: int = 0) -> list[Due]:
    """Every follow-up due by today + horizon days, most overdue first within each kind."""
    # Only prospects whose cadence can still produce something: contacts and insiders, anyone
    # interviewed (thank-yous, calls), and active prospects written to but not yet sent the
    # last follow-up letter. The rest of a year-old ledger is history, not work.
    conn.execute("DROP TABLE IF EXISTS temp.due_scope")
    conn.execute(
        "CREATE TEMP TABLE due_scope AS "
        "SELECT id FROM prospects WHERE role != 'employer' "
        "UNION SELECT prospect_id FROM touches WHERE kind = 'interview' "
        "UNION SELECT p.id FROM prospects p JOIN ("
        "  SELECT prospect_id FROM sends WHERE dedupe LIKE 'intro:%'"
        "  AND status IN ('sent', 'unknown')"
        "  EXCEPT SELECT prospect_id FROM sends WHERE dedupe LIKE 'followup2:%'"
        "  AND status IN ('sent', 'unknown')"
        ") AS written ON written.prospect_id = p.id WHERE p.status = 'active'"
    )
    scope = "SELECT id FROM temp.due_scope"
    sends: dict[int, dict[str, Sent]] = defaultdict(dict)
    cursor = conn.cursor()
    cursor.row_factory = None
    for pid, dedupe, channel, sent_on in cursor.execute(
        "SELECT prospect_id, dedupe, channel, sent_on FROM sends "
        f"WHERE status IN ('sent', 'unknown') AND prospect_id IN ({scope})"
    ):
        sends[pid][dedupe] = Sent(dedupe, channel, sent_on)
    touches: dict[int, list[Touch]] = defaultdict(list)
    for pid, *rest in cursor.execute(
        "SELECT prospect_id, id, kind, on_date, outcome, people FROM touches "
        f"WHERE prospect_id IN ({scope}) ORDER BY on_date, id"
    ):
        touches[pid].append(Touch._make(rest))
    prospects = _rows(
        conn,
        "SELECT id, company, first_name, last_name, email, phone, postal_code, status, role "
        f"FROM prospects WHERE id IN ({scope})",
        Prospect,
    )
    limit = today + dt.timedelta(days=horizon)
    items: list[Due] = []
    no_sends: dict[str, Sent] = {}
    for p in prospects:
        sent, touched = sends.get(p.id, no_sends), touches.get(p.id, [])
        if sent or touched or p.role != "employer":
            items += _for_prospect(p, sent, touched, cadence, today)
    from .maildue import adjust

    items = [i for i in adjust(conn, items, today) if i.due <= limit]
    order = list(KINDS)
    items.sort(key=lambda i: (order.index(i.kind), i.due, i.prospect_id))
    return items


def _for_prospect(p, sent: dict, touches: list, cadence: dict, today: dt.date) -> list[Due]:
    name = f"{p.first_name} {p.last_name}".strip()
    out: list[Due] = []

    def add(kind, channel, due, reason, **extra):
        out.append(Due(p.id, p.company, name, kind, channel, weekday(due), reason, **extra))

    letter_channel = channels.letter_channel(p.email)
    ended = p.status in ENDED
    # Thank-you notes: one per person met, the day of the interview.
    for touch in touches:
        if touch.kind != "interview":
            continue
        people = json.loads(touch.people or "[]") or [{"name": name, "title": ""}]
        for index, person in enumerate(people):
            dedupe = f"thankyou:{touch.id}:{index}"
            if dedupe in sent:
                continue
            reason = f"met {person['name']} on {touch.on_date}"
            if person.get("email") or (index == 0 and p.email and person["name"] == name):
                channel = "email"
            elif p.postal_code:
                channel = "post"
            else:
                channel = "note"
                reason += (
                    f"; no email or address for {person['name']}: write it by hand, then "
                    "`campaign mailed --followups`; or log the interview again with "
                    '--with "Name, Title, email"'
                )
            add(
                "thank-you",
                channel,
                _d(touch.on_date) + dt.timedelta(days=cadence["thank_you_days"]),
                reason,
                dedupe=dedupe,
                touch_id=touch.id,
                person=person,
            )
    if ended:
        return out
    calls = [t for t in touches if t.kind == "call"]
    interviews = [t for t in touches if t.kind == "interview"]
    replied = p.status == "replied" or any(t.kind in ("reply", "interview") for t in touches)
    intro = sent.get(f"intro:{p.id}")
    if intro is not None and intro.sent_on and not replied:
        first = _d(intro.sent_on)
        confirmed = any(t.kind == "received" for t in touches) or any(
            t.outcome in ANSWERED and _d(t.on_date) >= first for t in calls
        )
        # The first follow-up letter supersedes a receipt check never made (no stale checks).
        superseded = f"followup1:{p.id}" in sent or today >= first + dt.timedelta(
            days=cadence["followup_letter_days"][0]
        )
        if not confirmed and not superseded and f"receipt:{p.id}" not in sent:
            channel = "email" if intro.channel == "email" else "call"
            if channel == "email" or p.phone:
                add(
                    "receipt-check",
                    channel,
                    first + dt.timedelta(days=cadence["receipt_check_days"]),
                    f"{intro.channel} letter of {first} - did it arrive?",
                    dedupe=f"receipt:{p.id}" if channel == "email" else "",
                )
        # The second follow-up waits for the first, keeping the gap between them.
        gaps = cadence["followup_letter_days"]
        earliest = first
        for number, days in enumerate(gaps[:2], start=1):
            key = f"followup{number}:{p.id}"
            due = max(first + dt.timedelta(days=days), earliest)
            if key not in sent:
                add(
                    f"followup-letter-{number}",
                    letter_channel,
                    due,
                    f"first letter went {first}; no reply yet",
                    dedupe=key,
                )
                break
            went = _d(sent[key].sent_on or due.isoformat())
            if number < len(gaps):
                earliest = went + dt.timedelta(days=gaps[number] - days)
    # A meeting answers every call before it: count the unanswered calls since the last one.
    since = max((_d(t.on_date) for t in touches if t.kind == "interview"), default=None)
    unanswered = _unanswered_run([c for c in calls if since is None or _d(c.on_date) > since])
    wants_call = False
    if interviews:
        met = _d(interviews[-1].on_date)
        later_calls = [t for t in calls if _d(t.on_date) > met]
        if later_calls:
            last = _d(later_calls[-1].on_date)
            due = last + dt.timedelta(days=cadence["call_every_days"][0])
            why = f"last call {last}; every {'-'.join(map(str, cadence['call_every_days']))} days"
        else:
            due = met + dt.timedelta(days=cadence["first_call_after_meeting_days"])
            why = f"met on {met}, no opening yet: any developments?"
        add("follow-up-call", "call", due, why)
        wants_call = True
        spoke = [t for t in later_calls if t.outcome in ANSWERED]
        if len(spoke) >= cadence["article_after_calls"] and f"article:{p.id}" not in sent:
            add(
                "article-note",
                letter_channel,
                _d(spoke[cadence["article_after_calls"] - 1].on_date),
                f"{len(spoke)} calls since the meeting, no opening",
                dedupe=f"article:{p.id}",
            )
    if p.role == "contact" and touches:
        last = _d(calls[-1].on_date) if calls else _role_since(touches, "contact")
        add(
            "networking-call",
            "call",
            last + dt.timedelta(days=cadence["networking_call_days"]),
            f"networking contact; last spoke {last}: what came of the referrals?",
        )
        wants_call = True
    if p.role == "insider" and touches:
        recent = [t for t in touches if t.kind in ("call", "note", "insider")]
        last = _d(recent[-1].on_date)
        add(
            "insider-check-in",
            "call",
            last + dt.timedelta(days=cadence["insider_checkin_days"][0]),
            f"warm insider; last touch {last}",
        )
        wants_call = True
    if unanswered >= cadence["unanswered_calls_limit"] and (
        wants_call or any(i.kind == "receipt-check" and i.channel == "call" for i in out)
    ):
        for item in out:
            if item.channel == "call":
                item.origin, item.kind = item.kind, "change-approach"
                item.reason = (
                    f"{unanswered} calls in a row unanswered: write instead, "
                    "ask for the assistant, or try another time of day"
                )
    return out


def _unanswered_run(calls: list) -> int:
    run = 0
    for call in reversed(calls):
        if call.outcome not in UNANSWERED:
            break
        run += 1
    return run


def _role_since(touches: list, kind: str) -> dt.date:
    marks = [t for t in touches if t.kind == kind]
    return _d(marks[-1].on_date) if marks else _d(touches[0].on_date)


def first_letter_fields(conn: sqlite3.Connection, prospect_id: int, default: dt.date) -> dict:
    """When the first letter went (or `default`, before it has): first_sent, first_sent_long."""
    from .render import long_date

    first = conn.execute(
        "SELECT min(sent_on) FROM sends WHERE prospect_id = ? AND kind = 'intro' "
        "AND status = 'sent'",
        (prospect_id,),
    ).fetchone()[0]
    day = _d(first) if first else default
    return {"first_sent": day, "first_sent_long": long_date(day)}


def letter_fields(conn: sqlite3.Connection, item: Due, prospect) -> dict:
    """What follow-up templates name beyond the prospect: first letter's date, the person met."""
    from .render import long_date

    fields = first_letter_fields(conn, prospect["id"], item.due)
    if item.person:
        fields.update(person_name=item.person["name"], person_title=item.person.get("title", ""))
    if item.touch_id:
        on = conn.execute("SELECT on_date FROM touches WHERE id = ?", (item.touch_id,)).fetchone()
        fields["interview_date"] = long_date(_d(on[0]))
    return fields


def due_letters(
    conn: sqlite3.Connection, renderer, cadence: dict, today: dt.date, *channels: str
) -> list[tuple[Due, sqlite3.Row, object]]:
    """Follow-up letters due today by these channels (email, post, note), each rendered."""
    out = []
    for item in compute(conn, cadence, today):
        if item.channel not in channels or not item.template:
            continue
        prospect = conn.execute(
            "SELECT * FROM prospects WHERE id = ?", (item.prospect_id,)
        ).fetchone()
        letter = renderer.render(
            item.template, prospect, today, letter_fields(conn, item, prospect)
        )
        if item.person:
            letter.to_name = item.person["name"]
            letter.to_email = item.person.get("email") or prospect["email"]
        out.append((item, prospect, letter))
    return out
