"""Figure builders: DataFrame → plotly Figure, pure (no Streamlit, no I/O).

`theme` holds the State's colours and the French layout defaults; the
builders live in modules by subject and are re-exported here.
"""
