"""Preserved archives: originals, fixity, provenance, BagIt, validation, redaction, reruns."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from pathlib import Path

import bagit
import pytest

import blogarchive
from blogarchive.cli import main
from blogarchive.preserve import convert, package, validate
from blogarchive.store import recover
from conftest import EXAMPLE, FIXTURES

EMAILS = FIXTURES / "preserve" / "emails-2009.xml"
DATA_FILES = ("blog.json", "posts.jsonl", "comments.jsonl")


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def files(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): sha(p) for p in sorted(root.rglob("*"))
            if p.is_file()}


def events(root: Path) -> list[dict[str, object]]:
    lines = (root / "events.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# -- what a preserved archive holds --------------------------------------------------------


def test_originals_manifests_and_events(tmp_path: Path) -> None:
    (done,) = convert(EXAMPLE, tmp_path / "a")
    root = done.path
    assert (root / "originals" / EXAMPLE.name).read_bytes() == EXAMPLE.read_bytes()
    listed = {}
    for line in (root / "manifest-sha512.txt").read_text().splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    every = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    assert set(listed) == every - {"manifest-sha512.txt", "manifest-sha256.txt"}
    for name, digest in listed.items():
        assert hashlib.sha512((root / name).read_bytes()).hexdigest() == digest
    (event,) = events(root)
    assert event["eventType"] == "migration"
    assert event["agent"]["agentName"] == "blogarchive"  # type: ignore[index]
    assert "lxml" in event["agent"]["agentNote"]  # type: ignore[index]
    assert "python" in event["agent"]["agentNote"]  # type: ignore[index]
    objects = event["linkingObjectIdentifier"]
    source = next(o for o in objects if o["linkingObjectRole"] == "source")  # type: ignore[union-attr,index]
    assert source["path"] == f"originals/{EXAMPLE.name}"
    assert source["size"] == EXAMPLE.stat().st_size
    assert source["fixity"]["sha512"] == hashlib.sha512(EXAMPLE.read_bytes()).hexdigest()
    assert source["format"]["formatRegistryKey"] == "fmt/101"
    assert source["detected"] == "legacy-export"
    outcomes = {o["name"] for o in objects if o["linkingObjectRole"] == "outcome"}  # type: ignore[union-attr,index]
    assert outcomes == set(DATA_FILES)
    assert validate(root)
    assert blogarchive.load(root) == blogarchive.read(EXAMPLE)


def test_rerun_changes_only_the_provenance_log(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    first = files(dest)
    convert(EXAMPLE, dest)
    second = files(dest)
    changed = {name for name in first.keys() | second.keys()
               if first.get(name) != second.get(name)}
    assert changed == {"events.jsonl", "manifest-sha512.txt", "manifest-sha256.txt"}
    assert len(events(dest)) == 2
    # The first run's event is kept byte for byte.
    assert (dest / "events.jsonl").read_text().splitlines()[0] == json.dumps(
        events(dest)[0], sort_keys=True, ensure_ascii=False)
    assert validate(dest)


def test_no_originals(tmp_path: Path) -> None:
    (done,) = convert(EXAMPLE, tmp_path / "a", originals=False)
    assert not (done.path / "originals").exists()
    assert "originals not kept: --no-originals" in json.dumps(done.events[0])
    assert validate(done.path)


def test_names_are_safe_ascii(tmp_path: Path) -> None:
    odd = tmp_path / "in" / "Blog Ñandú (copy) 100%.xml"
    odd.parent.mkdir()
    shutil.copy(EXAMPLE, odd)
    (done,) = convert(odd, tmp_path / "a")
    names = [p.relative_to(done.path).as_posix() for p in done.path.rglob("*")]
    assert "originals/Blog_Nandu_copy_100_.xml" in names
    assert all(re.fullmatch(r"[A-Za-z0-9._/-]+", n) for n in names)
    assert validate(done.path)


# -- BagIt ---------------------------------------------------------------------------------


def test_bag(tmp_path: Path) -> None:
    dest = tmp_path / "bag"
    code = main(["convert", "-q", "--bag", "--source-organization", "Example Library",
                 "--bag-info", "Contact-Name=A. Archivist", str(EXAMPLE), "-o", str(dest)])
    assert code == 0
    bag = bagit.Bag(str(dest))
    assert bag.is_valid()
    assert bag.info["Source-Organization"] == "Example Library"
    assert bag.info["Contact-Name"] == "A. Archivist"
    assert "Field Notes" in bag.info["External-Description"]
    # 3 data files, events, 1 original, 4 schemas
    assert re.fullmatch(r"\d+\.9", bag.info["Payload-Oxum"])
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", bag.info["Bagging-Date"])
    assert set(bag.algorithms) == {"sha512", "sha256"}
    assert (dest / "data" / "originals" / EXAMPLE.name).is_file()
    assert [e["eventType"] for e in events(dest / "data")] == [
        "migration", "information package creation"]
    assert blogarchive.load(dest) == blogarchive.read(EXAMPLE)
    assert validate(dest)


def test_package_an_existing_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    before = {n: sha(dest / n) for n in DATA_FILES}
    assert main(["package", str(dest), "--source-organization", "Records Office"]) == 0
    assert bagit.Bag(str(dest)).is_valid()
    assert {n: sha(dest / "data" / n) for n in DATA_FILES} == before
    assert not (dest / "manifest-sha512.txt").read_text().count("data/manifest")
    assert main(["validate", str(dest)]) == 0
    assert "valid" in capsys.readouterr().out
    bagged = files(dest)
    assert package(dest) == dest and files(dest) == bagged  # a bag is left as it is
    # Converting again into the bag keeps it a bag, with the old events.
    convert(EXAMPLE, dest, bag=True)
    assert bagit.Bag(str(dest)).is_valid()
    assert len(events(dest / "data")) == 4


# -- validate ------------------------------------------------------------------------------


@pytest.fixture(params=["plain", "bag"])
def archive(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, Path]:
    """A fresh archive, and the folder holding its payload."""
    dest = tmp_path / "a"
    convert(EXAMPLE, dest, bag=request.param == "bag")
    return dest, dest / "data" if request.param == "bag" else dest


def _problems(dest: Path) -> list[str]:
    report = validate(dest)
    assert not report and not report.valid
    return [str(p) for p in report.problems]


def test_validate_reports_a_tampered_file(archive: tuple[Path, Path]) -> None:
    dest, data = archive
    path = data / "originals" / EXAMPLE.name
    path.write_bytes(path.read_bytes().replace(b"Field Notes", b"Field Nodes", 1))
    found = _problems(dest)
    assert any(p.startswith(f"{path.relative_to(dest).as_posix()}: changed since it was "
                            "written") for p in found)


def test_validate_reports_a_missing_file(archive: tuple[Path, Path]) -> None:
    dest, data = archive
    (data / "events.jsonl").unlink()
    found = _problems(dest)
    name = (data / "events.jsonl").relative_to(dest).as_posix()
    assert any(p.startswith(f"{name}: missing (listed in manifest-sha") for p in found)


def test_validate_reports_an_extra_file(archive: tuple[Path, Path]) -> None:
    dest, data = archive
    (data / "notes.txt").write_text("added later\n")
    found = _problems(dest)
    name = (data / "notes.txt").relative_to(dest).as_posix()
    assert any(p.startswith(f"{name}: extra file, not in manifest-sha") for p in found)


def _edit_line(path: Path, index: int, field: str, value: object) -> None:
    """Change one field of one JSON line, as a hand edit would."""
    lines = path.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[index])
    record[field] = value
    lines[index] = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_validate_reports_an_edited_comment(archive: tuple[Path, Path]) -> None:
    dest, data = archive
    path = data / "comments.jsonl"
    _edit_line(path, 0, "content", "An edited comment.")
    found = _problems(dest)
    name = path.relative_to(dest).as_posix()
    assert any(p.startswith(f"{name}: changed since it was written: sha512") for p in found)


def _rewrite_manifests(dest: Path) -> None:
    from blogarchive.preserve.fixity import write_manifests

    names = [p.relative_to(dest).as_posix() for p in dest.rglob("*")
             if p.is_file() and not p.name.startswith("manifest-")]
    write_manifests(dest, names)


def test_validate_checks_references_and_counts_behind_good_fixity(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    _edit_line(dest / "comments.jsonl", 0, "post_id", "1111111111111111111")
    posts = (dest / "posts.jsonl").read_text(encoding="utf-8").splitlines()
    labelled = next(i for i, line in enumerate(posts) if json.loads(line)["labels"])
    del posts[labelled]
    (dest / "posts.jsonl").write_text("\n".join(posts) + "\n", encoding="utf-8")
    _rewrite_manifests(dest)  # someone "fixed" the fixity after editing
    found = " | ".join(_problems(dest))
    assert "comments.jsonl (line 1): comment" in found and "not marked orphan" in found
    assert "blog.json: counts do not match the records" in found
    assert "blog.json: the label index does not match" in found


def test_validate_reports_schema_errors_with_line(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    _edit_line(dest / "posts.jsonl", 1, "status", 7)
    _rewrite_manifests(dest)
    found = _problems(dest)
    assert any(p.startswith("posts.jsonl (line 2): does not match the schema at status")
               for p in found)


def test_validate_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    assert main(["validate", str(dest)]) == 0
    assert capsys.readouterr().out.startswith("valid: ")
    (dest / "blog.json").write_text("{}")
    assert main(["validate", "--json", str(dest)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["valid"] is False and report["problems"]
    assert main(["validate", str(tmp_path / "nothing-here")]) == 2
    assert "not a blogarchive archive" in capsys.readouterr().err


# -- redaction -----------------------------------------------------------------------------


def test_redact_emails_leaves_no_address_behind(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    assert main(["convert", "-q", "--redact", "emails", str(EMAILS), "-o", str(dest)]) == 0
    addresses = ("marta.field@example.net", "reader.one@example.org", "editor@example.com")
    source = EMAILS.read_text(encoding="utf-8")
    assert all(a in source for a in addresses)
    for path in dest.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert not any(a in text for a in addresses), path
    assert not (dest / "originals").exists()  # the original holds the addresses
    kinds = [e["eventType"] for e in events(dest)]
    assert kinds == ["migration", "redaction"]
    assert "3 distinct e-mail addresses removed" in json.dumps(events(dest)[1])
    redacted, plain = blogarchive.load(dest), blogarchive.read(EMAILS)
    # Everything else is intact: the same records once the addresses are set aside.
    assert [p.id for p in redacted.posts] == [p.id for p in plain.posts]
    assert [p.content for p in redacted.posts] == [p.content for p in plain.posts]
    assert [c.content for c in redacted.comments] == [c.content for c in plain.comments]
    assert "noreply@blogger.com" in (dest / "posts.jsonl").read_text(encoding="utf-8")
    setting = next(s for s in redacted.blog.settings if s.name == "BLOG_COMMENT_EMAIL")
    assert setting.value == ", "
    assert validate(dest)


def test_redaction_sticks_on_reruns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "a"
    addresses = ("marta.field@example.net", "reader.one@example.org", "editor@example.com")

    def leaked() -> list[str]:
        return [f"{p.name}: {a}" for p in dest.rglob("*") if p.is_file()
                for a in addresses if a in p.read_text(encoding="utf-8")]

    assert main(["convert", "-q", "--redact", "emails", str(EMAILS), "-o", str(dest)]) == 0
    capsys.readouterr()
    assert main(["convert", str(EMAILS), "-o", str(dest)]) == 0  # no --redact
    assert "redaction: e-mail addresses removed, as when this archive was written" in (
        capsys.readouterr().out)
    assert leaked() == [] and not (dest / "originals").exists()
    redaction = events(dest)[-1]
    assert redaction["eventType"] == "redaction"
    assert "kept from the archive's earlier conversion" in json.dumps(redaction)
    (again,) = convert(EMAILS, dest)  # the library's default follows the archive too
    assert "redaction" in again.notices[0] and leaked() == []
    assert validate(dest)
    # Only an explicit request brings the addresses back, and the run says so.
    assert main(["convert", "--no-redact", str(EMAILS), "-o", str(dest)]) == 0
    assert "addresses are back" in capsys.readouterr().out
    assert leaked() and validate(dest)
    (plain,) = convert(EMAILS, dest)  # now written unredacted: a rerun keeps it so
    assert plain.notices == () and leaked()
    assert main(["convert", "-q", "--redact", "emails", "--no-redact", str(EMAILS), "-o",
                 str(dest)]) == 2


# -- reruns with a newer export ------------------------------------------------------------


def _without(text: str, ident: str) -> str:
    """The export without the entry whose id ends in ``ident``."""
    pattern = re.compile(r"<entry><id>[^<]*\." + re.escape(ident) + r"</id>.*?</entry>", re.S)
    assert pattern.search(text), ident
    return pattern.sub("", text, count=1)


def test_newer_export_keeps_what_disappeared(tmp_path: Path) -> None:
    old = EXAMPLE.read_text(encoding="utf-8")
    gone_post = "post-6655443322110099887"
    comment_id = re.search(r"\.post-(\d+)</id>(?:(?!</entry>).)*kind#comment", old, re.S)
    assert comment_id
    newer = _without(_without(old, gone_post), f"post-{comment_id.group(1)}")
    newer = newer.replace("Wells running dry", "Wells running dry (updated)")
    second = tmp_path / "blog-11-02-2010.xml"
    second.write_text(newer, encoding="utf-8")
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    convert(second, dest)
    archive = blogarchive.load(dest)
    kept = archive.post(gone_post.split("-")[1])
    assert kept is not None and kept.retained
    comment = next(c for c in archive.comments if c.id == comment_id.group(1))
    assert comment.retained
    assert sum(p.retained for p in archive.posts) == 1
    assert sum(c.retained for c in archive.comments) == 1
    assert any(p.title == "Wells running dry (updated)" and not p.retained for p in archive.posts)
    assert any("kept from an earlier conversion" in n for n in archive.notes)
    assert sorted(p.name for p in (dest / "originals").iterdir()) == [
        "blog-10-02-2010.xml", "blog-11-02-2010.xml"]
    assert validate(dest)
    # The post comes back in a later export: it is current again.
    convert(EXAMPLE, dest)
    assert not any(p.retained for p in blogarchive.load(dest).posts)


def test_another_blog_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    other = FIXTURES / "legacy" / "pitfalls.xml"
    assert main(["convert", "-q", str(other), "-o", str(dest)]) == 2
    assert "holds blog 7310571962934481820" in capsys.readouterr().err
    assert validate(dest)


# -- atomicity -----------------------------------------------------------------------------


def test_an_interrupted_swap_is_repaired(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    # A run killed between the two renames of the fallback swap leaves only ".a.old-<pid>".
    dest.rename(tmp_path / ".a.old-424242")
    (tmp_path / ".a.tmp-424243").mkdir()  # and a half-built folder of a dead run
    recover(dest)
    assert validate(dest)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a"]


def test_killed_mid_write_leaves_the_previous_archive(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    small, big = tmp_path / "small.xml", tmp_path / "big.xml"
    for path, size in ((small, "1"), (big, "12")):  # one blog: a small and a large export
        subprocess.run([sys.executable, str(ROOT / "benchmarks" / "generate.py"), size,
                        str(path)], check=True, capture_output=True)
    dest = tmp_path / "a"
    convert(small, dest, analyse=False)
    before = files(dest)
    run = subprocess.Popen(
        [sys.executable, "-m", "blogarchive", "convert", "-q", "--no-analysis", str(big),
         "-o", str(dest)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    # the new archive is being written (in .a.tmp-<n>-<pid>: a name per staging)
    while not list(tmp_path.glob(f".a.tmp-*-{run.pid}/posts.jsonl")):
        assert run.poll() is None, "the run ended before it could be interrupted"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    os.kill(run.pid, signal.SIGKILL)
    run.wait()
    assert files(dest) == before  # the previous archive, untouched and valid
    assert validate(dest)
    assert blogarchive.load(dest) == blogarchive.read(small, analyse=False)
    # The next run clears the dead run's folder and completes.
    subprocess.run([sys.executable, "-m", "blogarchive", "convert", "-q", "--no-analysis",
                    str(big), "-o", str(dest)], check=False, capture_output=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "big.xml", "small.xml"]
    assert validate(dest)
    assert len(events(dest)) == 2


def test_nothing_preserved_is_lost_by_later_calls(tmp_path: Path) -> None:
    dest = tmp_path / "a"
    convert(EXAMPLE, dest)
    # A later run without originals keeps the earlier ones; write() refuses to reduce it.
    (done,) = convert(EXAMPLE, dest, originals=False)
    assert (dest / "originals" / EXAMPLE.name).is_file()
    assert validate(dest)
    with pytest.raises(blogarchive.ArchiveError, match="preserved archive"):
        blogarchive.write(done.archive, dest)
    assert validate(dest) and len(events(dest)) == 2
