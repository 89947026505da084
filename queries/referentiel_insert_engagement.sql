insert into engagements (module, engagement, theme, engagement_label)
values ($module, $engagement, $theme, $engagement_label)
