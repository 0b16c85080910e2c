"""The site's escaping, and the built-in ``_entry.html``'s ``meta`` and ``entry_item`` as
Python functions giving the same bytes.

Every post page calls ``meta`` once, and every listed post's entry is rendered once by
``entry_item`` (``SiteIndex.keep_html``). As Jinja2 macros they cost 12 and 29 µs a call on
the generated 20 MB export (Jinja2's argument handling, a ``LoopContext`` for the labels, an
``Undefined`` made for the last label's missing comma, ``environment.getattr`` for each
field); as Python about a quarter of that. ``install`` puts them in the built-in template's
module, where the pages' imports find them; the template stays what a reader of the
package, or a user copying it, sees, and tests/test_export_site_macros.py holds the two to
the same bytes. A ``_entry.html`` of the user's is left alone (``site._Pages``), and any call
not of the pages' own shape (keywords, another ``level``, an entry that is no ``Summary``)
goes to the template's macro, errors included.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import markupsafe
from markupsafe import Markup

from .sitetext import Summary

__all__ = ["escape", "install", "markup"]

# markupsafe's escape in C (its own ``escape`` is a Python function around it, and makes its
# Markup through ``Markup.__new__``, Python too); its pure Python one where it has no C part
_escape_inner: Callable[[str], str] | None = getattr(markupsafe, "_escape_inner", None)
_new = str.__new__


def markup(text: str) -> Markup:
    """``Markup(text)`` for text already safe, without ``Markup.__new__``'s Python call."""
    return _new(Markup, text)


def escape(value: Any) -> Markup:
    """``markupsafe.escape(value)``, the same string, for the values a page shows most (str,
    and Markup already safe) without two Python calls each: a post page escapes about sixty
    values (a 20 MB export's post pages rendered in a fifth less CPU; tests/
    test_export_site_cpu.py compares the two)."""
    kind = type(value)
    if kind is str and _escape_inner is not None:
        return _new(Markup, _escape_inner(value))
    if kind is Markup:
        return value  # type: ignore[no-any-return]
    return markupsafe.escape(value)


_ROOTS: Final = (str, Markup)  # the types a page's ``root`` has: the fast path's only ones


def _meta(entry: Summary, root: str) -> Markup:
    """``_entry.html``'s ``meta(entry, root)``, piece for piece as its compiled code joins
    them (its whitespace control leaves no other text)."""
    out = ['<p class="meta">\n']
    when = entry.when
    if when:
        out += ('<time datetime="', escape(when.iso), '">', escape(when.text), "</time>")
    author = entry.author
    if author:
        url = entry.author_url
        out += ((' · by <a href="', escape(url), '">', escape(author), "</a>") if url
                else (" · by ", escape(author)))
    out.append("</p>\n")
    labels = entry.labels
    if labels:
        shown = escape(root)
        out.append('<p class="labels">Labels: ')
        out.append(", ".join([f'<a href="{shown}{escape(path)}" rel="tag">{escape(name)}</a>'
                              for name, path in labels]))
        out.append("</p>\n")
    return Markup("".join(out))


def _entry_item(entry: Summary, root: str) -> Markup:
    """``_entry.html``'s ``entry_item(entry, root)`` (``level`` 2)."""
    excerpt = entry.excerpt
    return Markup("".join((
        '<li>\n<article>\n<h2><a href="', escape(root), escape(entry.path), '">',
        escape(entry.title), "</a></h2>\n", _meta(entry, root), "\n",
        f'<p class="excerpt">{escape(excerpt)}</p>' if excerpt else "",
        "</article>\n</li>\n")))


def _or_macro(fast: Callable[[Summary, str], Markup], macro: Any) -> Callable[..., Any]:
    """``fast`` for a call as the pages make it, ``macro`` for any other."""
    def call(*args: Any, **kwargs: Any) -> Any:
        if not kwargs and len(args) == 2:
            entry, root = args
            if type(entry) is Summary and type(root) in _ROOTS:
                return fast(entry, root)
        return macro(*args, **kwargs)
    return call


def install(module: Any) -> None:
    """Put the Python ``meta`` and ``entry_item`` in ``module``, the built-in ``_entry.html``'s
    (what ``{% from "_entry.html" import ... %}`` and ``Template.module`` give), each falling
    back to the macro it replaces for any other call."""
    module.meta = _or_macro(_meta, module.meta)
    module.entry_item = _or_macro(_entry_item, module.entry_item)
