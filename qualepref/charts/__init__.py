"""Figure builders: DataFrame → plotly Figure, pure (no Streamlit, no I/O).

`theme` holds the State's colours and the French layout defaults; the
builders live in modules by subject and are re-exported here.
"""

# Re-exports (explicit `as` so linters know they are public).
from qualepref.charts.compliance import engagement_assessment_heatmap as engagement_assessment_heatmap
from qualepref.charts.compliance import module_rates as module_rates
from qualepref.charts.compliance import module_site_heatmap as module_site_heatmap
from qualepref.charts.national import choropleth as choropleth
from qualepref.charts.national import distribution as distribution
from qualepref.charts.national import distribution_summary as distribution_summary
from qualepref.charts.national import rank_sites as rank_sites
from qualepref.charts.national import ranking_bar as ranking_bar
from qualepref.charts.national import transmission_grid as transmission_grid
from qualepref.charts.national import transmission_status as transmission_status
