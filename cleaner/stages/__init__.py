"""The stages, by name. Adding one: a module here with one Stage subclass, listed below."""

from .base import Stage
from .coherence import Coherence
from .encoding import Encoding
from .header import Header
from .html import Html
from .phrases import Phrases
from .repeated import Repeated
from .whitespace import Whitespace

STAGES: dict[str, type[Stage]] = {
    cls.name: cls for cls in (Html, Encoding, Header, Phrases, Repeated, Coherence, Whitespace)
}

__all__ = ["STAGES", "Stage", "Coherence", "Encoding", "Header", "Html", "Phrases", "Repeated", "Whitespace"]
