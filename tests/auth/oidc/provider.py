"""A real OpenID provider on loopback for the sign-in tests, and a browser that goes through it.

The provider is panva's `oidc-provider` for Node.js (npm, a devDependency in package.json; OpenID
Certified), configured by provider.mjs beside this file and run as its own process on a socket the test
opens first, so every request made before it is ready simply waits. Its clock is its own, as a real
provider's is; the app's clock is the test's FrozenClock, set to the provider's time (its Date header),
and moved only by the test. Its sign-in pages are its development pages: any password signs in the
account named.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from email.utils import parsedate_to_datetime
from html import unescape
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import RSAKey

from quota_app.settings import Settings
from tests.processes import LineReader, listening_socket

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = Path(__file__).with_name("provider.mjs")
PACKAGE = ROOT / "node_modules" / "oidc-provider"
CLIENT_ID = "kvote"
CLIENT_SECRET = "a-client-secret-for-the-tests"
APP = "http://localhost"  # where Flask's test client serves the app
GROUP_MAP = "kvote-bif=bif;kvote-admin=admin;kvote-hr-sof=hr:SOF;kvote-hr-økf=hr:ØKF"
ID_TOKEN_SECONDS = 60
FORM_RE = re.compile(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', re.DOTALL)
INPUT_RE = re.compile(r"<input[^>]*>")
ATTRIBUTE_RE = re.compile(r'\b(name|value)="([^"]*)"')


def missing() -> str | None:
    """Why the provider cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed"
    if not PACKAGE.is_dir():
        return f"{PACKAGE} is missing: run `make setup` (npm ci)"
    return None


def require_provider() -> None:
    problem = missing()
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"the OpenID provider cannot run: {problem}. CI requires it.")
        pytest.skip(f"the OpenID provider cannot run: {problem}")


def new_key(kid: str) -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": kid, "use": "sig", "alg": "RS256"}, private=True)


class Provider:
    """oidc-provider serving `issuer` (http://127.0.0.1:<port>) in a node process."""

    def __init__(self, folder: Path, keys: list[RSAKey], *, conform: bool = False) -> None:
        self.folder = folder
        self.conform = conform
        folder.mkdir(parents=True, exist_ok=True)
        self.keys = keys
        self.accounts_file = folder / "accounts.json"
        self.accounts_file.write_text("{}", encoding="utf-8")
        self.socket = listening_socket()
        self.issuer = f"http://127.0.0.1:{self.socket.getsockname()[1]}"
        self.process: subprocess.Popen[str] | None = None
        self.output: LineReader | None = None

    def start(self) -> None:
        config = self.folder / "provider.json"
        config.write_text(
            json.dumps(
                {
                    "issuer": self.issuer,
                    "fd": self.socket.fileno(),
                    "idTokenSeconds": ID_TOKEN_SECONDS,
                    "conform": self.conform,
                    "accountsFile": str(self.accounts_file),
                    "keys": [key.as_dict(private=True) for key in self.keys],
                    "clients": [
                        {
                            "client_id": CLIENT_ID,
                            "client_secret": CLIENT_SECRET,
                            "redirect_uris": [f"{APP}/login/oidc/callback"],
                            "post_logout_redirect_uris": [f"{APP}/login"],
                        }
                    ],
                }
            ),
            encoding="utf-8",
        )
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(config)],
            cwd=ROOT,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            pass_fds=(self.socket.fileno(),),
        )
        self.output = LineReader(self.process.stdout)  # type: ignore[arg-type]
        self.output.wait_for(r"^listening ", timeout=60, what="the OpenID provider to listen")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.output.close()  # type: ignore[union-attr]
            self.process = None

    def rotate(self, new: RSAKey) -> None:
        """Restart with a new signing key, the old ones still published (what a key rotation looks like)."""
        self.stop()
        self.keys = [new, *self.keys]
        self.start()

    def close(self) -> None:
        self.stop()
        self.socket.close()

    def add_account(
        self, *, groups: list[str] | str | None, email: str | None = "", name: str = "Test Person"
    ) -> str:
        """A new account at the provider; returns its subject. email "" makes one from the subject."""
        subject = f"user-{uuid.uuid4().hex[:12]}"
        claims: dict = {"name": name}
        if email is not None:
            claims["email"] = email or f"{subject}@kk.dk"
        if groups is not None:
            claims["groups"] = groups
        self.set_account(subject, claims)
        return subject

    def set_account(self, subject: str, claims: dict) -> None:
        accounts = json.loads(self.accounts_file.read_text(encoding="utf-8"))
        accounts[subject] = claims
        self.accounts_file.write_text(json.dumps(accounts), encoding="utf-8")

    def account(self, subject: str) -> dict:
        return json.loads(self.accounts_file.read_text(encoding="utf-8"))[subject]

    def metadata(self) -> dict:
        return requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=30).json()

    def now(self) -> datetime:
        """The provider's clock (its Date header)."""
        response = requests.get(f"{self.issuer}/.well-known/openid-configuration", timeout=30)
        return parsedate_to_datetime(response.headers["Date"])


