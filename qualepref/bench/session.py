"""Who the benchmark acts as, in AppTest and in the browser."""

from __future__ import annotations

from pathlib import Path

from qualepref import access

ROOT = Path(__file__).resolve().parent.parent.parent


def bench_principal():
    """An administrator: national scope and every page (some pages are for administrators)."""
    return access.Principal(user="banc-d-essai", role=access.Role.ADMIN)


def as_bench_principal(at) -> None:
    """Sign the AppTest session in, the way the tests of access do."""
    at.session_state["principal"] = bench_principal()


def page_files() -> list[str]:
    """Every page script, relative to the app root (`pages/x.py`)."""
    return sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "pages").glob("*.py"))


async def sign_in_browser(page, base: str) -> None:
    """Sign the browser session in, when the app asks for it (nothing to do until accounts exist)."""
    return None
