"""``export --format jekyll``: a Jekyll site that ``jekyll build`` builds as it is.

    _config.yml                     site config; the jekyll-redirect-from plugin
    _posts/YYYY-MM-DD-ID.md|.html   published posts
    _drafts/ID.md|.html             drafts (and every other unpublished status): Jekyll
                                    leaves _drafts/ out unless asked (``--drafts``)
    pages/ID.md|.html               static pages; unpublished ones ``published: false``
    _data/comments/ID.json          each post's comments, threaded by parent_id
    media/...                       captured images the bodies now point at
    _layouts/, index.html           minimal templates

Each post is served at its Blogger path without ``.html`` (``permalink``) and the old path is in
``redirect_from``: the jekyll-redirect-from plugin (Debian: ruby-jekyll-redirect-from) writes a
redirect page there. ``render_with_liquid: false`` on every post, so ``{{`` or ``{%`` in a body
is text, not a Liquid tag.
"""

from __future__ import annotations

from typing import Final

from .common import ExportJob
from .frontmatter import dump, front_matter, when
from .migration import (
    Entry,
    entries,
    media_for,
    post_fields,
    prepare,
    time_zone,
    write_comments,
    write_file,
)

__all__ = ["prepare", "write"]

_DEFAULT: Final = """<!DOCTYPE html>
<html lang="{{ site.lang | default: "en" }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% if page.title %}{{ page.title | escape }} - {% endif %}{{ site.title | escape }}</title>
</head>
<body>
<header><a href="{{ "/" | relative_url }}">{{ site.title | escape }}</a></header>
<main>{{ content }}</main>
</body>
</html>
"""
_POST: Final = """---
layout: default
---
<article>
<h1>{{ page.title | escape }}</h1>
<p>{% if page.date %}<time datetime="{{ page.date | date_to_xmlschema }}">\
{{ page.date | date: "%-d %B %Y" }}</time>{% endif %}\
{% if page.author %} · {{ page.author | escape }}{% endif %}</p>
{% if page.tags.size > 0 %}<p>{% for tag in page.tags %}{{ tag | escape }} {% endfor %}</p>\
{% endif %}
{{ content }}
</article>
{% assign comments = site.data.comments[page.blogger_id] %}{% if comments %}
<section id="comments"><h2>Comments</h2>
{% for c in comments %}<article id="c{{ c.id }}"><p>{{ c.author | escape }} · {{ c.published }}\
{% if c.parent_id %} · in reply to <a href="#c{{ c.parent_id }}">this comment</a>{% endif %}</p>
{% if c.status == "removed" %}<p><em>This comment was removed.</em></p>\
{% else %}<p>{{ c.content | strip_html }}</p>{% endif %}</article>
{% endfor %}</section>{% endif %}
"""
_INDEX: Final = """---
layout: default
---
<ul>{% for post in site.posts %}
<li><a href="{{ post.url | relative_url }}">{{ post.title | default: post.url | escape }}</a> \
{{ post.date | date: "%Y-%m-%d" }}</li>{% endfor %}
</ul>
"""


def write(job: ExportJob) -> None:
    blog = job.spool.head.blog
    media = media_for(job, job.out)
    for entry in entries(job, media):
        write_file(job, _place(job, entry), _page(entry))
    write_comments(job, "_data/comments")
    job.report.labels = len(job.spool.head.labels)
    config = {
        "title": blog.title,
        "description": blog.description,
        "lang": blog.locale or "en",
        "url": "",  # set to where the site will live
        "baseurl": "",
        "timezone": time_zone(job),
        "plugins": ["jekyll-redirect-from"],
        "excerpt_separator": "<!--more-->",
        "defaults": [{"scope": {"path": ""}, "values": {"layout": "post"}}],
        "blogger_blog_id": blog.id,
        "blogger_url": blog.url,
    }
    write_file(job, "_config.yml", "# Made by blogarchive export.\n"
               + dump({k: v for k, v in config.items() if v is not None}))
    write_file(job, "_layouts/default.html", _DEFAULT)
    write_file(job, "_layouts/post.html", _POST)
    write_file(job, "index.html", _INDEX)
    job.report.files += media.extracted


def _place(job: ExportJob, entry: Entry) -> str:
    name = entry.stem + entry.extension
    if entry.post.kind == "page":
        return f"pages/{name}"
    if entry.draft:
        return f"_drafts/{name}"
    day = entry.post.published or entry.post.updated
    if day is None:  # a live post with no date at all: Jekyll needs one in the file name
        job.report.notes.append(f"post {entry.post.id} has no date: filed under 1970-01-01")
        return f"_posts/1970-01-01-{name}"
    return f"_posts/{day.year:04d}-{day.month:02d}-{day.day:02d}-{name}"


def _page(entry: Entry) -> str:
    fields = post_fields(entry)
    fields["last_modified_at"] = when(entry.post.updated)
    fields["published"] = False if entry.draft and entry.post.kind == "page" else None
    fields["permalink"] = entry.new
    fields["redirect_from"] = [entry.old] if entry.old is not None else None
    fields["render_with_liquid"] = False
    return front_matter(fields) + entry.body.text
