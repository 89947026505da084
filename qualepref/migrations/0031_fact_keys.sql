-- Primary keys on the fact tables' natural keys (see 0030, which left one row per key): a key can
-- never be stored twice, whatever writes it. The period kind belongs to the key: January 2025,
-- Q1 2025 and the year 2025 all start on 2025-01-01 and are three different figures.
alter table indicator_values add primary key (site_code, indicator_code, period_start, period_kind);
alter table survey_results add primary key (site_code, campaign, question_code);
alter table compliance_assessments add primary key (site_code, module, engagement, assessed_on, assessment_type);
