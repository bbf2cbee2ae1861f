"""Who may use the app: a secret path, a token cookie scoped to it, and the link file.

Browsers keep cookies apart by host and path, never by port: a cookie set by
http://127.0.0.1:8765 is sent to every server on 127.0.0.1, another user's included (RFC 6265
section 8.5, "Weak Confidentiality"). So every page of the app lives under a random path,
/<scope>/, and the token's cookie is scoped to that path (RFC 6265 section 5.1.4): the
browser sends it only to URLs under /<scope>/, which no other local server is ever asked for,
because nothing tells the browser to go there but this app's own pages (their Referrer-Policy
keeps the path from other sites too).

The token itself is never in a URL, so it is in no browser history, no command line and no
Referer: `campaign serve` writes a page only its user can read (0600, in the private
workspace; Jupyter does the same) holding a form that POSTs the token to /<scope>/open, and
opens the browser on that file. The answer sets the cookie (HttpOnly, SameSite=Strict) and
sends the browser to /<scope>/welcome, a page of ours that moves on to the dashboard: a
navigation started by our own page is same-site, so the Strict cookie goes with it.
"""

from __future__ import annotations

import html
import secrets
from dataclasses import dataclass, field
from pathlib import Path

COOKIE = "campaign_token"
LINK_FILE = "open-campaign-{port}.html"


@dataclass(frozen=True)
class Access:
    """The app's secrets for one run of `campaign serve`."""

    port: int
    scope: str = field(default_factory=lambda: secrets.token_urlsafe(18))
    token: str = field(default_factory=lambda: secrets.token_urlsafe(32))

    @property
    def prefix(self) -> str:
        """Every page's path starts with it: /<scope>."""
        return f"/{self.scope}"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"

    def is_token(self, given: str) -> bool:
        """Whether `given` is the token (any text, compared in constant time, never raising)."""
        return secrets.compare_digest(given.encode("utf-8", "replace"), self.token.encode())

    def cookie(self) -> dict:
        """set_cookie's arguments: only this app's paths, never readable by a script."""
        return {
            "key": COOKIE,
            "value": self.token,
            "path": self.prefix,
            "httponly": True,
            "samesite": "strict",
        }


def link_page(access: Access) -> str:
    """The page that opens the app: a form POSTing the token (a button without JavaScript)."""
    action = html.escape(f"{access.base}/open", quote=True)
    token = html.escape(access.token, quote=True)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="referrer" content="no-referrer">
<title>Open campaign</title></head>
<body>
<form method="post" action="{action}">
<input type="hidden" name="token" value="{token}">
<p>campaign is running on this computer. <button type="submit">Open campaign</button></p>
</form>
<script>document.forms[0].submit();</script>
</body></html>
"""


def write_link(access: Access, folder: Path) -> Path:
    """The link file in `folder` (the private workspace), readable by its owner only.

    In the workspace rather than /tmp or a hidden folder: browsers packaged as snaps (Ubuntu's
    Firefox and Chromium) can read neither, and Jupyter's link file fails there for that
    reason (jupyter/notebook#4500).
    """
    from campaign.util.atomic import write_private

    path = folder / LINK_FILE.format(port=access.port)
    write_private(path, link_page(access).encode("utf-8"))
    return path
