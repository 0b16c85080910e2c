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
from .batch import batch
from .capture import CaptureReport, capture
from .errors import (
    ArchiveError,
    BlogarchiveError,
    InvalidArgument,
    ParseError,
    SourceError,
    UnsafeInput,
    UnsupportedFormat,
)
from .export import ExportReport, export
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

# ``blogarchive.capture`` and ``blogarchive.export`` name the functions, which shadow their
# packages; ``import blogarchive.export.site as m`` still finds the module, because the
# import system looks a submodule up by the ``__name__`` of what it found.
capture.__name__ = capture.__module__
export.__name__ = export.__module__

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
