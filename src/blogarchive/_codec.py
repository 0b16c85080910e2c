"""What the archive's JSON is made with, for writing it (``store``) and reading it back
(``loading``): the schema ids and version every document and line carries, and the cattrs
converter between the records and their JSON values (times as ``_time`` spells them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

import cattrs

from ._time import format_time, parse_time

__all__ = ["SCHEMA_IDS", "SCHEMA_VERSION", "converter"]

SCHEMA_VERSION: Final = "1-6-0"  # SchemaVer MODEL-REVISION-ADDITION
SCHEMA_IDS: Final = {
    "blog": "urn:blogarchive:schema:1:blog",
    "post": "urn:blogarchive:schema:1:post",
    "comment": "urn:blogarchive:schema:1:comment",
}

converter = cattrs.Converter()
converter.register_unstructure_hook(datetime, format_time)
converter.register_structure_hook(datetime, lambda value, _type: parse_time(value))
