-- An administrator confirms an indicative target: the national rows of the indicator are no longer indicative.
update targets
set indicative = false
where indicator_code = $indicator_code and site_code is null and indicative
