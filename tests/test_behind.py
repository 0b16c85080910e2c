"""``convert --jobs``: the data files written and digested by a thread of their own
(``spool.behind``), the bytes and the manifests those of one job."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

import blogarchive
from blogarchive.preserve import fixity
from blogarchive.spool import behind
from blogarchive.spool.behind import Behind
from test_ahead import linked_export
from test_determinism import converted


class _Sink:
    def __init__(self, fail_at: int | None = None) -> None:
        self.blocks: list[bytes] = []
        self.threads: set[str] = set()
        self.fail_at = fail_at

    def write(self, data: bytes, /) -> None:
        self.threads.add(threading.current_thread().name)
        if self.fail_at is not None and len(self.blocks) == self.fail_at:
            raise OSError("disk full")
        self.blocks.append(data)


def test_blocks_go_out_in_order_from_another_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(behind, "BLOCK", 100)
    out = _Sink()
    sink = Behind(out)
    lines = [f"line {n:04d}\n".encode() for n in range(500)]
    for line in lines:
        sink.write(line)
    sink.close()
    assert b"".join(out.blocks) == b"".join(lines)
    assert len(out.blocks) > 10 and all(len(block) >= 100 for block in out.blocks[:-1])
    assert out.threads == {"blogarchive-writer"}


def test_what_the_file_raised_is_raised_by_close(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(behind, "BLOCK", 100)
    sink = Behind(_Sink(fail_at=2))
    for _ in range(200):  # the thread takes blocks off after the failure: no deadlock
        sink.write(b"x" * 50)
    with pytest.raises(OSError, match="disk full"):
        sink.close()


def test_nothing_more_is_written_once_the_lines_failed() -> None:
    out = _Sink()
    sink = Behind(out)
    sink.write(b"held, not a whole block")
    sink.close(failed=True)
    assert out.blocks == []


def test_jobs_write_the_data_files_from_the_writer_thread(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--jobs 2`` the digesting file is fed from the writer thread, in several
    blocks; the files, and the manifests taken as they were written, are those of one
    job (``validate`` recomputes every digest)."""
    monkeypatch.setattr(behind, "BLOCK", 4096)
    threads: set[str] = set()
    write = fixity.DigestingFile.write

    def spy(self: fixity.DigestingFile, data: bytes) -> None:
        threads.add(threading.current_thread().name)
        write(self, data)

    monkeypatch.setattr(fixity.DigestingFile, "write", spy)
    source = linked_export(tmp_path / "linked.xml")
    two = tmp_path / "two"
    found = converted(source, two, jobs=2)
    assert threads == {"blogarchive-writer"}
    report = blogarchive.validate(two)
    assert report.valid, report.problems[:3]
    threads.clear()
    assert found == converted(source, tmp_path / "one", jobs=1)
    assert threads == {"MainThread"}
