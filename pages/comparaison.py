"""Comparaison nationale: ranking, distribution and map of the prefectures on an indicator or on satisfaction.

Only a national scope sees other prefectures by name. A one-prefecture scope
(référent, COPIL) gets the national figures the anonymity rule allows and its
position, from aggregate queries that return no other site's code, name or value.
Tables are numeric (their files are computed with); the screen writes them in French.
"""

from datetime import date

import pandas as pd
import streamlit as st

from qualepref import action_coverage, anonymity, charts, filters, fmt, satisfaction, sites, stats, targets, ui, vocab

ui.page_header(
    "Comparaison nationale",
    "Classement, distribution et carte des préfectures sur un indicateur ou sur la satisfaction des usagers. "
    "Seules les préfectures disposant de données suffisantes sont classées.",
)
selection = filters.sidebar_filters(indicator=True)
caller = ui.current_scope()
national_view = caller.names_visible
LATEST, MEAN = "dernier", "moyenne"
POOLED = ""  # every question, answers added up
HEADERS = {"rank": "Rang", "rank_text": "Rang", "rank_best": "Rang au mieux", "rank_worst": "Rang au pire",
           "site_code": "Code", "site_name": "Préfecture", "region_name": "Région",
           "low": "Borne basse IC 95 % (%)", "high": "Borne haute IC 95 % (%)", "n_expressed": "Avis exprimés",
           "reason": "Motif", "note": "Remarque", "n_sites": "Préfectures", "q1": "1er quartile", "median": "Médiane",
           "q3": "3e quartile", "at_target": "À sa cible en vigueur",
           "share_followed": "Plan d'actions : alertes et non-conformités suivies (%)",
           "n_late": "Actions en retard"}
RANK_BANDS_CAPTION = (
    "Rang : le rang le meilleur et le moins bon que chaque préfecture peut revendiquer. Un taux mesuré "
    "sur un échantillon a son intervalle de confiance à 95 % (Wilson, traits fins) : une préfecture "
    "n'est placée devant une autre que si leurs intervalles ne se chevauchent pas. « 3 à 17 » : deux "
    "préfectures sont sûrement devant, et au plus 16 ; l'ordre dans la bande n'est pas établi par les données.")


def ordinal(rank: int) -> str:
    return "1er" if rank == 1 else f"{rank}e"


def rank_sentence(rank, n_sites: int, worst=None) -> str:
    if pd.isna(rank):
        return "non classée"
    if worst is None or pd.isna(worst) or int(worst) == int(rank):
        return f"{ordinal(int(rank))} sur {n_sites}"
    return f"entre le {ordinal(int(rank))} et le {ordinal(int(worst))} sur {n_sites}"


def count(value) -> str:
    return fmt.number(value, 0)


def own_figure_apart(own_scope, summary) -> float | None:
    """The value of a site the national queries leave out (a sub-prefecture), compared the same way: its
    value in the national latest period or its mean over the period; its rate in the campaign."""
    if subject == "Indicateur":
        rows = ui.query("trend_scope_values", scope=own_scope, indicators=[selection.indicator_code],
                        start=selection.start, end=selection.end)
        if mode == LATEST:
            rows = rows[rows.period_start == summary.latest_period]
        return None if rows.value.dropna().empty else float(rows.value.mean())
    rows = ui.query("trend_survey_by_question", scope=own_scope, first_year=0, last_year=9999)
    rows = rows[(rows.campaign.astype(str) == str(campaign))
                & ((question == POOLED) | (rows.question_code == question))]
    expressed = rows.n_expressed.sum()
    return float((rows.n_tres_satisfait.sum() + rows.n_satisfait.sum()) / expressed * 100) if expressed else None


def not_compared(code: str | None) -> str | None:
    """Why the site `code` has no rank nor position (a sub-prefecture…); None for a prefecture."""
    known = ui.query("sites", scope=caller).set_index("site_code")
    if code is None or code not in known.index or known.at[code, "site_kind"] == sites.COMPARED_KIND:
        return None
    kind = vocab.SITE_KINDS.label(known.at[code, "site_kind"])
    return f"{kind} : les comparaisons nationales ne classent que les préfectures entre elles."


