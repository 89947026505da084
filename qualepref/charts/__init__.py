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
from qualepref.charts.national import with_rank_bands as with_rank_bands
from qualepref.charts.trends import indicator_trend as indicator_trend
from qualepref.charts.trends import satisfaction_by_question as satisfaction_by_question
from qualepref.charts.trends import satisfaction_table as satisfaction_table
from qualepref.charts.trends import trend_frame as trend_frame
from qualepref.charts.trends import trend_table as trend_table
from qualepref.charts.trends import year_over_year as year_over_year
from qualepref.charts.trends import year_over_year_table as year_over_year_table
