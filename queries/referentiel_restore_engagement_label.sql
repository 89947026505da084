-- A corrected engagement label, written only over the seed text it replaces (never over an
-- administrator's edit).
update engagements
set engagement_label = $new_label
where module = $module and engagement = $engagement and engagement_label = $old_label
