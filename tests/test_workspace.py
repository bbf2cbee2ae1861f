"""campaign.workspace.settings: finding the workspace, reading campaign.toml, and today's date."""

from __future__ import annotations

import datetime as dt
import email
import email.policy

import pytest

from campaign.errors import WorkspaceError
from campaign.workspace.settings import CONFIG, DEFAULT_CADENCE, find_root, load, today
from campaign.workspace.skeleton import init
from tests.helpers import Run


def test_init_makes_config_templates_outbox_and_refuses_twice(tmp_path):
    made = init(tmp_path / "search", sender_name='Jane "JD" Doe')
    root = tmp_path / "search"
    assert root / CONFIG in made
    assert (root / "templates" / "intro.md").is_file()
    assert (root / "outbox").is_dir()
    assert load(root).sender_name == 'Jane "JD" Doe'
    with pytest.raises(WorkspaceError, match="already a campaign workspace"):
        init(root)


def test_fresh_config_loads_with_the_domain_defaults(workspace):
    settings = load(workspace)
    assert settings.cadence == DEFAULT_CADENCE
    assert settings.cadence["followup_letter_days"] == [14, 28]
    assert settings.batch_size == 20
    assert settings.smtp is None
    assert settings.ledger_path == workspace / "campaign.db"


def test_find_root_searches_upward(workspace):
    deep = workspace / "templates" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_root(None, start=deep) == workspace.resolve()


def test_find_root_from_the_current_folder(workspace, monkeypatch):
    monkeypatch.chdir(workspace / "outbox")
    assert find_root(None) == workspace.resolve()


def test_find_root_outside_a_workspace_says_to_run_init(tmp_path):
    with pytest.raises(WorkspaceError, match="not inside a campaign workspace") as raised:
        find_root(None, start=tmp_path)
    assert raised.value.hint == "no-workspace"


def test_find_root_explicit_folder_must_be_a_workspace(workspace, tmp_path):
    assert find_root(str(workspace)) == workspace.resolve()
    with pytest.raises(WorkspaceError, match="is not a campaign workspace"):
        find_root(str(tmp_path / "elsewhere"))


def test_campaign_workspace_env_beats_the_current_folder(workspace, tmp_path, monkeypatch):
    other = tmp_path / "other"
    assert Run()("init", str(other)).exit_code == 0
    monkeypatch.chdir(other)
    result = Run().json("where", env={"CAMPAIGN_WORKSPACE": str(workspace)})
    assert result["workspace"] == str(workspace.resolve())
    assert Run().json("where")["workspace"] == str(other.resolve())


def test_campaign_workspace_env_pointing_nowhere_is_one_error(tmp_path):
    result = Run()("prospects", env={"CAMPAIGN_WORKSPACE": str(tmp_path / "gone")})
    assert result.exit_code == 2
    assert result.stderr.startswith("campaign: error: ")
    assert "is not a campaign workspace" in result.stderr


def _append(workspace, text: str) -> None:
    path = workspace / CONFIG
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ("\n[sending\n", "campaign.toml"),
        ('\n[smtp]\nhost = "smtp.example.com"\nsecurity = "tls"\n', "smtp.security = 'tls'"),
        ("\n[smtp]\nport = 25\n", "[smtp] needs a host"),
    ],
)
def test_bad_config_is_a_workspace_error_naming_the_file(workspace, extra, message):
    _append(workspace, extra)
    with pytest.raises(WorkspaceError, match="campaign.toml") as caught:
        load(workspace)
    assert message in str(caught.value)


