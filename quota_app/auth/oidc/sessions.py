"""The app's OpenID client, and what the browser's session keeps of a sign-in with it.

The flow under way (state, nonce, PKCE verifier, when it started, where to go after) waits in the signed
session cookie until the provider sends the browser back; the ID token of a finished sign-in stays there
for the provider's sign-out (`id_token_hint`).
"""

from __future__ import annotations

from flask import current_app, session, url_for

from .client import Flow, OidcClient

FLOW_KEY = "oidc_flow"
ID_TOKEN_KEY = "oidc_id_token"  # noqa: S105 (a session key, not a secret)


def oidc_client() -> OidcClient | None:
    """The app's client (made on first use; it fetches nothing until asked), or None when not configured."""
    settings = current_app.config["QUOTA_SETTINGS"]
    if not settings.oidc_enabled:
        return None
    client = current_app.extensions.get("quota_oidc_client")
    if client is None:
        client = OidcClient(
            issuer=settings.oidc_issuer,
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            role_claim=settings.oidc_role_claim,
        )
        current_app.extensions["quota_oidc_client"] = client
    return client


def keep_flow(flow: Flow) -> None:
    session[FLOW_KEY] = flow.to_dict()


def take_flow() -> Flow | None:
    """The flow under way, taken out of the session: each is answered once."""
    return Flow.from_dict(session.pop(FLOW_KEY, None))


def provider_logout_url(id_token: str | None) -> str | None:
    """Where to send the browser after signing out here, to end the provider's session too (RP-initiated
    logout): the provider's end-session endpoint, back to the sign-in page; None when it has none."""
    client = oidc_client()
    if client is None or id_token is None:
        return None
    return client.logout_url(
        id_token=id_token, post_logout_redirect_uri=url_for("auth.login", _external=True)
    )
