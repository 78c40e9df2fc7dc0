"""The note catalog: an SQLite table of every indexed file (stat, hashes, metadata, tags).

It sits beside the Whoosh index in the per-machine index folder and is a cache too: it lets
``open()`` compare the vault with the index using one ``os.scandir`` walk (size + mtime),
answers duplicate look-ups (source URL, article text hash, a sketch of the article's word
4-grams for near-duplicates), tag counts and id -> path, and
gives hits their metadata without loading Whoosh stored fields. The files' listing (path ->
size, mtime) is also saved in one piece with the paths written since noted beside it, and its
names as one string, so that reopening a big vault reads neither every row nor every file's
stat before the first search.
"""

from __future__ import annotations

import json
import marshal
import sqlite3
import threading
import zlib
from itertools import islice, zip_longest
from operator import itemgetter
from pathlib import Path

COLUMNS = ("id", "path", "size", "mtime_ns", "hash", "text_hash", "source_key", "title", "author",
           "site", "source", "published", "created", "created_num", "language", "tags", "warnings")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS blobs(key TEXT PRIMARY KEY, value BLOB);
CREATE TABLE IF NOT EXISTS file_changes(path TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS notes(
    id TEXT PRIMARY KEY, path TEXT UNIQUE NOT NULL, size INTEGER, mtime_ns INTEGER,
    hash TEXT, text_hash TEXT, source_key TEXT, title TEXT, author TEXT, site TEXT, source TEXT,
    published TEXT, created TEXT, created_num INTEGER, language TEXT, tags TEXT, warnings TEXT);
CREATE INDEX IF NOT EXISTS notes_source ON notes(source_key);
CREATE INDEX IF NOT EXISTS notes_text ON notes(text_hash);
CREATE INDEX IF NOT EXISTS notes_created ON notes(created_num);
CREATE INDEX IF NOT EXISTS notes_hash ON notes(hash);
CREATE TABLE IF NOT EXISTS sketch(id TEXT NOT NULL, h INTEGER NOT NULL);
CREATE INDEX IF NOT EXISTS sketch_h ON sketch(h);
CREATE INDEX IF NOT EXISTS sketch_id ON sketch(id);
CREATE TABLE IF NOT EXISTS tags(id TEXT NOT NULL, tag TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tags_tag ON tags(tag);
CREATE INDEX IF NOT EXISTS tags_id ON tags(id);
"""


#: Bumped when the catalog's tables change (the library then rebuilds it from the files).
#: 3: sketches of tabulation hashes (notekeys.shingles)
VERSION = 3

_FORGET_FILES = "DELETE FROM blobs WHERE key IN ('files', 'names')"
_FORGET_CHANGES = "DELETE FROM file_changes"
#: paths written since the listing was saved, past which the listing is dropped instead (the
#: next open then reads every row): reading back this many rows costs what the rows cost
MAX_FILE_CHANGES = 10_000
#: marshal's format 2 has no references (later ones share objects by their reference counts):
#: the same listing always gives the same bytes (see Catalog.same_file_stats)
_MARSHAL = 2
#: the saved listing is a list of the marshal bytes of parts of this many files: one call of
#: marshal on 100,000 files held the GIL for 40-70 ms (the window stalled while it ran)
_LISTING_PART = 4096

_INSERT = f"INSERT INTO notes({','.join(COLUMNS)}) VALUES({','.join('?' * len(COLUMNS))})"
_HAS_TAG = "id IN (SELECT id FROM tags WHERE tag=? OR tag LIKE ? ESCAPE '\\')"


def _parts(files: dict):
    """The marshal bytes of each part of a listing (see :data:`_LISTING_PART`), made as they
    are asked for."""
    items = iter(files.items())
    while part := dict(islice(items, _LISTING_PART)):
        yield marshal.dumps(part, _MARSHAL)


def _pack(files: dict) -> bytes:
    """The saved form of a listing: the list of its parts' bytes."""
    return marshal.dumps(list(_parts(files)), _MARSHAL)


def _names_value(blob: bytes, names) -> bytes:
    """The saved form of a listing's names (see :meth:`Catalog.same_names`), with the checksum of
    the listing ``blob`` they belong to (a writer that knows nothing of them replaces the
    listing only)."""
    return marshal.dumps((zlib.crc32(blob), "\0".join(names)), _MARSHAL)


def _unpack(blob: bytes) -> dict | None:
    """The listing :func:`_pack` saved (a whole dict: what earlier versions saved), or None."""
    try:
        got = marshal.loads(blob)
        if type(got) is list:
            out: dict = {}
            for part in got:
                out.update(marshal.loads(part))
            return out
    except (ValueError, EOFError, TypeError):
        return None
    return got if type(got) is dict else None


def _same_listing(files: dict, blob: bytes) -> bool:
    """Whether :func:`_pack` of ``files`` gives ``blob``, one part at a time."""
    try:
        parts = marshal.loads(blob)
    except (ValueError, EOFError, TypeError):
        return False
    if type(parts) is not list:
        return False
    return all(saved == mine for saved, mine in zip_longest(parts, _parts(files)))


class Catalog:
    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.RLock()
        self.db = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None,
                                  timeout=30)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            try:
                self.db.close()
            except Exception:
                pass

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", (key, value))

    def clear(self) -> None:
        with self._lock:
            self.db.execute("BEGIN")
            self.db.execute(_FORGET_FILES)
            self.db.execute(_FORGET_CHANGES)
            self.db.execute("DELETE FROM notes")
            self.db.execute("DELETE FROM tags")
            self.db.execute("DELETE FROM sketch")
            self.db.execute("COMMIT")

    def count(self) -> int:
        with self._lock:
            return self.db.execute("SELECT COUNT(*) FROM notes").fetchone()[0]

    def stats(self, paths: list[str] | None = None) -> dict[str, tuple]:
        """path -> (id, size, mtime_ns, hash) for every catalogued file (or those in ``paths``)."""
        sql = "SELECT path, id, size, mtime_ns, hash FROM notes"
        with self._lock:
            if paths is None:
                # in chunks: one fetchall of a big vault holds the GIL throughout (the sqlite
                # module releases it only between rows and takes it straight back), so the GUI
                # thread stalled for its whole length
                rows = []
                cur = self.db.execute(sql)
                while chunk := cur.fetchmany(256):
                    rows += chunk
            else:
                rows = []
                for i in range(0, len(paths), 500):
                    part = paths[i:i + 500]
                    rows += self.db.execute(f"{sql} WHERE path IN ({','.join('?' * len(part))})",
                                            part).fetchall()
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def folder(self, prefix: str) -> tuple[dict[str, tuple], set[str]]:
        """The files catalogued directly in the folder ``prefix`` ('' or 'a/b/'), path ->
        (size, mtime_ns) as :meth:`Vault.folder_stats` lists them on disk, and the names of its
        sub-folders that hold catalogued files."""
        n = len(prefix) + 1
        rest = "substr(path, ?)"
        where, args = f"instr({rest}, '/') = 0", [n]
        sub_where, sub_args = f"instr({rest}, '/') > 0", [n]
        if prefix:
            # a range on the unique path index: every path that starts with the prefix
            bounds = " AND path >= ? AND path < ?"
            hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
            where += bounds
            args += [prefix, hi]
            sub_where += bounds
            sub_args += [prefix, hi]
        with self._lock:
            rows = []
            cur = self.db.execute(f"SELECT path, size, mtime_ns FROM notes WHERE {where}", args)
            while chunk := cur.fetchmany(256):  # in chunks, as in stats(): the GUI thread gets its turn
                rows += chunk
            subs = self.db.execute(f"SELECT DISTINCT substr({rest}, 1, instr({rest}, '/') - 1) "
                                   f"FROM notes WHERE {sub_where}", [n, n, *sub_args]).fetchall()
        # (made by C loops, not a comprehension: a folder of 100,000 notes is compared while the
        # window waits for its turn of the GIL)
        return dict(zip(map(itemgetter(0), rows), map(itemgetter(1, 2), rows))), {r[0] for r in subs}

    def stats_under(self, prefix: str) -> dict[str, tuple]:
        """:meth:`stats` of every file whose path starts with ``prefix`` (a folder, 'a/b/')."""
        hi = prefix[:-1] + chr(ord(prefix[-1]) + 1)
        with self._lock:
            rows = []
            cur = self.db.execute("SELECT path, id, size, mtime_ns, hash FROM notes "
                                  "WHERE path >= ? AND path < ?", (prefix, hi))
            while chunk := cur.fetchmany(256):
                rows += chunk
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def data_version(self) -> int:
        """Changes whenever another connection (another process: the CLI, a second window)
        committed to the catalog since the last call; our own commits leave it alone."""
        with self._lock:
            return self.db.execute("PRAGMA data_version").fetchone()[0]

    def file_stats(self) -> tuple[dict[str, tuple[int, int]], bool]:
        """(path -> (size, mtime_ns) of every catalogued file, whether that is the copy
        :meth:`keep_file_stats` saved as it was: nothing was written since). After writes, the
        saved copy with the rows of the paths written since (:meth:`_note_file_changes`)."""
        with self._lock:
            row = self.db.execute("SELECT value FROM blobs WHERE key='files'").fetchone()
            if row is not None:
                got = _unpack(row[0])
                if got is not None:
                    changed = [r[0] for r in self.db.execute("SELECT path FROM file_changes")]
                    if not changed:
                        return got, True
                    for path in changed:
                        got.pop(path, None)
                    for i in range(0, len(changed), 500):
                        part = changed[i:i + 500]
                        marks = ",".join("?" * len(part))
                        sql = f"SELECT path, size, mtime_ns FROM notes WHERE path IN ({marks})"
                        got.update((path, (size, mtime)) for path, size, mtime in self.db.execute(sql, part))
                    return got, False
            return self._file_stats(), False

    def _file_stats(self) -> dict[str, tuple[int, int]]:
        out: dict[str, tuple[int, int]] = {}
        cur = self.db.execute("SELECT path, size, mtime_ns FROM notes")
        while chunk := cur.fetchmany(1024):  # in chunks: see stats()
            out.update((path, (size, mtime)) for path, size, mtime in chunk)
        return out

    def same_file_stats(self, files: dict) -> bool:
        """Whether ``files`` (a listing as :meth:`keep_file_stats` takes it) is, byte for byte,
        the listing saved last, with nothing written since: reopening an unchanged vault then
        needs neither the saved listing loaded nor two dicts of every note compared. False
        says nothing (another order of the same files, a listing saved from the rows, writes
        since): compare them then."""
        with self._lock:
            if self.db.execute("SELECT 1 FROM file_changes LIMIT 1").fetchone() is not None:
                return False
            row = self.db.execute("SELECT value FROM blobs WHERE key='files'").fetchone()
        return row is not None and _same_listing(files, row[0])

    def same_names(self, names: list[str]) -> bool:
        """Whether ``names`` are the paths of the listing :meth:`keep_file_stats` saved, in its
        order, with nothing written since (the catalog then lists exactly these files).
        False says nothing."""
        with self._lock:
            if self.db.execute("SELECT 1 FROM file_changes LIMIT 1").fetchone() is not None:
                return False
            rows = dict(self.db.execute("SELECT key, value FROM blobs WHERE key IN ('files', 'names')"))
        try:
            crc, saved = marshal.loads(rows["names"])
        except (KeyError, ValueError, EOFError, TypeError):
            return False
        return "files" in rows and crc == zlib.crc32(rows["files"]) and saved == "\0".join(names)

    def keep_names(self, names: list[str]) -> None:
        """Save ``names`` for :meth:`same_names`: the caller (holding the write lock) found
        them to be the paths of the saved listing, with nothing written since."""
        with self._lock:
            row = self.db.execute("SELECT value FROM blobs WHERE key='files'").fetchone()
            if row is None:
                return
            self.db.execute("INSERT OR REPLACE INTO blobs(key, value) VALUES('names', ?)",
                            (_names_value(row[0], names),))

    def keep_file_stats(self, files: dict | None = None, *, scanned: dict | None = None) -> None:
        """Save :meth:`file_stats` in one piece (reopening a big vault reads that in a fraction
        of the rows' time); later writes note the paths they change beside it. ``files``: that
        listing, just read (the caller holds the write lock). ``scanned``: the vault's listing
        as scanned before a sync, saved in place of the catalog's when it is the same listing:
        the rows come in another order, and the next open's byte comparison
        (:meth:`same_file_stats`) would then fail, load the listing, compare it and write it
        again (a quarter of a second at 100,000 notes)."""
        with self._lock:
            if files is None:
                files, _saved = self.file_stats()
                if scanned is not None and scanned == files:
                    files = scanned
            db = self.db
            db.execute("BEGIN")
            try:
                blob = _pack(files)
                db.execute("INSERT OR REPLACE INTO blobs(key, value) VALUES('files', ?)", (blob,))
                # its names in its order, for same_names
                db.execute("INSERT OR REPLACE INTO blobs(key, value) VALUES('names', ?)",
                           (_names_value(blob, files),))
                db.execute(_FORGET_CHANGES)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _note_file_changes(self, paths) -> None:
        """In a write's transaction: the saved listing stays, and ``paths`` (whose rows the
        write changes, adds or drops) are noted beside it, so that the next open reads those
        rows only, not all of them. Past :data:`MAX_FILE_CHANGES`, the listing is dropped."""
        db = self.db
        if db.execute("SELECT 1 FROM blobs WHERE key='files'").fetchone() is None:
            return
        db.executemany("INSERT OR IGNORE INTO file_changes(path) VALUES(?)", [(p,) for p in paths])
        if db.execute("SELECT COUNT(*) FROM file_changes").fetchone()[0] > MAX_FILE_CHANGES:
            db.execute(_FORGET_FILES)
            db.execute(_FORGET_CHANGES)

    def drop_sketch_lookup(self) -> None:
        """Drop the index of sketch values while a first build adds its rows: inserting 16
        random values per note into it was half of the catalog's time at 100,000 notes, and
        grew with the table. :meth:`ensure_indexes` (and every open) makes it again in one
        sorted pass; meanwhile :meth:`near_candidates` scans the table (same answers)."""
        with self._lock:
            self.db.execute("DROP INDEX IF EXISTS sketch_h")

    def ensure_indexes(self) -> None:
        """Create every table and index that is missing (see :meth:`drop_sketch_lookup`)."""
        with self._lock:
            self.db.executescript(_SCHEMA)

    def path_of(self, note_id: str) -> str | None:
        with self._lock:
            row = self.db.execute("SELECT path FROM notes WHERE id=?", (note_id,)).fetchone()
        return row[0] if row else None

    def apply(self, upserts: list[dict], deletes: list[str] = (), stat_only: list[tuple] = ()) -> None:
        """In one transaction: delete ids, insert/replace rows (dicts with COLUMNS), and
        update (size, mtime_ns) of unchanged-content rows given as (path, size, mtime_ns)."""
        with self._lock:
            db = self.db
            db.execute("BEGIN")
            try:
                touched = {path for path, _size, _mtime in stat_only}
                for note_id in deletes:
                    touched.update(r[0] for r in db.execute("SELECT path FROM notes WHERE id=?", (note_id,)))
                    db.execute("DELETE FROM notes WHERE id=?", (note_id,))
                    db.execute("DELETE FROM tags WHERE id=?", (note_id,))
                    db.execute("DELETE FROM sketch WHERE id=?", (note_id,))
                for row in upserts:
                    # the row this replaces may have had another id (the file's id changed, or
                    # its path now holds another note): its tags and sketch go with it
                    touched.add(row["path"])
                    touched.update(r[0] for r in db.execute("SELECT path FROM notes WHERE id=?",
                                                            (row["id"],)))
                    for old in db.execute("SELECT id FROM notes WHERE path=?", (row["path"],)).fetchall():
                        db.execute("DELETE FROM sketch WHERE id=?", old)
                        db.execute("DELETE FROM tags WHERE id=?", old)
                    db.execute("DELETE FROM notes WHERE path=? OR id=?", (row["path"], row["id"]))
                    db.execute("DELETE FROM tags WHERE id=?", (row["id"],))
                    db.execute("DELETE FROM sketch WHERE id=?", (row["id"],))
                    db.executemany("INSERT INTO sketch(id, h) VALUES(?, ?)",
                                   [(row["id"], h) for h in (row.get("sketch") or [])])
                    db.execute(_INSERT, _values(row))
                    db.executemany("INSERT INTO tags(id, tag) VALUES(?, ?)",
                                   [(row["id"], t) for t in (row.get("tags") or [])])
                for path, size, mtime_ns in stat_only:
                    db.execute("UPDATE notes SET size=?, mtime_ns=? WHERE path=?", (size, mtime_ns, path))
                self._note_file_changes(touched)
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def add_new(self, rows: list[dict]) -> None:
        """Insert rows (dicts with COLUMNS) of notes the catalog does not hold yet (a first
        build), in one transaction."""
        with self._lock:
            db = self.db
            db.execute("BEGIN")
            try:
                db.execute(_FORGET_FILES)  # a first build: its end saves the listing anew
                db.execute(_FORGET_CHANGES)
                db.executemany(_INSERT, map(_values, rows))
                db.executemany("INSERT INTO tags(id, tag) VALUES(?, ?)",
                               [(row["id"], t) for row in rows for t in (row.get("tags") or [])])
                db.executemany("INSERT INTO sketch(id, h) VALUES(?, ?)",
                               [(row["id"], h) for row in rows for h in (row.get("sketch") or [])])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def _rows(self, sql: str, args=()) -> list[dict]:
        with self._lock:
            cur = self.db.execute(sql, args)
            names = [d[0] for d in cur.description]
            rows = cur.fetchall()
        out = []
        for r in rows:
            d = dict(zip(names, r))
            if "tags" in d:
                d["tags"] = json.loads(d["tags"] or "[]")
            if "warnings" in d:
                d["warnings"] = json.loads(d["warnings"] or "[]")
            out.append(d)
        return out

    def by_id(self, note_id: str) -> dict | None:
        rows = self._rows("SELECT * FROM notes WHERE id=?", (note_id,))
        return rows[0] if rows else None

    def by_ids(self, ids: list[str]) -> dict[str, dict]:
        out = {}
        for i in range(0, len(ids), 500):
            part = ids[i:i + 500]
            sql = f"SELECT * FROM notes WHERE id IN ({','.join('?' * len(part))})"
            for row in self._rows(sql, part):
                out[row["id"]] = row
        return out

    def by_path(self, path: str) -> dict | None:
        rows = self._rows("SELECT * FROM notes WHERE path=?", (path,))
        return rows[0] if rows else None

    def find_duplicate(self, source_key: str | None, text_hash: str | None) -> dict | None:
        if source_key:
            rows = self._rows("SELECT * FROM notes WHERE source_key=? ORDER BY created_num LIMIT 1",
                              (source_key,))
            if rows:
                return rows[0]
        if text_hash:
            rows = self._rows("SELECT * FROM notes WHERE text_hash=? ORDER BY created_num LIMIT 1",
                              (text_hash,))
            if rows:
                return rows[0]
        return None

    def near_candidates(self, sketch: list[int], least: int = 3, limit: int = 5) -> list[str]:
        """Ids of notes whose sketch shares at least ``least`` values with ``sketch``, most
        shared first (to be checked against the full text)."""
        if not sketch:
            return []
        marks = ",".join("?" * len(sketch))
        with self._lock:
            rows = self.db.execute(
                f"SELECT id, COUNT(*) AS n FROM sketch WHERE h IN ({marks}) GROUP BY id "
                f"HAVING n >= ? ORDER BY n DESC LIMIT ?", [*sketch, least, limit]).fetchall()
        return [r[0] for r in rows]

    def newest(self, limit: int, oldest: bool = False, tags=()) -> list[dict]:
        order = "ASC" if oldest else "DESC"
        where, args = "", []
        for t in tags:
            where += (" AND " if where else " WHERE ") + _HAS_TAG
            args += [t, _like_prefix(t) + "/%"]
        return self._rows(f"SELECT * FROM notes{where} ORDER BY created_num {order}, path LIMIT ?",
                          [*args, limit])

    def tag_counts(self) -> dict[str, int]:
        with self._lock:
            # a note's tags are unique (normalize_tags), so COUNT(*) counts notes; it reads only
            # the tag index (COUNT(DISTINCT id) sorted every row: seconds at 100,000 notes)
            rows = self.db.execute("SELECT tag, COUNT(*) FROM tags GROUP BY tag ORDER BY tag").fetchall()
        return {r[0]: r[1] for r in rows}

    def ids_with_tag(self, name: str) -> list[str]:
        """Ids of notes tagged ``name`` or anything nested below it."""
        with self._lock:
            rows = self.db.execute("SELECT DISTINCT id FROM tags WHERE tag=? OR tag LIKE ? ESCAPE '\\'",
                                   (name, _like_prefix(name) + "/%")).fetchall()
        return [r[0] for r in rows]

    def all_rows(self) -> list[dict]:
        return self._rows("SELECT * FROM notes")


_TAGS = COLUMNS.index("tags")
_WARNINGS = COLUMNS.index("warnings")


def _values(row: dict) -> list:
    values = [row.get(c) for c in COLUMNS]
    values[_TAGS] = json.dumps(row.get("tags") or [], ensure_ascii=False)
    values[_WARNINGS] = json.dumps(row.get("warnings") or [], ensure_ascii=False)
    return values


def _like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
