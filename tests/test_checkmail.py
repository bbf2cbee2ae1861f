"""campaign check-mail and campaign init --provider."""

from __future__ import annotations

from campaign.workspace.settings import load
from tests.helpers import Run, use_imap, use_smtp


def test_check_mail_says_what_works_and_sends_a_test(run, workspace, smtp_server, imap):
    use_smtp(workspace, smtp_server)
    use_imap(workspace, imap)
    result = run("check-mail", "--send-test", "--json")
    assert result.exit_code == 0, result.stderr
    assert "SMTP  ok" in result.stderr
    assert "IMAP  ok" in result.stderr
    assert "sent copies go to 'Sent'" in result.stderr
    [test] = smtp_server
    assert test.rcpt_tos == ["jane.doe@example.org"]
    assert test.message["Subject"] == "campaign: test message"
    # Nothing of the check lands in the ledger or the mailbox.
    assert imap.read() == []
    assert run.json("status")["sends_by_status"] == {}


def test_check_mail_explains_a_wrong_password_and_a_closed_port(run, workspace, imap):
    use_imap(workspace, imap)
    use_smtp(workspace, type("Closed", (), {"host": "127.0.0.1", "port": 9})())
    result = run("check-mail", env={"CAMPAIGN_IMAP_PASSWORD": "wrong"})
    assert result.exit_code == 1
    assert "SMTP  problem" in result.stderr
    assert "refused" in result.stderr
    assert "IMAP  problem" in result.stderr
    assert "refused the login" in result.stderr
    assert "app password" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_mail_without_servers_says_what_is_missing(run):
    result = run("check-mail")
    assert result.exit_code == 0
    assert "SMTP  ok: not set up" in result.stderr
    assert "[imap]" in result.stderr


def test_init_with_a_provider_writes_both_servers(tmp_path):
    result = Run()("init", str(tmp_path / "gm"), "--email", "jo@gmail.com", "--provider", "gmail")
    assert result.exit_code == 0, result.stderr
    settings = load(tmp_path / "gm")
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == (
        "smtp.gmail.com",
        587,
        "starttls",
    )
    assert (settings.imap.host, settings.imap.port, settings.imap.security) == (
        "imap.gmail.com",
        993,
        "ssl",
    )
    assert settings.imap.save_sent is False  # Gmail files sent mail itself
    assert settings.imap.username == settings.smtp.username == "jo@gmail.com"
    assert "apppasswords" in (tmp_path / "gm" / "campaign.toml").read_text()
    fastmail = Run()(
        "init", tmp_path / "fm", "--email", "jo@fastmail.com", "--provider", "fastmail"
    )
    assert fastmail.exit_code == 0
    assert load(tmp_path / "fm").imap.save_sent is True
    assert Run()("init", str(tmp_path / "x"), "--provider", "aol").exit_code == 2
    no_login = Run()("init", str(tmp_path / "y"), "--provider", "gmail")
    assert no_login.exit_code == 2
    assert "--provider needs --email" in no_login.stderr


def test_check_mail_names_a_tls_mismatch(run, workspace, smtp_server, imap):
    use_smtp(workspace, smtp_server)
    use_imap(workspace, imap, security="ssl")  # Dovecot speaks plain IMAP on this port
    from tests.helpers import configure

    configure(workspace, smtp={"security": "ssl"})
    result = run("check-mail")
    assert result.exit_code == 1
    assert "TLS mismatch" in result.stderr
    assert result.stderr.count("TLS mismatch") == 2  # both servers


def test_init_provider_comments_say_what_the_settings_do(tmp_path):
    gmail = Run()("init", tmp_path / "gm", "--email", "jo@gmail.com", "--provider", "gmail")
    assert gmail.exit_code == 0
    text = (tmp_path / "gm" / "campaign.toml").read_text()
    [line] = [x for x in text.splitlines() if x.startswith("save_sent")]
    assert line == (
        "save_sent = false   # the provider files each email sent in Sent itself: no second copy"
    )
    icloud = Run()("init", tmp_path / "ic", "--email", "jo@icloud.com", "--provider", "icloud")
    assert icloud.exit_code == 0
    [line] = [
        x
        for x in (tmp_path / "ic" / "campaign.toml").read_text().splitlines()
        if x.startswith("save_sent")
    ]
    assert line == "save_sent = true    # keep a copy of each email sent in your Sent folder"


def test_init_outlook_says_microsoft_refuses_program_passwords(tmp_path):
    result = Run()("init", tmp_path / "ol", "--email", "jo@outlook.com", "--provider", "outlook")
    assert result.exit_code == 0, result.stderr
    said = " ".join(result.stderr.split())
    assert (
        "Outlook.com, Hotmail and Live accounts no longer accept passwords from programs like "
        "this one (Microsoft requires its own sign-in since September 2024)"
    ) in said
    assert "app password" not in said
    assert "check-mail" not in said  # nothing to check: no server is set
    text = (tmp_path / "ol" / "campaign.toml").read_text()
    assert "app password" not in text
    comments = " ".join(line.removeprefix("# ") for line in text.splitlines())
    assert "(Microsoft requires its own sign-in since September 2024)" in comments
    assert '# host = "smtp-mail.outlook.com"' in text  # there, but as a comment
    settings = load(tmp_path / "ol")
    assert settings.smtp is None  # so send writes drafts to outbox/ instead of failing
    assert settings.imap is None
