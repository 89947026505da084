"""The labelling cycle's rules on constructed histories: status, follow-ups due, audit readiness."""

from datetime import date

import pandas as pd
import pytest

from qualepref import labellisation as lab

TODAY = date(2026, 6, 15)


def events(*rows) -> pd.DataFrame:
    """Stages as (kind, date, result, extra fields)."""
    records = []
    for i, row in enumerate(rows):
        kind, on, result, *extra = row
        record = {"site_code": "87", "event_id": i + 1, "event_kind": kind, "event_date": pd.Timestamp(on),
                  "organisme": "AFNOR Certification", "report_date": None, "result": result,
                  "referentiel_version": None, "valid_until": None, "next_due": None, "comment": None}
        record.update(extra[0] if extra else {})
        records.append(record)
    return pd.DataFrame(records, columns=list(lab.EVENT_COLUMNS))


def status(*rows, today=TODAY):
    return lab.site_status("87", events(*rows) if rows else events(), today)


def test_no_stage_is_not_engaged_and_an_engagement_is_preparation():
    assert status().status == "non_engage"
    assert status(("engagement", "2026-01-10", None)).status == "en_preparation"


def test_internal_audit_done_then_external_audit_planned():
    history = [("engagement", "2025-07-01", None), ("audit_interne", "2026-05-02", None)]
    assert status(*history).status == "audit_interne_fait"
    planned = status(*history, ("audit_externe", "2026-07-20", None))
    assert planned.status == "audit_externe_programme" and planned.planned == date(2026, 7, 20)


def test_a_favourable_decision_labels_and_the_follow_up_is_due_a_year_later():
    labelled = status(("audit_externe", "2025-09-01", "favorable"),
                      ("decision", "2025-10-01", "favorable", {"valid_until": pd.Timestamp("2028-10-01")}))
    assert labelled.status == "labellise" and labelled.label_since == date(2025, 10, 1)
    assert labelled.next_due == date(2026, 10, 1)  # no date given: annual follow-up (press kit)
    late = status(("decision", "2025-05-01", "favorable"))
    assert late.status == "suivi_en_retard" and late.next_due == date(2026, 5, 1)
    # The follow-up audit done on time moves the due date.
    followed = status(("decision", "2025-05-01", "favorable"), ("audit_suivi", "2026-04-20", "favorable"))
    assert followed.status == "labellise" and followed.next_due == date(2027, 4, 20)


def test_an_expired_label_is_late_whatever_the_follow_ups():
    expired = status(("decision", "2023-01-10", "favorable", {"valid_until": pd.Timestamp("2026-01-10")}),
                     ("audit_suivi", "2026-01-05", "favorable"))
    assert expired.status == "suivi_en_retard" and "échu" in expired.detail


def test_renewals_continue_the_label_and_a_refusal_ends_it():
    renewed = status(("decision", "2020-03-01", "favorable"), ("audit_suivi", "2021-02-20", "favorable"),
                     ("renouvellement", "2026-02-20", "favorable", {"valid_until": pd.Timestamp("2029-02-20")}))
    assert renewed.status == "labellise" and renewed.label_since == date(2020, 3, 1)
    refused = status(("decision", "2024-03-01", "favorable"), ("audit_suivi", "2025-03-01", "defavorable"))
    assert refused.status == "en_preparation"
    first_refused = status(("audit_externe", "2025-01-10", "defavorable"), ("decision", "2025-02-01", "defavorable"),
                           ("audit_interne", "2025-05-01", None))
    assert first_refused.status == "audit_interne_fait"


def test_follow_ups_due_lists_overdue_and_next_90_days_most_urgent_first():
    sites = pd.DataFrame({"site_code": ["a", "b", "c", "d"], "site_kind": ["prefecture"] * 4})
    rows = [("a", "decision", "2025-05-01"), ("b", "decision", "2025-08-01"), ("c", "decision", "2026-01-01"),
            ("d", "audit_interne", "2026-05-01")]
    frame = pd.DataFrame([{"site_code": s, "event_id": i, "event_kind": k, "event_date": pd.Timestamp(d),
                           "result": "favorable" if k == "decision" else None, "valid_until": None, "next_due": None,
                           "organisme": None, "report_date": None, "referentiel_version": None, "comment": None}
                          for i, (s, k, d) in enumerate(rows)])
    result = lab.statuses(sites, frame, TODAY)
    assert dict(zip(result.site_code, result.status, strict=True)) == {
        "a": "suivi_en_retard", "b": "labellise", "c": "labellise", "d": "audit_interne_fait"}
    due = lab.follow_ups_due(result, TODAY)
    assert list(due.site_code) == ["a", "b"]  # c is due in more than 90 days, d holds no label
    assert list(due.days_left) == [(date(2026, 5, 1) - TODAY).days, (date(2026, 8, 1) - TODAY).days]
    counts = lab.counts_by_kind(result)
    assert counts.to_dict("records") == [{"site_kind": "prefecture", "n_sites": 4, "n_labelled": 3}]


def tracked(*rows):
    return pd.DataFrame(rows, columns=["indicator_code", "indicator_label", "frequency", "n_months", "first_period",
                                       "last_period"])