subject = st.radio("Comparer sur", ["Indicateur", "Satisfaction des usagers"], horizontal=True, key="cmp_sujet")
if subject == "Indicateur":
    indicators = ui.query("referentiel_indicators")
    indicator = indicators.set_index("indicator_code").loc[selection.indicator_code]
    mode = st.radio("Valeur comparée", [LATEST, MEAN], horizontal=True, key="cmp_mode",
                    format_func={LATEST: "Dernier mois de la période", MEAN: "Moyenne sur la période"}.get)
    unit = indicator.unit
    direction = indicator.direction if isinstance(indicator.direction, str) else None
    lower_is_better = direction == "baisse"
    # The national target in force at the end of the period (each site is judged on its own below).
    target_rows = ui.query("target_rows", scope=selection.scope)
    national_target = targets.in_force(target_rows, selection.indicator_code, None, selection.end)
    target = float("nan") if national_target is None else national_target.target
    axis_title = f"{indicator.indicator_label} ({unit})"
    tick_suffix = " %" if unit == "%" else ""
    params = {"indicator": selection.indicator_code, "start": selection.start, "end": selection.end}

    def text(value) -> str:
        return fmt.with_unit(value, unit)
else:
    campaigns = ui.query("national_campaigns").campaign.tolist()
    if not campaigns:
        st.info("Aucune campagne d'enquête dans la base.")
        ui.footer()
        st.stop()
    questions = ui.query("referentiel_questions")
    # The global question first (one answer per respondent); the other questions; then, named for
    # what it is, the pool of every question's answers (a respondent counts once per question).
    labels = dict(zip(questions.question_code, questions.question_label, strict=True))
    first = satisfaction.GLOBAL_QUESTION
    question_labels = {code: labels[code] for code in sorted(labels, key=lambda c: c != first)}
    question_labels[POOLED] = "Toutes les questions (réponses cumulées : un usager compte une fois par question)"
    left, right = st.columns([1, 3])
    campaign = left.selectbox("Campagne", campaigns[::-1], key="cmp_campagne")
    question = right.selectbox("Question", list(question_labels), key="cmp_question", format_func=question_labels.get)
    direction, lower_is_better, target, unit = "hausse", False, stats.THRESHOLD * 100, "%"
    axis_title = "Taux de satisfaction (%)"
    tick_suffix = " %"
    params = {"campaign": campaign, "question": question}

    def text(value) -> str:
        return fmt.percent(value)

subject_title = axis_title if subject == "Indicateur" else f"Satisfaction {campaign} : {question_labels[question]}"

