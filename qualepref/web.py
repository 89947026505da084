"""HTTP routes served next to the Streamlit app (`serve.py` mounts them with `st.App`).

`/_app/session`: sets (POST, in exchange for a one-time ticket) or clears
(DELETE) the session cookie, which a Streamlit script cannot do itself and
which no script in the page may read (`HttpOnly`). Both answer only to a
same-origin `fetch` carrying the app's own header: a form or an image on
another site cannot send that header, and a cross-site script would need a
CORS preflight that this route never grants.
"""

from __future__ import annotations

from urllib.parse import urlparse

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from qualepref import sessions

SESSION_PATH = "_app/session"
TICKET_HEADER = "x-qualepref-ticket"
APP_HEADER = "x-qualepref"


def _same_origin(request: Request) -> bool:
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site != "same-origin":
        return False
    origin = request.headers.get("origin")
    if origin is None:  # same-origin requests of some browsers omit it; the custom header still guards
        return fetch_site == "same-origin"
    return urlparse(origin).netloc == request.headers.get("host")


def _https(request: Request) -> bool:
    # Behind a reverse proxy terminating TLS, the scheme comes in X-Forwarded-Proto (only ever adds `Secure`).
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def _refused() -> Response:
    return Response(status_code=403, headers={"Cache-Control": "no-store"})


async def session_cookie(request: Request) -> Response:
    if not _same_origin(request):
        return _refused()
    path = base_path()
    if request.method == "POST":
        token = sessions.redeem(request.headers.get(TICKET_HEADER))
        if token is None:
            return _refused()
        response = Response(status_code=204, headers={"Cache-Control": "no-store"})
        response.set_cookie(sessions.COOKIE_NAME, token, max_age=int(sessions.LIFETIME.total_seconds()),
                            path=path, secure=_https(request), httponly=True, samesite="lax")
        return response
    if request.headers.get(APP_HEADER) != "1":
        return _refused()
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(sessions.COOKIE_NAME, path=path, secure=_https(request), httponly=True,
                           samesite="lax")
    return response


def base_path() -> str:
    """The app's path on its server: "/" or "/<server.baseUrlPath>/" (routes of `st.App` are not prefixed)."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def session_url() -> str:
    return base_path() + SESSION_PATH


def routes() -> list[Route]:
    return [Route(session_url(), session_cookie, methods=["POST", "DELETE"])]
