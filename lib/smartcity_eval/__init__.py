"""smartcity-eval: evaluation workbooks, scores and reports for Gerakan Menuju Smart City."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """``__version__``, the installed distribution's version, looked up on first use: reading the package metadata
    costs every process about 0.05 s, which a command that never shows the version (a served ``run``) need not pay."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("smartcity-eval")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
        found = "0.0.0+unknown"
    globals()["__version__"] = found
    return found
