"""A small renderer of Blogger's Layouts template language, enough to publish one post with a
theme's own ``post`` includable (``<b:if>``/``<b:else/>``, ``<b:loop>``, ``<data:...>``,
``expr:`` attributes). Includes of other includables render nothing; conditions it cannot
evaluate are false. Used on the real Layouts templates of the optional corpus, read in place.

Text is written out as it stands in the template, unescaped, as Blogger does: themes write
``&lt;div class="date-outer"&gt;`` to open elements across includables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from html import escape
from typing import Any

from lxml import etree

B = "http://www.google.com/2005/gml/b"
DATA = "http://www.google.com/2005/gml/data"
EXPR = "http://www.google.com/2005/gml/expr"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                          huge_tree=False, remove_comments=True, recover=True)


def _lookup(path: str, scope: Mapping[str, Any]) -> Any:
    value: Any = scope
    for part in path.split("."):
        if not isinstance(value, Mapping) or part not in value:
            return None
        value = value[part]
    return value


def _value(term: str, scope: Mapping[str, Any]) -> Any:
    term = term.strip()
    if term.startswith('"') and term.endswith('"'):
        return term[1:-1]
    if term.startswith("data:"):
        return _lookup(term[5:], scope)
    if term.isdigit():
        return int(term)
    return None


def _expression(text: str, scope: Mapping[str, Any]) -> str:
    """``data:post.url + "#more"`` -> the joined text."""
    return "".join(str(_value(part, scope) or "") for part in re.split(r"\s\+\s", text))


def _condition(text: str, scope: Mapping[str, Any]) -> bool:
    match = re.fullmatch(r"\s*(.+?)\s*(==|!=)\s*(.+?)\s*", text)
    if match:
        left, right = _value(match.group(1), scope), _value(match.group(3), scope)
        left = "true" if left is True else "false" if left is False else left
        equal = str(left) == str(right)
        return equal if match.group(2) == "==" else not equal
    return bool(_value(text, scope))


def _children(el: etree._Element, scope: Mapping[str, Any]) -> str:
    out = [el.text or ""] if el.text else []
    for child in el:
        out.append(_render(child, scope))
        if child.tail:
            out.append(child.tail)
    return "".join(out)


def _branches(el: etree._Element, scope: Mapping[str, Any]) -> str:
    then: list[etree._Element | str] = [el.text or ""]
    other: list[etree._Element | str] = []
    target = then
    for child in el:
        if child.tag in (f"{{{B}}}else", f"{{{B}}}elseif"):
            target = other
        else:
            target.append(child)
        target.append(child.tail or "")
    chosen = then if _condition(el.get("cond", ""), scope) else other
    return "".join(part if isinstance(part, str) else _render(part, scope) for part in chosen)


def _render(el: etree._Element, scope: Mapping[str, Any]) -> str:
    if not isinstance(el.tag, str):
        return ""
    qname = etree.QName(el)
    if qname.namespace == B:
        if qname.localname == "if":
            return _branches(el, scope)
        if qname.localname == "loop":
            items = _value(el.get("values", ""), scope) or []
            var = el.get("var", "item")
            return "".join(_children(el, {**scope, var: item}) for item in items)
        return ""  # b:include and the rest: not rendered
    if qname.namespace == DATA:
        value = _lookup(qname.localname, scope)
        return "" if value is None else str(value)
    attrs = []
    for name, value in el.attrib.items():
        attr = etree.QName(name)
        if attr.namespace == EXPR:
            attrs.append((attr.localname, _expression(value, scope)))
        elif attr.namespace is None:
            attrs.append((attr.localname, value))
    start = qname.localname + "".join(f' {k}="{escape(v)}"' for k, v in attrs)
    inner = _children(el, scope)
    if not inner and qname.localname in ("meta", "link", "br", "img", "input"):
        return f"<{start}/>"
    return f"<{start}>{inner}</{qname.localname}>"


def render_post(template: bytes, scope: Mapping[str, Any]) -> str:
    """The Blog widget's ``post`` includable of ``template`` for ``scope`` (``data:`` names)."""
    root = etree.fromstring(template, _PARSER)
    found = root.xpath("//b:widget[@type='Blog']//b:includable[@id='post']",
                       namespaces={"b": B})
    if not found:
        raise ValueError("no Blog widget post includable in the template")
    return _children(found[0], scope)
