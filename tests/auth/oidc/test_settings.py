"""The sign-in settings are checked at start, with one Danish line naming the variable."""

from __future__ import annotations

import pytest

from quota_app.models import ROLES
from quota_app.settings import GROUP_ROLES, SettingsError, load_settings, parse_group_map

COMPLETE = {
    "env": "test",
    "oidc_issuer": "https://login.microsoftonline.com/tenant/v2.0",
    "oidc_client_id": "kvote",
    "oidc_client_secret": "very-secret-value",
    "oidc_group_map": "kvote-bif=bif;kvote-admin=admin;kvote-hr-sof=hr:SOF;kvote-hr-økf=hr:ØKF",
}


def test_the_group_map_of_the_issue_reads():
    assert parse_group_map(COMPLETE["oidc_group_map"] + ";") == {
        "kvote-bif": ("bif", None),
        "kvote-admin": ("admin", None),
        "kvote-hr-sof": ("hr", "SOF"),
        "kvote-hr-økf": ("hr", "ØKF"),
    }
    settings = load_settings(**COMPLETE)
    assert settings.oidc_enabled and settings.oidc_role_claim == "groups" and settings.local_login == "all"
    assert set(GROUP_ROLES) == set(ROLES)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"oidc_group_map": "kvote-bif=boss"}, "QUOTA_OIDC_GROUP_MAP='kvote-bif=boss'"),
        ({"oidc_group_map": "kvote-hr=hr"}, "skal have en forvaltning"),
        ({"oidc_group_map": "kvote-bif=bif:SOF"}, "skal have en forvaltning"),
        ({"oidc_group_map": "a=bif;A=admin"}, "flere gange"),
        ({"oidc_group_map": "justagroup"}, "gruppe=rolle"),
        ({"oidc_issuer": "http://idp.kk.dk"}, "QUOTA_OIDC_ISSUER"),
        ({"oidc_issuer": "ftp://127.0.0.1/x"}, "QUOTA_OIDC_ISSUER"),
        ({"oidc_client_secret": ""}, "QUOTA_OIDC_CLIENT_SECRET mangler"),
        (
            {"oidc_client_id": None, "oidc_group_map": ""},
            "QUOTA_OIDC_CLIENT_ID og QUOTA_OIDC_GROUP_MAP mangler",
        ),
        ({"oidc_role_claim": "two words"}, "QUOTA_OIDC_ROLE_CLAIM"),
        ({"local_login": "some"}, "QUOTA_LOCAL_LOGIN"),
    ],
)
def test_a_bad_sign_in_setting_is_one_line_naming_it(changes, words):
    with pytest.raises(SettingsError) as error:
        load_settings(**{**COMPLETE, **changes})
    message = str(error.value)
    assert words in message and "\n" not in message
    assert "very-secret-value" not in message


def test_passwords_cannot_be_switched_off_without_a_provider():
    with pytest.raises(SettingsError, match="QUOTA_LOCAL_LOGIN=none kræver QUOTA_OIDC_ISSUER"):
        load_settings(env="test", local_login="none")
    assert load_settings(env="test", local_login="admins").local_login == "admins"


def test_http_is_allowed_only_on_this_machine():
    for issuer in ("http://127.0.0.1:9400", "http://localhost:9400/realm", "http://[::1]:9400"):
        assert load_settings(**{**COMPLETE, "oidc_issuer": issuer}).oidc_issuer == issuer
