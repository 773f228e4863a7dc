"""smartcity-eval: evaluation workbooks, scores and reports for Gerakan Menuju Smart City."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("smartcity-eval")
except PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0.0.0+unknown"
