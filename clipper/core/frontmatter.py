"""YAML front matter: parse leniently (a broken header never loses the note), write with PyYAML."""

from __future__ import annotations

import datetime as _dt
import re

import yaml

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_EMPTY = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")

#: Order of known keys when writing; unknown keys keep their own order after these.
KEY_ORDER = ("title", "author", "published", "site", "site_url", "source", "language", "description",
             "image", "tags", "created", "updated", "id")


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates and times as the strings the user wrote."""


for _ch, _resolvers in list(_SafeLoader.yaml_implicit_resolvers.items()):
    _SafeLoader.yaml_implicit_resolvers[_ch] = [
        (tag, rx) for tag, rx in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


def split(text: str) -> tuple[dict, str, str | None]:
    """Split a note into (metadata, body, error).

    ``error`` is None when the header parsed (or there was none); otherwise it says what is
    wrong, metadata is ``{}`` and body is the whole text, so the note is still indexed and shown.
    """
    m = _EMPTY.match(text)
    if m:
        return {}, text[m.end():], None
    m = _FENCE.match(text)
    if not m:
        return {}, text.lstrip("\ufeff"), None
    try:
        data = yaml.load(m.group(1), Loader=_SafeLoader)  # noqa: S506 - SafeLoader subclass
    except yaml.YAMLError as exc:
        first = str(exc).splitlines()[0] if str(exc) else "invalid YAML"
        return {}, text, f"broken front matter: {first}"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        return {}, text, "broken front matter: not a mapping of keys to values"
    return {str(k): _plain(v) for k, v in data.items()}, text[m.end():], None


def _plain(value):
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def dump(meta: dict) -> str:
    """The ``---`` fenced YAML header for ``meta`` (keys in KEY_ORDER first; empty values dropped)."""
    ordered = {}
    for key in KEY_ORDER:
        if key in meta:
            ordered[key] = meta[key]
    for key, value in meta.items():
        ordered.setdefault(key, value)
    ordered = {k: v for k, v in ordered.items() if v not in (None, "") and not (k != "tags" and v == [])}
    body = yaml.dump(ordered, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                     default_flow_style=False)
    return f"---\n{body}---\n"


def set_key(text: str, key: str, value) -> str | None:
    """``text`` with only ``key`` of its header changed to ``value``: comments, key order and
    the quoting of every other key stay as the user (or another program) wrote them. The key
    keeps its style (``[a, b]`` or a ``- a`` list) and is appended if missing. None when that
    cannot be done safely (no header, a key in an unusual form): rewrite the header instead."""
    m = _FENCE.match(text)
    if not m:
        return None
    lines = m.group(1).split("\n")
    eol = "\r" if lines[0].endswith("\r") else ""
    start = next((i for i, line in enumerate(lines) if re.match(rf"{re.escape(key)}[ \t]*:", line)), None)
    if start is None:
        start = end = len(lines)
        flow = True
    else:
        end = start + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t", "-"):
            end += 1
        rest = lines[start].split(":", 1)[1].strip()
        flow = bool(rest) and not rest.startswith(("#", "|", ">"))
    if flow:
        shown = yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=10**6, default_flow_style=True)
        new = [f"{key}: {shown.strip()}"]
        if shown.strip().endswith("..."):  # a lone scalar ends its YAML document: use block style
            return None
    else:
        shown = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                          default_flow_style=False)
        new = shown.rstrip("\n").split("\n")
        indent = re.match(r"[ \t]*(?=-)", lines[start + 1]) if start + 1 < end else None
        if indent:  # "  - a" lists stay indented as they were
            new = new[:1] + [indent.group(0) + line for line in new[1:]]
    lines[start:end] = [line + eol for line in new]
    result = text[:m.start(1)] + "\n".join(lines) + text[m.end(1):]
    old_meta, old_body, error = split(text)
    new_meta, new_body, new_error = split(result)
    if error or new_error or new_body != old_body or new_meta != {**old_meta, key: value}:
        return None
    return result


def join(meta: dict, body: str) -> str:
    """A whole note: header, a blank line, the body ending in one newline."""
    body = body.strip("\n")
    return dump(meta) + "\n" + body + "\n"
