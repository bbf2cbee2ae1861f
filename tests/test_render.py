"""Letters: fields merged, values printed as written, errors that say where; read as received."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import add_prospects, people, use_smtp

TODAY = "2026-11-23"  # a Monday, week 2026-W48

MARIA = {
    "Company": "Acme Widgets",
    "First Name": "Maria",
    "Last Name": "Lopez",
    "Title": "Director of Operations",
    "Email": "maria@acme.example",
}


def write_template(workspace, name: str, text: str):
    path = workspace / "templates" / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def line_of(path, needle: str) -> int:
    """The 1-based line of `path` holding `needle`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(n for n, line in enumerate(lines, 1) if needle in line)


def preview(run, *args):
    result = run("--today", TODAY, "preview", *args)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def send(run, *args):
    return run("--today", TODAY, "send", "--yes", *args)


def batch(run, *args):
    result = run("--today", TODAY, "batch", *args)
    assert result.exit_code == 0, result.stderr
    return result


def plain(message) -> str:
    return message.get_body(("plain",)).get_content().replace("\r\n", "\n")


def html(message) -> str:
    return message.get_body(("html",)).get_content().replace("\r\n", "\n")


def sends(ledger) -> list[dict]:
    return [dict(r) for r in ledger.execute("SELECT * FROM sends ORDER BY id")]


# --- merging -------------------------------------------------------------------------------


def test_fields_extra_columns_and_sender_merge(run, workspace, tmp_path):
    write_template(
        workspace,
        "note",
        "---\nsubject: For {{ first_name }} at {{ company }}\nkind: intro\n---\n"
        "{{ salutation }},\n\n"
        "{{ name }} ({{ title }}) was suggested by {{ referred_by }} on {{ date }}.\n\n"
        "Reach {{ sender_name }} at {{ sender_email }}.\n",
    )
    add_prospects(run, tmp_path, [{**MARIA, "Referred By": "Bob Smith"}])
    out = preview(run, "1", "--letter", "note")
    assert "Subject: For Maria at Acme Widgets" in out
    assert "Dear Maria Lopez," in out
    assert (
        "Maria Lopez (Director of Operations) was suggested by Bob Smith on November 23, 2026."
        in out
    )
    assert "Reach Jane Doe at jane.doe@example.org." in out


def test_missing_first_name_is_dear_hiring_manager(run, tmp_path):
    add_prospects(run, tmp_path, [{**MARIA, "First Name": "", "Last Name": "Lopez", "Title": ""}])
    out = preview(run, "1")
    assert "Dear Hiring Manager," in out
    assert "Dear Lopez" not in out
    assert "Subject: Your team at Acme Widgets" in out  # the shipped subject's own fallback


def test_bold_italic_and_bullets_in_html_not_in_text(run, workspace, tmp_path, smtp_server):
    write_template(
        workspace,
        "styled",
        "---\nsubject: Hello\n---\n{{ salutation }},\n\n"
        "I bring **measurable results** and *calm* leadership to {{ company }}:\n\n"
        "- cut costs by 18%\n- led teams of 25\n",
    )
    use_smtp(workspace, smtp_server)
    add_prospects(run, tmp_path, [MARIA])
    batch(run)
    assert send(run, "--letter", "styled").exit_code == 0
    (received,) = smtp_server
    body = html(received.message)
    assert "<strong>measurable results</strong>" in body
    assert "<em>calm</em>" in body
    assert "<ul><li>cut costs by 18%</li><li>led teams of 25</li></ul>" in body
    text = plain(received.message)
    assert "I bring measurable results and calm leadership to Acme Widgets:" in text
    assert "- cut costs by 18%\n- led teams of 25" in text
    assert "*" not in text


def test_blocks_for_the_printed_letter(workspace, tmp_path, run, ledger):
    from campaign.ledger.queries import find_prospect
    from campaign.letters.render import Renderer
    from campaign.workspace.settings import load

    write_template(
        workspace,
        "print",
        "---\nsubject: Hello\n---\n{{ salutation }},\n\n**Results** at *{{ company }}*:\n\n"
        "- one {{ company }}\n",
    )
    add_prospects(run, tmp_path, [{**MARIA, "Company": "Smith & <Sons>"}])
    letter = Renderer(load(workspace)).render(
        "print", find_prospect(ledger, "1"), dt.date(2026, 11, 23)
    )
    assert letter.blocks() == [
        ("p", "Dear Maria Lopez,"),
        ("p", "<b>Results</b> at <i>Smith &amp; &lt;Sons&gt;</i>:"),
        ("ul", ["one Smith &amp; &lt;Sons&gt;"]),
    ]