def test_unknown_cadence_key_is_refused(workspace):
    path = workspace / CONFIG
    text = path.read_text().replace("[cadence]\n", "[cadence]\nfollow_up_days = 3\n")
    path.write_text(text)
    with pytest.raises(
        WorkspaceError,
        match=r"unknown setting follow_up_days in \[cadence\]; did you mean followup_letter_days\?",
    ):
        load(workspace)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("batch_size = 20", 'batch_size = "20"', "sending.batch_size = '20' is not valid"),
        ("batch_size = 20", "batch_size = true", "sending.batch_size = True is not valid"),
        ('paper = "letter"', 'paper = "legal"', "sending.paper = 'legal'"),
        ("receipt_check_days = 3", "receipt_check_days = [3]", "cadence.receipt_check_days"),
    ],
)
def test_wrong_types_and_values_are_refused(workspace, old, new, message):
    path = workspace / CONFIG
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))
    with pytest.raises(WorkspaceError, match="campaign.toml") as caught:
        load(workspace)
    assert message in str(caught.value)


def test_smtp_section_gets_the_port_for_its_security(workspace):
    _append(workspace, '\n[smtp]\nhost = "smtp.example.com"\nsecurity = "SSL"\n')
    smtp = load(workspace).smtp
    assert (smtp.host, smtp.port, smtp.security, smtp.username) == (
        "smtp.example.com",
        465,
        "ssl",
        "",
    )


def test_bad_config_via_the_cli_is_one_line(run, workspace):
    _append(workspace, "\n[sending\n")
    result = run("prospects")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert result.stderr.startswith("campaign: error: ")
    assert "campaign.toml" in result.stderr


def test_today_honours_campaign_today_and_the_override(monkeypatch):
    assert today() == dt.date.today()
    monkeypatch.setenv("CAMPAIGN_TODAY", "2027-01-04")
    assert today() == dt.date(2027, 1, 4)
    assert today("2027-03-01") == dt.date(2027, 3, 1)
    monkeypatch.setenv("CAMPAIGN_TODAY", "next monday")
    with pytest.raises(WorkspaceError, match="YYYY-MM-DD"):
        today()


def test_campaign_today_dates_the_import(run, ledger, tmp_path):
    from tests.helpers import write_csv

    path = write_csv(tmp_path / "l.csv", "Company,Contact,Email\nAcme,Ann Lee,a@example.com\n")
    assert run("import", path, env={"CAMPAIGN_TODAY": "2027-05-06"}).exit_code == 0
    row = ledger.execute("SELECT created_on, updated_on FROM prospects").fetchone()
    assert tuple(row) == ("2027-05-06", "2027-05-06")


# --- settings are checked, never guessed ---------------------------------------------


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            ("[sender]", "[Sender]"),
            "campaign.toml: unknown section [Sender]; did you mean [sender]?",
        ),
        (("[sending]", "[sendng]"), "unknown section [sendng]; did you mean [sending]?"),
        (("batch_size = 20", "batchsize = 20"), "unknown setting batchsize in [sending]; did you "),
        (
            ('phone = "(217)', 'fone = "(217)'),
            "unknown setting fone in [sender]; did you mean phone?",
        ),
    ],
)
def test_unknown_sections_and_keys_name_the_closest_known_one(run, workspace, edit, message):
    path = workspace / CONFIG
    path.write_text(path.read_text().replace(*edit))
    result = run("print")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("campaign: error: campaign.toml: ")
    assert message in lines[0]
    assert "Traceback" not in result.output


def test_init_writes_only_what_it_was_given(tmp_path):
    result = Run()("init", tmp_path / "s", "--name", "Zoë Ørsted", "--phone", "+45 33 12 34 56")
    assert result.exit_code == 0, result.stderr
    settings = load(tmp_path / "s")
    assert settings.sender_name == "Zoë Ørsted"
    assert settings.sender_phone == "+45 33 12 34 56"
    assert settings.sender_email == ""
    assert settings.sender_address == ()
    assert "set your email, address under [sender]" in result.stderr
    text = (tmp_path / "s" / CONFIG).read_text()
    assert '\n# email = "jane.doe@example.com"' in text  # an example, as a comment only


