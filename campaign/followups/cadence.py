"""The follow-up table of docs/domain.md, one function per row.

Each row reads one prospect's Story and returns the follow-ups it calls for; the passes after
them apply what cuts across rows (no email to a bad address, a receipt check superseded, call
retries, the change of approach). Every number comes from [cadence] in campaign.toml; every
date lands on a working day (docs/domain.md, "The calendar").

Today is seen only through Clock.reached, which also remembers the days on which an answer
would change: the ledger keeps each prospect's follow-ups until the first of those days
(followups/store.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from campaign.followups.items import (
    CALL_KINDS,
    OUTCOME_SAID,
    UNANSWERED,
    Cadence,
    Due,
    business_days,
    same_person,
    weekday,
)
from campaign.followups.story import Story, Touch, people
from campaign.letters.channel import letter_channel
from campaign.util.text import plural

_d = dt.date.fromisoformat
DAY = dt.timedelta(days=1)


class Clock:
    """Today, asked only whether a day has come; [since, until) is how long the answers hold."""

    def __init__(self, today: dt.date) -> None:
        self._today = today
        self.since: dt.date | None = None  # the last day asked about that has come
        self.until: dt.date | None = None  # the first day asked about that has not

    def reached(self, day: dt.date) -> bool:
        if day <= self._today:
            self.since = max(self.since or day, day)
            return True
        self.until = min(self.until or day, day)
        return False


def _item(s: Story, kind: str, channel: str, due: dt.date, reason: str, **extra) -> Due:
    return Due(s.p.id, s.p.company, s.name, kind, channel, weekday(due), reason, **extra)


def _days(cadence: Cadence, key: str, index: int | None = None) -> dt.timedelta:
    value = cadence[key] if index is None else cadence[key][index]
    return dt.timedelta(days=value)


def _first_letter(s: Story) -> dt.date | None:
    intro = s.sent.get(f"intro:{s.p.id}")
    return _d(intro.sent_on) if intro is not None and intro.sent_on else None


# --- the rows ---------------------------------------------------------------------------------


def receipt_check(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Receipt check": did the letter arrive? 3 days on, until confirmed."""
    first = _first_letter(s)
    pid = s.p.id
    if s.ended or s.answered or first is None:
        return []
    confirmed = s.logged("received") or s.reached_by_call(first)
    done = {f"followup1:{pid}", f"receipt:{pid}"} & s.sent.keys()
    if confirmed or done or s.skipped("receipt-check", first):
        return []
    channel = s.sent[f"intro:{pid}"].channel
    why = f"{channel} letter of {first}: did it arrive?"
    due = first + _days(c, "receipt_check_days")
    if channel == "email":
        return [_item(s, "receipt-check", "email", due, why, dedupe=f"receipt:{pid}")]
    if not s.p.phone:
        return []
    return [_item(s, "receipt-check", "call", due, why, since=first)]


