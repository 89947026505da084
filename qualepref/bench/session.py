"""Who the benchmark acts as, in AppTest and in the browser."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def as_bench_principal(at) -> None:
    """Who the AppTest session acts as: nobody to set.

    The bench's databases hold demonstration data and no account, so the app
    runs in its discovery mode, as the administrator (national scope, every
    page), exactly as a newcomer sees it; before sign-in existed, the default
    was the national ministry. A principal put in the session state would be
    re-read from the accounts table, and refused.
    """
    del at


def page_files() -> list[str]:
    """Every page script, relative to the app root (`pages/x.py`)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


async def sign_in_browser(page, base: str) -> None:
    """Sign the browser session in, when the app asks for it (nothing to do until accounts exist)."""
    return None
