select e.module, m.module_name, e.engagement, e.theme, e.engagement_label,
from engagements as e
join modules as m using (module)
order by e.module, e.engagement
