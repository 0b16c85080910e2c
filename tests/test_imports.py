"""What `import blogarchive` imports: only what reading and converting an export needs.

Every process that converts pays for its imports (a fifth of `convert --no-analysis` on a
20 MB export was importing packages it never used: docs/performance.md), so the page reader,
the capture, export and batch packages and importlib.metadata are imported when first used.
Each check runs in a fresh interpreter, as only a new process shows what an import brings.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import EXAMPLE

# Imported by none of the modules a conversion of an export needs.
_LATER = ("blogarchive.readers.html", "blogarchive.readers.json", "blogarchive.capture",
          "blogarchive.export", "blogarchive.batch", "bs4", "dateutil", "importlib.metadata",
          "email.utils")


def _run(script: str) -> object:
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_import_leaves_what_an_export_does_not_need() -> None:
    found = _run("import sys, json, blogarchive\n"
                 f"print(json.dumps([m for m in {_LATER!r} if m in sys.modules]))")
    assert found == []


def test_reading_an_export_leaves_them_too(tmp_path: Path) -> None:
    found = _run("import sys, json, blogarchive\n"
                 f"n = sum(1 for _ in blogarchive.iter_records({str(EXAMPLE)!r}))\n"
                 f"print(json.dumps([n, [m for m in {_LATER!r} if m in sys.modules]]))")
    assert isinstance(found, list)
    assert found[0] > 0 and found[1] == []


def test_names_of_the_later_packages_are_their_functions() -> None:
    # The package imported first (as a test or the CLI does), the name looked up after:
    # it must still be the function, as when the packages were imported eagerly.
    found = _run(
        "import json, blogarchive\n"
        "import blogarchive.capture.plan as plan\n"
        "import blogarchive.export.site\n"
        "from blogarchive.batch import listing\n"
        "names = [blogarchive.capture.__module__, blogarchive.export.__module__,\n"
        "         blogarchive.batch.__module__, callable(blogarchive.capture),\n"
        "         callable(blogarchive.export), callable(blogarchive.batch),\n"
        "         blogarchive.CaptureReport.__name__, blogarchive.ExportReport.__name__,\n"
        "         plan.__name__]\n"
        "print(json.dumps(names))")
    assert found == ["blogarchive.capture", "blogarchive.export", "blogarchive.batch", True,
                     True, True, "CaptureReport", "ExportReport", "blogarchive.capture.plan"]


def test_a_page_still_reads(tmp_path: Path) -> None:
    page = Path(__file__).parent / "fixtures" / "html"
    first = next(p for p in sorted(page.rglob("*.html")))
    found = _run("import json, blogarchive\n"
                 f"a = blogarchive.read({str(first)!r}, analyse=False)\n"
                 "print(json.dumps(len(a.posts)))")
    assert isinstance(found, int) and found > 0


def test_an_unknown_name_is_an_attribute_error() -> None:
    import blogarchive

    try:
        blogarchive.no_such_name  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as err:
        assert "no_such_name" in str(err)
    else:
        raise AssertionError("an unknown name should raise AttributeError")