def checklist(history, *, indicators=None, mystery=(), campaigns=("2026",), open_nc=0, next_due=None):
    found = lab.readiness(events=history, tracked=indicators if indicators is not None else tracked(
        ("A", "Délai courrier", "mensuelle", 6, pd.Timestamp("2025-12-01"), pd.Timestamp("2026-05-01"))),
        mystery_assessments=list(mystery), campaigns=list(campaigns), open_non_conformities=open_nc,
        actions_tracked=False, today=TODAY, next_due=next_due)
    return {c.key: c for c in found}


def test_readiness_ready_site():
    history = events(("engagement", "2025-06-01", None), ("enquete_mystere", "2026-04-01", None),
                     ("audit_interne", "2026-06-01", None), ("audit_externe", "2026-07-20", None))
    found = checklist(history)
    assert {k: c.state for k, c in found.items()} == {
        "indicateurs": "ok", "audit_interne": "ok", "enquete_mystere": "ok", "enquete": "ok", "non_conformites": "ok"}


def test_readiness_says_what_is_missing_and_where_to_fix_it():
    history = events(("engagement", "2025-06-01", None), ("audit_interne", "2026-01-10", None),
                     ("audit_externe", "2026-07-01", None))
    found = checklist(history, indicators=tracked(
        ("A", "Délai courrier", "mensuelle", 2, pd.Timestamp("2026-04-01"), pd.Timestamp("2026-05-01")),
        ("B", "Appels perdus", "mensuelle", 8, pd.Timestamp("2025-10-01"), pd.Timestamp("2026-05-01")),
        ("C", "Exercices", "trimestrielle", 0, None, None)), campaigns=("2024",), open_nc=2)
    assert found["indicateurs"].state == "manquant" and found["indicateurs"].page == "import_donnees"
    assert "Délai courrier" in found["indicateurs"].detail and "Exercices" in found["indicateurs"].detail
    assert "Appels perdus" not in found["indicateurs"].detail
    # Internal audit 6 months before: outside the 1–3 months window (01/04–01/06/2026), now past.
    assert found["audit_interne"].state == "manquant" and "01/04/2026" in found["audit_interne"].detail
    assert found["enquete_mystere"].state == "manquant"
    assert found["enquete"].state == "manquant" and "2024" in found["enquete"].detail
    # No action plan in the tool yet: said honestly, not counted as done.
    assert found["non_conformites"].state == "a_verifier" and "plan d'actions" in found["non_conformites"].detail


def test_readiness_of_a_labelled_site_looks_at_its_next_audit():
    history = events(("decision", "2025-09-01", "favorable"))
    found = checklist(history, next_due=date(2026, 9, 1), mystery=[date(2026, 3, 3)])
    assert found["audit_interne"].state == "a_verifier" and "d'ici le 01/08/2026" in found["audit_interne"].detail
    assert found["enquete_mystere"].state == "ok"  # a compliance assessment of type « enquête mystère » counts


@pytest.mark.parametrize(("kind", "on", "extra", "fragment"), [
    ("engagement", date(2026, 9, 1), {}, "programmés"),
    ("audit_externe", date(2026, 9, 1), {"result": "favorable"}, "pas encore de résultat"),
    ("audit_interne", date(2026, 1, 1), {"result": "favorable"}, "Seuls l'audit externe"),
    ("audit_externe", date(2026, 1, 10), {"report_date": date(2026, 1, 5)}, "rapport précède"),
    ("decision", date(2026, 1, 10), {"result": "favorable", "valid_until": date(2025, 1, 1)}, "fin de validité"),
    ("audit_suivi", date(2026, 1, 10), {"result": "favorable", "valid_until": date(2029, 1, 1)}, "ne se donne"),
])
def test_a_stage_that_cannot_be_recorded_says_why(kind, on, extra, fragment):
    problems = lab.event_problems(kind, on, today=TODAY, **extra)
    assert any(fragment in p for p in problems), problems


def test_a_valid_stage_has_no_problem_and_gets_its_follow_up_date():
    assert lab.event_problems("decision", date(2026, 3, 1), result="favorable", valid_until=date(2029, 3, 1),
                              today=TODAY) == []
    assert lab.completed_next_due("decision", date(2026, 3, 1), "favorable", None) == date(2027, 3, 1)
    assert lab.completed_next_due("audit_interne", date(2026, 3, 1), None, None) is None


def test_readiness_counts_the_open_non_conformities_without_an_action_of_the_plan():
    history = events(("engagement", "2025-06-01", None), ("audit_externe", "2026-07-20", None))
    common = dict(events=history, tracked=tracked(), mystery_assessments=[], campaigns=["2026"],
                  open_non_conformities=3, actions_tracked=True, today=TODAY)
    missing = {c.key: c for c in lab.readiness(**common, without_action=2)}["non_conformites"]
    assert missing.state == "manquant" and missing.page == "plan_actions" and "2 non-conformité(s)" in missing.detail
    covered = {c.key: c for c in lab.readiness(**common, without_action=0)}["non_conformites"]
    assert covered.state == "ok" and "chacune suivie" in covered.detail