def followup_letters(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Follow-up letters": 2 and 4 weeks after the first letter.

    The second waits for the first, keeping the gap between them; a dismissed one counts as
    done on the day it was dismissed.
    """
    first = _first_letter(s)
    if s.ended or s.answered or first is None:
        return []
    gaps = c["followup_letter_days"]
    earliest = first
    for number, days in enumerate(gaps[:2], start=1):
        key = f"followup{number}:{s.p.id}"
        due = max(first + dt.timedelta(days=days), earliest)
        dismissed = s.skipped(f"followup-letter-{number}", first)
        if key not in s.sent and dismissed is None:
            why = f"first letter went {first}; no reply yet"
            kind = f"followup-letter-{number}"
            return [_item(s, kind, letter_channel(s.p.email), due, why, dedupe=key)]
        went = _d(s.sent[key].sent_on or due.isoformat()) if key in s.sent else dismissed
        if number < len(gaps) and went is not None:
            earliest = went + dt.timedelta(days=gaps[number] - days)
    return []


def thank_yous(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Thank-you notes": one per person met, the same day; a week late, it
    leaves the list (kept, marked stale, for as long again so that `due` can say so)."""
    late = c["thank_you_late_days"]
    out = []
    listed = set()  # one note at a time to one person for one day's meetings
    dismissals = [t.id for t in s.touches if t.kind == "skip" and t.item == "thank-you"]
    for touch in s.logged("interview"):
        met = _d(touch.on_date)
        # A dismissal answers the interviews logged before it, not one logged after it the
        # same day (a second meeting owes its own notes).
        if any(d > touch.id for d in dismissals) or clock.reached(met + (2 * late + 1) * DAY):
            continue
        stale = clock.reached(met + (late + 1) * DAY)
        met_people = people(touch) or [{"name": s.name, "title": ""}]
        for index, person in enumerate(met_people):
            who = (" ".join(person["name"].split()).casefold(), met)
            if f"thankyou:{touch.id}:{index}" not in s.sent and who not in listed:
                listed.add(who)
                out.append(_thank_you(s, c, touch, index, person, stale))
    return out


def _thank_you(s: Story, c: Cadence, touch: Touch, index: int, person: dict, stale: bool) -> Due:
    """By email where the person's (or, for the prospect met, the prospect's) email works, else
    by post to the company, else a note to write by hand."""
    name = person["name"]
    own = person.get("email", "")
    theirs = s.p.email if same_person(name, s.name) else ""
    address = next((a for a in (own, theirs) if s.can_email(a)), "")
    reason, hint = f"met {name} on {touch.on_date}", ""
    if address:
        channel = "email"
        person = person if address == own or not own else {**person, "email": address}
    elif s.postal:
        channel = "post"
    else:
        channel = "note"
        reason += f"; no email or address for {name}"
        hint = "thank-you-by-hand"
    if stale:
        late = plural(c["thank_you_late_days"], "day")
        reason += f"; more than {late} ago, it has left the list"
        hint = ""
    met = _d(touch.on_date)
    return _item(
        s,
        "thank-you",
        channel,
        met + _days(c, "thank_you_days"),
        reason,
        dedupe=f"thankyou:{touch.id}:{index}",
        touch_id=touch.id,
        person=person,
        stale=stale,
        hint=hint,
    )


def follow_up_calls(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Follow-up calls after a meeting": 3 weeks after it, then every 4 to 5
    weeks from the last call that reached someone; an offer since means there is an opening."""
    interviews = s.logged("interview")
    if s.ended or not interviews:
        return []
    met = _d(interviews[-1].on_date)
    if any(_d(t.on_date) >= met for t in s.logged("offer")):
        return []
    spoke = [_d(t.on_date) for t in s.calls_after(interviews[-1])]
    skipped = s.skipped("follow-up-call", met)
    if spoke or skipped:
        anchor = max([*spoke, skipped or met])
        due = anchor + _days(c, "call_every_days", 0)
        why = f"last call {anchor}; every {'-'.join(map(str, c['call_every_days']))} days"
    else:
        anchor = met
        due = met + _days(c, "first_call_after_meeting_days")
        why = f"met on {met}, no opening yet: any developments?"
    return [_item(s, "follow-up-call", "call", due, why, since=anchor)]


def article_note(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Note with an article": after two calls since the meeting that reached
    someone, once."""
    interviews = s.logged("interview")
    needed = c["article_after_calls"]
    if s.ended or not interviews or f"article:{s.p.id}" in s.sent:
        return []
    met = _d(interviews[-1].on_date)
    spoke = s.calls_after(interviews[-1])
    if len(spoke) < needed or s.skipped("article-note", met):
        return []
    why = f"{plural(len(spoke), 'call')} since the meeting, no opening"
    day = _d(spoke[needed - 1].on_date)
    channel = letter_channel(s.p.email)
    return [_item(s, "article-note", channel, day, why, dedupe=f"article:{s.p.id}")]


def networking_call(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Networking contacts": a progress call every 6 weeks from the last call
    that reached them (or from when they were marked a contact)."""
    if s.ended or s.p.role != "contact" or not s.touches:
        return []
    spoke = s.reached_by_call(dt.date.min)
    last = _d(spoke[-1].on_date) if spoke else _marked(s, "contact")
    last = max(last, s.skipped("networking-call", last) or last)
    why = f"networking contact; last spoke {last}: what came of the referrals?"
    due = last + _days(c, "networking_call_days")
    return [_item(s, "networking-call", "call", due, why, since=last)]


def insider_check_in(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Warm insiders": a check-in every 4 to 6 days from the last touch."""
    if s.ended or s.p.role != "insider" or not s.touches:
        return []
    recent = [_d(t.on_date) for t in s.logged("note", "insider")]
    recent += [_d(t.on_date) for t in s.reached_by_call(dt.date.min)]
    last = max(recent or [_d(s.touches[0].on_date)])
    last = max(last, s.skipped("insider-check-in", last) or last)
    due = last + _days(c, "insider_checkin_days", 0)
    return [
        _item(s, "insider-check-in", "call", due, f"warm insider; last touch {last}", since=last)
    ]


def _marked(s: Story, kind: str) -> dt.date:
    marks = s.logged(kind)
    return _d((marks or s.touches)[-1 if marks else 0].on_date)


def meeting_to_log(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Meetings agreed on the phone": a week on, log it as an interview."""
    agreed: Touch | None = None
    for t in s.touches:
        if t.kind == "call" and t.outcome == "meeting-set":
            agreed = t
        elif t.kind == "interview" or (t.kind == "skip" and t.item == "meeting-to-log"):
            agreed = None
    if s.ended or agreed is None:
        return []
    set_on = _d(agreed.on_date)
    why = f"meeting agreed on {set_on}: once held, log it as an interview with everyone met"
    hint = "log-interview"
    return [
        _item(s, "meeting-to-log", "log", set_on + 7 * DAY, why, hint=hint, values={"id": s.p.id})
    ]


# What answers a reply (docs/domain.md, "Replies"): the user answered it, a call reached them,
# they met, an offer, or the follow-up ended.
REPLY_ANSWERED_BY = ("answered", "interview", "offer", "rejected", "closed", "hired")


def answer_reply(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """docs/domain.md, "Replies": answered the same day, first on the list, until the user says
    what followed or dismisses it."""
    waiting: list[Touch] = []
    for t in s.touches:
        if t.kind == "reply":
            waiting.append(t)
        elif (
            t.kind in REPLY_ANSWERED_BY
            or (t.kind == "call" and t.outcome in ("spoke", "meeting-set"))
            or (t.kind == "skip" and t.item == "answer-reply")
        ):
            waiting = []
    if s.ended or not waiting:
        return []
    latest = waiting[-1]
    mail = s.mail_for(latest.id)
    who = mail.sender if mail is not None else s.name or s.p.company
    said = (mail.snippet if mail is not None else "") or latest.note
    line = next((x.strip() for x in said.splitlines() if x.strip()), "")
    why = f"{who} wrote on {latest.on_date}" + (f": {line[:80]!r}" if line else "")
    first = _d(waiting[0].on_date)
    return [
        _item(s, "answer-reply", "reply", first, why, hint="answer-reply", values={"id": s.p.id})
    ]


def unknown_sends(s: Story, c: Cadence, clock: Clock) -> list[Due]:
    """README, "a send left unknown by a stopped run": did it go? (docs/domain.md, "Sends left
    unknown")."""
    out = []
    for send in s.sends:
        if send.status != "unknown":
            continue
        said = (
            f"send {send.id}, {send.letter} to {send.recipient or 'the post'}: the run "
            f"stopped while sending; look for {send.message_id or send.subject!r} in your Sent "
            "folder"
        )
        out.append(
            _item(
                s,
                "unknown-send",
                "resolve",
                _d(send.attempted_on),
                said,
                dedupe=f"unknown:{send.id}",
                send_id=send.id,
                hint="resolve-unknown",
                values={"id": send.id},
            )
        )
    return out


Row = Callable[[Story, Cadence, Clock], list[Due]]
ROWS: list[Row] = [
    answer_reply,
    receipt_check,
    followup_letters,
    thank_yous,
    follow_up_calls,
    article_note,
    networking_call,
    insider_check_in,
    meeting_to_log,
    unknown_sends,
]


# --- the passes over a prospect's items -----------------------------------------------------

# Letters that go by post when the email address does not work (and there is an address).
BY_POST = ("followup-letter-1", "followup-letter-2", "article-note")


def no_email_to_bad_addresses(s: Story, c: Cadence, clock: Clock, items: list[Due]) -> list[Due]:
    """docs/domain.md, "Refused and bounced letters": no more email to that address; the
    follow-up letters go by post where there is an address, the rest waits for a new one."""
    kept = []
    for item in items:
        to = item.person.get("email") or s.p.email
        if item.channel != "email" or s.can_email(to):
            kept.append(item)
        elif item.kind in BY_POST and s.postal:
            item.channel = "post"
            item.reason += f"; by post, since email to {to} does not arrive"
            kept.append(item)
    return kept


def receipt_check_superseded(s: Story, c: Cadence, clock: Clock, items: list[Due]) -> list[Due]:
    """docs/domain.md, "Receipt check": once a follow-up letter is due, a check never made is
    superseded by it."""
    if not any(i.kind == "receipt-check" for i in items):
        return items  # asking the clock would only shorten how long the answer holds
    letters = [i for i in items if i.kind.startswith("followup-letter") and clock.reached(i.due)]
    return [i for i in items if not (letters and i.kind == "receipt-check")]


def call_retries(s: Story, c: Cadence, clock: Clock, items: list[Due]) -> list[Due]:
    """docs/domain.md, "Unanswered calls": tried again 2 business days later, whatever the call
    was for; a call due since the unanswered one becomes that retry, else a call-back is."""
    last = s.calls[-1] if s.calls else None
    if last is None or last.outcome not in UNANSWERED:
        return items
    tried = _d(last.on_date)
    retry = business_days(tried, c["retry_call_days"])
    said = f"{OUTCOME_SAID.get(last.outcome, last.outcome)} on {tried}: try again"
    retried = False
    for item in items:
        if item.kind in CALL_KINDS and item.since is not None and tried >= item.since:
            item.due, item.reason, retried = retry, f"{said} ({item.reason})", True
    if not retried and s.unanswered_run and not s.ended:
        items.append(_item(s, "call-back", "call", retry, said, since=tried))
    return items


def change_of_approach(s: Story, c: Cadence, clock: Clock, items: list[Due]) -> list[Due]:
    """docs/domain.md, "Change of approach": after three unanswered calls in a row, the next
    working day, every pending call becomes one change of approach."""
    run = s.unanswered_run
    calls = [i for i in items if i.kind in CALL_KINDS and i.channel == "call"]
    if run < c["unanswered_calls_limit"] or not calls:
        return items
    now = business_days(_d(s.calls[-1].on_date), 1)
    merged = calls[0]
    merged.origin, merged.kind = merged.kind, "change-approach"
    merged.due = min([now, *(i.due for i in calls)])
    merged.reason = f"{plural(run, 'call')} in a row unanswered"
    merged.hint = "change-approach"
    gone = {id(i) for i in calls[1:]}
    return [i for i in items if id(i) not in gone]


Pass = Callable[[Story, Cadence, Clock, list[Due]], list[Due]]
PASSES: list[Pass] = [
    no_email_to_bad_addresses,
    receipt_check_superseded,
    call_retries,
    change_of_approach,
]


def for_prospect(s: Story, cadence: Cadence, clock: Clock) -> list[Due]:
    """The follow-ups one prospect's story calls for (thank-yous gone stale marked)."""
    items: list[Due] = []
    for row in ROWS:
        items += row(s, cadence, clock)
    for step in PASSES:
        items = step(s, cadence, clock, items)
    return items
