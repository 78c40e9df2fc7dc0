"""The window's import actions: drop, paste, file and folder dialogs, the permission to fetch links, and
the batch import (``clipper.core.imports``) on the writer with its progress and report."""

from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QFileDialog,
    QMessageBox,
)

from clipper.core import imports
from clipper.qt import importer
from clipper.qt.report_dialog import ImportReportDialog
from clipper.qt.welcome import WELCOME_MARKDOWN, WELCOME_TITLE
from clipper.qt.window_common import is_text_input, message_text, plural

log = logging.getLogger(__name__)


class ImportActions:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def dragEnterEvent(self, event):  # noqa: N802
        mime = event.mimeData()
        if mime.hasUrls() or mime.hasHtml() or mime.hasText():
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event):  # noqa: N802
        self.dragEnterEvent(event)

    def dropEvent(self, event):  # noqa: N802
        if self._import_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def _import_mime(self, mime) -> bool:
        items = importer.items_from_mime(mime, exclude=self.lib.vault)
        if not items:
            self.statusBar().showMessage("Nothing Clipper can import was dropped.", 5000)
            return False
        # after the drop is over: asking about a link must not hold the other program's drag
        QTimer.singleShot(0, lambda: self.import_items(items))
        return True

    def paste(self) -> None:
        """Ctrl+V: normal paste in a text field, an import anywhere else."""
        focus = QApplication.focusWidget()
        if is_text_input(focus):
            focus.paste()
            return
        self.import_clipboard()

    def import_clipboard(self, plain: bool = False, raw: bool = False) -> None:
        mime = QApplication.clipboard().mimeData()
        items = importer.items_from_mime(mime, plain=plain, raw=raw) if mime is not None else []
        if not items:
            self.statusBar().showMessage("The clipboard holds nothing Clipper can import.", 5000)
            return
        self.import_items(items)

    def _start_folder(self) -> str:
        """Where a file dialog opens: where the user last was, else the home folder (never the
        folder the app was started from)."""
        last = self.settings.get("last_folder")
        return last if last and Path(last).is_dir() else str(Path.home())

    def _remember_folder(self, folder) -> None:
        self.settings.set("last_folder", str(folder))
        self.settings.sync()

    def import_files_dialog(self) -> None:
        files, _ = QFileDialog.getOpenFileNames(
            self, "Import files", self._start_folder(),
            "Pages and notes (*.html *.htm *.mhtml *.mht *.md *.markdown *.txt);;All files (*)")
        if files:
            self._remember_folder(Path(files[0]).parent)
            self.import_paths(files)

    def import_folder_dialog(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import a folder", self._start_folder())
        if folder:
            self._remember_folder(Path(folder).parent)
            self.import_paths([folder])

    def import_paths(self, paths) -> None:
        self.import_items(imports.expand_paths(paths, exclude=self.lib.vault))

    def ask_images_permission(self) -> bool:
        from clipper.qt.settings_dialog import ask_download_images

        return ask_download_images(self)

    def _allow_fetch(self, items) -> tuple[bool, bool]:
        """(fetch the links, the user was just asked and said no)."""
        links = [item.url for item in items if item.kind == "url"]
        if not links:
            return False, False
        choice = self.settings.get("fetch_links")
        if choice == "ask":  # asked once; the answer is a setting from then on
            choice = "yes" if self.ask_fetch_permission(links) else "no"
            self.settings.set("fetch_links", choice)
            self.settings.sync()
            return choice == "yes", choice == "no"
        return choice == "yes", False

    def ask_fetch_permission(self, links=()) -> bool:
        links = list(links)
        shown = "\n".join(links[:5]) + (f"\n… and {len(links) - 5} more" if len(links) > 5 else "")
        box = QMessageBox(QMessageBox.Icon.Question, "Fetch dropped links?",
                          f"You dropped {'a link' if len(links) == 1 else plural(len(links), 'link')}:\n\n"
                          f"{shown}\n\nMay Clipper download the page from the web to import it?\n\n"
                          "Your answer is remembered; change it in Settings.", parent=self)
        box.setTextFormat(Qt.TextFormat.PlainText)  # a link is shown as it is, never as markup
        fetch_button = box.addButton("&Fetch pages", QMessageBox.ButtonRole.AcceptRole)
        box.addButton("&Don't fetch", QMessageBox.ButtonRole.RejectRole)
        box.exec()
        return box.clickedButton() is fetch_button

    def import_items(self, items) -> None:
        """Import in the background; the new (or already existing) note is selected and shown."""
        if not items:
            return
        allow_fetch, refused = self._allow_fetch(items)
        if not allow_fetch:
            links = [item.url for item in items if item.kind == "url"]
            items = [item for item in items if item.kind != "url"]
            if links:
                # a refusal is an answer, not an error: said once, in the window
                why = "as you asked" if refused else "fetching links is off in Settings"
                self.statusBar().showMessage(
                    f"Not fetched ({why}): {links[0]}" + (f" and {len(links) - 1} more" if len(links) > 1
                                                          else ""), 10000)
            if not items:
                return
        setting = self.settings.get("download_images")
        if setting != "ask":
            self._start_import(items, allow_fetch, setting == "yes")
            return
        # Whether to ask about web images means looking into the pages: on the reader thread,
        # so that a dropped folder of big pages never freezes the window.
        self.statusBar().showMessage("Looking at the pages…")
        self.reader.submit(imports.images_question_needed, setting, items, label="images-question",
                           done=lambda needed: self._ask_images_then_import(items, allow_fetch, needed),
                           failed=lambda _exc: self._start_import(items, allow_fetch, False))

    def _ask_images_then_import(self, items, allow_fetch: bool, needed: bool) -> None:
        images = False
        if needed and self.settings.get("download_images") == "ask":
            images = self.ask_images_permission()
            self.settings.set("download_images", "yes" if images else "no")  # asked once: a setting
        elif self.settings.get("download_images") == "yes":
            images = True
        self._start_import(items, allow_fetch, images)

    def _start_import(self, items, allow_fetch: bool, images: bool) -> None:
        total = len(items)
        self.progress.setRange(0, total)
        self.progress.setValue(0)
        self.progress.setFormat(f"Importing %v of {total}")
        if total > 1 or any(item.kind == "url" for item in items):
            self.progress.show()
            self.cancel_button.show()
        self.statusBar().showMessage("Importing…")
        holder = {}
        task = self.writer.submit(imports.run_import, self.lib, items, allow_fetch=allow_fetch,
                                  images=images, with_progress=True, label="import",
                                  done=lambda outcome: self._import_done(outcome, holder["id"]),
                                  failed=lambda exc: self._import_failed(exc, holder["id"]))
        holder["id"] = task.id
        self._imports[task.id] = task

    @property
    def importing(self) -> bool:
        return bool(self._imports)

    def cancel_import(self) -> None:
        for task in self._imports.values():
            task.cancel.set()
        if self._imports:
            self.statusBar().showMessage("Cancelling…")

    def _on_progress(self, task_id, done, total, message) -> None:
        if task_id in self._imports:
            self.progress.setFormat(f"Importing %v of {total}")
            self.progress.setRange(0, max(total, 1))
            self.progress.setValue(done)
            if message:
                self.statusBar().showMessage(f"Importing {message}")

    def _import_finished_ui(self, task_id) -> None:
        self._imports.pop(task_id, None)
        if not self._imports:
            self.progress.hide()
            self.cancel_button.hide()

    def _import_failed(self, exc, task_id) -> None:
        self._import_finished_ui(task_id)
        self.statusBar().clearMessage()
        QMessageBox.warning(self, "Import failed", message_text(str(exc) or type(exc).__name__))

    def _import_done(self, outcome, task_id) -> None:
        self._import_finished_ui(task_id)
        created, dups, errors = len(outcome.created), len(outcome.duplicates), len(outcome.errors)
        parts = []
        if created:
            parts.append(f"Imported {plural(created, 'note')}.")
        if dups == 1 and not created:
            label, note = outcome.duplicates[0]
            parts.append(f"Already in your vault: “{note.title}”.")
        elif dups:
            parts.append(f"{dups} already in your vault.")
        if errors:
            parts.append(f"{errors} could not be imported.")
        warnings = outcome.warnings
        if warnings and created == 1 and len(outcome.results) == 1:
            # one paste or one file: what went wrong is said here (the note is shown as it is)
            text = "; ".join(message for _label, message in warnings)
            parts.append(text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
        if outcome.skipped_links:
            parts.append("Links were not fetched.")
        if outcome.cancelled:
            parts.append("Cancelled.")
        self.statusBar().showMessage(" ".join(parts) or "Nothing imported.", 10000)
        # One list of what went wrong (not a dialog per file); a lone duplicate is just the message.
        if errors or dups > 1 or (dups and created) or (warnings and len(outcome.results) > 1):
            self.last_report = ImportReportDialog(outcome, self)
            self.last_report.setModal(False)
            self.last_report.show()
        else:
            self.last_report = None
        note = outcome.last_note
        if note is not None:
            # the new note is shown (read on the reader: it may be big); the search the user
            # typed stays (the list follows it)
            self._pending_select = note.id
            self._load_note(note.id)
        self._after_change(reload_note=False)
        self.import_finished.emit(outcome)

    def report_text(self) -> list[str]:
        return self.last_report.lines() if self.last_report is not None else []

    def create_welcome_note(self) -> None:
        from clipper.core.model import Clip

        clip = Clip(markdown=WELCOME_MARKDOWN, title=WELCOME_TITLE, tags=["clipper"], kind="markdown")

        def done(result):
            self._pending_select = result.note.id
            self._after_change(reload_note=False)

        self.writer.submit(self.lib.import_clip, clip, label="welcome", done=done,
                           failed=lambda exc: log.warning("welcome note not created: %s", exc))
