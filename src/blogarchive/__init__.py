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

from .analysis import BodyAnalysis, analyse
from .annotate import analyse_archive
from .capture import CaptureReport, capture
from .errors import (
    ArchiveError,
    BlogarchiveError,
    ParseError,
    SourceError,
    UnsafeInput,
    UnsupportedFormat,
)
from .model import Archive, Author, Blog, Comment, Label, Post
from .preserve import ValidationReport, convert, package, redact, validate
from .reading import ReadReport, iter_records, read, read_all
from .store import load, write

__version__ = "0.1.0"

__all__ = [
    "Archive",
    "ArchiveError",
    "Author",
    "Blog",
    "BlogarchiveError",
    "BodyAnalysis",
    "CaptureReport",
    "Comment",
    "Label",
    "ParseError",
    "Post",
    "ReadReport",
    "SourceError",
    "UnsafeInput",
    "UnsupportedFormat",
    "ValidationReport",
    "__version__",
    "analyse",
    "analyse_archive",
    "capture",
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
