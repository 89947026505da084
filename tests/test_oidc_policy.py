"""Which OIDC identities may sign in: a verified address only, from an allowed issuer (real claim dicts)."""

import pytest

from qualepref import auth
from qualepref.access import Role

PROCONNECT = "https://auth.agentconnect.gouv.fr/api/v2"
OTHER = "https://idp.example.com"
# An ID token's claims as Authlib hands them to Streamlit (`st.user`).
BASE = {"iss": OTHER, "aud": "qualepref", "sub": "f1d2", "iat": 1764662400, "exp": 1764666000,
        "email": "Admin@Interieur.gouv.fr", "given_name": "Camille", "usual_name": "Martin"}


@pytest.mark.parametrize(("claims", "policy", "reason"), [
    ({**BASE, "email_verified": False}, auth.OidcPolicy(), "email_not_verified"),
    (BASE, auth.OidcPolicy(), "email_not_verified"),  # no claim: not verified
    ({**BASE, "email_verified": "true"}, auth.OidcPolicy(), "email_not_verified"),  # a string is not true
    ({**BASE, "email_verified": 1}, auth.OidcPolicy(), "email_not_verified"),
    ({**BASE, "email_verified": True}, auth.OidcPolicy(allowed_issuers=(PROCONNECT,)), "issuer_not_allowed"),
    ({**BASE, "email_verified": True, "email": "  "}, auth.OidcPolicy(), "no_email"),
    ({**BASE, "iss": PROCONNECT, "email_verified": False}, auth.OidcPolicy(issuers_vouching_email=(PROCONNECT,)),
     "email_not_verified"),  # a provider that says "not verified" is believed, even one that vouches
    ({**BASE, "iss": OTHER}, auth.OidcPolicy(issuers_vouching_email=(PROCONNECT,)), "email_not_verified"),
])
def test_refused_identities(claims, policy, reason):
    with pytest.raises(auth.AuthError) as refused:
        auth.oidc_email(claims, policy)
    assert refused.value.reason == reason


@pytest.mark.parametrize(("claims", "policy"), [
    ({**BASE, "email_verified": True}, auth.OidcPolicy()),
    ({**BASE, "email_verified": True, "iss": PROCONNECT}, auth.OidcPolicy(allowed_issuers=(PROCONNECT, OTHER))),
    # ProConnect sends no email_verified: the addresses come from the agents' own directories.
    ({**BASE, "iss": PROCONNECT}, auth.OidcPolicy(allowed_issuers=(PROCONNECT,),
                                                  issuers_vouching_email=(PROCONNECT,))),
])
def test_accepted_identities(claims, policy):
    assert auth.oidc_email(claims, policy) == "admin@interieur.gouv.fr"


def test_policy_from_secrets():
    policy = auth.OidcPolicy.from_settings({"allowed_issuers": [PROCONNECT, " "],
                                            "issuers_vouching_email": PROCONNECT})
    assert policy == auth.OidcPolicy(allowed_issuers=(PROCONNECT,), issuers_vouching_email=(PROCONNECT,))
    assert auth.OidcPolicy.from_settings(None) == auth.OidcPolicy()


def test_an_unverified_address_never_reaches_the_accounts_table(db):
    auth.create_account(db, actor="tests", email="admin@interieur.gouv.fr", display_name="Admin", role=Role.ADMIN)
    with pytest.raises(auth.AuthError, match="pas confirmé"):
        auth.oidc_principal(db, {**BASE, "email_verified": False})
    assert auth.oidc_principal(db, {**BASE, "email_verified": True}).role == Role.ADMIN
