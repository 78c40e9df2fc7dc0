"""YAML front matter: parse leniently (a broken header never loses the note), write with PyYAML.

Headers come from any program (or a synced folder), so they are parsed with limits: a header over
``MAX_HEADER_CHARS``, nested deeper than ``MAX_DEPTH`` or expanding (through YAML aliases, merge
keys included) to more than ``MAX_NODES`` values is refused like broken YAML, so one hostile note
costs milliseconds and is read as text with a warning instead of taking the vault down with it.
"""

from __future__ import annotations

import datetime as _dt
import re

import yaml

_FENCE = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_EMPTY = re.compile(r"\A\ufeff?---[ \t]*\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")

MAX_HEADER_CHARS = 256 * 1024
MAX_NODES = 20_000  # YAML values after expanding aliases (a "billion laughs" header has ~10^9)
MAX_DEPTH = 64  # nesting of lists and mappings

#: Order of known keys when writing; unknown keys keep their own order after these.
KEY_ORDER = ("title", "author", "published", "site", "site_url", "source", "language", "description",
             "image", "tags", "created", "updated", "id")


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates and times as the strings the user wrote."""


for _ch, _resolvers in list(_SafeLoader.yaml_implicit_resolvers.items()):
    _SafeLoader.yaml_implicit_resolvers[_ch] = [
        (tag, rx) for tag, rx in _resolvers if tag != "tag:yaml.org,2002:timestamp"
    ]


class _FastLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's loader (10x faster) with the same resolvers as _SafeLoader."""


_FastLoader.yaml_implicit_resolvers = {
    ch: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for ch, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}

# An anchor ("&name" where a value starts): without one there are no aliases to expand.
_ANCHOR = re.compile(r"(?:^|[\s\[{,])&[^\s]")
# What nesting deeper than the limit needs in a header without brackets: deep indentation or
# compact "- - - x" entries.
_DEEP_BLOCK = re.compile(r"^[ \t]{32}|(?:[-?][ \t]+){8}", re.M)


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper, data):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _str_presenter)


class HeaderError(yaml.YAMLError):
    """A header refused by the limits (reported like broken YAML)."""


