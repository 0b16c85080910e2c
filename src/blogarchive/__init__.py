"""blogarchive: Blogger blogs into a typed, normalised JSON archive that lasts.

    archive = blogarchive.read("blog-10-02-2010.xml")
    for post in archive.posts:
        print(post.id, post.status, post.published, post.title)  # published: None if unknown
    blogarchive.write(archive, "archive/")
    assert blogarchive.load("archive/") == archive
    for post in archive.posts:
        for quote in post.analysis.quotes if post.analysis else ():  # None: not analysed
            print(post.id, quote.kind, quote.text)

The project's README has a longer example; the tests run both and type-check them.
"""

import importlib
import types
from typing import TYPE_CHECKING, Any

from .analysis import (
    BodyAnalysis,
    BodyLink,
    LinkList,
    ListedLink,
    Media,
    Quote,
    UrlMap,
    analyse,
)
from .annotate import analyse_archive
from .errors import (
    ArchiveError,
    BlogarchiveError,
    InvalidArgument,
    ParseError,
    SourceError,
    UnsafeInput,
    UnsupportedFormat,
)
from .limits import LimitExceeded, Limits
from .model import (
    Archive,
    Author,
    Blog,
    Comment,
    FieldSources,
    InReplyTo,
    Label,
    Link,
    Location,
    Origin,
    Post,
    Property,
    Setting,
    Skipped,
    SourceInfo,
    Thumbnail,
)
from .preserve import (
    Converted,
    Problem,
    ValidationReport,
    archives,
    convert,
    package,
    redact,
    validate,
)
from .progress import Progress
from .reading import ReadReport, Salvage, iter_records, read, read_all
from .store import load, write

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .batch import batch
    from .capture import CaptureReport, capture
    from .export import ExportReport, export

# The batch, capture and export packages (and what they import) are imported when a name
# of theirs is first used: a conversion needs none of them, and every process that
# converts would otherwise pay for importing them.
_LATER = {"batch": "batch", "capture": "capture", "CaptureReport": "capture",
          "export": "export", "ExportReport": "export"}
# ``blogarchive.capture`` and ``blogarchive.export`` name the functions, which shadow their
# packages; ``import blogarchive.export.site as m`` still finds the module, because the
# import system looks a submodule up by the ``__name__`` of what it found.
_RENAMED = ("capture", "export")


def _later(name: str) -> Any:
    """The package's name ``name``, its package imported now."""
    value = getattr(importlib.import_module(f"{__name__}.{_LATER[name]}"), name)
    if name in _RENAMED:
        value.__name__ = value.__module__
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    def __setattr__(self, name: str, value: object) -> None:
        # Importing a package binds it in its parent's namespace; where a function of the
        # package has its name (``batch``, ``capture``, ``export``), the name stays the
        # function's, whoever imported the package first.
        if name in _LATER and isinstance(value, types.ModuleType):
            value = _later(name)
        super().__setattr__(name, value)


if not TYPE_CHECKING:
    def __getattr__(name: str) -> Any:
        if name in _LATER:
            return _later(name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

    import sys

    sys.modules[__name__].__class__ = _Package

# Every record type a user meets (on an Archive, in a post's analysis, in a report) is
# importable from here, so type hints never need the internal module layout.
__all__ = [
    "Archive",
    "ArchiveError",
    "Author",
    "Blog",
    "BlogarchiveError",
    "BodyAnalysis",
    "BodyLink",
    "CaptureReport",
    "Comment",
    "Converted",
    "ExportReport",
    "FieldSources",
    "InReplyTo",
    "InvalidArgument",
    "Label",
    "LimitExceeded",
    "Limits",
    "Link",
    "LinkList",
    "ListedLink",
    "Location",
    "Media",
    "Origin",
    "ParseError",
    "Post",
    "Problem",
    "Progress",
    "Property",
    "Quote",
    "ReadReport",
    "Salvage",
    "Setting",
    "Skipped",
    "SourceError",
    "SourceInfo",
    "Thumbnail",
    "UnsafeInput",
    "UnsupportedFormat",
    "UrlMap",
    "ValidationReport",
    "__version__",
    "analyse",
    "analyse_archive",
    "archives",
    "batch",
    "capture",
    "convert",
    "export",
    "iter_records",
    "load",
    "package",
    "read",
    "read_all",
    "redact",
    "validate",
    "write",
]
