"""Random campaigns against the follow-up rules, black-box through the CLI.

A hypothesis state machine runs a small campaign (4 to 6 prospects) day by day: it picks
batches, sends and posts letters (drafts in outbox/, or through a real aiosmtpd that refuses
some addresses or drops the connection mid-send), reads replies and bounces with `campaign
sync --from-folder`, logs every event a user logs, and imports the sheet again with a new
address. After every step it checks `campaign due`, `status` and `prospects` against an
oracle written from the domain notes, not from the code: a small model of each prospect's
history, and the rules below, each citing the line it comes from:

  DOMAIN  docs/domain.md (the career coaches' practices the tool encodes)
  README  README.md, "Following up" (its cadence table) and "Connect your mail"
  NEW     what the domain notes ask of the tool's answers (answer-reply, meeting-to-log,
          refused, `log P offer` / `answered`, stages and next steps in `prospects --json`)

FOLLOWUP_ORACLE_SKIP=answer-reply,stage,... turns named invariants off, to see what else
fails while one is known to; FOLLOWUP_ORACLE_EXAMPLES sets how many campaigns are tried.
"""

from __future__ import annotations

import csv
import datetime as dt
import email
import email.policy
import json
import os
import re
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from tests.helpers import SENDER, SmtpServer, kept_follow_ups_problems, use_smtp
from tests.messages import dsn, reply

# isort: split
# --- adapter: this file's only imports of campaign's own modules (their paths are moving) ---
from campaign.cli.main import cli
from campaign.workspace.skeleton import adopt_example_letters

# ---------------------------------------------------------------------------------------------

SKIP = set(filter(None, os.environ.get("FOLLOWUP_ORACLE_SKIP", "").split(",")))
EXAMPLES = int(os.environ.get("FOLLOWUP_ORACLE_EXAMPLES", "100"))

RETRY_CALL_DAYS = 2  # campaign.toml [cadence] retry_call_days, the default
THANK_YOU_LATE_DAYS = 7  # thank_you_late_days
UNANSWERED = ("no-answer", "left-message")
OUTCOMES = (*UNANSWERED, "spoke", "assistant", "meeting-set")
ENDS = ("rejected", "closed", "hired")
SENT = ("sent", "draft in outbox/", "bounced")  # a letter that went (a bounce came back later)
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
CALL_RETRY_KINDS_NOT = ("bounced", "refused", "answer-reply", "meeting-to-log", "check-reply")

EMPLOYERS = [  # company, first name, last name, title, email domain
    ("Acme Tools", "Maria", "Lopez", "VP Operations", "acme.example"),
    ("Birch Labs", "Ken", "Ito", "CTO", "birch.example"),
    ("Cedar Co", "Lia", "Park", "CFO", "cedar.example"),
    ("Dune Foods", "Raj", "Rao", "COO", "dune.example"),
    ("Elm Works", "Sue", "Kim", "CEO", "elm.example"),
    ("Fir Partners", "Tom", "Ward", "Partner", "fir.example"),
]
MET = ["Ann Lee", "Bo Chan", "Cy Moss", "Di Fox", "Ed Gray", "Flo Hart", "Gus Ives", "Hal Jay"]


# --- dates -----------------------------------------------------------------------------------


def weekday(day: dt.date) -> dt.date:
    """README: "A due date on a weekend moves to Monday"."""
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def business_days_after(day: dt.date, count: int) -> dt.date:
    while count:
        day += dt.timedelta(days=1)
        count -= day.weekday() < 5
    return day


