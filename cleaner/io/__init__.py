"""Readers and writers. Nothing here knows about stages."""

from .readers import Item, kind_of, read_items
from .writers import open_writer, output_name

__all__ = ["Item", "kind_of", "open_writer", "output_name", "read_items"]