def _fresh_with_a_batch(tmp_path, *init_args):
    from tests.helpers import add_prospects

    root = tmp_path / "fresh"
    assert Run()("init", root, *init_args).exit_code == 0
    run = Run(root)
    rows = [
        {"Company": "Acme", "Contact": "Ann Lee", "Email": "ann@acme.example"},
        {
            "Company": "Paper Mill",
            "Contact": "Pat Post",
            "Address": "1 Mill Road",
            "City": "Springfield",
            "ZIP": "62704",
        },
    ]
    add_prospects(run, tmp_path, rows)
    assert run("--today", "2026-11-23", "batch").exit_code == 0
    return root, run


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (
            ["send", "--yes"],
            "[sender] name is not set, and every letter is signed with it",
        ),
        (
            ["print"],
            "[sender] name and address are not set, and posted letters print them in the "
            "letterhead; add them under [sender] (like name = ",
        ),
        (["preview"], "[sender] name is not set, and every letter is signed with it"),
    ],
)
def test_a_fresh_init_with_no_edits_renders_nothing(tmp_path, command, message):
    root, run = _fresh_with_a_batch(tmp_path)
    result = run("--today", "2026-11-23", *command)
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Nothing was sent or printed." in result.stderr
    assert list((root / "outbox").iterdir()) == []


def test_a_sample_value_left_in_the_settings_is_refused_naming_the_key(tmp_path):
    root, run = _fresh_with_a_batch(tmp_path, "--name", "Ann Example", "--email", "ann@example.org")
    path = root / CONFIG
    # The user uncommented the example phone line without changing it.
    path.write_text(path.read_text().replace('# phone = "217-555-0100"', 'phone = "217-555-0100"'))
    for command in (["send", "--yes"], ["preview"]):
        result = run("--today", "2026-11-23", *command)
        assert result.exit_code == 2
        assert '[sender] phone is still the example "217-555-0100"' in result.stderr
    assert list((root / "outbox").iterdir()) == []
    # Set for real: the shipped letter's made-up achievements are the next thing refused.
    path.write_text(path.read_text().replace('"217-555-0100"', '"(617) 555-0199"'))
    result = run("--today", "2026-11-23", "send", "--yes")
    assert result.exit_code == 2
    assert "templates/intro.md is still the example letter (the results listed below" in (
        result.stderr
    )
    preview = run("--today", "2026-11-23", "preview", "1")
    assert preview.exit_code == 0
    assert "warning: templates/intro.md is still the example letter" in preview.stderr
    # The user writes their own results and deletes the example line.
    intro = root / "templates" / "intro.md"
    lines = intro.read_text().splitlines(keepends=True)
    intro.write_text("".join(x for x in lines if not x.startswith("example:")))
    result = run("--today", "2026-11-23", "send", "--yes")
    assert result.exit_code == 0, result.stderr
    drafts = [p.read_bytes() for p in (root / "outbox").glob("*.eml")]
    assert len(drafts) == 1
    text = email.message_from_bytes(drafts[0], policy=email.policy.default).get_body(("plain",))
    assert "217-555-0100" not in text.get_content()
    assert "(617) 555-0199" in text.get_content()


def test_settings_messages_say_what_to_type(tmp_path):
    root, run = _fresh_with_a_batch(tmp_path, "--name", "Ann Example")
    path = root / CONFIG
    text = path.read_text()
    path.write_text(text.replace('# phone = "217-555-0100"', "phone = 2175550100"))
    result = run("--today", "2026-11-23", "print")
    assert 'sender.phone = 2175550100 must be written in quotes: phone = "2175550100"' in (
        result.stderr
    )
    # Every missing detail in one message: one edit, not a run per setting.
    path.write_text(text)
    result = run("--today", "2026-11-23", "send", "--yes")
    assert result.exit_code == 2
    assert "[sender] email and phone are not set, and the letter 'intro' prints them" in (
        result.stderr
    )
    # The commented example name, uncommented as it is, is refused like the other examples.
    path.write_text(text.replace('name = "Ann Example"', 'name = "Your Name"'))
    result = run("--today", "2026-11-23", "preview")
    assert '[sender] name is still the example "Your Name"' in result.stderr


