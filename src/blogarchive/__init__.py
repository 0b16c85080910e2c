"""blogarchive: Blogger blogs into a typed, normalised JSON archive that lasts.

    archive = blogarchive.read("blog-09-17-2010.xml")
    for post in archive.posts:
        print(post.id, post.status, post.published, post.title)
    blogarchive.write(archive, "archive/")
    assert blogarchive.load("archive/") == archive
    for quote in archive.posts[0].analysis.quotes:
        print(quote.kind, quote.text)
"""

from .analysis import BodyAnalysis, analyse
from .annotate import analyse_archive
from .errors import (
    ArchiveError,
    BlogarchiveError,
    ParseError,
    SourceError,
    UnsafeInput,
    UnsupportedFormat,
)
from .limits import LimitExceeded, Limits
from .model import Archive, Author, Blog, Comment, Label, Post
from .preserve import ValidationReport, convert, package, redact, validate
from .reading import ReadReport, Salvage, iter_records, read, read_all
from .store import load, write

__version__ = "0.1.0"

__all__ = [
    "Archive",
    "ArchiveError",
    "Author",
    "Blog",
    "BlogarchiveError",
    "BodyAnalysis",
    "Comment",
    "Label",
    "LimitExceeded",
    "Limits",
    "ParseError",
    "Post",
    "ReadReport",
    "Salvage",
    "SourceError",
    "UnsafeInput",
    "UnsupportedFormat",
    "ValidationReport",
    "__version__",
    "analyse",
    "analyse_archive",
    "convert",
    "iter_records",
    "load",
    "package",
    "read",
    "read_all",
    "redact",
    "validate",
    "write",
]
