update indicators
set
    indicator_label = $indicator_label,
    module = $module,
    engagement = $engagement,
    unit = $unit,
    direction = $direction,
    target = $target,
    frequency = $frequency,
    target_source = $target_source,
where indicator_code = $indicator_code