# --- values are data ------------------------------------------------------------------------


def test_sheet_values_print_literally_and_are_escaped_in_html(
    run, workspace, tmp_path, smtp_server
):
    use_smtp(workspace, smtp_server)
    company = "{{ 7*7 }} {% if true %}x{% endif %}"
    title = "**bold** <script>alert(1)</script> & _more_"
    add_prospects(run, tmp_path, [{**MARIA, "Company": company, "Title": title}])
    batch(run)
    assert send(run).exit_code == 0
    (received,) = smtp_server
    message = received.message
    assert message["Subject"] == f"{title} at {company}: an experienced hand, ready now"
    text = plain(message)
    assert f"as {title} at {company}, you are the one" in text
    assert "49" not in text
    body = html(message)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "**bold**" in body
    assert "_more_" in body
    assert "<script>" not in body
    assert "<strong>bold</strong>" not in body
    assert "{{ 7*7 }} {% if true %}x{% endif %}" in body


@pytest.mark.parametrize("how", ["extra column in the sheet", "company edited in the ledger"])
def test_cr_lf_in_a_value_cannot_add_a_header(run, workspace, tmp_path, smtp_server, ledger, how):
    use_smtp(workspace, smtp_server)
    write_template(
        workspace,
        "subj",
        "---\nsubject: About {{ team }} at {{ company }}\n---\n{{ salutation }},\n\nHello.\n",
    )
    evil = "Sales\r\nBcc: thief@evil.example\r\nX-Injected: yes"
    if how == "extra column in the sheet":
        add_prospects(run, tmp_path, [{**MARIA, "Team": evil}])
    else:
        add_prospects(run, tmp_path, [{**MARIA, "Team": "Ops"}])
        ledger.execute("UPDATE prospects SET company = ? WHERE id = 1", (evil,))
    batch(run)
    assert send(run, "--letter", "subj").exit_code == 0
    (received,) = smtp_server
    assert received.rcpt_tos == ["maria@acme.example"]
    message = received.message
    assert message["Bcc"] is None
    assert message["X-Injected"] is None
    subject = message["Subject"]
    assert "\n" not in subject
    assert "\r" not in subject
    assert "Bcc: thief@evil.example X-Injected: yes" in subject
    head = received.raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
    assert not any(line.lower().startswith(("bcc:", "x-injected:")) for line in head.split("\r\n"))


# --- errors found before anything is sent ----------------------------------------------------


def test_unknown_field_for_one_prospect_stops_the_whole_batch(
    run, workspace, tmp_path, smtp_server, ledger
):
    # Prospects 1 and 2 come from a sheet with a Referred By column, prospect 3 from one without;
    # priorities put prospect 3 in the middle of the batch.
    use_smtp(workspace, smtp_server)
    template = write_template(
        workspace,
        "referral",
        "---\nsubject: Hello {{ company }}\n---\n{{ salutation }},\n\n"
        "I was pleased to hear about {{ company }}.\n\n"
        "{{ referred_by }} suggested I write.\n",
    )
    first, second = people(2, **{"Referred By": "Bob"})
    first["Priority"], second["Priority"] = "1", "3"
    add_prospects(run, tmp_path, [first, second], name="a.csv")
    add_prospects(run, tmp_path, [{**people(1, start=3)[0], "Priority": "2"}], name="b.csv")
    picked = run.json("--today", TODAY, "batch")["prospects"]
    assert [p["id"] for p in picked] == [1, 3, 2]

    result = send(run, "--letter", "referral")

    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    line = f"{template}:{line_of(template, 'referred_by')}:"
    assert line in lines[0]
    assert "'referred_by'" in lines[0]
    assert "prospect #3" in lines[0]
    assert "Traceback" not in result.output
    assert len(smtp_server) == 0
    assert smtp_server.connections == 0
    assert sends(ledger) == []


def test_unknown_field_stops_outbox_sending_too(run, workspace, tmp_path, ledger):
    write_template(workspace, "bad", "---\nsubject: Hi\n---\nHello {{ no_such_field }}.\n")
    add_prospects(run, tmp_path, people(3))
    batch(run)
    result = send(run, "--letter", "bad")
    assert result.exit_code == 2
    assert "bad.md:4:" in result.stderr
    assert "'no_such_field'" in result.stderr
    assert list((workspace / "outbox").iterdir()) == []
    assert sends(ledger) == []


