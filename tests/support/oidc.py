"""A real OpenID Connect provider for tests: node-oidc-provider (tests/support/oidc_provider,
installed by `.ci/run` with `npm ci`) started on 127.0.0.1, and a browser-less walk through its
development login and consent pages."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from html import unescape
from pathlib import Path
from urllib.parse import urljoin

import pytest

HERE = Path(__file__).parent / "oidc_provider"
CLIENT_ID = "groundswell-test"
CLIENT_SECRET = "a-client-secret-long-enough-for-hs256-0123456789"


class OidcProvider:
    def __init__(self, process: subprocess.Popen, issuer: str):
        self.process, self.issuer = process, issuer

    @classmethod
    def start(cls, port: int, redirect_uri: str, accounts: dict) -> "OidcProvider":
        node = shutil.which("node")
        if node is None or not (HERE / "node_modules" / "oidc-provider").exists():
            reason = "the OIDC provider needs Node.js and `npm ci` in tests/support/oidc_provider"
            if os.environ.get("CI"):
                pytest.fail(reason)
            pytest.skip(reason)
        env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENT_ID": CLIENT_ID, "OIDC_CLIENT_SECRET": CLIENT_SECRET,
               "OIDC_REDIRECT_URI": redirect_uri, "OIDC_ACCOUNTS": json.dumps(accounts), "NODE_ENV": "test"}
        process = subprocess.Popen([node, str(HERE / "provider.mjs")], env=env, stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        deadline = time.monotonic() + 30
        line = ""
        while time.monotonic() < deadline:
            line = process.stdout.readline()
            if line.startswith("ready "):
                return cls(process, line.split(" ", 1)[1].strip())
            if process.poll() is not None:
                break
        process.kill()
        raise RuntimeError(f"the OIDC provider did not start: {line}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stdout.close()

    def sign_in(self, authorize_url: str, login: str, redirect_prefix: str) -> str:
        """Walk the provider's login and consent pages as `login`; return the redirect back to us."""
        import requests

        with requests.Session() as browser:
            url = authorize_url
            for _ in range(12):
                response = browser.get(url, allow_redirects=False, timeout=10)
                while response.is_redirect:
                    url = urljoin(url, response.headers["Location"])
                    if url.startswith(redirect_prefix):
                        return url
                    response = browser.get(url, allow_redirects=False, timeout=10)
                form = _form(response.text)
                if form is None:
                    raise AssertionError(f"no form at {url}: {response.text[:500]}")
                action, fields = form
                if "login" in fields or 'name="login"' in response.text:
                    fields.update(login=login, password="any")
                response = browser.post(urljoin(url, action), data=fields, allow_redirects=False, timeout=10)
                if not response.is_redirect:
                    raise AssertionError(f"the provider answered {response.status_code}: {response.text[:500]}")
                url = urljoin(url, response.headers["Location"])
                if url.startswith(redirect_prefix):
                    return url
        raise AssertionError("too many steps at the provider")


def _form(html: str):
    match = re.search(r'<form[^>]*action="([^"]+)"[^>]*>(.*?)</form>', html, re.S)
    if not match:
        return None
    fields = {unescape(n): unescape(v) for n, v in
              re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', match.group(2))}
    if 'name="login"' in match.group(2):
        fields["login"] = ""
    return unescape(match.group(1)), fields
