"""The window's search side: the query, its sort, suggestions, the result list and focus moves."""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QApplication,
)

from clipper.qt.note_pane import EMPTY_VAULT
from clipper.qt.results_model import hit_date
from clipper.qt.window_common import SORTS


class SearchActions:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def current_sort(self) -> str:
        return self.sort_box.currentData() or "relevance"

    def _set_sort_widgets(self, key: str) -> None:
        self.sort_box.blockSignals(True)
        self.sort_box.setCurrentIndex([k for k, _ in SORTS].index(key))
        self.sort_box.blockSignals(False)
        self.sort_actions[key].setChecked(True)

    def set_sort(self, key: str) -> None:
        if key not in dict(SORTS):
            return
        self._set_sort_widgets(key)
        self.settings.set("sort", key)
        self.run_search()

    def run_search(self, as_you_type: bool = False) -> int:
        if self._closing:  # a debounced keystroke after the window closed: the reader is gone
            return self.search.token
        return self.search.request(self.search_box.text(), sort=self.current_sort(),
                                   tags=self.tag_tree.selected_tags(), as_you_type=as_you_type)

    def _offer_suggestion(self, req) -> None:
        """No hits: ask the library for a corrected query ("did you mean")."""
        suggest = self.lib.suggest
        if not req["query"].strip():
            return

        def show(fixed):
            if fixed and self.search.last_request is req:
                link = html.escape(fixed, quote=True)
                offer = f'<br><br>Did you mean <a href="{link}">{html.escape(fixed)}</a>?'
                self.empty_label.setText(self.empty_label.text() + offer)
                if self.current_note is None:
                    self.placeholder.setText(self.placeholder.text() + offer)

        self.reader.submit(suggest, req["query"], label="suggest", done=show, failed=lambda _e: None)

    def _use_suggestion(self, query: str) -> None:
        self.search_box.setText(query)
        self.run_search()

    def _show_results(self, req, hits) -> None:
        keep = self._pending_select
        if keep is None and self.current_note is not None:
            keep = self.current_note.id
        imported = self._pending_select
        self._pending_select = None
        request = (req["query"].strip(), tuple(req["tags"]), req["sort"])
        new_request = request != self._shown_request
        self._shown_request = request
        self.snippets.show(req, hits)
        n = len(hits)
        more = "+" if n >= req["limit"] else ""
        self.count_label.setText(f"{n}{more} note{'s' if n != 1 else ''}")
        filtered = bool(req["query"].strip() or req["tags"])
        if not hits:
            if filtered:
                what = html.escape(req["query"].strip())
                self.empty_label.setText(f"No notes match “{what}”"
                                         + (" with the selected tags." if req["tags"] else "."))
                self._offer_suggestion(req)
            else:
                self.empty_label.setText("No notes yet.<br><br>Drop saved pages, links or text here, "
                                         "or paste with Ctrl+V.")
            self.results_stack.setCurrentWidget(self.empty_label)
        else:
            self.results_stack.setCurrentWidget(self.results)
        self._set_placeholder(req, hits)
        row = self.results_model.row_of(keep) if keep is not None else -1
        if row < 0 and hits and not self.editor.is_modified() and (new_request or self.current_note is None):
            row = 0  # a new search: its best hit is shown
        if row >= 0:
            index = self.results_model.index(row)
            self.results.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
            self.results.scrollTo(index)
        elif self.current_note is not None and not new_request:
            # the open note is not in the list (e.g. a new note that does not match the search):
            # it stays open, and the list says why it is not there
            self.results.selectionModel().clearSelection()
            if imported is not None and imported == self.current_note.id and filtered:
                self.statusBar().showMessage(
                    f"“{self.current_note.title}” was imported; it is not listed because it does not "
                    "match the search.", 10000)
        elif not hits and not self.editor.is_modified():
            self.show_note(None)
        if self.current_note is not None and new_request and row >= 0 \
                and self.results_model.row_of(self.current_note.id) == row:
            self._mark_search_words()  # the same note, another search: mark its words
        self.results_shown.emit()

    def _set_placeholder(self, req, hits) -> None:
        """What the note pane says when no note is open: an empty vault invites a drop; a
        search that finds nothing says so."""
        if hits or not (req["query"].strip() or req["tags"]):
            self.placeholder.setText(EMPTY_VAULT)
            return
        what = html.escape(req["query"].strip())
        text = f"<p style='font-size:large'><b>Nothing matches “{what}”</b></p>" if what else \
            "<p style='font-size:large'><b>No note has all the selected tags</b></p>"
        if req["tags"]:
            text += "<p>Only notes with the selected tags are searched; <i>All notes</i> in the sidebar " \
                    "searches every note.</p>"
        self.placeholder.setText(text)

    def eventFilter(self, obj, event):  # noqa: N802
        # Up on the first result goes back to the search box (Down in the box came here).
        if (obj is self.results and event.type() == event.Type.KeyPress
                and event.key() == Qt.Key.Key_Up and event.modifiers() == Qt.KeyboardModifier.NoModifier
                and self.results.currentIndex().row() <= 0):
            self.focus_search()
            return True
        return super().eventFilter(obj, event)

    def _focus_first_result(self) -> None:
        self.results.setFocus()
        if self.results_model.rowCount() and not self.results.currentIndex().isValid():
            self.results.setCurrentIndex(self.results_model.index(0))

    def focus_search(self) -> None:
        self.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_box.selectAll()

    def find(self) -> None:
        """Ctrl+F: find in the note when the note pane has the focus, else the search box."""
        focus = QApplication.focusWidget()
        if self.current_note is not None and self.pane.contains_focus(focus):
            self.pane.open_find()
        else:
            self.focus_search()

    def focus_note(self) -> None:
        self.pane.text_widget().setFocus()

    def focus_tag_editor(self) -> None:
        if self.note_header.isVisible():
            self.tag_editor.line.setFocus()

    def hit_dates(self) -> list[str]:
        return [hit_date(h) for h in self.results_model.hits()]
