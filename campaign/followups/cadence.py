"""The cadence rules for one prospect: the follow-up table of DOMAIN.md, line by line.

Each rule quotes the line of /work/shared/DOMAIN.md (the reference) it comes from; every number
is from [cadence] in campaign.toml. followup.compute loads the ledger and calls for_prospect.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict

from campaign.followups.items import (
    ANSWERED,
    CALL_KINDS,
    ENDED,
    UNANSWERED,
    Due,
    business_days,
    same_person,
    weekday,
)
from campaign.letters.channel import letter_channel

_d = dt.date.fromisoformat


def for_prospect(p, sent: dict, touches: list, cadence: dict, today: dt.date) -> list[Due]:
    """The follow-ups one prospect's sends and touches call for (stale thank-yous marked)."""
    name = f"{p.first_name} {p.last_name}".strip()
    out: list[Due] = []

    def add(kind, channel, due, reason, **extra):
        out.append(Due(p.id, p.company, name, kind, channel, weekday(due), reason, **extra))

    skips: dict[str, list[dt.date]] = defaultdict(list)
    for touch in touches:
        if touch.kind == "skip":
            skips[touch.item].append(_d(touch.on_date))
            if touch.item == "change-approach":  # dismisses whichever calls it stood for
                for kind in CALL_KINDS:
                    skips[kind].append(_d(touch.on_date))

    def skipped(kind: str, since: dt.date) -> dt.date | None:
        """The last dismissal of `kind` on or after `since` (`campaign log P skip`)."""
        if kind not in skips:  # most prospects: nothing dismissed (100,000 prospects, issue 6)
            return None
        return max((day for day in skips[kind] if day >= since), default=None)

    by_letter = letter_channel(p.email)
    ended = p.status in ENDED
    # DOMAIN.md: "a thank-you note to every person met (a panel means one note each) | the
    # same day"; "a week after the interview it has lost its point, so it leaves the list".
    late = cadence["thank_you_late_days"]
    for touch in touches:
        if touch.kind != "interview":
            continue
        met = _d(touch.on_date)
        age = (today - met).days
        if skipped("thank-you", met) or age > 2 * late:
            continue
        people = json.loads(touch.people or "[]") or [{"name": name, "title": ""}]
        for index, person in enumerate(people):
            dedupe = f"thankyou:{touch.id}:{index}"
            if dedupe in sent:
                continue
            reason = f"met {person['name']} on {touch.on_date}"
            hint = ""
            if person.get("email") or (p.email and same_person(person["name"], name)):
                channel = "email"
            elif p.postal_code:
                channel = "post"
            else:
                channel = "note"
                reason += f"; no email or address for {person['name']}: write it by hand"
                hint = "thank-you-by-hand"
            if age > late:
                reason += f"; {age} days on, it has lost its point and left the list"
                hint = ""
            add(
                "thank-you",
                channel,
                met + dt.timedelta(days=cadence["thank_you_days"]),
                reason,
                dedupe=dedupe,
                touch_id=touch.id,
                person=person,
                stale=age > late,
                hint=hint,
            )
    if ended:
        return out
    calls = [t for t in touches if t.kind == "call"]
    interviews = [t for t in touches if t.kind == "interview"]
    # A reply, an interview, or a meeting agreed on the phone all answer the letter: no more
    # "may we meet?" letters to someone who already said yes (DOMAIN.md: stop when a reply).
    replied = p.status == "replied" or any(
        t.kind in ("reply", "interview") or (t.kind == "call" and t.outcome == "meeting-set")
        for t in touches
    )
    # A meeting agreed on the phone ends the letters; once it has happened, logging it as an
    # interview brings its thank-yous and follow-up calls (DOMAIN.md: "an interview or
    # appointment"). Until then, a week on, a reminder to log it.
    agreed = [t for t in calls if t.outcome == "meeting-set"]
    if agreed and not any(t.on_date >= agreed[-1].on_date for t in interviews):
        set_on = _d(agreed[-1].on_date)
        add(
            "meeting-to-log",
            "log",
            set_on + dt.timedelta(days=7),
            f"meeting agreed on {set_on}: once it has happened, log it as an interview with "
            "everyone met, for their thank-yous",
            hint="log-interview",
            values={"id": p.id},
        )
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
        if (
            not confirmed
            and not superseded
            and f"receipt:{p.id}" not in sent
            and not skipped("receipt-check", first)
        ):
            channel = "email" if intro.channel == "email" else "call"
            # DOMAIN.md: "a receipt check call or email: did it arrive? | 3 days later".
            due = first + dt.timedelta(days=cadence["receipt_check_days"])
            why = f"{intro.channel} letter of {first} - did it arrive?"
            if channel == "call":
                due, why = _retry(
                    [c for c in calls if _d(c.on_date) >= first], first, due, why, cadence
                )
            if channel == "email" or p.phone:
                add(
                    "receipt-check",
                    channel,
                    due,
                    why,
                    dedupe=f"receipt:{p.id}" if channel == "email" else "",
                )
        # DOMAIN.md: "a follow-up letter ... | 2 weeks later, and again 4 weeks later".
        # The second follow-up waits for the first, keeping the gap between them; a dismissed
        # one counts as done on the day it was dismissed.
        gaps = cadence["followup_letter_days"]
        earliest = first
        for number, days in enumerate(gaps[:2], start=1):
            key = f"followup{number}:{p.id}"
            due = max(first + dt.timedelta(days=days), earliest)
            dismissed = skipped(f"followup-letter-{number}", first)
            if key not in sent and dismissed is None:
                add(
                    f"followup-letter-{number}",
                    by_letter,
                    due,
                    f"first letter went {first}; no reply yet",
                    dedupe=key,
                )
                break
            went = _d(sent[key].sent_on or due.isoformat()) if key in sent else dismissed
            if number < len(gaps):
                earliest = went + dt.timedelta(days=gaps[number] - days)
    # A meeting answers every call before it: count the unanswered calls since the last one
    # (or since the advice to change approach was dismissed).
    since = max((_d(t.on_date) for t in touches if t.kind == "interview"), default=None)
    reset = max(skips.get("change-approach", ()), default=None)
    since = max(filter(None, (since, reset)), default=None)
    unanswered = _unanswered_run([c for c in calls if since is None or _d(c.on_date) > since])
    wants_call = False
    if interviews:
        met = _d(interviews[-1].on_date)
        later_calls = [t for t in calls if _d(t.on_date) > met]
        # DOMAIN.md: "a follow-up call: any developments? | 3 weeks later, then every 4 to 5
        # weeks"; "The long rhythm counts from a call that reached someone."
        spoke = [t for t in later_calls if t.outcome in ANSWERED]
        anchor = max([_d(t.on_date) for t in spoke] + [skipped("follow-up-call", met) or met])
        if anchor > met:
            due = anchor + dt.timedelta(days=cadence["call_every_days"][0])
            why = f"last call {anchor}; every {'-'.join(map(str, cadence['call_every_days']))} days"
        else:
            due = met + dt.timedelta(days=cadence["first_call_after_meeting_days"])
            why = f"met on {met}, no opening yet: any developments?"
        due, why = _retry(later_calls, anchor, due, why, cadence)
        add("follow-up-call", "call", due, why)
        wants_call = True
        # DOMAIN.md: "two follow-up calls with no opening | a short note with an article".
        if (
            len(spoke) >= cadence["article_after_calls"]
            and f"article:{p.id}" not in sent
            and not skipped("article-note", met)
        ):
            add(
                "article-note",
                by_letter,
                _d(spoke[cadence["article_after_calls"] - 1].on_date),
                f"{len(spoke)} calls since the meeting, no opening",
                dedupe=f"article:{p.id}",
            )
    if p.role == "contact" and touches:
        # DOMAIN.md: "a networking contact | a progress call ... | every 6 weeks".
        spoke = [t for t in calls if t.outcome in ANSWERED]
        last = _d(spoke[-1].on_date) if spoke else _role_since(touches, "contact")
        last = max(last, skipped("networking-call", last) or last)
        due, why = _retry(
            calls,
            last,
            last + dt.timedelta(days=cadence["networking_call_days"]),
            f"networking contact; last spoke {last}: what came of the referrals?",
            cadence,
        )
        add("networking-call", "call", due, why)
        wants_call = True
    if p.role == "insider" and touches:
        # DOMAIN.md: "a warm insider ... | a short check-in | every 4 to 6 days".
        recent = [
            _d(t.on_date)
            for t in touches
            if t.kind in ("note", "insider") or (t.kind == "call" and t.outcome in ANSWERED)
        ]
        last = max(recent or [_d(touches[0].on_date)])
        last = max(last, skipped("insider-check-in", last) or last)
        due, why = _retry(
            calls,
            last,
            last + dt.timedelta(days=cadence["insider_checkin_days"][0]),
            f"warm insider; last touch {last}",
            cadence,
        )
        add("insider-check-in", "call", due, why)
        wants_call = True
    # DOMAIN.md: "After three or four unanswered attempts, the approach changes."
    if unanswered >= cadence["unanswered_calls_limit"] and (
        wants_call or any(i.kind == "receipt-check" and i.channel == "call" for i in out)
    ):
        # The next working day, not at the retry date: the approach changes now.
        now = business_days(_d(calls[-1].on_date), 1)
        for item in out:
            if item.channel == "call":
                item.origin, item.kind = item.kind, "change-approach"
                item.due = min(item.due, now)
                item.reason = (
                    f"{unanswered} calls in a row unanswered: write instead, "
                    "ask for the assistant, or try another time of day"
                )
    return out


def _retry(calls: list, since: dt.date, due: dt.date, why: str, cadence: dict) -> tuple:
    """The next try after an unanswered call made on or after `since`, else (due, why).

    DOMAIN.md: "An unanswered call is tried again within a couple of business days, not at
    the next 4-to-5-week rhythm: those retries are the 'attempts' above."
    """
    if not calls or calls[-1].outcome not in UNANSWERED or _d(calls[-1].on_date) < since:
        return due, why
    tried = _d(calls[-1].on_date)
    retry = business_days(tried, cadence["retry_call_days"])
    return retry, f"{calls[-1].outcome} on {tried}: try again ({why})"


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
