"""The server: the Streamlit app (`app.py`) plus the small HTTP routes it needs (`qualepref.web`).

Start with `streamlit run serve.py` (what `make run` does). `streamlit run app.py`
still works, but without the session cookie: a reload then signs the user out.
"""

import streamlit as st

from qualepref import serving, web

# Once per server process, before any session: lock-free reads of Streamlit's configuration and a
# shorter GIL switch interval (qualepref/serving.py). Not in app.py: the page script runs in every
# session, and AppTest (which runs app.py without this file) patches the configuration per run.
serving.tune()

app = st.App("app.py", routes=web.routes())
