insert into indicators (
    indicator_code, indicator_label, module, engagement, unit, direction, target, frequency, target_source
)
values (
    $indicator_code, $indicator_label, $module, $engagement, $unit, $direction, $target, $frequency,
    $target_source
)
