"""A signed-in (or anonymous) browser for the benchmark's set-up: sign-in, the session cookie
wrk replays, and the form fields a page's POST form would submit."""
from __future__ import annotations

import html
import re
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

from bench.targets import Step

CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


USER_AGENT = "marketplace-bench/1 (wrk)"


class Session:
    """A signed-in (or anonymous) browser: cookies and the CSRF token of its session."""

    def __init__(self, base_url: str, email: str | None) -> None:
        self.base_url = base_url
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.opener.addheaders = [("User-Agent", USER_AGENT)]  # wrk sends the same (the session's protection)
        self.csrf_token = ""
        if email is not None:
            from app.core.demo_data import DEMO_PASSWORD

            self.refresh_token("/sign-in")
            status, _ = self.send(Step("/sign-in", "POST", {"email": email, "password": DEMO_PASSWORD}))
            if not any(cookie.name == "session" for cookie in self.jar) or status >= 400:
                raise RuntimeError(f"could not sign in as {email} (status {status})")
        # Twice: the first page may still change the session (Flask-Login marks it), and wrk replays
        # one fixed cookie, where a browser would keep the updated one.
        self.refresh_token("/")
        self.refresh_token("/")

    def refresh_token(self, path: str) -> None:
        found = CSRF_FIELD.search(self.opener.open(self.base_url + path).read().decode())
        self.csrf_token = found.group(1) if found else self.csrf_token

    def body(self, step: Step, read_form: str = "") -> str:
        if step.method != "POST":
            return ""
        return urllib.parse.urlencode({**step.form, "csrf_token": self.csrf_token}) + read_form

    def send(self, step: Step, read_form: str = "") -> tuple[int, bytes]:
        data = self.body(step, read_form).encode() if step.method == "POST" else None
        headers = {}
        if step.bearer:  # the partner API: its key and JSON, as the wrk script sends them
            headers = {"Authorization": f"Bearer {step.bearer}", "Content-Type": "application/json"}
            data = step.json_body.encode() if step.json_body else None
        try:
            response = self.opener.open(urllib.request.Request(self.base_url + step.path, data=data, method=step.method,
                                                               headers=headers))
            return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def cookie_header(self) -> str:
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)


FORM = re.compile(r"<form([^>]*)>(.*?)</form>", re.S)
INPUT = re.compile(r"<input[^>]*>")


def _attribute(tag: str, name: str) -> str | None:
    found = re.search(rf'(?<![\w-]){name}="([^"]*)"', tag)
    return html.unescape(found.group(1)) if found else None


def form_fields(page: str, target_path: str, page_path: str) -> str:
    """What a browser submits with the page's POST form aimed at ``target_path`` (all its
    checkboxes ticked), as ``&name=value`` pairs; the CSRF token is left to the session.
    (``bench/wrk_script.lua.tmpl`` does the same in Lua.)"""
    for attributes, inner in FORM.findall(page):
        if _attribute(attributes, "method") != "post" or (_attribute(attributes, "action") or page_path) != target_path:
            continue
        pairs = []
        for tag in INPUT.findall(inner):
            kind, name, value = _attribute(tag, "type"), _attribute(tag, "name"), _attribute(tag, "value") or ""
            if name and name != "csrf_token" and (kind in ("hidden", "checkbox") or (kind == "radio" and " checked" in tag)):
                pairs.append((name, value))
        return "&" + urllib.parse.urlencode(pairs) if pairs else ""
    return ""


def run_steps_once(session: Session, steps: list[Step]) -> tuple[int, str] | None:
    """Sends each step once as wrk would; the first refusal as (status, path), else ``None``."""
    read = ""
    for number, step in enumerate(steps):
        status, body = session.send(step, read if step.send_form else "")
        if status >= 400:
            return status, f"{step.method} {step.path}"
        if step.read_form:
            following = steps[(number + 1) % len(steps)]
            read = form_fields(body.decode(), following.path, step.path)
    return None
