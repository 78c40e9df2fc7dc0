"""The window's note pane: loading, rendering and editing the selected note, its images and links."""

from __future__ import annotations

import html
import logging
from pathlib import Path

from PySide6.QtCore import QTimer, QUrl
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import (
    QMessageBox,
)

from clipper.core import fetch
from clipper.qt import icons
from clipper.qt.note_view import FIRST_PART, open_external, render, system_open
from clipper.qt.results_model import IdRole
from clipper.qt.window_common import MAX_REMOTE_IMAGE, message_text
from clipper.qt.workers import TaskRunner

log = logging.getLogger(__name__)


class NoteActions:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def _on_current_changed(self, index) -> None:
        if not index.isValid():
            return
        note_id = index.data(IdRole)
        if self.current_note is not None and self.current_note.id == note_id:
            return
        self._load_note(note_id)

    def _load_note(self, note_id, keep_scroll: bool = False) -> None:
        """Read the note on the reader; only the newest request is shown (arrowing through the
        list queues many)."""
        lib = self.lib
        self._load_token += 1
        token = self._load_token

        def work():
            if token != self._load_token:
                return None
            note = lib.get(note_id)
            data = Path(note.path).read_bytes()
            return note, data

        def done(res):
            if res is not None and token == self._load_token:
                self._display_note(res[0], res[1], scroll)

        scroll = self.note_view.verticalScrollBar().value() if keep_scroll else 0
        self.reader.submit(work, label="load note", done=done,
                           failed=lambda exc: self._note_missing(note_id, exc))

    def _note_missing(self, note_id, exc) -> None:
        if self.current_note is not None and self.current_note.id == note_id:
            self.show_note(None)
        self.statusBar().showMessage(f"Cannot open the note: {exc}", 6000)

    def show_note(self, note, data: bytes | None = None) -> None:
        """Put ``note`` (a Note or None) into the note pane."""
        self._load_token += 1  # a load still on its way must not replace this
        if note is None:
            self.current_note = None
            self._note_data = b""
            self._render_token += 1
            self.note_header.setVisible(False)
            self.note_stack.setCurrentWidget(self.placeholder)
            self.edit_button.setChecked(False)
            self.find_bar.close_bar() if self.find_bar.isVisible() else None
            self.watcher.watch_file(None)
            return
        if data is None:
            data = Path(note.path).read_bytes()
        self._display_note(note, data, 0)

    def _display_note(self, note, data: bytes, scroll: int = 0) -> None:
        if self.editor.is_modified() and self.editor.note_id != note.id:
            self.editor.save()
        same = self.current_note is not None and self.current_note.id == note.id
        if not same:
            self._whole_note = None
        self.current_note = note
        self._note_data = data
        self.note_title.setText(note.title or "(untitled)")
        self.note_meta.setText(self._meta_html(note))
        self.source_button.setEnabled(bool(note.source))
        editable = self.editor.can_edit(len(data))
        for widget in (self.edit_button, self.act_edit):
            widget.setEnabled(editable)
        self.edit_button.setToolTip("Edit the note's Markdown (Ctrl+E)" if editable else
                                    f"This note is too large to edit here ({len(data) // 2**20} MB)")
        if self.pane.editing and editable and not (same and self.editor.is_modified()):
            self._load_editor(note, data)
        elif self.pane.editing and not editable:
            self.set_editing(False)
        self._render_note(note, scroll)
        self.note_header.setVisible(True)
        if self.note_stack.currentWidget() is self.placeholder:
            self.note_stack.setCurrentWidget(self.note_view)
        if len(self.results.selectionModel().selectedRows()) <= 1:
            self.tag_editor.set_tags(list(note.tags or []))
        if not same:
            self.tag_editor.set_suggestions([])
            self._suggest_tags(note)
        self.watcher.watch_file(Path(note.path))
        warnings = list(getattr(note, "warnings", None) or [])
        if warnings:
            self.statusBar().showMessage("Note: " + "; ".join(warnings), 8000)

    def _query_shown(self) -> str:
        req = self.search.last_request
        return (req or {}).get("query", "") or ""

    def _render_note(self, note, scroll: int = 0) -> None:
        """Render the note off the GUI thread (its first part, or all of it when asked), with
        the search's words marked."""
        if self._closing:
            return
        self._render_token += 1
        token = self._render_token
        query = self._query_shown()
        marks_for = (lambda text: self.lib.match_spans(query, text)) if query.strip() else None
        whole = self._whole_note == note.id
        base_dir = Path(note.path).parent
        self.note_view.remote_images = self.settings.get("remote_images") or note.id in self._images_allowed

        def done(rendered):
            if token != self._render_token or self.current_note is None or self.current_note.id != note.id:
                return
            self.note_view.show_rendered(rendered, base_dir)
            bar = self.note_view.verticalScrollBar()
            if scroll:
                QTimer.singleShot(0, lambda: bar.setValue(scroll))
            elif rendered.marks:
                self._scroll_to_mark(rendered.marks[0])
            self.pane.refresh_find()
            self.note_shown.emit(note.id)

        def failed(exc):
            if token == self._render_token:
                self.notify(f"Cannot show the note: {exc or type(exc).__name__}", error=True)

        self.renderer.submit(render, note.body, limit=None if whole else FIRST_PART, base_dir=base_dir,
                             font=self.note_view.reading_font(), remote_images=self.note_view.remote_images,
                             marks_for=marks_for, label="render", done=done, failed=failed)

    def _scroll_to_mark(self, span) -> None:
        from PySide6.QtGui import QTextCursor

        cursor = QTextCursor(self.note_view.document())
        cursor.setPosition(min(span[0], self.note_view.document().characterCount() - 1))
        rect = self.note_view.cursorRect(cursor)
        if rect.bottom() > self.note_view.viewport().height():
            bar = self.note_view.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - self.note_view.viewport().height() // 3)

    def _mark_search_words(self) -> None:
        """Mark the words of the search now shown in the open note (on the renderer)."""
        rendered = self.note_view.rendered
        if rendered is None or self._closing:
            return
        query, text, token = self._query_shown(), rendered.text, self._render_token
        lib = self.lib

        def done(spans):
            if token == self._render_token and self.note_view.rendered is rendered:
                self.note_view.set_marks(spans)

        self.renderer.submit(lambda: lib.match_spans(query, text) if query.strip() else [], label="marks",
                             done=done, failed=lambda _e: None)

    def _show_whole_note(self) -> None:
        if self.current_note is not None:
            self._whole_note = self.current_note.id
            self.statusBar().showMessage("Showing the whole note…", 5000)
            self._render_note(self.current_note, self.note_view.verticalScrollBar().value())

    def _load_note_images(self) -> None:
        if self.current_note is not None:
            self._images_allowed.add(self.current_note.id)
            self._render_note(self.current_note, self.note_view.verticalScrollBar().value())

    def changeEvent(self, event):  # noqa: N802
        # Rich text keeps the colours it was laid out with: redo it when the system palette changes.
        kinds = (event.Type.PaletteChange, event.Type.ApplicationPaletteChange)
        if event.type() in kinds and not self._closing:
            icons.refresh(self)
            self._search_icon.setPixmap(icons.icon("find").pixmap(16, 16))
            if self.current_note is not None:
                self.note_meta.setText(self._meta_html(self.current_note))
                self._render_note(self.current_note, self.note_view.verticalScrollBar().value())
        super().changeEvent(event)

    def _meta_html(self, note) -> str:
        parts = []
        for value in (note.site, note.author, str(note.published or "")[:10]):
            if value:
                parts.append(html.escape(str(value)))
        if note.source and note.source.lower().startswith(("http://", "https://")):
            link = self.palette().color(QPalette.ColorRole.Link).name()
            parts.append(f'<a style="color:{link}" href="{html.escape(note.source, quote=True)}">source</a>')
        created = str(getattr(note, "created", "") or "")[:10]
        if created:
            parts.append(f"clipped {html.escape(created)}")
        return "  ·  ".join(parts)

    def _suggest_tags(self, note) -> None:
        lib = self.lib
        note_id = note.id
        text, title, current = note.body[:20000], note.title, list(note.tags)
        lang = str(note.meta.get("language") or "")
        self.reader.submit(lambda: lib.suggest_tags(text, limit=5, current=current, title=title,
                                                    language=lang),
                           label="suggest",
                           done=lambda tags: self._show_suggestions(note_id, tags),
                           failed=lambda exc: None)

    def _show_suggestions(self, note_id, tags) -> None:
        if self.current_note is not None and self.current_note.id == note_id:
            self.tag_editor.set_suggestions(tags)

    def _fetch_remote_image(self, url: QUrl, view=None) -> None:
        """Only when the user allowed remote images: fetched on a worker of its own (a slow site
        must not hold up searches), once per URL."""
        view = view or self.note_view
        key = url.toString()
        if key in self._remote_images:
            return
        self._remote_images.add(key)
        if self._images is None:
            self._images = TaskRunner("images", self)

        def failed(exc):
            self._remote_images.discard(key)
            log.info("image not loaded: %s", exc)

        self._images.submit(fetch.fetch, key, timeout=15, max_bytes=MAX_REMOTE_IMAGE, label="image",
                            done=lambda page: self._show_remote_image(url, page.data, view), failed=failed)

    def _show_remote_image(self, url: QUrl, data: bytes, view) -> None:
        image = QImage.fromData(data)
        if not image.isNull() and view.remote_images:
            view.add_remote_image(url, image)

    def _open_link(self, url: QUrl) -> None:
        if not open_external(url):
            self._link_failed(url)

    def _link_blocked(self, url: QUrl) -> None:
        self.statusBar().showMessage(f"Clipper does not open {url.scheme() or 'local'}: links "
                                     "(only web and mail links open, in your browser).", 8000)

    def _link_failed(self, url: QUrl) -> None:
        text = url.toString()
        self.notify(f"No web browser could be started for {text}. Set a default browser in your "
                    "system settings, or copy the link.", error=True,
                    action=self._copy_action("&Copy Link", text))

    def toggle_edit(self) -> None:
        self.set_editing(not self.pane.editing)

    def set_editing(self, on: bool) -> None:
        if self.current_note is None or not self.editor.can_edit(len(self._note_data)):
            on = False
        if not on and self.editor.is_modified():
            self.editor.save()
        for widget in (self.edit_button, self.act_edit):
            widget.blockSignals(True)
            widget.setChecked(on)
            widget.blockSignals(False)
        if self.current_note is None:
            return
        if on:
            self._load_editor(self.current_note, self._note_data)
        self.note_stack.setCurrentWidget(self.editor if on else self.note_view)
        self.pane.refresh_find()
        (self.editor.text if on else self.note_view).setFocus()
        self._update_undo()

    def _load_editor(self, note, data: bytes) -> None:
        self.editor.base_dir = Path(note.path).parent
        self.editor.vault = Path(self.lib.vault)
        self.editor.preview.vault = Path(self.lib.vault)
        self.editor.preview.remote_images = self.note_view.remote_images
        self.editor.load(note.id, data)

    def _preview_toggled(self, on: bool) -> None:
        self.act_preview.setChecked(on)
        self.settings.set("editor_preview", on)

    def _save_note(self, note_id, text: str, base_hash: str) -> None:
        lib = self.lib

        def work():
            result = lib.save(note_id, text, base_hash=base_hash or None)
            new_hash = result.note.content_hash if not result.conflict_path else ""  # of the file saved
            return result, new_hash

        def done(res):
            result, new_hash = res
            self.editor.saved(note_id, new_hash, result.conflict_path)
            if result.conflict_path:
                QMessageBox.warning(self, "Note changed on disk", message_text(
                                    "Another program changed this note while you edited it.\n"
                                    f"Your version was saved as “{Path(result.conflict_path).name}”."))
            if self.current_note is not None and self.current_note.id == note_id:
                self.current_note = result.note
                if not result.conflict_path:
                    self._note_data = text.encode("utf-8")
                self.note_title.setText(result.note.title or "(untitled)")
                self.note_meta.setText(self._meta_html(result.note))
                if not self.pane.editing or not self.editor.is_modified():
                    self._render_note(result.note, self.note_view.verticalScrollBar().value())
            self.saved.emit(result)
            self._after_change(reload_note=False)

        def failed(exc):
            message = str(exc) or type(exc).__name__
            self.editor.save_failed(message)
            self.notify(f"The note was not saved: {message}", error=True)

        self.writer.submit(work, label="save", done=done, failed=failed)

    def open_source(self) -> None:
        note = self.current_note
        if note is None:
            return
        if not note.source:
            self.statusBar().showMessage("This note has no source link.", 5000)
            return
        url = QUrl(note.source)
        if url.scheme().lower() not in ("http", "https") or not url.host():
            self.statusBar().showMessage("The source is not a web link.", 5000)
        elif not open_external(url):
            self._link_failed(url)

    def show_in_folder(self) -> None:
        if self.current_note is None:
            return
        folder = str(Path(self.current_note.path).parent)
        if not system_open(QUrl.fromLocalFile(folder)):
            self.notify(f"No file manager could be started to show {folder}.", error=True,
                        action=self._copy_action("&Copy Path", str(self.current_note.path)))
