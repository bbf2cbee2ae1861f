"""Letters: templates with front matter, merged with a prospect into text, HTML and PDF blocks.

A template is a file in the workspace's templates/ folder: front matter of `key: value` lines
between two `---` lines (subject, kind, closing), then a body in light Markdown (paragraphs,
**bold**, *italic*, bullet lists) with jinja2 fields like {{ first_name }}.
Spreadsheet values are data: jinja2 prints a placeholder for every {{ field }}, the Markdown
is parsed with the placeholders in it, and the values are put back into the parsed text. So a
value can neither run as template code nor change the letter's formatting, and the Markdown of
200 letters that share one shape is parsed once.
"""

from __future__ import annotations

import datetime as dt
import functools
import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from campaign.errors import TemplateError
from campaign.sheets.headers import FIELDS
from campaign.util.text import clean, is_invisible, shorten
from campaign.workspace.settings import Settings

SLOT = re.compile("\ue000(\\d+)\ue001")  # a value's place in the parsed Markdown
# A BCP 47 language tag as people write them (en, fr, pt-BR, zh-Hant-TW): RFC 5646 2.1.
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")


def long_date(day: dt.date) -> str:
    """November 23, 2026."""
    return f"{day:%B} {day.day}, {day.year}"


def salutation(first_name: str, last_name: str, prefix: str = "") -> str:
    """ "Dear Dr. Chen" with a prefix, else "Dear Maria Lopez" ("Dear Hiring Manager" with
    no first name)."""
    if prefix and last_name:
        return f"Dear {prefix} {last_name}"
    if not first_name:
        return "Dear Hiring Manager"
    return f"Dear {first_name} {last_name}".strip()


def _blank_type():
    """jinja2's Undefined for a field that is empty for this prospect.

    It is falsy, so `{% if industry %}`, `{{ industry or "..." }}` and
    `{{ industry | default("...") }}` guard it; printed anywhere else, it records its name,
    so the letter is held back instead of going out with a hole in a sentence.
    """
    from jinja2 import Undefined, UndefinedError

    class BlankUsed(UndefinedError):
        """A blank field used in an expression (`{{ industry.upper() }}`)."""

    class Blank(Undefined):
        __slots__ = ("_record",)

        def __init__(self, record: list[str], name: str) -> None:
            super().__init__(name=name, exc=BlankUsed)
            self._record = record

        def __str__(self) -> str:
            if self._undefined_name not in self._record:
                self._record.append(str(self._undefined_name))
            return ""

    return Blank, BlankUsed


@functools.lru_cache(maxsize=1)
def _blank() -> tuple[Any, Any]:
    return _blank_type()


def one_line(text: str) -> str:
    """Fold CR, LF and tabs into single spaces: a value can never start a new header."""
    from campaign.util.text import strip_controls

    return " ".join(strip_controls(str(text))[0].split())


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    kind: str
    closing: str
    subject: Any  # jinja2.Template
    body: Any  # jinja2.Template
    body_line: int  # the file's line number of the body's first line
    uses: frozenset[str] = frozenset()  # the [sender] details it prints: name, phone, ...
    example: str = ""  # the shipped example's note until the user makes the letter theirs
    lang: str = "en"  # the language the letter is written in (front matter `lang:`)


