"""``read()``'s footprint (issue 12): bodies and analysed texts held packed, repeated links
held once, the records reading exactly as before (``blogarchive._packed``).

Memory is counted with tracemalloc, never timed.
"""

from __future__ import annotations

import gc
import pickle
import random
import subprocess
import sys
import tracemalloc
from pathlib import Path

import attrs
import pytest

import blogarchive
from blogarchive import _packed, store
from blogarchive._packed import MIN_CHARS, Packed, is_packed, pack, pack_fields, replace
from blogarchive.analysis import BodyAnalysis
from blogarchive.model import Comment, Post
from conftest import EXAMPLE
from test_determinism import _generator


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A generated export of about 2 MB (300 posts, 300 comments): every body shape the
    benchmark generator writes."""
    path = tmp_path_factory.mktemp("read-memory") / "blog.xml"
    _generator().generate(2, path)
    return path


@pytest.fixture(scope="module")
def archive(export: Path) -> blogarchive.Archive:
    return blogarchive.read(export)


def _post(content: str) -> Post:
    return Post(id="1", kind="post", status="live", title="t", content=content, url=None,
                path=None, published=None, updated=None)


TEXTS = {
    "ascii": "<p>Plain words, said again and again. </p>" * 40,
    "accents and emoji": "Crème brûlée, naïve café 😀 — «guillemets» " * 30,
    "lone surrogate": "before \ud800 after, " * 60,  # kept as written, as a str may hold it
    "control characters": "a\x00b\x1fc\u2028d " * 100,
}


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_a_packed_body_reads_the_same(name: str) -> None:
    text = TEXTS[name]
    post = _post(text)
    pack_fields(post)
    assert is_packed(post, "content")
    assert post.content == text and type(post.content) is str
    assert post == _post(text) and hash(post) == hash(_post(text))
    assert repr(post) == repr(_post(text))


def test_what_is_not_worth_packing_stays_a_string() -> None:
    short = "x" * (MIN_CHARS - 1)
    assert pack(short) is short
    rng = random.Random(12)
    noise = "".join(chr(rng.randrange(0x4E00, 0x9FFF)) for _ in range(2000))  # incompressible
    assert pack(noise) is noise
    post = _post(noise)
    pack_fields(post)
    assert not is_packed(post, "content") and post.content is noise


def test_only_what_pack_made_is_unpacked() -> None:
    """A bytes value a caller put in a field (not a str: nothing checks) stays what it was."""
    pack_fields(_post("x" * 1000))  # the descriptors are in place
    odd = _post(b"x" * 1000)  # type: ignore[arg-type]
    pack_fields(odd)
    assert odd.content == b"x" * 1000 and type(odd.content) is bytes
    assert type(pack("y" * 1000)) is Packed


def test_replace_carries_the_packed_body_over() -> None:
    post = _post(TEXTS["ascii"])
    pack_fields(post)
    kept = replace(post, status="draft")
    assert is_packed(kept, "content") and kept.content == TEXTS["ascii"]
    assert kept.status == "draft"
    evolved = attrs.evolve(post, status="draft")  # reads the body: holds it as a string
    assert not is_packed(evolved, "content") and evolved == kept


def _unpacked(post: Post) -> Post:
    """The same post holding every field as a plain string (evolve reads each field)."""
    analysis = None if post.analysis is None else attrs.evolve(post.analysis)
    return attrs.evolve(post, analysis=analysis)


def test_read_holds_bodies_and_texts_packed(archive: blogarchive.Archive) -> None:
    posts = archive.posts
    assert posts and all(p.analysis is not None for p in posts)
    long_posts = [p for p in posts if len(p.content) >= 2 * MIN_CHARS]
    assert long_posts and all(is_packed(p, "content") for p in long_posts)
    assert all(is_packed(p.analysis, "text") for p in long_posts
               if p.analysis is not None and len(p.analysis.text) >= 2 * MIN_CHARS)
    assert any(is_packed(c, "content") for c in archive.comments)


def test_a_packed_record_is_the_same_record(archive: blogarchive.Archive) -> None:
    """Equality, hashing, repr, cattrs, the lines, pickling: as if held as strings."""
    converter = store.converter
    for post in archive.posts:
        plain = _unpacked(post)
        assert not is_packed(plain, "content")
        assert plain == post and hash(plain) == hash(post) and repr(plain) == repr(post)
        assert converter.unstructure(plain) == converter.unstructure(post)
        assert store.dumps_line(plain) == store.dumps_line(post) == store._reference_line(post)
        assert converter.structure(converter.unstructure(post), Post) == post
        assert pickle.loads(pickle.dumps(post)) == post
    for comment in archive.comments:
        plain_comment = attrs.evolve(comment)
        assert plain_comment == comment
        assert store.dumps_line(plain_comment) == store.dumps_line(comment)


def test_read_then_write_gives_what_convert_writes(export: Path, archive: blogarchive.Archive,
                                                   tmp_path: Path) -> None:
    written = store.write(archive, tmp_path / "read")
    blogarchive.convert(export, tmp_path / "converted", originals=False)
    for name in ("blog.json", "posts.jsonl", "comments.jsonl"):
        assert (written / name).read_bytes() == (tmp_path / "converted" / name).read_bytes()


def test_a_link_met_in_several_bodies_is_held_once(archive: blogarchive.Archive) -> None:
    links = [link for p in archive.posts if p.analysis for link in p.analysis.links]
    assert len({id(link) for link in links}) < len(links)
    # each value is its body's own: the analysis made again gives the same
    again = blogarchive.analyse_archive(attrs.evolve(archive))
    assert [p.analysis for p in again.posts] == [p.analysis for p in archive.posts]


def test_memory_held_per_byte_of_the_file(export: Path) -> None:
    """What the Archive holds, against the file's size: 2.09 bytes per byte of this export
    before the bodies and texts were packed, 0.98 after."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        held = blogarchive.read(export)
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert held.posts
    assert (after - before) / export.stat().st_size < 1.2


