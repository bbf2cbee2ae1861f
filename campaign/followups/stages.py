"""Where each employer stands, and what comes next (docs/domain.md, "Where each employer stands").

Every prospect is at one stage, the furthest its history has reached; one whose follow-up has
not ended has a next step (the follow-up due first, or its first letter when it is in a batch)
or an explicit "nothing planned" saying why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from campaign.followups.items import KINDS, STAGES, Due, weekday
from campaign.followups.story import Story
from campaign.letters.batch import intro_owed
from campaign.letters.channel import letter_channel
from campaign.util.text import plural

LETTERS = ("intro", "followup1", "followup2")  # what "written to" means: a letter asking
RANK = {kind: rank for rank, kind in enumerate(KINDS)}


@dataclass
class Why:
    """Why nothing is planned, and what the user might do (a hint key each face words)."""

    reason: str
    hint: str = ""
    values: dict = field(default_factory=dict)

    def said(self, hints: dict[str, str]) -> str:
        from campaign.errors import CampaignError, worded

        return worded(CampaignError(self.reason, hint=self.hint, **self.values), hints)


@dataclass
class Standing:
    """A prospect's stage, and its next step or why there is none."""

    stage: str
    reached: str  # the furthest stage on the way, whether or not the follow-up ended since
    next_step: Due | None = None
    nothing: Why | None = None

    def as_dict(self, hints: dict[str, str]) -> dict:
        step = self.next_step
        return {
            "stage": self.stage,
            "next_step": None
            if step is None
            else {"kind": step.kind, "due": step.due.isoformat(), "reason": step.said(hints)},
            "nothing_planned": None if self.nothing is None else self.nothing.said(hints),
        }


# The touches that move an employer along: (kind, call outcome or "") -> the stage reached.
STEP = {
    ("reply", ""): "answered",
    ("call", "meeting-set"): "meeting",
    ("interview", ""): "interviewed",
    ("offer", ""): "offer",
}
ORDER = {stage: n for n, stage in enumerate(STAGES)}


def _steps(s: Story) -> list[str]:
    """The stages its touches reached, oldest first."""
    return [step for t in s.touches if (step := STEP.get((t.kind, t.outcome)))]


def reached(s: Story, steps: list[str] | None = None) -> str:
    """The furthest stage on the way: written to, answered, meeting agreed, interviewed, offer."""
    went = "written" if _letter_went(s) else "not-written"
    stages = [went, *(_steps(s) if steps is None else steps)]
    return max(stages, key=ORDER.__getitem__)


def stage(s: Story, steps: list[str] | None = None) -> str:
    """Ended (hired, closed, rejected), paused (no working way to reach them, nothing answered
    yet), or the furthest reached; a meeting agreed after an interview is the stage again."""
    if s.ended:
        return s.p.status
    steps = _steps(s) if steps is None else steps
    furthest = reached(s, steps)
    if steps and steps[-1] == "meeting" and furthest == "interviewed":
        return "meeting"
    reachable = s.can_email(s.p.email) or s.postal or bool(s.p.phone)
    if furthest in ("not-written", "written") and not reachable:
        return "paused"
    return furthest


def standing(s: Story, items: list[Due]) -> Standing:
    """The stage, and the follow-up due first (stale thank-yous aside), else the first letter,
    else why nothing is planned."""
    steps = _steps(s)
    now = Standing(stage(s, steps), reached(s, steps))
    due = [i for i in items if not i.stale]
    owed = not s.ended and _owed_first_letter(s)
    if due:
        now.next_step = min(due, key=lambda i: (i.due, RANK.get(i.kind, 0)))
    elif owed and s.batch_on is not None and not _letter_went(s):
        why = f"in the batch picked on {s.batch_on}"
        now.next_step = Due(s.p.id, s.p.company, s.name, "first-letter",
                            letter_channel(s.p.email), weekday(s.batch_on), why,
                            hint="first-letter")  # fmt: skip
    elif owed and s.batch_on is not None:
        # It went to an address since corrected: the batch sends it again, to the new one.
        why = f"the first letter goes again, to {s.p.email or 'the post'}, with the batch"
        now.nothing = Why(why, hint="first-letter")
    else:
        now.nothing = NOTHING.get(now.stage, _nothing_due)(s)
    return now


