-- An administrator confirms an indicative target: it becomes the indicator's target (an "Objectif").
update indicators
set target_indicative = false
where indicator_code = $indicator_code and target_indicative