def test_init_details_with_line_breaks_or_quotes_still_make_a_valid_file(tmp_path):
    result = Run()("init", tmp_path / "q", "--name", 'Jane "JD"\nDoe\\', "--phone", "555\t0100\x00")
    assert result.exit_code == 0, result.stderr
    settings = load(tmp_path / "q")
    assert settings.sender_name == 'Jane "JD" Doe\\'
    assert settings.sender_phone == "555 0100"


# --- every setting checked, every problem in one message ---------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("retry_seconds = 2", "retry_seconds = nan", "sending.retry_seconds = nan must be a"),
        ("retry_seconds = 2", "retry_seconds = inf", "sending.retry_seconds = inf must be a"),
        ("retry_seconds = 2", "retry_seconds = -1", "sending.retry_seconds = -1 must be a"),
        ("retry_seconds = 2", "retry_seconds = 0", "number of seconds above 0, at most 300"),
        (
            "followup_letter_days = [14, 28]",
            "followup_letter_days = [0, 0, -5]",
            "cadence.followup_letter_days = [0, 0, -5] must hold one or two numbers",
        ),
        (
            "followup_letter_days = [14, 28]",
            "followup_letter_days = [0, 14]",
            "cadence.followup_letter_days = [0, 14]: each must be from 1 to 3,650",
        ),
        (
            "followup_letter_days = [14, 28]",
            "followup_letter_days = [14, 14]",
            "cadence.followup_letter_days = [14, 14]: the second must be later than the first",
        ),
        (
            "followup_letter_days = [14, 28]",
            'followup_letter_days = ["two weeks"]',
            "write a list of whole numbers, like [14, 28]",
        ),
        (
            "call_every_days = [28, 35]",
            "call_every_days = [35, 28]",
            "cadence.call_every_days = [35, 28]: the second must be at least the first",
        ),
        ("receipt_check_days = 3", "receipt_check_days = 0", "receipt_check_days = 0 must be from"),
        (
            "receipt_check_days = 3",
            "receipt_check_days = 99999999999999999999999999999",
            "cadence.receipt_check_days = 99999999999999999999999999999 must be from 1 to 3,650",
        ),
        ("batch_size = 20", "batch_size = 0", "sending.batch_size = 0 must be from 1 to 10,000"),
        ("per_day = 0 ", "per_day = -1 ", "sending.per_day = -1 must be from 0 to 100,000"),
        ("per_minute = 0 ", "per_minute = -5 ", "sending.per_minute = -5 must be from 0"),
        (
            "[sending]",
            '[sending]\nfoo = [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["deep"]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]',
            "unknown setting foo in [sending]",
        ),
        ("[sending]", "[sending]\nreply = 1", "unknown setting reply in [sending]"),
        ('letter = "intro"', 'letter = "../../elsewhere/x"', "is not a template's name"),
        ('letter = "intro"', 'letter = "/etc/passwd"', 'sending.letter: "/etc/passwd" is not'),
        ('letter = "intro"', 'letter = "..\\\\x"', "is not a template's name"),
        ('letter = "intro"', 'letter = "C:intro"', "is not a template's name"),
        (
            '# reply_to = "jane.doe@example.com"',
            'reply_to = "a@b.example, c@d.example"',
            'sender.reply_to = "a@b.example, c@d.example" is not an email address',
        ),
        (
            'email = "jane.doe@example.org"',
            'email = "jane.doe"',
            'sender.email = "jane.doe" is not an email address',
        ),
        (
            'phone = "(217) 555-0142"',
            'phone = "call me maybe"',
            'sender.phone = "call me maybe" is not a phone number',
        ),
    ],
)
def test_each_setting_out_of_range_is_one_line_naming_its_key(run, workspace, old, new, message):
    path = workspace / CONFIG
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    result = run("status")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("campaign: error: campaign.toml: ")
    assert message in lines[0]


