import pytest

from qualepref import sql
from qualepref.access import NATIONAL_PRINCIPAL, Principal, Role, ScopeError


def test_scoped_query_returns_only_the_scope(demo_db):
    scope = Principal("c@b.fr", Role.COPIL, "87").scope({"29", "87"})
    figures = sql.run(demo_db, "sites", scope=scope)
    assert figures.site_code.tolist() == ["87"]


def test_query_without_scope_is_refused(demo_db):
    with pytest.raises(ScopeError):
        sql.run(demo_db, "sites", scope=None)


def test_sites_cannot_be_forged_through_parameters(demo_db):
    with pytest.raises(sql.ProgrammingError):
        sql.run(demo_db, "sites", scope=Principal("c@b.fr", Role.COPIL, "87").scope({"87"}),
                sites=["29", "87"])


def test_principal_scopes():
    codes = {"29", "87", "2A"}
    referent = Principal("a@b.fr", Role.REFERENT, "87").scope(codes)
    assert referent.site_codes == {"87"} and referent.can_write and not referent.names_visible
    copil = Principal("c@b.fr", Role.COPIL, "87").scope(codes)
    assert copil.site_codes == {"87"} and not copil.can_write
    national = NATIONAL_PRINCIPAL.scope(codes)
    assert national.site_codes == codes and national.names_visible
    with pytest.raises(ScopeError):
        Principal("d@b.fr", Role.REFERENT, "99").scope(codes)
    with pytest.raises(ScopeError):
        copil.require({"87"}, write=True)
    with pytest.raises(ScopeError):
        referent.require({"29"}, write=True)