if national_view:
    peers = selection.region_scope or selection.scope
    headers = HEADERS | {"value": axis_title if subject != "Indicateur" else f"Valeur ({unit})"}
    if subject == "Indicateur":
        data = ui.query("national_indicator_by_site", scope=peers, **params)
        data["value"] = data.latest_value if mode == LATEST else data.mean_value
        data["value_text"] = data.value.map({v: text(v) for v in data.value.unique()})  # each value once
        # « À la cible » : each prefecture's latest value against its own target in force that month (a local
        # délai announced by the prefecture, else the national one): comparable even where délais differ.
        judged_on_targets = mode == LATEST and direction is not None
        if judged_on_targets:
            met = targets.meets(data.assign(indicator_code=selection.indicator_code, value=data.latest_value,
                                            period_start=data.latest_period), target_rows)
            data["at_target"] = ["–" if pd.isna(m) else "oui" if m else "non" for m in met]
            n_met, n_judged = int(met.sum()), int(met.notna().sum())
        when = (fmt.month(data.latest_period.dropna().iloc[0]) if mode == LATEST and data.latest_period.notna().any()
                else f"{fmt.month(selection.start)} – {fmt.month(selection.end)}")
        ranked, unranked = charts.rank_sites(data, lower_is_better=lower_is_better)
        unranked["reason"] = "Pas de valeur sur la période" if mode == MEAN else f"Pas de valeur en {when}"
        if direction is None:
            st.info("Indicateur de suivi sans sens d'amélioration : les préfectures ne sont pas classées.")
        if judged_on_targets:
            st.caption(f"À sa cible en vigueur : {fmt.number(n_met, 0)} préfectures sur {fmt.number(n_judged, 0)} "
                       f"({when}), chacune jugée sur sa propre cible ce mois-là (cible locale approuvée, sinon "
                       "nationale) — la règle des alertes.")
        table = data[["site_code", "site_name", "region_name", "value", *(["at_target"] if judged_on_targets else [])]]
        rank_columns = ["rank"]
        formats = {"value": text}
    else:
        data = ui.query("national_satisfaction_by_site", scope=peers, **params)
        data["n_expressed"] = data.n_expressed.astype("int64")  # a count (DuckDB's sums arrive as floats)
        rate = data.n_satisfied / data.n_expressed.where(data.n_expressed > 0)
        low, high = stats.wilson_interval(data.n_satisfied, data.n_expressed)
        data["value"], data["low"], data["high"] = rate * 100, low * 100, high * 100
        data["value_text"] = [f"{text(v)} [{fmt.percent(lo, 0)} ; {fmt.percent(hi, 0)}] (n = {fmt.number(n, 0)})"
                              for v, lo, hi, n in zip(data.value, data.low, data.high, data.n_expressed, strict=True)]
        when = f"campagne {campaign}"
        ranked, unranked = charts.rank_sites(data, n="n_expressed", min_n=stats.MIN_SAMPLE)
        ranked = charts.with_rank_bands(ranked).assign(bar_text=lambda r: r.value.map(text))
        unranked["reason"] = [f"Effectif insuffisant (n = {int(n)} < {stats.MIN_SAMPLE})" if n else "Pas de résultat"
                              for n in unranked.n_expressed]
        # The table keeps every measured rate, with its n; the map colours only those with enough answers.
        table = data[["site_code", "site_name", "region_name", "value", "low", "high", "n_expressed"]].merge(
            unranked[["site_code", "reason"]].rename(columns={"reason": "note"}), on="site_code", how="left")
        small = data.n_expressed < stats.MIN_SAMPLE
        data.loc[small, "value"] = float("nan")
        data.loc[small, "value_text"] = unranked.set_index("site_code").reason.reindex(data.site_code[small]).to_numpy()
        rank_columns = ["rank_text", "rank_best", "rank_worst"]
        formats = {"value": text, "low": fmt.percent, "high": fmt.percent, "n_expressed": count,
                   "rank_best": count, "rank_worst": count}
    # The plan d'actions beside the figures (national scopes only, as every named column here): the share of the
    # prefecture's open alerts and non-conformities an open action follows, and its late actions.
    end = selection.end or date.today()
    followed = action_coverage.by_site(ui.query, peers, end, date.today())
    table = table.merge(followed[["site_code", "share_followed", "n_late"]], on="site_code", how="left")
    table["n_late"] = table.n_late.fillna(0).astype(int)
    formats = formats | {"share_followed": lambda v: fmt.percent(v, 0), "n_late": count}
    where = "" if selection.region_code is None else f" – {data.region_name.iloc[0]}"
    st.subheader(ui.plain(f"{subject_title}{where}"))
    highlight = selection.site_code
    if direction is not None and highlight in set(data.site_code):
        row = data[data.site_code == highlight].iloc[0]
        if highlight in set(ranked.site_code):
            own = ranked.set_index("site_code").loc[highlight]
            value = rank_sentence(own.get("rank_best", own["rank"]), len(ranked), own.get("rank_worst"))
            why = f"{row.value_text}, {when}"
        else:
            value, why = "non classée", unranked.set_index("site_code").at[highlight, "reason"]
        st.metric(f"Rang de {highlight} – {row.site_name}", value, help=why)
    elif not_compared(highlight):
        st.caption(ui.plain(f"{highlight} : {not_compared(highlight).lower()}"))
    # Anchored on what the figure is judged against: the target, or 75 % for satisfaction.
    midpoint = None if direction is None or pd.isna(target) else float(target)
    # Figures shared across reruns and sessions (read-only; their frames have a row per prefecture at most).
    fig = ui.shared(charts.choropleth)(data, title=f"Carte des départements ({when})", axis_title=axis_title,
                                       lower_is_better=lower_is_better, highlight=highlight,
                                       tick_suffix=tick_suffix, midpoint=midpoint,
                                       midpoint_label="seuil" if subject != "Indicateur" else "cible",
                                       meeting_mode=selection.meeting_mode)
    colours = ("Bleu : meilleur que " + ("le seuil de 75 %" if subject != "Indicateur" else "la cible")
               + ", orange : en deçà, presque blanc : au niveau de " + ("ce seuil." if subject != "Indicateur"
                                                                         else "la cible.")
               if midpoint is not None else "Couleur claire = valeur élevée (indicateur de suivi, sans cible).")
    st.caption(f"{colours} En gris : pas de donnée ou effectif insuffisant. Les départements d'outre-mer sont "
               "présentés en encarts à l'ouest, Paris et la petite couronne agrandis au nord-est.")
    ui.chart_with_table(fig, table, file_stem="comparaison-carte", headers=headers, key="cmp_map", formats=formats)
    values = ranked if direction is not None else data[data.value.notna()]
    fig = ui.shared(charts.distribution)(values, title=f"Distribution des préfectures ({when})", axis_title=axis_title,
                              highlight=highlight, target=target, meeting_mode=selection.meeting_mode)
    summary = pd.DataFrame({"n_sites": [len(values)],
                            **{k: [values.value.quantile(q)] for k, q in (("q1", 0.25), ("median", 0.5),
                                                                          ("q3", 0.75))}})
    ui.chart_with_table(fig, summary, file_stem="comparaison-distribution", key="cmp_distribution",
                        headers={k: v if k == "n_sites" else f"{v} ({unit})" for k, v in HEADERS.items()},
                        formats={"n_sites": count, "q1": text, "median": text, "q3": text})
    if direction is not None and len(ranked):
        fig = ui.shared(charts.ranking_bar)(ranked, title=f"Classement des préfectures ({when})", axis_title=axis_title,
                                 highlight=highlight, target=target, meeting_mode=selection.meeting_mode)
        if subject != "Indicateur":
            st.caption(RANK_BANDS_CAPTION)
        columns = [*rank_columns, *(c for c in table.columns if c != "note" and c in ranked.columns)]
        ui.chart_with_table(fig, ranked[columns], file_stem="comparaison-classement", headers=headers,
                            key="cmp_ranking", formats=formats)
    if len(unranked):
        with st.expander(f"Préfectures non classées ({len(unranked)})", expanded=direction is not None):
            st.dataframe(unranked[["site_code", "site_name", "region_name", "reason"]].rename(columns=HEADERS),
                         hide_index=True, width="stretch", placeholder="–")
