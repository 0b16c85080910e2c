"""A small renderer of Blogger's classic template language, enough to publish one item page.

Classic templates are HTML with ``<$BlogItemAuthor$>``-style variables and ``<BlogItemComments>``
-style blocks. This renders one post (and its comments) on an item page the way Blogger's
publisher did: the body between Blogger's clear:both markers, then the labels paragraph; the
``<MainOrArchivePage>`` blocks dropped, the ``<ItemPage>`` ones kept; comments repeated per
comment; backlinks and archive lists empty. Used on the skeletons in
``tests/fixtures/html/templates/`` and, when present, on the real templates of the optional
corpus, read in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import attrs

BLOG_ID = "7203152"
HOST = "http://wells-example.blogspot.com"
START = '<div style="clear:both;"></div>'
END = '<div style="clear:both; padding-bottom:0.25em"></div>'


@attrs.frozen
class ClassicComment:
    number: str
    author: str
    """``<$BlogCommentAuthor$>`` as Blogger expanded it: a profile link, or plain text."""
    when: str
    body: str


@attrs.frozen
class ClassicPost:
    number: str
    title: str
    author: str
    permalink: str
    when: str
    """``<$BlogItemDateTime$>``, in the blog's chosen format."""
    header: str
    """``<$BlogDateHeaderDate$>``."""
    body: str
    labels: Sequence[str] = ()
    comments: Sequence[ClassicComment] = ()


def _blocks(template: str, name: str, keep: bool) -> str:
    pattern = re.compile(rf"<{name}>(.*?)</{name}>", re.S)
    return pattern.sub(lambda m: m.group(1) if keep else "", template)


def _variables(text: str, values: Mapping[str, str]) -> str:
    return re.sub(r"<\$(Blog\w+)\$>", lambda m: values.get(m.group(1).lower(), ""), text)


def _label_links(labels: Sequence[str]) -> str:
    if not labels:
        return ""
    links = ", ".join(f'<a href="{HOST}/search/label/{name.replace(" ", "%20")}" rel="tag">'
                      f"{name}</a>" for name in labels)
    return f'<p class="blogger-labels">Labels: {links}</p>'


def render(template: str, post: ClassicPost, blog_title: str = "Well Logs") -> str:
    """One item page of ``post`` from a classic ``template``."""
    page = template
    for name in ("MainOrArchivePage", "BlogItemBacklinksEnabled", "BlogItemBacklinks",
                 "BloggerArchives", "BloggerPreviousItems"):
        page = _blocks(page, name, keep=False)
    for name in ("ItemPage", "BlogDateHeader", "BlogItemTitle", "BlogItemCommentsEnabled",
                 "BlogItemUrl", "Blogger"):
        page = _blocks(page, name, keep=True)
    comment_block = re.compile(r"<BlogItemComments>(.*?)</BlogItemComments>", re.S)

    def comments(match: re.Match[str]) -> str:
        return "".join(_variables(match.group(1), {
            "blogcommentnumber": c.number, "blogcommentauthor": c.author,
            "blogcommentdatetime": c.when, "blogcommentbody": c.body,
            "blogcommentpermalinkurl": f"{post.permalink}#c{c.number}",
        }) for c in post.comments)

    page = comment_block.sub(comments, page)
    return _variables(page, {
        "blogpagetitle": f"{blog_title}: {post.title}",
        "blogmetadata": ('<meta name="generator" content="Blogger" />'
                         f'<link rel="alternate" type="application/atom+xml" '
                         f'title="{blog_title} - Atom" href="{HOST}/atom.xml" />'),
        "blogtitle": blog_title, "blogurl": f"{HOST}/", "blogdescription": "",
        "blogdateheaderdate": post.header, "blogitemnumber": post.number,
        "blogitemtitle": post.title, "blogitemauthor": post.author,
        "blogitemauthornickname": post.author, "blogitempermalinkurl": post.permalink,
        "blogitemdatetime": post.when, "blogitemcommentcount": str(len(post.comments)),
        "blogitembody": f"{START}{post.body}{END}{_label_links(post.labels)}",
        "blogitemcreate": (f'<a href="https://www.blogger.com/comment.g?blogID={BLOG_ID}'
                           f'&amp;postID={post.number}">Post a Comment</a>'),
    })
