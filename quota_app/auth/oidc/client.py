"""The OpenID Connect client: discovery, the authorization code flow with PKCE, state and nonce, and the
ID token's checks (signature against the provider's published keys, issuer, audience, expiry, nonce).

Authlib does the protocol; this module decides what is checked and reads time only from the `now` it is
given. It holds the provider's metadata and keys for the life of the process: keys are fetched again
when a token names a key id not among them (the provider rotated its keys).
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

import requests
from authlib.common.urls import add_params_to_uri
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import ClaimError, ExpiredTokenError, InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

SCOPE = "openid email profile"
# Clock difference tolerated between this server and the provider (issued-at, expiry).
LEEWAY_SECONDS = 120
# A sign-in must come back from the provider within this time after it started here.
FLOW_SECONDS = 600
HTTP_TIMEOUT_SECONDS = 10
# Asymmetric signatures only: the keys come from the provider's JWKS ("none" and HMAC never verify).
SIGNING_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


# The check an ID token failed, by the claim that failed it (the audit log's reason).
_CLAIM_REASONS = {"aud": "audience", "azp": "audience", "iss": "issuer", "nonce": "nonce", "exp": "expired"}


class ProviderUnavailable(Exception):
    """The provider could not be reached, or answered with something that is not OpenID Connect."""


class TokenRefused(Exception):
    """The provider's answer or ID token is not accepted; reason names the check (for the audit log)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail[:200]


@dataclass(frozen=True)
class Flow:
    """One sign-in under way, kept in the browser's (signed) session until the provider sends it back."""

    state: str
    nonce: str
    code_verifier: str
    started: int  # epoch seconds by the app clock
    next: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: object) -> Flow | None:
        if not isinstance(data, dict):
            return None
        try:
            flow = cls(**data)
        except TypeError:
            return None
        strings = (flow.state, flow.nonce, flow.code_verifier)
        if not all(isinstance(value, str) and value for value in strings) or not isinstance(
            flow.started, int
        ):
            return None
        return flow


@dataclass(frozen=True)
class Identity:
    """Who the provider says signed in: the ID token's subject and claims (with userinfo's, see below)."""

    issuer: str
    subject: str
    claims: dict[str, Any]
    id_token: str


