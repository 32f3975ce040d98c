"""Sign-in with the organisation's OpenID Connect provider (docs/sign-in.md).

client.py        the OpenID client (Authlib): discovery, the authorization request with state, nonce and
                 PKCE, the code exchange, the ID token's checks against the provider's keys; no Flask
provisioning.py  the user a sign-in's claims name: created on first sign-in, role and department from
                 the groups every time, refusals; every step audited; no Flask
sessions.py      the app's client and what the browser's session keeps of a sign-in (flow, ID token)
views.py         /login/oidc and /login/oidc/callback
"""
