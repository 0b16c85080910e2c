"""``blogarchive.export``: an archive out again, as a site people read or a site they move to.

    site     a static access copy: HTML that works from file:// and makes no request
    hugo     a Hugo site (Markdown + front matter, aliases for the old Blogger paths)
    jekyll   a Jekyll site (Markdown + front matter, redirect_from for the old paths)
    wxr      one WordPress eXtended RSS 1.2 file, as WordPress's own exporter writes it

Every format reads an archive written by ``convert``, writes into an empty OUT
(or one emptied with ``force``), and uses the media ``capture`` stored when there are some
(``media.py`` extracts them from the archive's WARC files into OUT/media/). One module per
format, each with ``prepare(spool)`` (the archive read, one record at a time, and what the
format needs across records gathered: ``spool.py``) and ``write(job)``; this module checks
the arguments and dispatches.
"""

from __future__ import annotations

import importlib
import os
from pathlib import Path

from .common import BODIES, FORMATS, ExportJob, ExportReport, prepare_out

__all__ = ["BODIES", "FORMATS", "ExportReport", "export"]


def export(dest: str | os.PathLike[str], out: str | os.PathLike[str], format: str = "site", *,
           force: bool = False, templates: str | os.PathLike[str] | None = None,
           body: str = "markdown") -> ExportReport:
    """Export the archive at ``dest`` into the folder ``out`` in ``format``.

    ``templates``: a folder of Jinja2 templates overriding the site's own (``site`` only).
    ``body``: ``markdown`` (converted; kept as HTML where conversion would lose structure) or
    ``html`` (kept as HTML), for ``hugo`` and ``jekyll``.
    Raises InvalidArgument for a wrong format, body or a non-empty OUT without ``force``,
    ArchiveError when ``dest`` is not an archive.
    """
    from ..errors import InvalidArgument
    from .spool import Spool

    if format not in FORMATS:
        raise InvalidArgument(f"unknown export format {format!r}: one of {', '.join(FORMATS)}")
    if body not in BODIES:
        raise InvalidArgument(f"unknown body form {body!r}: one of {', '.join(BODIES)}")
    source = Path(os.fspath(dest))
    # every line read and checked before OUT is touched: ArchiveError when dest is not an
    # archive (or is damaged), as ``load`` says it
    writer = importlib.import_module(f".{format}", __name__)
    with Spool(source) as spool:
        prepared = writer.prepare(spool)
        target = prepare_out(Path(os.fspath(out)), force=force, dest=source)
        report = ExportReport(format=format, out=target)
        job = ExportJob(dest=source, spool=spool, out=target, report=report,
                        templates=Path(os.fspath(templates)) if templates is not None
                        else None, body=body, prepared=prepared)
        writer.write(job)
    return report
