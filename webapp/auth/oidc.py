"""OpenID Connect sign-in (Authlib): the provider's client, configured from GROUNDSWELL_OIDC_*.

The client lives in `app.extensions` (one per app, so tests with different providers never share
one). A person is matched by the *verified* email in the ID token, which Authlib checks against
the provider's keys, the issuer, our client id, the expiry and the nonce of this browser's login.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

EXTENSION = "groundswell_oidc"


class SsoRefused(Exception):
    """The sign-in was refused; the message says why, fit to show."""


@dataclass(frozen=True)
class SsoIdentity:
    email: str
    subject: str


def init_app(app: Flask) -> None:
    if not app.config.get("OIDC_ISSUER"):
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    oauth.register("oidc", client_id=app.config["OIDC_CLIENT_ID"], client_secret=app.config["OIDC_CLIENT_SECRET"],
                   server_metadata_url=app.config["OIDC_ISSUER"] + "/.well-known/openid-configuration",
                   client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", "timeout": 10})
    app.extensions[EXTENSION] = oauth


def enabled() -> bool:
    return EXTENSION in current_app.extensions


def client():
    return current_app.extensions[EXTENSION].oidc


def start(redirect_uri: str):
    """The redirect to the provider's login, remembering state, nonce and PKCE verifier in the session."""
    try:
        return client().authorize_redirect(redirect_uri)
    except Exception as exc:  # the provider's metadata could not be fetched
        raise SsoRefused(f"The sign-in service at {current_app.config['OIDC_ISSUER']} cannot be reached "
                         f"({type(exc).__name__}). Try again later.") from None


def finish() -> SsoIdentity:
    """Check the provider's answer (state, code, ID token and its nonce); return who signed in."""
    from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError

    try:
        token = client().authorize_access_token()
    except MismatchingStateError:
        raise SsoRefused("This sign-in did not start here or has expired (state mismatch). "
                         "Start again from the log-in page.") from None
    except OAuthError as exc:
        raise SsoRefused(f"The sign-in service refused: {exc.description or exc.error}.") from None
    except (OSError, ValueError) as exc:  # requests' connection errors are OSErrors
        raise SsoRefused(f"The sign-in service could not be reached ({type(exc).__name__}). Try again later.") from None
    except Exception as exc:  # the ID token failed a check: signature, issuer, audience, expiry or nonce
        if type(exc).__module__.split(".")[0] in ("authlib", "joserfc"):
            raise SsoRefused(f"The sign-in could not be verified ({getattr(exc, 'error', type(exc).__name__)}). "
                             "Start again from the log-in page.") from None
        raise
    claims = token.get("userinfo")
    if not claims or "id_token" not in token:  # no verified ID token: never trust the rest
        raise SsoRefused("The sign-in service sent no verifiable ID token.")
    if "email" not in claims:
        # Providers put scope claims in the UserInfo response, not the ID token (OIDC Core 5.4);
        # that answer counts only for the subject the verified ID token names.
        try:
            info = client().userinfo(token=token)
        except Exception as exc:
            raise SsoRefused(f"The sign-in service could not be asked who you are ({type(exc).__name__}).") from None
        if str(info.get("sub")) != str(claims.get("sub")):
            raise SsoRefused("The sign-in service answered for another account.")
        claims = {**info, **claims}
    email = (claims.get("email") or "").strip().lower()
    if not email or claims.get("email_verified") is not True:
        raise SsoRefused("Your organisation's account has no verified email address, so it cannot be matched.")
    return SsoIdentity(email=email, subject=str(claims.get("sub")))
