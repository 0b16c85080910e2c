"""``export --format hugo``: a Hugo site that ``hugo`` builds as it is.

    hugo.yaml                      site config (YAML: the same emitter as the front matter)
    content/posts/ID.md|.html      one file per post (drafts too, ``draft: true``)
    content/pages/ID.md|.html      one file per static page
    data/comments/ID.json          each post's comments, threaded by parent_id
    static/media/...               captured images the bodies now point at
    layouts/...                    minimal templates: Hugo renders nothing without them

Each post is served at its Blogger path without ``.html`` (``url``), and the old path is an
alias, for which Hugo writes a redirect page, so old links keep working. Hugo writes an alias
as a file only when it ends in ``.html`` (any other becomes a folder, ``x.htm/index.html``,
which no server answers ``x.htm`` with), so an old ``.htm`` path of a custom-domain blog gets
the same redirect page written into ``static/`` instead. A body kept as HTML is
a ``.html`` content file, which Hugo passes through unconverted. A body holding ``{{<`` or
``{{%`` (a shortcode's opening) is kept as HTML with the ``<``/``%`` written as entities, so
Hugo never runs a shortcode the blogger did not write (entities are text even in ``<pre>``,
where Markdown has no escape).
"""

from __future__ import annotations

from html import escape
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

_BASEOF: Final = """<!DOCTYPE html>
<html lang="{{ site.LanguageCode | default "en" }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if and .Title (not .IsHome) }}{{ .Title }} - {{ end }}{{ site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
"""
_SINGLE: Final = """{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>{{ if not .Date.IsZero }}<time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">\
{{ .Date.Format "2 January 2006" }}</time>{{ end }}{{ with .Params.author }} · {{ . }}{{ end }}</p>
{{ with .Params.tags }}<p>{{ range . }}<a href="{{ (printf "tags/%s/" (. | urlize)) | relURL }}">\
{{ . }}</a> {{ end }}</p>{{ end }}
{{ .Content }}
</article>
{{ with site.Data.comments }}{{ with index . $.Params.blogger_id }}
<section id="comments"><h2>Comments</h2>
{{ range . }}<article id="c{{ .id }}"><p>{{ .author }}{{ with .published }} · {{ . }}{{ end }}\
{{ with .parent_id }} · in reply to <a href="#c{{ . }}">this comment</a>{{ end }}</p>
{{ if eq .status "removed" }}<p><em>This comment was removed.</em></p>\
{{ else }}<p>{{ .content | plainify }}</p>{{ end }}</article>
{{ end }}</section>{{ end }}{{ end }}
{{ end }}
"""
_LIST: Final = """{{ define "main" }}
<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}
<li><a href="{{ .RelPermalink }}">{{ .Title | default .RelPermalink }}</a></li>{{ end }}
</ul>
{{ end }}
"""
# what Hugo's own alias template writes
_REDIRECT: Final = """<!DOCTYPE html>
<html lang="en">
<head>
<title>{new}</title>
<link rel="canonical" href="{new}">
<meta name="robots" content="noindex">
<meta charset="utf-8">
<meta http-equiv="refresh" content="0; url={new}">
</head>
</html>
"""
_HOME: Final = """{{ define "main" }}
<ul>{{ range (where site.RegularPages "Section" "posts") }}
<li><a href="{{ .RelPermalink }}">{{ .Title | default .RelPermalink }}</a> \
{{ .Date.Format "2006-01-02" }}</li>{{ end }}
</ul>
{{ end }}
"""


def write(job: ExportJob) -> None:
    blog = job.spool.head.blog
    media = media_for(job, job.out / "static")
    for entry in entries(job, media):
        folder = "pages" if entry.post.kind == "page" else "posts"
        write_file(job, f"content/{folder}/{entry.stem}{entry.extension}", _page(entry))
        if entry.old is not None and not entry.draft and not _alias_is_file(entry.old):
            # a file in static/ is always published: never one for a draft's old path
            write_file(job, f"static{entry.old}", _REDIRECT.format(new=escape(entry.new)))
    write_comments(job, "data/comments")
    job.report.labels = len(job.spool.head.labels)
    config = {
        "baseURL": "/",
        "title": blog.title,
        "languageCode": blog.locale or "en",
        "timeZone": time_zone(job),
        "params": {"blogger_blog_id": blog.id, "blogger_url": blog.url},
        # bodies kept as HTML inside Markdown (and `<!--more-->`) must reach the page
        "markup": {"goldmark": {"renderer": {"unsafe": True}}},
    }
    write_file(job, "hugo.yaml",
               "# Made by blogarchive export: set baseURL to where the site will live.\n"
               + dump({k: v for k, v in config.items() if v is not None}))
    for name, text in (("_default/baseof.html", _BASEOF), ("_default/single.html", _SINGLE),
                       ("_default/list.html", _LIST), ("index.html", _HOME)):
        write_file(job, f"layouts/{name}", text)
    job.report.files += media.extracted


def _alias_is_file(path: str) -> bool:
    return path.endswith(".html")


def _page(entry: Entry) -> str:
    fields = post_fields(entry)
    fields["lastmod"] = when(entry.post.updated)
    fields["draft"] = True if entry.draft else None
    fields["url"] = entry.new
    fields["aliases"] = [entry.old] if entry.old is not None and _alias_is_file(entry.old) \
        else None
    text = entry.body.text
    if entry.body.form == "html":
        text = text.replace("{{<", "{{&lt;").replace("{{%", "{{&#37;")
    return front_matter(fields) + text
