"""cleaner: removes boilerplate and ad noise from scraped news and web text, with an audit log."""

__version__ = "0.1.0"

from .config import Config, load_config  # noqa: E402
from .document import Cleaned, Document, Edit  # noqa: E402
from .errors import CleanerError, ConfigError  # noqa: E402
from .pipeline import Pipeline, clean  # noqa: E402

__all__ = [
    "Cleaned",
    "CleanerError",
    "Config",
    "ConfigError",
    "Document",
    "Edit",
    "Pipeline",
    "clean",
    "load_config",
    "__version__",
]
