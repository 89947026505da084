update indicators
set
    indicator_label = $indicator_label,
    module = $module,
    engagement = $engagement,
    unit = $unit,
    direction = $direction,
    target = $target,
    -- A target the administrator changes is theirs: no longer indicative (old values on the right).
    target_indicative = target_indicative and target is not distinct from $target,
    frequency = $frequency,
    target_source = $target_source,
where indicator_code = $indicator_code