@dataclass
class Letter:
    """One merged letter for one prospect, ready for either channel."""

    prospect_id: int
    template: str
    kind: str
    subject: str
    skeleton: str  # the body's Markdown with a slot for each value
    values: list[str]
    closing: str
    to_name: str
    to_email: str
    sender_name: str
    signature_lines: list[str] = field(default_factory=list)
    example: str = ""  # set while the template is still the shipped example (see Template)
    lang: str = "en"  # the letter's language, for the HTML part's `lang`
    # Fields the letter prints that are empty for this prospect: it is held back, never sent
    # or printed with a hole in it (a guarded `{% if field %}` does not count).
    blanks: list[str] = field(default_factory=list)

    def held_because(self) -> str:
        """Why the letter is held back, or "" when it can go."""
        if not self.blanks:
            return ""
        names = [f"{{{{ {name} }}}}" for name in self.blanks]
        if len(names) == 1:
            return f"the letter {self.template!r} prints {names[0]}, empty for this prospect"
        listed = ", ".join(names[:-1]) + f" and {names[-1]}"
        return f"the letter {self.template!r} prints {listed}, empty for this prospect"

    def tokens(self) -> list[dict]:
        return _parse(self.skeleton)

    def _fill(self, text: str) -> str:
        return SLOT.sub(lambda m: self.values[int(m.group(1))], text) if "\ue000" in text else text

    def blocks(self) -> list[tuple[str, object]]:
        """("p", markup) and ("ul", [markup]) for reportlab: <b>, <i> and escapes only."""
        return _blocks(self.tokens(), _markup, self._fill)

    def paragraphs(self) -> list[str]:
        """The body as plain text, a string per paragraph or bullet list."""
        parts = []
        for kind, content in _blocks(self.tokens(), _plain, self._fill):
            if kind == "p":
                parts.append(str(content))
            else:
                parts.append("\n".join(f"- {item}" for item in cast(list, content)))
        return parts

    def text(self) -> str:
        """The plain-text email body: a line per paragraph (phones wrap it), closing included."""
        sign = "\n".join([self.closing, "", self.sender_name, *self.signature_lines])
        return "\n\n".join([*self.paragraphs(), sign]) + "\n"

    def html(self) -> str:
        """The HTML alternative: the same letter, every value escaped."""
        body = []
        for kind, content in _blocks(self.tokens(), _html, self._fill):
            if kind == "p":
                body.append(f"<p>{content}</p>")
            else:
                body.append(
                    "<ul>" + "".join(f"<li>{i}</li>" for i in cast(list, content)) + "</ul>"
                )
        sign = "<br>".join(html.escape(x) for x in [self.sender_name, *self.signature_lines])
        body.append(f"<p>{html.escape(self.closing)}</p><p>{sign}</p>")
        # A <title> and a `lang` let screen readers and mail programs read the part right
        # (WCAG 2.4.2 and 3.1.1); the title is the subject as the Subject header shows it.
        title = html.escape(
            " ".join("".join(c for c in self.subject if not is_invisible(c)).split())
        )
        return (
            f'<!DOCTYPE html>\n<html lang="{html.escape(self.lang)}"><head><meta charset="utf-8">'
            f"<title>{title}</title></head>\n"
            '<body style="font-family: Georgia, serif; font-size: 15px; line-height: 1.5">\n'
            + "\n".join(body)
            + "\n</body></html>\n"
        )


@functools.lru_cache(maxsize=64)
def _parse(skeleton: str) -> list[dict]:
    import mistune

    return cast(list[dict], mistune.create_markdown(renderer=None)(skeleton))


def _inline(children: list[dict], wrap: dict[str, tuple[str, str]], escape, fill) -> str:
    out = []
    for child in children:
        kind = child["type"]
        if kind in ("text", "inline_html", "codespan", "block_html"):
            out.append(escape(fill(child.get("raw", ""))))
        elif kind in ("softbreak", "linebreak"):
            out.append(wrap.get(kind, ("", " "))[1])
        elif kind in ("strong", "emphasis"):
            start, end = wrap[kind]
            out.append(start + _inline(child["children"], wrap, escape, fill) + end)
        elif "children" in child:  # links and the like: keep their text
            out.append(_inline(child["children"], wrap, escape, fill))
    return "".join(out)


def _markup(children, fill):
    return _inline(
        children,
        {"strong": ("<b>", "</b>"), "emphasis": ("<i>", "</i>"), "linebreak": ("", "<br/>")},
        lambda s: html.escape(s, quote=False),
        fill,
    )


def _html(children, fill):
    return _inline(
        children,
        {
            "strong": ("<strong>", "</strong>"),
            "emphasis": ("<em>", "</em>"),
            "linebreak": ("", "<br>"),
        },
        lambda s: html.escape(s, quote=False),
        fill,
    )


def _plain(children, fill):
    return _inline(
        children, {"strong": ("", ""), "emphasis": ("", ""), "linebreak": ("", "\n")}, str, fill
    )


def _blocks(tokens: list[dict], inline, fill) -> list[tuple[str, object]]:
    blocks: list[tuple[str, object]] = []
    for token in tokens:
        if token["type"] in ("paragraph", "block_text", "heading", "block_quote"):
            children = token.get("children", [])
            if token["type"] == "block_quote":
                blocks += _blocks(children, inline, fill)
                continue
            blocks.append(("p", inline(children, fill)))
        elif token["type"] == "list":
            items = []
            for item in token["children"]:
                parts = [
                    inline(b.get("children", []), fill)
                    for b in item["children"]
                    if b["type"] in ("block_text", "paragraph")
                ]
                items.append(" ".join(parts))
            blocks.append(("ul", items))
    return blocks


