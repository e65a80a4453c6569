"""Print a self-contained HTML page to PDF with headless Chromium (Debian's ``chromium``).

One Chromium start per page: the page is written to a fresh temporary folder with a fresh
profile, printed with ``--print-to-pdf`` (page size and margins from the page's own ``@page``
CSS, no header or footer), and everything is removed afterwards. The page is expected to be
self-contained (and may forbid scripts and loads with a Content-Security-Policy); Chromium's
background networking is off. Text stays text in the PDF, so ``pdftotext`` and screen readers find it.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from samskaping.errors import SamskapingError

__all__ = ["BROWSERS", "PrintError", "find_chromium", "print_pdf"]

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
_INSTALL_HINT = "install Debian's chromium (apt-get install -y chromium; scripts/setup.sh does it)"
_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--mute-audio",
    "--no-pdf-header-footer",
)


class PrintError(SamskapingError):
    """The page cannot be printed (no Chromium, Chromium failed or timed out); one line for the user."""


def find_chromium() -> str | None:
    """The browser to print with: ``$BROWSER_PATH`` if set (and a file), else the first of :data:`BROWSERS` on PATH."""
    path = os.environ.get("BROWSER_PATH")
    if path:
        return path if os.path.isfile(path) else None
    return next((found for name in BROWSERS if (found := shutil.which(name))), None)


def print_pdf(page: str, *, timeout: float = 90.0) -> bytes:
    """The HTML ``page`` printed to PDF bytes.

    Parameters
    ----------
    page : str
        A complete, self-contained HTML document (inline CSS and images).
    timeout : float
        Seconds before Chromium is stopped and :class:`PrintError` raised.

    Raises
    ------
    PrintError
        When no Chromium is found, or it fails, times out or writes no PDF.
    """
    browser = find_chromium()
    if browser is None:
        where = " at $BROWSER_PATH" if os.environ.get("BROWSER_PATH") else ""
        raise PrintError(f"printing to PDF needs a Chromium browser, none was found{where}: {_INSTALL_HINT}")
    with tempfile.TemporaryDirectory(prefix="samskaping-print-") as folder:
        source, target, profile = Path(folder, "page.html"), Path(folder, "page.pdf"), Path(folder, "profile")
        source.write_text(page, encoding="utf-8")
        command = [browser, *_FLAGS, f"--user-data-dir={profile}", f"--print-to-pdf={target}", source.as_uri()]
        # A session of its own, so a timeout can stop Chromium's helper processes with it.
        process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(process)
            raise PrintError(f"printing to PDF: Chromium did not finish within {timeout:g} s") from None
        pdf = target.read_bytes() if target.is_file() else b""
        if not pdf.startswith(b"%PDF"):
            detail = _last_line(stderr.decode("utf-8", "replace")) or f"exit code {process.returncode}"
            raise PrintError(f"printing to PDF: Chromium wrote no PDF ({detail})")
        return pdf


def _stop(process: subprocess.Popen) -> None:
    """Stop the process group of a Chromium that has not been waited for (ours alone: start_new_session)."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def _last_line(text: str) -> str:
    """The last meaningful line of Chromium's log, for the error message."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and "unexpected operator" not in line]
    return lines[-1][:200] if lines else ""
