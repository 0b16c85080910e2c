"""What every export format shares: the job it is given, the report it fills, and OUT."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Final

import attrs

from .._words import counted
from ..errors import InvalidArgument
from .spool import Spool

__all__ = ["BODIES", "FORMATS", "ExportJob", "ExportReport", "prepare_out"]

FORMATS: Final = ("site", "hugo", "jekyll", "wxr")
BODIES: Final = ("markdown", "html")


@attrs.define
class ExportReport:
    """What an export wrote: counts for the summary, and every note worth a user's look."""

    format: str
    out: Path
    posts: int = 0
    pages: int = 0
    drafts: int = 0  # unpublished posts and pages (any status but live)
    comments: int = 0
    labels: int = 0
    files: int = 0
    media_local: int = 0
    media_remote: int = 0
    kept_as_html: int = 0  # bodies Markdown would have mangled (hugo, jekyll)
    notes: list[str] = attrs.field(factory=list)

    def lines(self) -> list[str]:
        """The summary the command prints."""
        # the migration formats export unpublished posts as drafts (the site leaves them
        # out, and a note counts them by status)
        drafts = (f"{counted(self.drafts, 'draft')}, " if self.drafts and self.format != "site"
                  else "")
        lines = [f"exported {counted(self.posts, 'post')}, {counted(self.pages, 'page')}, "
                 f"{drafts}{counted(self.comments, 'comment')} as {self.format} into {self.out}"
                 f" ({counted(self.files, 'file')})"]
        if self.media_local or self.media_remote:
            lines.append(f"media: {self.media_local} from the archive's capture, "
                         f"{self.media_remote} left remote")
        if self.kept_as_html:
            lines.append(f"{counted(self.kept_as_html, 'body', 'bodies')} kept as HTML "
                         "(Markdown would have lost their structure)")
        lines.extend(f"note: {note}" for note in self.notes)
        return lines


@attrs.define
class ExportJob:
    """Everything a format's ``write`` needs."""

    dest: Path  # the archive folder (its data folder: ``folder.data_dir(dest)``)
    spool: Spool  # the archive, read once, a record at a time
    out: Path  # exists and is empty
    report: ExportReport
    templates: Path | None = None
    body: str = "markdown"
    prepared: Any = None  # what the format's ``prepare`` gathered while the archive was read


def prepare_out(out: Path, *, force: bool, dest: Path) -> Path:
    """OUT made ready: created when missing, refused when it holds anything (unless
    ``force``, which empties it), never the archive itself or a folder holding it."""
    target = out.resolve()
    source = dest.resolve()
    if target == source or source.is_relative_to(target) or target.is_relative_to(source):
        raise InvalidArgument(f"{out}: the export must go outside the archive {dest}")
    if target.exists() and not target.is_dir():
        raise InvalidArgument(f"{out}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()):
        if not force:
            raise InvalidArgument(f"{out}: not empty; choose an empty folder, or --force to "
                                  "replace what it holds")
        for child in target.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise InvalidArgument(f"{out}: cannot create it: {err.strerror or err}") from None
    return target