@contextmanager
def running_provider(
    folder: Path, keys: list[RSAKey] | None = None, *, conform: bool = False
) -> Iterator[Provider]:
    """A provider for the length of the block; conform=True: claims only from userinfo, not the ID token."""
    require_provider()
    provider = Provider(folder, keys or [new_key("key-1")], conform=conform)
    try:
        provider.start()
        yield provider
    finally:
        provider.close()


def app_settings(instance: Path, provider: Provider, **changes: object) -> Settings:
    """The test app's settings, with sign-in at this provider."""
    return Settings(
        env="test",
        instance_path=instance,
        secret_key="test-secret",
        session_cookie_secure=False,
        oidc_issuer=provider.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_group_map=GROUP_MAP,
        **changes,  # type: ignore[arg-type]
    )


class Browser:
    """One person's browser: the app through Flask's test client, the provider over HTTP (its cookies
    kept, as a browser keeps them), following redirects between the two by hand."""

    def __init__(self, client, provider: Provider) -> None:  # type: ignore[no-untyped-def]
        self.client = client
        self.provider = provider
        self.http = requests.Session()

    def to_callback(self, subject: str, *, start: str = "/login/oidc") -> str:
        """Start a sign-in at the app and sign in at the provider as `subject`; return the app's
        callback address the provider sends the browser to (not yet opened)."""
        answer = self.client.get(start)
        assert answer.status_code == 302, answer.get_data(as_text=True)[:500]
        return self.at_provider(answer.headers["Location"], subject)

    def at_provider(self, url: str, subject: str | None = None) -> str:
        """Follow the provider's pages from url (signing in as subject, consenting) until it sends the
        browser back to the app; return that address."""
        response = self.http.get(url, allow_redirects=False, timeout=30)
        for _step in range(12):
            if response.is_redirect:
                target = urljoin(response.url, response.headers["Location"])
                if target.startswith(APP + "/"):
                    return target
                response = self.http.get(target, allow_redirects=False, timeout=30)
                continue
            assert response.status_code == 200, (
                f"{response.status_code} at the provider: {response.text[:800]}"
            )
            action, fields = _form(response.text)
            if fields.get("prompt") == "login":
                assert subject is not None, "the provider asks who signs in"
                fields.update(login=subject, password="any password")
            if 'name="logout"' in response.text:  # "Do you want to sign-out?": yes
                fields["logout"] = "yes"
            response = self.http.post(
                urljoin(response.url, action), data=fields, allow_redirects=False, timeout=30
            )
        raise AssertionError(
            f"the provider did not send the browser back: {response.status_code} {response.text[:500]}"
        )

    def open(self, url: str):  # type: ignore[no-untyped-def]
        """Open an address of the app (as the provider sent it) in the test client."""
        parts = urlsplit(url)
        return self.client.get(parts.path, query_string=parts.query)

    def sign_in(self, subject: str):  # type: ignore[no-untyped-def]
        return self.open(self.to_callback(subject))


def _form(page: str) -> tuple[str, dict[str, str]]:
    match = FORM_RE.search(page)
    assert match, f"no form on the provider's page: {page[:800]}"
    fields = {}
    for tag in INPUT_RE.findall(match.group(2)):
        attributes = dict(ATTRIBUTE_RE.findall(tag))
        if "name" in attributes:
            fields[attributes["name"]] = unescape(attributes.get("value", ""))
    return unescape(match.group(1)), fields


def token_rewriter(monkeypatch, token_endpoint: str, edit: Callable[[str], str]) -> None:  # type: ignore[no-untyped-def]
    """Change the ID token in the provider's token answer on its way to the app (a man in the middle)."""
    original = requests.adapters.HTTPAdapter.send

    def send(adapter, request, **kwargs):  # type: ignore[no-untyped-def]
        response = original(adapter, request, **kwargs)
        if request.method == "POST" and request.url == token_endpoint and response.status_code == 200:
            body = response.json()
            body["id_token"] = edit(body["id_token"])
            response._content = json.dumps(body).encode()
        return response

    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send", send)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims_of(token: str) -> dict:
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def with_claims_keeping_signature(token: str, **changes: object) -> str:
    """The token with its claims changed and the provider's signature of the original kept."""
    header, _payload, signature = token.split(".")
    claims = {**claims_of(token), **changes}
    return ".".join((header, _b64(json.dumps(claims).encode()), signature))


def signed_again(token: str, key: RSAKey, **changes: object) -> str:
    """The token with its claims changed, signed again with key (the provider's own, or another)."""
    claims = {**claims_of(token), **changes}
    return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