def test_analysis_of_an_unread_archive_is_left_as_made() -> None:
    """``analyse_archive`` without ``keep`` (the library function) packs nothing."""
    archive = blogarchive.read(EXAMPLE, analyse=False)
    plain = attrs.evolve(archive, posts=tuple(map(_unpacked, archive.posts)))
    again = blogarchive.analyse_archive(plain)
    assert not any(is_packed(p.analysis, "text") for p in again.posts if p.analysis)
    assert again == blogarchive.read(EXAMPLE)


def test_convert_leaves_the_fields_plain_slots(tmp_path: Path) -> None:
    """``convert`` never packs, so it never pays for the descriptors either."""
    code = (
        "import sys, blogarchive\n"
        "from blogarchive.model import Comment, Post\n"
        "from blogarchive.analysis import BodyAnalysis\n"
        "blogarchive.convert(sys.argv[1], sys.argv[2])\n"
        "print(*(type(c.__dict__[n]).__name__ for c, n in ((Post, 'content'), "
        "(Comment, 'content'), (BodyAnalysis, 'text'))))\n")
    done = subprocess.run([sys.executable, "-c", code, str(EXAMPLE), str(tmp_path / "out")],
                          capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["member_descriptor"] * 3
    assert set(_packed._PACKABLE) == {Post, Comment, BodyAnalysis}


def test_the_replaced_records_are_gone_while_the_posts_are_analysed(
        export: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving makes each comment again: the copies it replaced (in the list of what was
    read, in the assembler) are not kept alive during the analysis."""
    from blogarchive import reading

    alive: list[int] = []
    analyse = reading.analyse_archive

    def counting(archive: blogarchive.Archive, **options: object) -> blogarchive.Archive:
        gc.collect()
        alive.append(sum(1 for o in gc.get_objects() if type(o) is Comment))
        alive.append(len(archive.comments))
        return analyse(archive, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(reading, "analyse_archive", counting)
    gc.collect()
    before = sum(1 for o in gc.get_objects() if type(o) is Comment)  # other tests' archives
    blogarchive.read(export)
    assert alive[1] > 100 and alive[0] - before == alive[1]


def test_analysed_in_workers_the_same_packed_archive(export: Path,
                                                       archive: blogarchive.Archive) -> None:
    """With ``jobs`` the analyses come back pickled from the workers (as strings): packed
    here all the same, and equal."""
    from blogarchive.reading import read_groups

    [(in_workers, _)] = read_groups(export, jobs=2)
    assert in_workers == archive
    assert all(is_packed(p.analysis, "text") for p in in_workers.posts
               if p.analysis is not None and len(p.analysis.text) >= 2 * MIN_CHARS)


def test_read_not_compact_holds_plain_strings_and_the_same_archive(
        export: Path, archive: blogarchive.Archive) -> None:
    plain = blogarchive.read(export, compact=False)
    assert plain == archive
    assert not any(is_packed(p, "content") for p in plain.posts)
    assert not any(is_packed(p.analysis, "text") for p in plain.posts if p.analysis)
    assert not any(is_packed(c, "content") for c in plain.comments)
