"""``convert(jobs=N)`` / ``--jobs N``: the body analysis in worker processes, the archive
byte for byte the one a single process writes."""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import pytest

import blogarchive
from blogarchive import workers
from blogarchive.analysis import UrlMap, analyse
from blogarchive.cli import main
from test_determinism import _generator, _stored, converted


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The determinism test's generated export: more posts than one chunk."""
    from test_determinism import GENERATED_MB

    path = tmp_path_factory.mktemp("generated") / "blog.xml"
    _generator().generate(GENERATED_MB, path)
    return path


@pytest.fixture
def submitted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Chunks sent to worker processes (so a test knows the pool was used)."""
    sizes: list[int] = []
    submit = ProcessPoolExecutor.submit

    def spy(self: ProcessPoolExecutor, fn: Any, chunk: list[Any], *rest: Any) -> Any:
        sizes.append(len(chunk))
        return submit(self, fn, chunk, *rest)

    monkeypatch.setattr(ProcessPoolExecutor, "submit", spy)
    return sizes


def test_two_jobs_write_the_same_bytes_as_one(generated: Path, tmp_path: Path,
                                              submitted: list[int]) -> None:
    found = converted(generated, tmp_path / "two", jobs=2)
    assert sum(submitted) > workers.CHUNK  # the posts went to the workers, in chunks
    assert max(submitted) == workers.CHUNK
    assert found == converted(generated, tmp_path / "one", jobs=1)
    assert found == _stored()["generated"]  # and as before the speed work


def test_results_come_back_in_the_order_given(submitted: list[int]) -> None:
    urls = UrlMap.build([("https://b.blogspot.com/2010/01/p0.html", "0")], None)
    bodies = [(f'<p>"{"quoted " * (n % 5)}"</p><a href="/2010/01/p{n % 3}.html">x</a>'
               f'<blockquote>{n}</blockquote>', "https://b.blogspot.com/", None)
              for n in range(workers.CHUNK * 3 + 5)]
    got = list(workers.analyse_bodies(bodies, urls, 2))
    assert got == [analyse(h, b, urls, content_type=k) for h, b, k in bodies]
    assert len(submitted) == 4


def test_few_posts_are_analysed_here(submitted: list[int]) -> None:
    bodies = [("<p>x</p>", None, None)] * (workers.CHUNK - 1)
    assert len(list(workers.analyse_bodies(bodies, UrlMap(), 4))) == workers.CHUNK - 1
    assert submitted == []


def test_zero_jobs_means_every_core() -> None:
    assert workers.worker_count(0) == workers.cores() >= 1
    assert workers.worker_count(3) == 3


@pytest.mark.parametrize("jobs", [-1, 1.5, True, "2"])
def test_a_bad_job_count_is_refused(jobs: Any, tmp_path: Path) -> None:
    with pytest.raises(blogarchive.InvalidArgument, match="jobs must be a whole number"):
        blogarchive.convert(tmp_path / "nothing.xml", tmp_path / "out", jobs=jobs)
    assert not (tmp_path / "out").exists()


def test_cli_jobs(generated: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["convert", "-q", "--jobs", "2", str(generated), "-o", str(tmp_path / "a")]) == 0
    assert converted(generated, tmp_path / "b") == _digests(tmp_path / "a")
    with pytest.raises(SystemExit) as exit_:
        main(["convert", "--jobs", "-1", str(generated), "-o", str(tmp_path / "c")])
    assert exit_.value.code == 2
    assert "not a whole number of processes" in capsys.readouterr().err


def _digests(dest: Path) -> dict[str, str]:
    from test_determinism import data_digests

    return data_digests(dest)