def plus(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# --- the CLI, in-process ---------------------------------------------------------------------


class Cli:
    """`campaign --workspace ROOT --today TODAY ...` through click's CliRunner."""

    def __init__(self, root: Path, today: dt.date):
        self.root, self.today = root, today

    def __call__(self, *args):
        prefix = ["--workspace", str(self.root), "--today", self.today.isoformat()]
        return CliRunner().invoke(cli, [*prefix, *map(str, args)], catch_exceptions=False)

    def json(self, *args, ok=(0,)):
        result = self(*args, "--json")
        assert result.exit_code in ok, (args, result.exit_code, result.stderr)
        return json.loads(result.stdout)


def make_workspace(root: Path) -> None:
    """As conftest.py's `workspace` fixture: `campaign init` with a full sender, letters adopted."""
    result = CliRunner().invoke(cli, ["init", str(root), *SENDER], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    adopt_example_letters(root)


def message_on(raw: bytes, day: dt.date) -> bytes:
    """`raw` dated at noon on `day` (the simulated clock, not the machine's)."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    del msg["Date"]
    msg["Date"] = format_datetime(dt.datetime.combine(day, dt.time(12), dt.UTC))
    return msg.as_bytes(policy=msg.policy.clone(linesep="\r\n"))


# --- the model: what happened to each prospect, as the user knows it ---------------------------


@dataclass
class Person:
    name: str
    title: str
    email: str = ""

    def as_with(self) -> str:
        return ", ".join(filter(None, (self.name, self.title, self.email)))


@dataclass
class Thanks:
    """One thank-you owed: DOMAIN "a thank-you note to every person met"."""

    person: Person
    met_on: dt.date
    is_prospect: bool
    done: bool = False


@dataclass
class Event:
    on: dt.date
    what: str  # a `campaign log` event, or "reply" read by sync
    outcome: str = ""  # a call's
    item: str = ""  # skip: the follow-up dismissed, and its channel
    channel: str = ""


@dataclass
class Trouble:
    """An address the server refused at send time, or that bounced."""

    kind: str  # "refused" | "bounced"
    on: dt.date
    address: str


@dataclass
class Letter:
    on: dt.date
    kind: str  # intro, followup1, followup2, receipt, thankyou, article
    channel: str
    status: str


@dataclass
class Mail:
    on: dt.date
    to: str
    message_id: str
    is_thanks: bool


@dataclass
class Prospect:
    id: int
    company: str
    first: str
    last: str
    title: str
    domain: str
    email: str
    postal: bool
    phone: bool
    events: list[Event] = field(default_factory=list)
    letters: list[Letter] = field(default_factory=list)  # as `campaign show --json` lists them
    thanks: list[Thanks] = field(default_factory=list)
    troubles: list[Trouble] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # every email it had, in order

    @property
    def name(self) -> str:
        return f"{self.first} {self.last}"

    def row(self) -> dict:
        number = self.id
        return {
            "Company": self.company,
            "First Name": self.first,
            "Last Name": self.last,
            "Title": self.title,
            "Email": self.email,
            "Address": f"{number} Main St" if self.postal else "",
            "City": "Boston" if self.postal else "",
            "State": "MA" if self.postal else "",
            "ZIP": "02134" if self.postal else "",
            "Phone": f"617-555-01{number:02d}" if self.phone else "",
        }

    def logged(self, *whats: str) -> list[Event]:
        return [e for e in self.events if e.what in whats]

    @property
    def ended(self) -> str:
        """DOMAIN: "A rejection or a closed position ends the follow-up"; `log P active` reopens."""
        state = ""
        for e in self.events:
            if e.what in ENDS:
                state = e.what
            elif e.what == "active":
                state = ""
        return state

    def sent(self, *kinds: str) -> list[Letter]:
        return [x for x in self.letters if x.status in SENT and (not kinds or x.kind in kinds)]

    @property
    def first_letter(self) -> dt.date | None:
        return min((x.on for x in self.sent("intro")), default=None)

    def bad(self, bad_addresses: set[str]) -> bool:
        return bool(self.email) and self.email in bad_addresses

    def unanswered_call(self) -> tuple[Event, bool] | None:
        """The last call if nobody answered it and nothing since dealt with it, and whether it
        ends three unanswered calls in a row with nothing else from the prospect between."""
        pending, run = None, 0
        for e in self.events:
            if e.what == "call" and e.outcome in UNANSWERED:
                pending, run = e, run + 1
            elif e.what in ("call", "interview", "reply", "received", "offer", *ENDS):
                pending, run = None, 0  # answered, they met, or they got in touch
            elif e.what == "skip" and (e.channel == "call" or e.item == "change-approach"):
                pending, run = None, 0  # dismissed
        return (pending, run >= 3) if pending else None

    def answered_calls_after_interview(self, last: bool) -> list[Event]:
        """The calls that reached someone, logged after the first (or last) interview."""
        met = [n for n, e in enumerate(self.events) if e.what == "interview"]
        if not met:
            return []
        after = self.events[(met[-1] if last else met[0]) + 1 :]
        return [e for e in after if e.what == "call" and e.outcome not in UNANSWERED]

    def unanswered_replies(self) -> list[dt.date]:
        """NEW: a reply is answered once the user logs what followed."""
        pending: list[dt.date] = []
        for e in self.events:
            if e.what == "reply":
                pending.append(e.on)
            elif (
                e.what in ("answered", "interview", "offer", *ENDS)
                or (e.what == "call" and e.outcome in ("spoke", "meeting-set"))
                or (e.what == "skip" and e.item == "answer-reply")
            ):
                pending = []
        return pending

    def meetings_to_log(self) -> list[dt.date]:
        """NEW: a meeting agreed by phone waits for an interview logged on or after it."""
        pending: list[dt.date] = []
        for e in self.events:
            if e.what == "call" and e.outcome == "meeting-set":
                pending.append(e.on)
            elif e.what == "interview" or (e.what == "skip" and e.item == "meeting-to-log"):
                pending = []
        return pending

    def open_troubles(self) -> list[Trouble]:
        """README: a bounce lists `bounced` until a new address is imported, or you call / write
        (an unanswered call has not dealt with it); NEW: a refusal lists `refused` until a
        corrected email is imported, or the user calls / writes / logs something."""
        still = []
        for trouble in self.troubles:
            if self.email != trouble.address:
                continue
            later = [e for e in self.events if e.on >= trouble.on and e.what != "reply"]
            if trouble.kind == "bounced":
                later = [e for e in later if not (e.what == "call" and e.outcome in UNANSWERED)]
            if later or [x for x in self.sent() if x.channel == "post" and x.on >= trouble.on]:
                continue
            still.append(trouble)
        return still

    def reachable(self, bad_addresses: set[str]) -> bool:
        return (bool(self.email) and not self.bad(bad_addresses)) or self.postal or self.phone

    def stages(self, bad_addresses: set[str]) -> set[str]:
        """DOMAIN: "Every employer on the list is always somewhere: not written to yet, written
        to (waiting), answered, meeting agreed, interviewed, offer, hired, or closed /
        rejected"; NEW: paused = a bad address and no other way to reach them."""
        if self.ended:
            return {self.ended}
        reached = ["not-written"]
        if self.sent("intro", "followup1", "followup2"):
            reached.append("written")
        for e in self.events:
            if e.what == "reply":
                reached.append("answered")
            elif e.what == "call" and e.outcome == "meeting-set":
                reached.append("meeting")
            elif e.what == "interview":
                reached.append("interviewed")
            elif e.what == "offer":
                reached.append("offer")
        furthest = max(reached, key=STAGES.index)
        stages = {furthest}
        if reached[-1] == "meeting":  # a second meeting agreed after an interview
            stages.add("meeting")
        answered_calls = [
            e for e in self.events if e.what == "call" and e.outcome not in UNANSWERED
        ]
        if furthest in ("not-written", "written") and answered_calls:
            stages.add("answered")  # they answered the phone: ambiguous, both are fine
        if any(x.status == "unknown" for x in self.letters) and furthest == "not-written":
            stages.add("written")  # a send left unknown may have gone
        if not self.reachable(bad_addresses):
            stages = {"paused"} if furthest in ("not-written", "written") else stages | {"paused"}
        return stages


# --- one look at the tool after a step -----------------------------------------------------


@dataclass
class Seen:
    today: dt.date
    due_now: list[dict]  # `due --json --days 0`: due today or overdue
    due_ahead: list[dict]  # `due --json --days 3650`
    status: dict
    prospects: list[dict]
    touched: set[int] | None  # prospects the step may have changed; None: any of them

    def items(self, pid: int, ahead: bool = False) -> list[dict]:
        return [i for i in (self.due_ahead if ahead else self.due_now) if i["prospect_id"] == pid]


def due_on(item: dict) -> dt.date:
    return dt.date.fromisoformat(item["due"])


def key(item: dict) -> tuple:
    """What makes a follow-up itself: a thank-you is one per person met at one interview."""
    if item["kind"] == "thank-you":
        return (item["prospect_id"], "thank-you", item["name"], item["due"], item["reason"])
    return (item["prospect_id"], item["kind"], item.get("send_id"))


def oracle(name: str):
    """Mark a check of the oracle, named so that FOLLOWUP_ORACLE_SKIP can turn it off."""

    def mark(method):
        method.oracle_name = name
        return method

    return mark


LETTER = re.compile(r"^(\w+) letter by (email|post)$")


class FollowUpMachine(RuleBasedStateMachine):
    smtp: SmtpServer  # set by the test: one aiosmtpd for every example

    def __init__(self):
        super().__init__()
        self.cli: Cli | None = None

    # --- setting up, and the helpers every rule uses ---------------------------------------

    @initialize(
        reach=st.lists(
            st.tuples(st.sampled_from(("email", "post", "both")), st.booleans()),
            min_size=4,
            max_size=6,
        ),
        week=st.integers(0, 11),
        day=st.integers(0, 4),
    )
    def start(self, reach, week, day):
        self.tmp = Path(tempfile.mkdtemp(prefix="followup-oracle-"))
        root = self.tmp / "ws"
        make_workspace(root)
        self.plain_toml = (root / "campaign.toml").read_text(encoding="utf-8")
        self.smtp.refuse, self.smtp.cut_at = set(), None
        use_smtp(root, self.smtp)
        self.smtp_toml = (root / "campaign.toml").read_text(encoding="utf-8")
        (root / "campaign.toml").write_text(self.plain_toml, encoding="utf-8")
        # DOMAIN/NEW: starting on a weekday in late 2026 (Monday 2026-09-28 + weeks + days).
        self.cli = Cli(root, plus(dt.date(2026, 9, 28), 7 * week + day))
        self.prospects = []
        for index, (how, phone) in enumerate(reach):
            company, first, last, title, domain = EMPLOYERS[index]
            address = f"{first.lower()}@{domain}" if how != "post" else ""
            p = Prospect(
                index + 1, company, first, last, title, domain, address, how != "email", phone
            )
            p.addresses = [address] if address else []
            self.prospects.append(p)
        self.bad_addresses: set[str] = set()
        self.refusing: set[str] = set()  # addresses the server answers 550, for good
        self.mails: list[Mail] = []
        self.outbox_seen: set[str] = set()
        self.smtp_seen = len(self.smtp)
        self.unknown: dict[int, dict] = {}  # send id -> `campaign unknown --json` row
        self.refused_events: list[str] = []  # NEW events the CLI did not take
        self.sent_to_bad: list[str] = []  # emails sent or tried to an address known bad
        self.met = 0
        self.seen: Seen | None = None  # this step's look at the tool, once asked
        self.latest: Seen | None = None
        self.before: Seen | None = None
        self.touched: set[int] | None = set()
        self.sends_moved = True
        self.import_sheet()

    def teardown(self):
        if self.cli is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.smtp.refuse, self.smtp.cut_at = set(), None

    def begin(self, days: int, touched: set[int] | None, sends: bool = False) -> None:
        """Every step: the clock moves 0-9 days, then the step touches some prospects (and
        their sends: the letters in `campaign show` are read again)."""
        self.cli.today = plus(self.cli.today, days)
        self.touched = touched
        self.sends_moved = self.sends_moved or sends
        self.seen = None

    @property
    def today(self) -> dt.date:
        return self.cli.today

    def pick(self, index: int, fits=lambda p: True) -> Prospect | None:
        chosen = [p for p in self.prospects if fits(p)]
        return chosen[index % len(chosen)] if chosen else None

    def by_email(self, address: str) -> Prospect | None:
        return next((p for p in self.prospects if p.email == address), None)

    def log(self, p: Prospect, event: str, *args: str) -> bool:
        """`campaign log P EVENT ... --again`; False when the CLI refuses a NEW event."""
        result = self.cli("log", p.id, event, *args, "--again")
        new = event in ("offer", "answered") or args[:2] == ("--item", "answer-reply")
        if new and result.exit_code != 0:
            self.refused_events.append(f"log {event} {' '.join(args)}: {result.stderr}")
            return False
        assert result.exit_code == 0, (event, args, result.stderr)
        return True

    def import_sheet(self) -> None:
        path = self.tmp / f"sheet-{self.today}-{len(self.mails)}.csv"
        with path.open("w", newline="", encoding="utf-8") as out:
            writer = csv.DictWriter(out, list(self.prospects[0].row()))
            writer.writeheader()
            writer.writerows(p.row() for p in self.prospects)
        result = self.cli("import", path)
        assert result.exit_code == 0, result.stderr

    def use_transport(self, smtp: bool, refuse: set[int], cut: int | None) -> None:
        toml = self.smtp_toml if smtp else self.plain_toml
        (self.cli.root / "campaign.toml").write_text(toml, encoding="utf-8")
        for index in refuse:
            p = self.prospects[index % len(self.prospects)]
            if p.email:
                self.refusing.add(p.email)
        self.smtp.refuse = set(self.refusing)
        self.smtp.cut_at = self.smtp.data_commands + cut if smtp and cut else None

    def after_sending(self, report: dict | None = None) -> None:
        """Learn what went: new drafts and messages, refusals, sends left unknown."""
        known_bad = set(self.bad_addresses)
        self.smtp.cut_at = None
        new = []
        for path in sorted((self.cli.root / "outbox").glob("*.eml")):
            if path.name not in self.outbox_seen:
                self.outbox_seen.add(path.name)
                msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                new.append((msg, "-thankyou-" in path.name))
        for received in self.smtp[self.smtp_seen :]:
            new.append((received.message, received.message["Subject"].startswith("Thank you")))
        self.smtp_seen = len(self.smtp)
        for msg, is_thanks in new:
            to = msg["To"].addresses[0]
            self.mails.append(Mail(self.today, to.addr_spec, msg["Message-ID"], is_thanks))
            if to.addr_spec in known_bad:
                self.sent_to_bad.append(
                    f"{msg['Subject']!r} went to {to.addr_spec} on {self.today}"
                )
            if is_thanks:
                self.thanked(to.display_name, to.addr_spec)
        for failure in (report or {}).get("failures", []):
            if failure["to"] in known_bad:
                self.sent_to_bad.append(f"{failure['to']} was tried again on {self.today}")
            p = self.by_email(failure["to"])
            if failure["reason"].startswith("550") and p is not None:
                self.bad_addresses.add(p.email)
                p.troubles.append(Trouble("refused", self.today, p.email))
        unknown = self.cli.json("unknown")["unknown"]
        for row in unknown:
            if row["send_id"] not in self.unknown and row["kind"] == "thankyou":
                self.thanked("", row["recipient"])  # `campaign due` asks to resolve it instead
        self.unknown = {row["send_id"]: row for row in unknown}

    def thanked(self, name: str, address: str) -> None:
        """A thank-you email went: it was for the oldest one owed (and not too late) there."""
        for p in self.prospects:
            for t in p.thanks:
                to = t.person.email or (p.email if t.is_prospect else "")
                if (
                    not t.done
                    and self.today <= plus(t.met_on, THANK_YOU_LATE_DAYS)
                    and to == address
                    and (not name or same_name(name, t.person.name))
                ):
                    t.done = True
                    return

    def posted_thanks(self, channels: tuple[str, ...]) -> None:
        for p in self.prospects:
            for t in p.thanks:
                if not t.done and t.met_on <= self.today and self.thanks_channel(p, t) in channels:
                    t.done = True

    def thanks_channel(self, p: Prospect, t: Thanks) -> str:
        """README: "by email when `--with` gives one (or when the person is the prospect, at the
        prospect's email), else by post to the company, else a note to write by hand"."""
        if t.person.email:
            return "email"
        if t.is_prospect and p.email and not p.bad(self.bad_addresses):
            return "email"
        return "post" if p.postal else "note"

    def look(self) -> Seen:
        """What the tool says now (asked once per step), and each prospect's letters."""
        if self.seen is None:
            for p in self.prospects if self.sends_moved else ():
                history = self.cli.json("show", p.id)["history"]
                p.letters = [
                    Letter(dt.date.fromisoformat(h["date"]), *m.groups(), h["status"])
                    for h in history
                    if (m := LETTER.match(h["what"]))
                ]
            self.sends_moved = False
            self.before = self.latest  # what the previous step saw
            self.seen = self.latest = Seen(
                self.today,
                self.cli.json("due", "--days", 0),
                self.cli.json("due", "--days", 3650),
                self.cli.json("status"),
                self.cli.json("prospects"),
                self.touched,
            )
        return self.seen

    # --- rules: what the user does, and what the tool records --------------------------------

    @rule(days=st.integers(0, 9), size=st.integers(1, 6))
    def pick_batch(self, days, size):
        self.begin(days, set())
        result = self.cli("batch", "--size", size, "--json")
        if result.exit_code == 2 and "already has a batch" in result.stderr:
            return
        assert result.exit_code == 0, result.stderr

    @rule(
        days=st.integers(0, 9),
        smtp=st.booleans(),
        refuse=st.sets(st.integers(0, 5), max_size=2),
        cut=st.none() | st.integers(1, 3),
        followups=st.booleans(),
    )
    def send(self, days, smtp, refuse, cut, followups):
        """`campaign send --yes` (this week's letters) or `send --followups --yes`."""
        self.begin(days, None, sends=True)
        self.use_transport(smtp, refuse, cut)
        args = ["--followups"] if followups else []
        result = self.cli("send", *args, "--yes", "--json")
        assert result.exit_code in (0, 1), result.stderr
        self.after_sending(json.loads(result.stdout))

    @rule(days=st.integers(0, 9), followups=st.booleans(), printed=st.booleans())
    def post(self, days, followups, printed):
        """`print --mark-mailed`, `print --followups --mark-mailed` or `mailed --followups`."""
        self.begin(days, None, sends=True)
        if followups and not printed:
            self.cli.json("mailed", "--followups")
            self.posted_thanks(("post", "note"))
            return
        args = ["--followups"] if followups else []
        result = self.cli("print", *args, "--mark-mailed", "--json")
        if result.exit_code == 2 and "no batch for" in result.stderr:
            return
        assert result.exit_code == 0, result.stderr
        if followups:
            self.posted_thanks(("post",))

    @precondition(lambda self: self.cli is not None and self.unknown)
    @rule(days=st.integers(0, 9), which=st.integers(0, 5), went=st.booleans())
    def resolve_unknown(self, days, which, went):
        send_id = sorted(self.unknown)[which % len(self.unknown)]
        self.begin(days, {self.unknown[send_id]["prospect_id"]}, sends=True)
        self.cli.json("unknown", "--sent" if went else "--unsent", send_id)
        del self.unknown[send_id]

    @rule(days=st.integers(0, 9), who=st.integers(0, 5), bounce=st.booleans())
    def mailbox(self, days, who, bounce):
        """`campaign sync --from-folder`: a reply from the prospect, or a DSN about our letter."""
        self.begin(days, set())
        p = self.pick(
            who,
            lambda p: (
                not p.ended
                and p.email
                and not p.bad(self.bad_addresses)
                and any(m.to == p.email or not bounce for m in self.mails_to(p))
            ),
        )
        if p is None:
            return
        self.touched, self.sends_moved = {p.id}, True
        last = self.mails_to(p)[-1]
        if bounce:
            last = [m for m in self.mails_to(p) if m.to == p.email][-1]
            raw = message_on(dsn(p.email, original_id=last.message_id), self.today)
        else:
            raw = reply(
                f"{p.name} <{p.email}>",
                "Re: your letter",
                "Thank you for your letter. Could you call me on Thursday morning?",
                in_reply_to=last.message_id,
                when=dt.datetime.combine(self.today, dt.time(12), dt.UTC),
            )
        folder = self.tmp / f"inbox-{len(list(self.tmp.glob('inbox-*')))}"
        folder.mkdir()
        (folder / "1.eml").write_bytes(raw)
        report = self.cli.json("sync", "--from-folder", folder)
        kinds = [(i["prospect_id"], i["kind"]) for i in report["items"]]
        # README: "A reply ... is logged like `campaign log P reply`"; "A bounce marks the send
        # bounced and the address bad".
        assert kinds == [(p.id, "bounce" if bounce else "reply")], report
        if bounce:
            self.bad_addresses.add(p.email)
            p.troubles.append(Trouble("bounced", self.today, p.email))
        else:
            p.events.append(Event(self.today, "reply"))

    def mails_to(self, p: Prospect) -> list[Mail]:
        return [m for m in self.mails if m.to in p.addresses and not m.is_thanks]

    @rule(days=st.integers(0, 9), who=st.integers(0, 5), outcome=st.sampled_from(OUTCOMES))
    def call(self, days, who, outcome):
        """`log P call --outcome ...`: whatever prompted the call (a due item or not)."""
        self.begin(days, set())
        p = self.pick(who, lambda p: p.phone and not p.ended)
        if p is None:
            return
        self.touched = {p.id}
        self.log(p, "call", "--outcome", outcome)
        p.events.append(Event(self.today, "call", outcome=outcome))

    @rule(
        days=st.integers(0, 9),
        who=st.integers(0, 5),
        event=st.sampled_from(
            (
                "reply",
                "received",
                "rejected",
                "closed",
                "hired",
                "note",
                "contact",
                "insider",
                "active",
                "answered",
                "offer",
            )
        ),
    )
    def log_event(self, days, who, event):
        self.begin(days, set())
        p = self.pick(who, lambda p: event in ("active", "note") or not p.ended)
        if p is None:
            return
        self.touched = {p.id}
        note = ["--note", f"{event} on {self.today}"] if event == "note" else []
        if self.log(p, event, *note):
            p.events.append(Event(self.today, event))

    @rule(
        days=st.integers(0, 9),
        who=st.integers(0, 5),
        people=st.lists(st.sampled_from(("with-email", "no-email", "the-prospect")), max_size=3),
    )
    def interview(self, days, who, people):
        """`log P interview [--with "Name, Title, email; ..."]`: one or several people met."""
        self.begin(days, set())
        p = self.pick(who, lambda p: not p.ended)
        if p is None:
            return
        self.touched = {p.id}
        met = [Person(p.name, p.title)] if "the-prospect" in people else []
        for kind in people:
            if kind == "the-prospect":
                continue
            self.met += 1
            name = MET[self.met % len(MET)] + ("" if self.met < len(MET) else f"-{self.met}")
            address = f"{name.split()[0].lower()}.{self.met}@{p.domain}"
            met.append(Person(name, "HR Lead", address if kind == "with-email" else ""))
        args = ["--with", "; ".join(m.as_with() for m in met)] if met else []
        self.log(p, "interview", *args)
        p.events.append(Event(self.today, "interview"))
        for person in met or [Person(p.name, p.title)]:
            p.thanks.append(Thanks(person, self.today, same_name(person.name, p.name)))

    @rule(days=st.integers(0, 9), who=st.integers(0, 5), which=st.integers(0, 9))
    def skip(self, days, who, which):
        """`log P skip --item KIND`, for one of the follow-ups `due` lists for P today."""
        self.begin(days, set())
        p = self.pick(who)
        due = [i for i in self.cli.json("due") if i["prospect_id"] == p.id]
        due = [i for i in due if i["kind"] != "unknown-send"]
        if not due:
            return
        self.touched = {p.id}
        item = due[which % len(due)]
        if self.log(p, "skip", "--item", item["kind"]):
            p.events.append(Event(self.today, "skip", item=item["kind"], channel=item["channel"]))
            if item["kind"] == "thank-you":
                for t in p.thanks:
                    t.done = t.done or t.met_on <= self.today

    @rule(days=st.integers(0, 9), who=st.integers(0, 5))
    def new_address(self, days, who):
        """The sheet imported again with a corrected email for one prospect."""
        self.begin(days, set())
        p = self.pick(who)
        self.touched, self.sends_moved = {p.id}, True
        p.email = f"{p.first.lower()}.{len(p.addresses) + 1}@{p.domain}"
        p.addresses.append(p.email)
        self.import_sheet()

    # --- invariants: every check below, after every step ---------------------------------------

    @invariant()
    def oracle_holds(self):
        if self.cli is None:
            return
        seen = self.look()
        for name in dir(type(self)):
            check = getattr(self, name)
            if getattr(check, "oracle_name", None) not in (None, *SKIP):
                check(seen)

    @oracle("weekend")
    def no_due_date_on_a_weekend(self, seen):
        # README: "A due date on a weekend moves to Monday."
        for item in seen.due_ahead:
            assert due_on(item).weekday() < 5, f"due on a {due_on(item):%A}: {item}"

    @oracle("horizon")
    def due_lists_agree(self, seen):
        # README: `campaign due` lists what is due today, "or `--days N` ahead".
        today = [key(i) for i in seen.due_ahead if due_on(i) <= seen.today]
        assert sorted(map(str, today)) == sorted(str(key(i)) for i in seen.due_now)
        for item in seen.due_now:
            assert item["days_overdue"] == (seen.today - due_on(item)).days, item

    @oracle("twice")
    def nothing_listed_twice(self, seen):
        # DOMAIN: a follow-up is "a touch that the cadence above says is due": each once.
        keys = [key(i) for i in seen.due_ahead]
        twice = {k for k in keys if keys.count(k) > 1}
        assert not twice, f"listed twice: {sorted(map(str, twice))}"

    @oracle("kept")
    def kept_items_equal_a_full_recomputation(self, seen):
        # Computed incrementally (campaign/followups/store.py): what the ledger keeps for each
        # prospect is what computing it from its whole history gives, after every step.
        assert kept_follow_ups_problems(self.cli.root, seen.today) == []

    @oracle("status")
    def status_counts_agree_with_due(self, seen):
        # README: `campaign status` "the dashboard": due today and overdue, as `due` lists them.
        overdue = [i for i in seen.due_now if i["days_overdue"] > 0]
        assert seen.status["overdue"] == len(overdue), (seen.status, seen.due_now)
        assert seen.status["due_today"] == len(seen.due_now) - len(overdue), seen.status

    @oracle("not-before")
    def nothing_due_before_its_time(self, seen):
        # DOMAIN / README: each row's "when" (cited row by row in `earliest`); an item that no
        # event in the history asks for is due before its time too.
        for p in self.prospects:
            for item in seen.items(p.id, ahead=True):
                earliest = self.earliest(p, item)
                assert earliest != dt.date.max, f"#{p.id}: nothing asked for {item}"
                if earliest is not None:
                    assert due_on(item) >= earliest, (
                        f"#{p.id} {item['kind']} due {item['due']}, before {earliest}: {item}"
                    )

    def earliest(self, p: Prospect, item: dict) -> dt.date | None:
        """The first day `item` may fall due; dt.date.max when nothing in the history asks for it.

        README: an unanswered call is tried again 2 business days later, whatever the call was
        for, so a call due sooner than its row says is fine when it retries such a call."""
        kind = item["kind"]
        last_call = next((e for e in reversed(p.events) if e.what == "call"), None)
        if (
            item["channel"] == "call"
            and last_call is not None
            and last_call.outcome in UNANSWERED
            and kind not in CALL_RETRY_KINDS_NOT
        ):
            return plus(last_call.on, 1)
        rule = getattr(self, "earliest_" + kind.replace("-", "_"), None)
        return rule(p, item) if rule is not None else None

    # One rule a kind of item, each from its line of the domain notes.

    def earliest_receipt_check(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: receipt check "3 days later"
        letters = [x.on for x in p.sent("intro", "followup1", "followup2")]
        return plus(min(letters), 3) if letters else dt.date.max

    def earliest_followup_letter_1(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: "2 weeks later, and again 4 weeks later"
        return plus(p.first_letter, 14) if p.first_letter else dt.date.max

    def earliest_followup_letter_2(self, p: Prospect, item: dict) -> dt.date:
        return plus(p.first_letter, 28) if p.first_letter else dt.date.max

    def earliest_thank_you(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: a thank-you note to every person met, "the same day"
        met = [t.met_on for t in p.thanks if same_name(t.person.name, item["name"])]
        return min(met, default=dt.date.max)

    def earliest_follow_up_call(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: "3 weeks later, then every 4 to 5 weeks"
        interviews = [e.on for e in p.logged("interview")]
        if not interviews:
            return dt.date.max
        reached = [e.on for e in p.answered_calls_after_interview(last=True)]
        return max([plus(interviews[-1], 21)] + [plus(d, 28) for d in reached[-1:]])

    def earliest_article_note(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: "two follow-up calls with no opening"
        reached = [e.on for e in p.answered_calls_after_interview(last=False)]
        return reached[1] if len(reached) >= 2 else dt.date.max

    def earliest_networking_call(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: a progress call "every 6 weeks"
        return self.marked_floor(p, "contact", 42)

    def earliest_insider_check_in(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: an insider check-in "every 4 to 6 days"
        return self.marked_floor(p, "insider", 4)

    def marked_floor(self, p: Prospect, role: str, days: int) -> dt.date:
        """From the marking, or from a touch before it (a call, anything logged, a letter)."""
        marks = [i for i, e in enumerate(p.events) if e.what == role]
        if not marks:
            return dt.date.max
        letters = [x.on for x in p.sent("intro", "followup1", "followup2")]
        mark = p.events[marks[-1]].on
        calls = [e.on for e in p.events[: marks[-1]] if e.what == "call"]
        touches = [e.on for e in p.events[: marks[-1]]] + [d for d in letters if d <= mark]
        return plus(min([mark, *calls[-1:], *sorted(touches)[-1:]]), days)

    def earliest_change_approach(self, p: Prospect, item: dict) -> dt.date:
        # README: "after three unanswered calls in a row"
        run = 0
        for e in p.events:
            if e.what == "call":
                run = run + 1 if e.outcome in UNANSWERED else 0
                if run == 3:
                    return plus(e.on, 1)
        return dt.date.max

    def earliest_meeting_to_log(self, p: Prospect, item: dict) -> dt.date:
        # README: "a reminder a week on to log it"
        meetings = [e.on for e in p.events if e.what == "call" and e.outcome == "meeting-set"]
        return plus(min(meetings), 7) if meetings else dt.date.max

    def earliest_answer_reply(self, p: Prospect, item: dict) -> dt.date:
        # DOMAIN: a reply "is answered the same day"
        return min((e.on for e in p.logged("reply")), default=dt.date.max)

    def earliest_bounced(self, p: Prospect, item: dict) -> dt.date:
        return min((t.on for t in p.troubles if t.kind == "bounced"), default=dt.date.max)

    def earliest_refused(self, p: Prospect, item: dict) -> dt.date:
        return min((t.on for t in p.troubles if t.kind == "refused"), default=dt.date.max)

    @oracle("after-stop")
    def nothing_after_a_stop(self, seen):
        # DOMAIN: "A rejection or a closed position ends the follow-up for that employer";
        # follow-up calls stop when "hired elsewhere". A thank-you "the same day" has no stop
        # ("-"), and a send left unknown is the ledger's to resolve: both may stay.
        for p in self.prospects:
            if p.ended:
                left = [i for i in seen.items(p.id, ahead=True)]
                left = [i for i in left if i["kind"] not in ("thank-you", "unknown-send")]
                assert not left, f"#{p.id} is {p.ended}, yet: {left}"

    @oracle("letters-stop")
    def letters_stop_at_an_answer(self, seen):
        # README: follow-up letters "until a reply, a meeting agreed, rejection, closed position
        # or hire"; DOMAIN: "stop when a rejection, the position closed, or a reply".
        for p in self.prospects:
            stops = [
                i
                for i, e in enumerate(p.events)
                if e.what in ("reply", "interview", "offer", *ENDS)
                or (e.what == "call" and e.outcome == "meeting-set")
            ]
            if not stops or p.logged("active"):
                continue
            letters = [i for i in seen.items(p.id, ahead=True) if i["kind"].startswith("followup-")]
            assert not letters, f"#{p.id} {p.events[stops[0]].what}, yet: {letters}"

    @oracle("receipt-stop")
    def receipt_checks_stop_once_confirmed(self, seen):
        # DOMAIN: a receipt check "did it arrive?", stop when "they confirm".
        for p in self.prospects:
            if not p.sent() or p.unanswered_call():
                continue
            latest = max(x.on for x in p.sent())
            confirmed = [
                e
                for e in p.events
                if e.on >= latest
                and (
                    e.what in ("received", "reply", "interview")
                    or (e.what == "call" and e.outcome not in UNANSWERED)
                )
            ]
            checks = [i for i in seen.items(p.id, ahead=True) if i["kind"] == "receipt-check"]
            assert not (confirmed and checks), f"#{p.id} confirmed, yet: {checks}"

    @oracle("bad-address")
    def no_email_to_a_bad_address(self, seen):
        # README: a bounce "marks the address bad: email follow-ups to it stop"; DOMAIN: a
        # refused letter "is the same news as a bounce" (until a corrected address is imported).
        for p in self.prospects:
            for item in seen.items(p.id, ahead=True):
                if item["channel"] != "email":
                    continue
                to = (item.get("person") or {}).get("email") or p.email
                assert to not in self.bad_addresses, f"#{p.id} email to bad {to}: {item}"
        assert not self.sent_to_bad, self.sent_to_bad[0]

    @oracle("call-retry")
    def every_unanswered_call_is_tried_again(self, seen):
        # DOMAIN: "An unanswered call is tried again within a couple of business days";
        # README: "an unanswered call (any of these calls) | the same call again 2 business days
        # later | answered, or 3 tries: change approach".
        for p in self.prospects:
            pending = p.unanswered_call()
            if p.ended or pending is None:
                continue
            call, three = pending
            by = business_days_after(call.on, RETRY_CALL_DAYS)
            retries = [
                i
                for i in seen.items(p.id, ahead=True)
                if i["channel"] == "call"
                and i["kind"] not in CALL_RETRY_KINDS_NOT
                and due_on(i) <= by
                and (i["kind"] == "change-approach" or not three)
            ]
            what = "change-approach" if three else "a call"
            assert retries, f"#{p.id} {call.outcome} on {call.on}: no {what} by {by}"

    @oracle("thank-you")
    def every_person_met_is_thanked(self, seen):
        # DOMAIN: "a thank-you note to every person met (a panel means one note each)", "the
        # same day"; README: "until sent, or 7 days late"; "by email ..., else by post ...,
        # else a note to write by hand".
        for p in self.prospects:
            if p.ended:
                continue  # allowed, not required: see nothing_after_a_stop
            listed = [i for i in seen.items(p.id, ahead=True) if i["kind"] == "thank-you"]
            owed = [
                t
                for t in p.thanks
                if not t.done and seen.today <= plus(t.met_on, THANK_YOU_LATE_DAYS)
            ]
            for t in owed:
                want = (t.person.name, weekday(t.met_on).isoformat(), self.thanks_channel(p, t))
                found = [(i["name"], i["due"], i["channel"]) for i in listed]
                assert want in found, f"#{p.id} met {t.person} on {t.met_on}: {want} not in {found}"

    @oracle("thank-you-late")
    def a_late_thank_you_leaves_the_list(self, seen):
        # DOMAIN: "a week after the interview it has lost its point, so it leaves the list".
        for p in self.prospects:
            for item in seen.items(p.id, ahead=True):
                if item["kind"] == "thank-you":
                    met = [t.met_on for t in p.thanks if same_name(t.person.name, item["name"])]
                    latest = max(met, default=dt.date.min)
                    assert seen.today <= plus(latest, THANK_YOU_LATE_DAYS), (seen.today, item)

    @oracle("overdue-stays")
    def an_overdue_item_stays_until_done(self, seen):
        # README: "`campaign due` lists what ... is due"; only a thank-you "leaves the list".
        # A step that touched no prospect (or other prospects) cannot have done it.
        before = self.before
        if before is None or seen.touched is None:
            return
        now = {key(i) for i in seen.due_now}
        for item in before.due_now:
            pid = item["prospect_id"]
            if pid in seen.touched or item["kind"] == "thank-you" or key(item) in now:
                continue
            if item["kind"] == "receipt-check" and any(
                i["kind"].startswith("followup-letter") for i in seen.items(pid)
            ):
                continue  # the follow-up letter asks again (tests/test_followup.py relies on it)
            raise AssertionError(f"{item} left the list on {seen.today}, nothing done")

    @oracle("letter-1-due")
    def the_first_follow_up_letter_comes(self, seen):
        # DOMAIN: "a follow-up letter ... 2 weeks later" (of "a letter or resume is sent").
        for p in self.prospects:
            if (
                p.first_letter is None
                or seen.today < weekday(plus(p.first_letter, 14))
                or p.sent("followup1")
                or p.events
                or p.troubles
                or len(p.addresses) > 1
                or any(x.status in ("unknown", "failed") for x in p.letters)
            ):
                continue
            kinds = [i["kind"] for i in seen.items(p.id)]
            assert "followup-letter-1" in kinds, f"#{p.id} first letter {p.first_letter}: {kinds}"

    @oracle("unknown-send")
    def a_send_left_unknown_is_listed(self, seen):
        # README: "a send left unknown by a stopped run | resolve it | resolved".
        listed = {i.get("send_id") for i in seen.due_ahead if i["kind"] == "unknown-send"}
        assert set(self.unknown) <= listed, (sorted(self.unknown), listed)

    @oracle("bounced")
    def a_bounce_is_listed_until_dealt_with(self, seen):
        # README: "`campaign due` lists a `bounced` item (find a new address and import it
        # again, or call / write)".
        for p in self.prospects:
            for trouble in p.open_troubles():
                if trouble.kind == "bounced" and not p.ended:
                    kinds = [i["kind"] for i in seen.items(p.id, ahead=True)]
                    assert "bounced" in kinds, f"#{p.id} {trouble}: {kinds}"

    # --- invariants of the NEW contract ------------------------------------------------------

    @oracle("new-events")
    def offer_and_answered_are_events(self, seen):
        # NEW: `log P offer`, `log P answered`, `log P skip --item answer-reply` exist.
        assert not self.refused_events, self.refused_events[0]

    @oracle("refused")
    def a_refused_address_is_listed(self, seen):
        # DOMAIN: "A letter the mail server refuses ... is the same news as a bounce, only
        # sooner: find the right address, or call or write by post."
        for p in self.prospects:
            for trouble in p.open_troubles():
                if trouble.kind == "refused" and not p.ended:
                    kinds = [i["kind"] for i in seen.items(p.id, ahead=True)]
                    assert "refused" in kinds, f"#{p.id} {trouble}: {kinds}"

    @oracle("answer-reply")
    def a_reply_is_answered_the_same_day(self, seen):
        # DOMAIN: "A reply ... is answered the same day ... Until the user says what they did,
        # it is the first thing on the list."
        for p in self.prospects:
            replies = p.unanswered_replies()
            if replies and not p.ended:
                dues = {weekday(d).isoformat() for d in replies}
                found = [
                    i["due"] for i in seen.items(p.id, ahead=True) if i["kind"] == "answer-reply"
                ]
                assert found, f"#{p.id} replied on {replies}: no answer-reply listed"
                assert set(found) <= dues, f"#{p.id} replied on {replies}: due {found}"

    @oracle("reply-first")
    def a_reply_is_the_first_thing_on_the_list(self, seen):
        # DOMAIN: "Until the user says what they did, it is the first thing on the list."
        kinds = [i["kind"] for i in seen.due_now]
        if "answer-reply" in kinds:
            first_other = next((n for n, k in enumerate(kinds) if k != "answer-reply"), len(kinds))
            assert "answer-reply" not in kinds[first_other:], kinds

    @oracle("meeting-to-log")
    def a_meeting_agreed_is_to_be_logged(self, seen):
        # README: "a meeting agreed on the phone | a reminder a week on to log it as an
        # interview once held | logged"; NEW: whether or not a reply came first.
        for p in self.prospects:
            if p.meetings_to_log() and not p.ended:
                kinds = [i["kind"] for i in seen.items(p.id, ahead=True)]
                assert "meeting-to-log" in kinds, f"#{p.id} {p.meetings_to_log()}: {kinds}"

    @oracle("stage")
    def every_prospect_is_somewhere(self, seen):
        # DOMAIN: "Every employer on the list is always somewhere".
        for row in seen.prospects:
            p = self.prospects[row["id"] - 1]
            assert row.get("stage") in p.stages(self.bad_addresses), (
                f"#{p.id} stage {row.get('stage')!r}, expected {p.stages(self.bad_addresses)}"
            )

    @oracle("next-step")
    def every_open_prospect_has_a_next_step(self, seen):
        # DOMAIN: "for each one that is not closed, the user can see the next step and its
        # date, or that nothing more is planned".
        for row in seen.prospects:
            p = self.prospects[row["id"] - 1]
            if p.ended:
                continue
            step, nothing = row.get("next_step"), row.get("nothing_planned")
            items = seen.items(p.id, ahead=True)
            if items:
                first = min(i["due"] for i in items)
                assert step, f"#{p.id}: no next_step, yet {items[0]}"
                assert step["due"] == first, f"#{p.id} next step {step}, first due {first}"
                assert step["kind"] in {i["kind"] for i in items if i["due"] == first}, step
            else:
                # Not written to yet: the first letter may be the next step.
                assert (step is None and nothing) or (step and p.first_letter is None), (
                    f"#{p.id}: next_step {step!r}, nothing_planned {nothing!r}, no item due"
                )

    @oracle("stage-filter")
    def prospects_filter_by_stage(self, seen):
        # NEW: `campaign prospects --stage STAGE`.
        stages = {row.get("stage") for row in seen.prospects} | {"offer"}
        for stage in sorted(filter(None, stages)):
            result = self.cli("prospects", "--stage", stage, "--json")
            assert result.exit_code == 0, result.stderr
            listed = [row["id"] for row in json.loads(result.stdout)]
            assert listed == [r["id"] for r in seen.prospects if r.get("stage") == stage]


def test_follow_ups_keep_to_the_domain_rules(start_smtp_server):
    FollowUpMachine.smtp = start_smtp_server()
    started = time.monotonic()
    try:
        run_state_machine_as_test(
            FollowUpMachine,
            settings=settings(
                max_examples=EXAMPLES,
                stateful_step_count=30,
                deadline=None,
                report_multiple_bugs=False,  # one minimal example, quickly
                # no Phase.explain: it traces coverage and makes a failing run minutes slower
                phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            ),
        )
    finally:
        elapsed = time.monotonic() - started
        print(f"followup oracle: max_examples={EXAMPLES}, {elapsed:.1f} s")
