-- A survey campaign is a label (`2025`, `2025 en ligne`, `2025-T2`), no longer cut to its year:
-- its year is stored beside it, for periods to select campaigns by year. Every campaign stored
-- so far is a year written as text. (NOT NULL is set by 0033: DuckDB refuses it in the
-- transaction that filled the column of a table with a primary key.)
alter table survey_results add column campaign_year integer;
update survey_results set campaign_year = cast(regexp_extract(campaign, '(19|20|21)\d{2}') as integer);