class OidcClient:
    """The app's client at one provider (thread-safe; one per process)."""

    def __init__(self, *, issuer: str, client_id: str, client_secret: str, role_claim: str) -> None:
        self.issuer = issuer
        self.client_id = client_id
        self._client_secret = client_secret
        self.role_claim = role_claim
        self._lock = threading.Lock()
        self._metadata: dict[str, Any] | None = None
        self._keys: KeySet | None = None

    # --- the provider's metadata and keys ---

    def metadata(self) -> dict[str, Any]:
        """The provider's discovery document (fetched once), checked to be the configured issuer's."""
        with self._lock:
            if self._metadata is None:
                url = self.issuer.rstrip("/") + "/.well-known/openid-configuration"
                metadata = self._get_json(url)
                if metadata.get("issuer") != self.issuer:
                    raise ProviderUnavailable(
                        f"the discovery document names issuer {metadata.get('issuer')!r}"
                    )
                for name in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not isinstance(metadata.get(name), str):
                        raise ProviderUnavailable(f"the discovery document has no {name}")
                self._metadata = metadata
            return self._metadata

    def _key_set(self, *, refresh: bool = False) -> KeySet:
        with self._lock:
            keys = self._keys
        if keys is None or refresh:
            try:
                keys = KeySet.import_key_set(self._get_json(self.metadata()["jwks_uri"]))  # type: ignore[arg-type]  # JSON; checked by joserfc
            except (JoseError, ValueError, TypeError, KeyError) as exc:
                raise ProviderUnavailable(f"the provider's keys cannot be read: {exc}") from exc
            with self._lock:
                self._keys = keys
        return keys

    def _get_json(self, url: str, **kwargs: Any) -> dict[str, Any]:
        try:
            response = requests.get(url, timeout=HTTP_TIMEOUT_SECONDS, **kwargs)
            response.raise_for_status()
            data = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"GET {url}: {exc}") from exc
        if not isinstance(data, dict):
            raise ProviderUnavailable(f"GET {url}: not a JSON object")
        return data

    def _session(self, redirect_uri: str) -> OAuth2Session:
        return OAuth2Session(
            self.client_id,
            self._client_secret,
            scope=SCOPE,
            redirect_uri=redirect_uri,
            code_challenge_method="S256",
            default_timeout=HTTP_TIMEOUT_SECONDS,
        )

    # --- the flow ---

    def begin(self, *, redirect_uri: str, now: datetime, next: str | None = None) -> tuple[str, Flow]:
        """The provider's authorization URL to send the browser to, and the flow to keep until it returns."""
        flow = Flow(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),
            started=int(now.timestamp()),
            next=next,
        )
        with self._session(redirect_uri) as session:
            url, _state = session.create_authorization_url(
                self.metadata()["authorization_endpoint"],
                state=flow.state,
                code_verifier=flow.code_verifier,
                nonce=flow.nonce,
            )
        return url, flow

    def complete(
        self, *, flow: Flow | None, params: Mapping[str, str], redirect_uri: str, now: datetime
    ) -> Identity:
        """Check the provider's answer against the flow, exchange the code and check the ID token."""
        answered = params.get("state", "").encode("utf-8", "surrogatepass")
        if flow is None or not secrets.compare_digest(answered, flow.state.encode()):
            raise TokenRefused("state", "no sign-in under way with this state")
        if params.get("error"):
            raise TokenRefused("provider_error", params["error"])
        if int(now.timestamp()) - flow.started > FLOW_SECONDS:
            raise TokenRefused("flow_expired")
        if "iss" in params and params["iss"] != self.issuer:  # RFC 9207: the answer of another provider
            raise TokenRefused("issuer", params["iss"])
        if not params.get("code"):
            raise TokenRefused("code", "no code")
        metadata = self.metadata()
        try:
            with self._session(redirect_uri) as session:
                token = session.fetch_token(
                    metadata["token_endpoint"],
                    grant_type="authorization_code",
                    code=params["code"],
                    code_verifier=flow.code_verifier,
                    redirect_uri=redirect_uri,
                )
        except OAuthError as exc:
            raise TokenRefused("token_endpoint", str(exc.error)) from exc
        except (requests.RequestException, ValueError) as exc:
            raise ProviderUnavailable(f"the token endpoint: {exc}") from exc
        if not isinstance(token.get("id_token"), str):
            raise TokenRefused("id_token", "the token answer has no ID token")
        claims = self.verify_id_token(
            token["id_token"], nonce=flow.nonce, access_token=token.get("access_token"), now=now
        )
        claims = self._with_userinfo(claims, token.get("access_token"), metadata)
        return Identity(issuer=self.issuer, subject=claims["sub"], claims=claims, id_token=token["id_token"])

    def verify_id_token(
        self, id_token: str, *, nonce: str, access_token: str | None, now: datetime
    ) -> dict[str, Any]:
        """The ID token's claims, once its signature, issuer, audience, times and nonce are right."""
        offered = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        registry = JWSRegistry(algorithms=[alg for alg in SIGNING_ALGORITHMS if alg in offered])
        try:
            try:
                decoded = jwt.decode(id_token, self._key_set(), registry=registry)
            except InvalidKeyIdError:  # a key we have not seen: the provider rotated its keys
                decoded = jwt.decode(id_token, self._key_set(refresh=True), registry=registry)
        except JoseError as exc:
            raise TokenRefused("signature", f"{type(exc).__name__}: {exc}") from exc
        except ValueError as exc:
            raise TokenRefused("signature", f"not a signed token: {exc}") from exc
        claims = CodeIDToken(
            decoded.claims,
            decoded.header,
            {
                "iss": {"essential": True, "value": self.issuer},
                "aud": {"essential": True, "values": [self.client_id]},
            },
            {"nonce": nonce, "client_id": self.client_id, "access_token": access_token},
        )
        try:
            claims.validate(now=int(now.timestamp()), leeway=LEEWAY_SECONDS)
        except ExpiredTokenError as exc:
            raise TokenRefused("expired", str(exc)) from exc
        except ClaimError as exc:
            reason = _CLAIM_REASONS.get(exc.claim, "claims")
            raise TokenRefused(reason, str(exc)) from exc
        except JoseError as exc:
            raise TokenRefused("claims", str(exc)) from exc
        if not isinstance(claims.get("sub"), str) or not claims["sub"]:
            raise TokenRefused("claims", "no subject")
        return dict(claims)

    def _with_userinfo(
        self, claims: dict[str, Any], access_token: str | None, metadata: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Claims the ID token lacks (some providers send e-mail, name or groups only from userinfo)."""
        wanted = ("email", "name", self.role_claim)
        endpoint = metadata.get("userinfo_endpoint")
        if all(name in claims for name in wanted) or not access_token or not isinstance(endpoint, str):
            return claims
        info = self._get_json(endpoint, headers={"Authorization": f"Bearer {access_token}"})
        if info.get("sub") != claims["sub"]:  # OpenID Connect Core 5.3.2
            raise TokenRefused("userinfo", "userinfo names another subject")
        return {**{name: info[name] for name in wanted if name in info}, **claims}

    def logout_url(self, *, id_token: str | None, post_logout_redirect_uri: str) -> str | None:
        """The provider's end-session URL (RP-initiated logout), when the provider offers one."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except ProviderUnavailable:
            return None
        if not isinstance(endpoint, str):
            return None
        params = [("client_id", self.client_id), ("post_logout_redirect_uri", post_logout_redirect_uri)]
        return add_params_to_uri(endpoint, params + ([("id_token_hint", id_token)] if id_token else []))