def test_unknown_field_in_the_subject_names_the_subject_line(run, workspace, tmp_path):
    template = write_template(
        workspace,
        "subj",
        "---\nkind: intro\nsubject: Hello {{ compnay }}\n---\n{{ salutation }},\n\nHi.\n",
    )
    add_prospects(run, tmp_path, [MARIA])
    result = run("--today", TODAY, "preview", "1", "--letter", "subj")
    assert result.exit_code == 2
    assert "'compnay'" in result.stderr
    assert f"{template}:3:" in result.stderr


def test_syntax_error_in_the_body_names_path_and_line(run, workspace, tmp_path):
    template = write_template(
        workspace,
        "broken",
        "---\nsubject: Hello\nkind: intro\n---\n{{ salutation }},\n\n"
        "Your team at {{ company }.\n\nThanks.\n",
    )
    add_prospects(run, tmp_path, [MARIA])
    result = run("--today", TODAY, "preview", "1", "--letter", "broken")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"campaign: error: {template}:{line_of(template, '}.')}:")
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_syntax_error_in_the_subject_names_the_subject_line(run, workspace, tmp_path):
    template = write_template(
        workspace,
        "broken",
        "---\nkind: intro\nclosing: Best,\nsubject: Hello {{ company\n---\nHi.\n",
    )
    add_prospects(run, tmp_path, [MARIA])
    result = run("--today", TODAY, "preview", "1", "--letter", "broken")
    assert result.exit_code == 2
    assert f"{template}:4:" in result.stderr


@pytest.mark.parametrize(
    "expression",
    [
        "''.__class__.__mro__",
        "company.__class__.__base__.__subclasses__()",
        "cycler.__init__.__globals__",
        "self._TemplateReference__context",
    ],
)
def test_sandbox_refuses_python_internals(
    run, workspace, tmp_path, smtp_server, ledger, expression
):
    use_smtp(workspace, smtp_server)
    template = write_template(
        workspace,
        "evil",
        f"---\nsubject: Hi\n---\n{{{{ salutation }}}},\n\n{{{{ {expression} }}}}\n",
    )
    add_prospects(run, tmp_path, [MARIA])
    batch(run)
    result = send(run, "--letter", "evil")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(template) in lines[0]
    assert "unsafe" in lines[0] or "undefined" in lines[0] or "not known" in lines[0]
    assert "<class" not in result.output
    assert len(smtp_server) == 0
    assert sends(ledger) == []


def test_a_blank_cell_in_an_extra_column_is_an_empty_field(run, workspace, tmp_path):
    write_template(
        workspace,
        "optional",
        "---\nsubject: Hi\n---\n{{ salutation }},\n\n"
        "{% if referred_by %}{{ referred_by }} suggested I write.{% else %}I write.{% endif %}\n",
    )
    maria, bob = people(2)
    add_prospects(run, tmp_path, [{**maria, "Referred By": "Ann"}, {**bob, "Referred By": ""}])
    assert "Ann suggested I write." in preview(run, "1", "--letter", "optional")
    assert "I write." in preview(run, "2", "--letter", "optional")


def test_a_constant_in_the_body_prints_itself(run, workspace, tmp_path):
    write_template(
        workspace,
        "constant",
        '---\nsubject: Hi\n---\n{{ salutation }},\n\nWe met at {{ "the fair" }} in {{ city }}.\n',
    )
    add_prospects(run, tmp_path, [{**MARIA, "City": "Springfield"}])
    out = preview(run, "1", "--letter", "constant")
    assert "We met at the fair in Springfield." in out


@pytest.mark.parametrize("expression", ["1 / 0", "range(10**9) | list | length"])
def test_a_failing_expression_is_a_clear_error(run, workspace, tmp_path, expression):
    template = write_template(
        workspace, "oops", f"---\nsubject: Hi\n---\n{{{{ salutation }}}}, {{{{ {expression} }}}}\n"
    )
    add_prospects(run, tmp_path, [MARIA])
    result = run("--today", TODAY, "preview", "1", "--letter", "oops")
    assert result.exit_code == 2
    assert str(template) in result.stderr
    assert "Traceback" not in result.output