def _check_nodes(root) -> None:
    """Refuse a composed YAML document that is too deep, cyclic or too big once aliases are
    expanded. One pass over the distinct nodes (aliases share them), sizes memoised."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()  # nodes whose subtree is being walked (a child among them: a cycle)
    stack = [(root, 0, False)]
    while stack:
        node, depth, finish = stack.pop()
        key = id(node)
        value = node.value
        children = [] if isinstance(value, str) else (
            [n for pair in value for n in pair] if isinstance(node, yaml.MappingNode) else value)
        if finish:
            open_.discard(key)
            size = 1 + sum(sizes[id(c)] for c in children)
            if size > MAX_NODES:
                raise HeaderError(f"it holds more than {MAX_NODES:,} values (YAML aliases expanded)")
            sizes[key] = size
            continue
        if key in sizes:
            continue
        if key in open_:
            raise HeaderError("an alias refers to itself")
        if depth > MAX_DEPTH:
            raise HeaderError(f"it is nested more than {MAX_DEPTH} levels deep")
        open_.add(key)
        stack.append((node, depth, True))
        stack.extend((c, depth + 1, False) for c in children)


def _needs_check(t: str) -> bool:
    """False for a small header that can hold no alias and no deep nesting (most headers: the
    walk over the nodes then costs more than the parse)."""
    if len(t) > 2048 or t.count("[") + t.count("{") > 16 or ("&" in t and _ANCHOR.search(t)):
        return True
    return ("- -" in t or "? " in t or "\t" in t or "\n" + " " * 32 in t) and bool(_DEEP_BLOCK.search(t))


# --- a fast path for flat headers: what PyYAML gives, without PyYAML ----------------------
# Most headers are a few "key: value" lines (Clipper writes them so, and so do the tools that
# write notes beside it), and PyYAML took a tenth of a first index's time. A header made only
# of the lines below is read here, with PyYAML's own resolvers deciding that a plain scalar is
# a string; anything else (escapes, comments, blank lines, tabs, other line breaks, numbers,
# booleans, nulls, nesting, anchors, ...) goes to PyYAML.
_KEY = r"[A-Za-z_][A-Za-z0-9_-]*"
_DQ = r'"[^"\\]*"'  # double-quoted without escapes
_SQ = r"'(?:[^']|'')*'"
# a plain scalar: no indicator first, no ": " or " #" inside, nothing a flow list would take
_PLAIN = r"""[^\s\-?:,\[\]{}#&*!|>'"%@`](?:[^\s:#\[\]{}]|:(?=[^\s\[\]{},])|\#|[ ](?=[^\s#]))*"""
_QUOTED = rf"(?:{_DQ}|{_SQ})"
_FLAT_LINE = re.compile(rf"({_KEY}):(?: ({_DQ}|{_SQ}|{_PLAIN}|\[\]|\[{_QUOTED}(?:, {_QUOTED})*\]))?")
_ITEM_LINE = re.compile(rf"(  )?- ({_DQ}|{_SQ}|{_PLAIN})")
_FLOW_ITEM = re.compile(rf"{_DQ}|{_SQ}")
# what PyYAML's reader refuses or treats apart (non-printable characters, other line breaks,
# a byte order mark) and what this path leaves to it (tabs, carriage returns)
_NOT_FLAT = re.compile("[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
                       "\U00010000-\U0010ffff]")
_STR_TAG = "tag:yaml.org,2002:str"


def _scalar(token: str):
    """A scalar token's string, or None when PyYAML would resolve it to something else."""
    first = token[0]
    if first == '"':
        return token[1:-1]
    if first == "'":
        return token[1:-1].replace("''", "'")
    for tag, rx in _FastLoader.yaml_implicit_resolvers.get(first, ()):
        if rx.match(token):
            return None if tag != _STR_TAG else token
    return token


def _flat_header(yaml_text: str) -> dict | None:
    """The value of a flat header (see above), or None to leave it to PyYAML."""
    if not yaml_text or len(yaml_text) > 16384 or _NOT_FLAT.search(yaml_text):
        return None
    out: dict = {}
    lines = yaml_text.split("\n")
    i = 0
    while i < len(lines):
        m = _FLAT_LINE.fullmatch(lines[i])
        if m is None or _scalar(m.group(1)) is None:
            return None
        key, value = m.group(1), m.group(2)
        i += 1
        if value is None:  # a block list must follow
            items = []
            indent = False  # the items' indent ("  " or None), once known
            while i < len(lines):
                item = _ITEM_LINE.fullmatch(lines[i])
                if item is None:
                    break
                if indent is False:
                    indent = item.group(1)
                elif item.group(1) != indent:
                    return None
                items.append(_scalar(item.group(2)))
                i += 1
            if not items or None in items:
                return None
            out[key] = items
        elif value[0] == "[":
            out[key] = [_scalar(t) for t in _FLOW_ITEM.findall(value)]
        else:
            value = _scalar(value)
            if value is None:
                return None
            out[key] = value
    return out


def load_header(yaml_text: str, loader=_FastLoader):
    """The value of a header's YAML text, within the limits (raises yaml.YAMLError)."""
    if len(yaml_text) > MAX_HEADER_CHARS:
        raise HeaderError(f"it is too large ({len(yaml_text) // 1024:,} KB; the limit is "
                          f"{MAX_HEADER_CHARS // 1024} KB)")
    flat = _flat_header(yaml_text)
    if flat is not None:
        return flat
    ld = loader(yaml_text)
    try:
        try:
            node = ld.get_single_node()
        except RecursionError:  # the pure-Python composer recurses per level
            raise HeaderError(f"it is nested more than {MAX_DEPTH} levels deep") from None
        if node is None:
            return None
        if _needs_check(yaml_text):
            _check_nodes(node)
        return ld.construct_document(node)
    finally:
        ld.dispose()


def flow_yaml(value) -> str:
    """``value`` as YAML on one line (flow style), as a header line of Clipper's shows it."""
    return yaml.dump(value, Dumper=_Dumper, allow_unicode=True, width=10**6, default_flow_style=True)


def find_header(text: str) -> tuple[str, int, bool] | None:
    """``(the header's YAML, where the body starts, whether it is the empty "---/---" header)``
    of a note's text, or None when it has no front matter (or one never closed)."""
    m = _EMPTY.match(text)
    if m:
        return "", m.end(), True
    m = _FENCE.match(text)
    return (m.group(1), m.end(), False) if m else None


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
        try:
            data = load_header(m.group(1), _FastLoader)
        except yaml.YAMLError:
            raise
        except Exception:  # noqa: BLE001 -- e.g. libyaml cannot take lone surrogates: the Python loader says why
            data = load_header(m.group(1), _SafeLoader)
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


def one_line(value) -> str | None:
    """``value`` as YAML on one line (a list in flow style, a scalar as itself), or None."""
    shown = flow_yaml(value).strip()
    if shown.endswith("\n..."):  # a lone scalar ends its YAML document with "..."
        shown = shown[:-4].rstrip()
    return None if "\n" in shown or shown.endswith("...") else shown


def set_key(text: str, key: str, value) -> str | None:
    """``text`` with only ``key`` of its header changed to ``value``: comments, key order and
    the quoting of every other key stay as the user (or another program) wrote them. The key
    keeps its style (``[a, b]`` or a ``- a`` list) and is appended if missing. None when that
    cannot be done safely (no header, a key in an unusual form): rewrite the header instead."""
    m = _FENCE.match(text)
    if not m:
        return None
    # Each line's own break is kept (CRLF, LF or a mix); the last line's is the closing fence's.
    raw = m.group(1).split("\n")
    crs = [line.endswith("\r") for line in raw[:-1]] + [text[m.end(1):m.end(1) + 1] == "\r"]
    lines = [line[:-1] if line.endswith("\r") else line for line in raw]
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
        shown = one_line(value)
        if shown is None:
            return None
        new = [f"{key}: {shown}"]
    else:
        shown = yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10**6,
                          default_flow_style=False)
        new = shown.rstrip("\n").split("\n")
        indent = re.match(r"[ \t]*(?=-)", lines[start + 1]) if start + 1 < end else None
        if indent:  # "  - a" lists stay indented as they were
            new = new[:1] + [indent.group(0) + line for line in new[1:]]
    cr = crs[start] if start < len(lines) else crs[-1]
    lines[start:end] = new
    crs[start:end] = [cr] * len(new)
    shown_lines = [line + "\r" * c for line, c in zip(lines[:-1], crs[:-1])] + lines[-1:]
    result = text[:m.start(1)] + "\n".join(shown_lines) + text[m.end(1):]
    old_meta, old_body, error = split(text)
    new_meta, new_body, new_error = split(result)
    if error or new_error or new_body != old_body or new_meta != {**old_meta, key: value}:
        return None
    return result


def join(meta: dict, body: str) -> str:
    """A whole note: header, a blank line, the body ending in one newline."""
    body = body.strip("\n")
    return dump(meta) + "\n" + body + "\n"
