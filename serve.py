"""The server: the Streamlit app (`app.py`) plus the small HTTP routes it needs (`qualepref.web`).

Start with `streamlit run serve.py` (what `make run` does). `streamlit run app.py`
still works, but without the session cookie: a reload then signs the user out.
"""

import streamlit as st

from qualepref import web

app = st.App("app.py", routes=web.routes())
