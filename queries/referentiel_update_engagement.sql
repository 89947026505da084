update engagements
set
    theme = $theme,
    engagement_label = $engagement_label,
where module = $module and engagement = $engagement
