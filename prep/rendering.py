"""Markdown for authored text: rendered with markdown-it-py, then sanitised with nh3.

Instructor-written stems and rationales pass through here before reaching a template, so a
``<script>`` or an ``onerror=`` in authored text never runs in a learner's browser.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h3", "h4", "h5",
    "table", "thead", "tbody", "tr", "th", "td", "hr", "a", "sup", "sub",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}, "ol": {"start"}}


@lru_cache(maxsize=4096)
def _render(text: str) -> str:
    html = _md.render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(text: str | None) -> Markup:
    """Render Markdown ``text`` to sanitised HTML, safe to insert into a template."""
    if not text:
        return Markup("")
    return Markup(_render(text))