def _letter_went(s: Story) -> bool:
    """A letter went (or bounced): written to, whatever the address is now."""
    return any(x.kind in LETTERS and (x.status == "sent" or x.bounced_on) for x in s.sends)


def _owed_first_letter(s: Story) -> bool:
    """Still owed its first letter (letters.batch.intro_owed: never sent, or sent to an
    address since corrected)."""
    intro = next((x for x in s.sends if x.dedupe == f"intro:{s.p.id}"), None)
    row = {
        "send_status": intro.status if intro else None,
        "sent_to": intro.recipient if intro else "",
        "email": s.p.email,
        "bounced_on": intro.bounced_on if intro else None,
        "email_bad": bool(s.p.email) and not s.can_email(s.p.email),
    }
    return intro_owed(row)


def _last(s: Story, *kinds: str) -> str:
    days = [t.on_date for t in s.touches if t.kind in kinds]
    return days[-1] if days else ""


def _ended(s: Story) -> Why:
    return Why(f"the follow-up ended: {s.p.status} on {_last(s, s.p.status) or '-'}")


def _paused(s: Story) -> Why:
    return Why(
        f"no way to reach them: {s.p.email or 'no email'} does not take email, and there is "
        "no postal address or phone",
        hint="new-address",
        values={"id": s.p.id},
    )


def _not_written(s: Story) -> Why:
    if s.batch_on is None:
        return Why("not in a batch yet", hint="pick-batch")
    refused = [x for x in s.sends if x.kind == "intro" and x.status == "failed"]
    if refused:
        what = f"the first letter to {refused[-1].recipient} was refused on "
        return Why(what + refused[-1].attempted_on, hint="new-address", values={"id": s.p.id})
    return Why(f"the first letter has not gone; in the batch picked on {s.batch_on}")


def _written(s: Story) -> Why:
    went = [x.sent_on for x in s.sends if x.kind in LETTERS and x.sent_on]
    since = max(went, default="-")
    letters = sum(x.kind in LETTERS[1:] and x.sent_on is not None for x in s.sends)
    return Why(
        f"{plural(letters, 'follow-up letter')} and no answer since {since}",
        hint="call-or-close",
        values={"id": s.p.id},
    )


def _answered(s: Story) -> Why:
    answered = _last(s, "answered")
    reply = _last(s, "reply")
    if answered:
        said = f"their reply of {reply} was answered on {answered}"
        return Why(said, hint="log-what-follows", values={"id": s.p.id})
    return Why(f"they replied on {reply or '-'}", hint="log-what-follows", values={"id": s.p.id})


def _meeting(s: Story) -> Why:
    agreed = [t.on_date for t in s.calls if t.outcome == "meeting-set"]
    return Why(f"meeting agreed on {agreed[-1]}", hint="log-interview", values={"id": s.p.id})


def _interviewed(s: Story) -> Why:
    said = f"interviewed on {_last(s, 'interview')}"
    return Why(said, hint="log-what-follows", values={"id": s.p.id})


def _offer(s: Story) -> Why:
    return Why(f"an offer on {_last(s, 'offer')}", hint="offer-decide", values={"id": s.p.id})


def _nothing_due(s: Story) -> Why:
    return Why("no follow-up is due", hint="log-what-follows", values={"id": s.p.id})


NOTHING: dict[str, Callable[[Story], Why]] = {
    "hired": _ended,
    "closed": _ended,
    "rejected": _ended,
    "paused": _paused,
    "not-written": _not_written,
    "written": _written,
    "answered": _answered,
    "meeting": _meeting,
    "interviewed": _interviewed,
    "offer": _offer,
}
