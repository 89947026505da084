-- When one prefecture's data were last written, and whether any of them are
-- demonstration data (the pack then says so on every slide).
with site_uploads as (
    select uploaded_at,
    from uploads
    where list_has_any(site_codes, $sites) and list_contains(site_codes, $site_code)
),

demo_rows as (
    select count(*) as n from indicator_values
    where list_contains($sites, site_code) and site_code = $site_code and is_demo
    union all
    select count(*) as n from survey_results
    where list_contains($sites, site_code) and site_code = $site_code and is_demo
    union all
    select count(*) as n from compliance_assessments
    where list_contains($sites, site_code) and site_code = $site_code and is_demo
)

select
    (select max(uploaded_at) from site_uploads) as last_upload_at,
    (select sum(n) from demo_rows) > 0 as has_demo,