def test_a_huge_or_deeply_nested_file_is_one_line(run, workspace):
    path = workspace / CONFIG
    text = path.read_text()
    nested = "call_every_days = " + "[" * 5000 + "]" * 5000
    path.write_text(text.replace("[cadence]", "[cadence]\n" + nested))
    deep = run("status")
    assert deep.exit_code == 2
    assert deep.stderr.strip().splitlines() == [
        f"campaign: error: {workspace.resolve() / CONFIG}: arrays nested too deeply; fix the file."
    ]
    path.write_text(text + "# " + "x" * (1024 * 1024) + "\n")
    huge = run("status")
    assert huge.exit_code == 2
    assert huge.stderr.strip().endswith("larger than 1 MB; this is not a campaign.toml.")


def test_every_settings_problem_is_named_in_one_message(run, workspace):
    path = workspace / CONFIG
    text = path.read_text()
    for old, new in (
        ("batch_size = 20", "batch_size = 0"),
        ("retry_seconds = 2", "retry_seconds = nan"),
        ('email = "jane.doe@example.org"', 'email = "not an email"'),
        ("followup_letter_days = [14, 28]", "followup_letter_days = [0, 0]"),
        ("[sending]", "[sendng]\nx = 1\n[sending]"),
    ):
        text = text.replace(old, new)
    path.write_text(text)
    result = run("status")
    assert result.exit_code == 2
    [line] = result.stderr.strip().splitlines()
    for key in (
        "unknown section [sendng]; did you mean [sending]?",
        'sender.email = "not an email" is not an email address',
        "sending.batch_size = 0 must be from 1 to 10,000",
        "sending.retry_seconds = nan must be",
        "cadence.followup_letter_days = [0, 0]",
    ):
        assert key in line


def test_sender_examples_and_missing_details_are_one_message(tmp_path):
    root = tmp_path / "s"
    assert Run()("init", root).exit_code == 0
    path = root / CONFIG
    path.write_text(path.read_text().replace('# phone = "217-555-0100"', 'phone = "217-555-0100"'))
    with pytest.raises(WorkspaceError) as caught:
        load(root).check_sender(["name", "email"], "every email's From: line shows {it}")
    said = str(caught.value)
    assert '[sender] phone is still the example "217-555-0100"' in said
    assert "[sender] name and email are not set" in said


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--email", "not an email"],
            'the email "not an email" is not an email address',
        ),
        (["--phone", "call me"], 'the phone "call me" is not a phone number'),
        (["--phone", "12"], "a phone number has at least 3 digits"),
        (
            ["--email", "jane@", "--phone", "555-CALL-NOW"],
            'the email "jane@" is not an email address (there must be something after the @-'
            'sign); the phone "555-CALL-NOW" is not a phone number',
        ),
    ],
)
def test_init_checks_the_email_and_phone_as_the_import_does(tmp_path, args, message):
    root = tmp_path / "s"
    result = Run()("init", root, *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("campaign: error: ")
    assert message in result.stderr
    assert result.stderr.strip().endswith("Nothing was made.")
    assert not root.exists()


def test_init_takes_the_phones_people_write(tmp_path):
    for number, phone in enumerate(
        [
            "(217) 555-0142",
            "+45 33 12 34 56",
            "217.555.0142 x 12",
            "0171/1234567",
            "+1 217 555 0142 ext. 9",
        ]
    ):
        result = Run()("init", tmp_path / str(number), "--phone", phone)
        assert result.exit_code == 0, (phone, result.stderr)
        assert load(tmp_path / str(number)).sender_phone == phone


def test_removing_the_example_note_keeps_a_body_line_that_starts_with_example():
    from campaign.workspace.files import without_example

    letter = (
        "---\nkind: intro\nexample: the achievements are made up\nsubject: Hello\n---\n"
        "Dear {{ name }},\nExample: at Acme I cut costs by 18%.\n"
    )
    assert without_example(letter) == (
        "---\nkind: intro\nsubject: Hello\n---\n"
        "Dear {{ name }},\nExample: at Acme I cut costs by 18%.\n"
    )
    assert (
        without_example("Dear,\nexample: no front matter\n") == "Dear,\nexample: no front matter\n"
    )