def _front_matter(path: Path, text: str) -> tuple[dict[str, tuple[str, int]], str, int]:
    """({key: (value, line number)}, body, the body's first line number)."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        raise TemplateError(
            f"{path}: a template starts with a front matter block between "
            "two --- lines, with at least `subject:`."
        )
    try:
        end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    except StopIteration:
        raise TemplateError(f"{path}: the front matter has no closing --- line.") from None
    meta = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise TemplateError(f"{path}:{number}: expected `key: value` in the front matter.")
        meta[key.strip().lower()] = (value.strip(), number)
    return meta, "\n".join(lines[end + 1 :]), end + 2


class Renderer:
    """Compiles each template once and merges prospects into Letters."""

    def __init__(self, settings: Settings, *, examples_ok: bool = False):
        from jinja2 import StrictUndefined, pass_context
        from jinja2.sandbox import SandboxedEnvironment

        self.settings = settings
        self._values: list[str] = []
        self._body_env = SandboxedEnvironment(
            undefined=StrictUndefined,
            # pass_context keeps jinja2 from finalizing constants once, at compile time.
            finalize=pass_context(lambda context, value: self._slot(value)),
            keep_trailing_newline=True,
            autoescape=False,  # values never reach the Markdown: see the module docstring
        )
        self._line_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)
        self._cache: dict[str, Template] = {}
        self._checked: set[str] = set()
        self.examples_ok = examples_ok  # a preview may show an example letter; nothing sends it

    def _slot(self, value: Any) -> str:
        # Blank lines in a value would end a paragraph: fold them, keep single line breaks.
        text = "" if value is None else re.sub(r"\n\s*\n", "\n", str(value))
        self._values.append(text)
        return f"\ue000{len(self._values) - 1}\ue001"

    def names(self) -> list[str]:
        return sorted(p.stem for p in self.settings.templates.glob("*.md"))

    def load(self, name: str) -> Template:
        """The template `name` (file templates/NAME.md), compiled once."""
        from jinja2 import TemplateSyntaxError

        from campaign.workspace.checks import template_name_problem

        if name in self._cache:
            return self._cache[name]
        if why := template_name_problem(name):  # a name, never a path out of templates/
            raise TemplateError(why + ".")
        path = self.settings.templates / f"{name}.md"
        if not path.is_file():
            known = ", ".join(self.names()) or "none"
            raise TemplateError(
                f"no letter template {name!r} in {self.settings.templates} "
                f"(templates there: {known})."
            )
        meta, body, body_line = _front_matter(path, path.read_text(encoding="utf-8"))
        if not meta.get("subject", ("", 0))[0]:
            raise TemplateError(f"{path}: the front matter needs a `subject:` line.")
        subject_text, subject_line = meta["subject"]
        try:
            # Padding with newlines makes jinja2's line numbers the file's own.
            subject = self._compile(self._line_env, subject_text, subject_line, path)
            compiled = self._compile(self._body_env, body, body_line, path)
            uses = _sender_details(self._line_env, subject_text, body)
        except TemplateSyntaxError as err:
            raise TemplateError(f"{path}:{err.lineno}: {err.message}") from None
        template = Template(
            name,
            path,
            meta.get("kind", (name, 0))[0],
            meta.get("closing", ("Sincerely,", 0))[0],
            subject,
            compiled,
            body_line,
            uses,
            meta.get("example", ("", 0))[0],
            _language(path, meta.get("lang")),
        )
        self._cache[name] = template
        return template

    @staticmethod
    def _compile(env, source: str, first_line: int, path: Path):
        code = env.compile("\n" * (first_line - 1) + source, name=path.name, filename=str(path))
        return env.template_class.from_code(env, code, env.make_globals(None))

    def fields(self, prospect, today: dt.date, extra: dict | None = None) -> dict[str, Any]:
        """Everything a template may name for this prospect."""
        # A value stored by an older version may still hold control characters: never print them.
        keys = prospect.keys()
        values: dict[str, Any] = {
            f: clean(prospect[f]) if f in keys and prospect[f] is not None else "" for f in FIELDS
        }
        values["id"] = prospect["id"]
        values["name"] = f"{prospect['first_name']} {prospect['last_name']}".strip()
        values["salutation"] = salutation(
            values["first_name"], values["last_name"], values["prefix"]
        )
        values["today"] = today
        values["date"] = long_date(today)
        values.update({k: clean(v) for k, v in json.loads(prospect["extras"] or "{}").items()})
        values.update(extra or {})
        # Your own details come last: no sheet column can stand in for them.
        values.update(self.settings.sender_fields())
        resume = self.settings.resume
        values["resume"] = resume.name if resume is not None else ""
        return values

    def check(self, name: str) -> Template:
        """The template `name`, once its [sender] details are known to be set and real."""
        template = self.load(name)
        if name not in self._checked:
            self.settings.check_sender(["name"], "every letter is signed with {it}")
            self.settings.check_sender(
                sorted(template.uses - {"name"}), f"the letter {name!r} prints {{it}}"
            )
            self._checked.add(name)
        if template.example and not self.examples_ok:
            # The shipped letters' achievements are examples: none may reach an employer.
            raise TemplateError(
                f"templates/{template.path.name} is still the example letter "
                f"({template.example}). Nothing was sent or printed",
                hint="preview-letter",
            )
        return template

    def render(self, name: str, prospect, today: dt.date, extra: dict | None = None) -> Letter:
        """Merge one prospect into the template `name`; a missing field is a TemplateError."""
        from jinja2 import TemplateError as JinjaError
        from jinja2 import UndefinedError

        template = self.check(name)
        values = self.fields(prospect, today, extra)
        blank, blank_used = _blank()
        blanks: list[str] = []
        context = dict(values)
        for key in self._sheet_fields(prospect):
            if context.get(key) in ("", None):
                context[key] = blank(blanks, key)
        try:
            subject = one_line(template.subject.render(context))
            self._values = []
            skeleton = template.body.render(context).strip("\n") + "\n"
        except blank_used as err:
            # A blank field inside an expression: nothing sensible to print, so held back.
            subject, skeleton = "", "\n"
            self._values = []
            field_name = re.search(r"'([^']+)' is undefined", str(err))
            blanks.append(field_name.group(1) if field_name else "?")
        except UndefinedError as err:
            field_name = re.search(r"'([^']+)' is undefined", str(err))
            line = _template_line(err, template)
            who = f"prospect #{prospect['id']} ({shorten(prospect['company'], 40)})"
            name = field_name.group(1) if field_name else "?"
            raise TemplateError(
                f"{template.path}:{line}: the field {name!r} is not known for {who}"
                f"{_did_you_mean(name, values)}; "
                "fix the template, or add that column to your sheet and import it again."
            ) from None
        except (JinjaError, ArithmeticError, LookupError, TypeError, ValueError) as err:
            # {{ 1 / 0 }}, a sandbox refusal, range() past the sandbox's limit...
            line = _template_line(err, template)
            raise TemplateError(
                f"{template.path}:{line}: {type(err).__name__}: {err} "
                f"(for prospect #{prospect['id']})"
            ) from None
        sender = self.settings
        return Letter(
            prospect_id=prospect["id"],
            template=name,
            kind=template.kind,
            subject=subject,
            skeleton=skeleton,
            values=self._values,
            closing=template.closing,
            to_name=one_line(values["name"]),
            to_email=prospect["email"],
            sender_name=sender.sender_name,
            signature_lines=[x for x in (sender.sender_phone, sender.sender_email) if x],
            example=template.example,
            lang=template.lang,
            blanks=blanks,
        )

    @staticmethod
    def _sheet_fields(prospect) -> list[str]:
        """The fields that come from the user's sheet: the prospect's own and extra columns."""
        extras = json.loads(prospect["extras"] or "{}")
        return [*FIELDS, *extras]


def _language(path: Path, given: tuple[str, int] | None) -> str:
    """The template's `lang:` (a language tag), else English."""
    if given is None or not given[0]:
        return "en"
    value, line = given
    if not LANGUAGE.fullmatch(value):
        raise TemplateError(
            f"{path}:{line}: lang: {value!r} is not a language tag (such as en, fr or pt-BR)."
        )
    return value


def _sender_details(env, *sources: str) -> frozenset[str]:
    """The [sender] details (name, address, phone, email) that template sources print."""
    from jinja2 import meta

    names: set[str] = set()
    for source in sources:
        names |= meta.find_undeclared_variables(env.parse(source))
    details = {n.removeprefix("sender_") for n in names if n.startswith("sender_")}
    return frozenset(details & {"name", "address", "phone", "email"})


def _did_you_mean(name: str, known: dict[str, Any]) -> str:
    """ " (did you mean 'company'?)" for a mistyped field, or nothing."""
    import difflib

    close = difflib.get_close_matches(name.lower(), [k for k in known if k.isidentifier()], n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _template_line(err: Exception, template: Template) -> str:
    import traceback

    lines = [
        f.lineno
        for f in traceback.extract_tb(err.__traceback__)
        if f.filename == str(template.path)
    ]
    return str(lines[-1]) if lines else "?"