else:
    # One prefecture: the national figures the anonymity rule lets it see, and its position (never
    # another site, never its exact rank: see qualepref.anonymity). A prefecture's scope may also hold
    # its sub-prefectures: the figures are those of the prefecture itself.
    site = selection.site_code or ui.current_principal().site_code
    own_scope = selection.scope.narrowed([site])
    if subject == "Indicateur":
        summary = ui.query("national_indicator_summary", scope=own_scope, mode=mode, **params).iloc[0]
        own_value = None if pd.isna(summary.own_value) else float(summary.own_value)
        own_contributes = own_value is not None
        unranked_reason = "Pas de valeur" + (" sur la période" if mode == MEAN else "")
        when = (fmt.month(summary.latest_period) if mode == LATEST
                else f"{fmt.month(selection.start)} – {fmt.month(selection.end)}")
    else:
        summary = ui.query("national_satisfaction_summary", scope=own_scope, min_sample=stats.MIN_SAMPLE,
                           **params).iloc[0]
        summary[["p10", "q1", "median", "q3", "p90"]] = summary[["p10", "q1", "median", "q3", "p90"]] * 100
        n = 0 if pd.isna(summary.own_expressed) else int(summary.own_expressed)
        own_value = summary.own_satisfied / n * 100 if n else None
        own_contributes = n >= stats.MIN_SAMPLE
        unranked_reason = (f"Effectif insuffisant (n = {n} < {stats.MIN_SAMPLE})" if n else "Pas de résultat")
        when = f"campagne {campaign}"
    apart = not_compared(site)  # a sub-prefecture: never among the prefectures compared
    if apart:
        # Its own figure, beside the prefectures' distribution but never ranked in it.
        own_contributes, unranked_reason = False, apart
        own_value = own_figure_apart(own_scope, summary)
    figures = anonymity.national_figures(summary.to_dict(), names_visible=national_view, own_value=own_value,
                                         own_contributes=own_contributes, direction=direction)
    st.subheader(ui.plain(subject_title))
    cols = st.columns(3)
    cols[0].metric("Votre valeur", text(own_value), help=f"{when}. {apart}" if apart else when)
    detail = None
    if direction is None:
        where, why = "–", "Indicateur de suivi sans sens d'amélioration : pas de classement."
    elif not own_contributes:
        where, why = "non classée", unranked_reason
    elif not figures.quartiles_shown:
        where, why = "–", figures.withheld_text
    else:
        # A short value that never truncates on a card, spelled out underneath (no arrow, no colour).
        where = vocab.NATIONAL_POSITIONS.short(figures.position)
        detail = vocab.NATIONAL_POSITIONS.label(figures.position)
        why = f"{anonymity.POSITION_HELP} {figures.n_sites} préfectures comparées."
    cols[1].metric("Position nationale", where, delta=detail, delta_color="off", delta_arrow="off", help=why)
    cols[2].metric("Médiane nationale", text(figures.median) if figures.quartiles_shown else "–",
                   help=(f"1er quartile {text(figures.q1)}, 3e quartile {text(figures.q3)}"
                         if figures.quartiles_shown else figures.withheld_text))
    if subject != "Indicateur" and own_value is not None and not own_contributes:
        st.warning(f"{unranked_reason} : votre taux n'est pas classé.")
    if not figures.quartiles_shown:
        st.info(figures.withheld_text)
    else:
        fig = charts.distribution_summary(
            figures.as_dict(), title=f"Votre position dans la distribution nationale ({when})",
            axis_title=axis_title, own_value=own_value, own_label=site, own_text=text(own_value), target=target,
            meeting_mode=selection.meeting_mode)
        withheld = figures.deciles_withheld_text or ""
        st.caption(f"Comparaison avec les {figures.n_sites} préfectures ayant une valeur." if apart else
                   f"Comparaison avec {figures.n_sites} préfectures ayant une valeur, dont "
                   f"{figures.n_others} autres que la vôtre.")
        table = pd.DataFrame({
            "Statistique": ["10e centile", "1er quartile", "Médiane", "3e quartile", "90e centile", "Votre valeur"],
            "Valeur": [figures.p10, figures.q1, figures.median, figures.q3, figures.p90, own_value],
            "Remarque": [withheld, "", "", "", withheld,
                         when + (f" ; position : {anonymity.position_text(figures.position)}"
                                 if figures.position else "")],
        })
        ui.chart_with_table(fig, table, file_stem=f"comparaison-{site}", key="cmp_summary",
                            headers={"Valeur": f"Valeur ({unit})"}, formats={"Valeur": text})
    st.info("La carte et le classement nominatif des préfectures sont réservés au niveau national.")
ui.footer()
