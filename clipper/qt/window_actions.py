"""The window's actions, menus and their shortcuts: one table (``_build_actions``) and the menus built from
it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QMenu,
)

from clipper.qt import icons
from clipper.qt.window_common import SORT_MENU


class ActionTable:
    """Mixin of :class:`clipper.qt.main_window.MainWindow`."""

    def _action(self, text, slot, shortcut=None, tip="", context=None, icon=None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                action.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                action.setShortcut(QKeySequence(shortcut))
        if context is not None:
            action.setShortcutContext(context)
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        if icon:
            icons.attach(action, icon)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        a = self._action
        self.act_import_files = a("&Import Files…", self.import_files_dialog, QKeySequence.StandardKey.Open,
                                  "Import saved pages, .mhtml, Markdown or text files", icon="import")
        self.act_import_folder = a("Import &Folder…", self.import_folder_dialog, "Ctrl+Shift+O",
                                   "Import every page in a folder", icon="folder")
        self.act_paste = a("&Paste (Import)", self.paste, QKeySequence.StandardKey.Paste,
                           "Import the clipboard (in a text field: normal paste)", icon="paste")
        self.act_import_clipboard = a("Import from &Clipboard", self.import_clipboard, "Ctrl+Shift+V",
                                      "Import what the clipboard holds (HTML first, then text)", icon="paste")
        self.act_import_plain = a("Import Clipboard as &Plain Text",
                                  lambda: self.import_clipboard(plain=True),
                                  "Ctrl+Alt+Shift+V",
                                  "Import the clipboard's text as it is (broken characters repaired)")
        self.act_import_raw = a("Import Clipboard &Unchanged", lambda: self.import_clipboard(raw=True), None,
                                "Import the clipboard's text exactly as it is, without repairing characters")
        self.act_settings = a("&Settings…", self.show_settings, QKeySequence.StandardKey.Preferences,
                              icon="settings")
        if self.act_settings.shortcut().isEmpty():
            self.act_settings.setShortcut(QKeySequence("Ctrl+,"))
        self.act_quit = a("&Quit", self.close, QKeySequence.StandardKey.Quit)
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))

        # Ctrl+F finds in the note when the note has the focus, else it goes to the search box;
        # Ctrl+L and Ctrl+K always go to the search box.
        self.act_find = a("&Find", self.find, "Ctrl+F", "Find in the open note, or go to the search box",
                          icon="find")
        self.act_search = a("&Search Notes", self.focus_search, ["Ctrl+L", "Ctrl+K"], "Go to the search box")
        self.act_find_next = a("Find &Next", lambda: self.pane.find_next(), "F3",
                               "The next match in the note")
        self.act_find_previous = a("Find Pre&vious", lambda: self.pane.find_next(backward=True), "Shift+F3",
                                   "The previous match in the note")
        self.act_results = a("Go to Res&ults", lambda: self.results.setFocus(), "Ctrl+2")
        self.act_tags = a("Go to &Tags", lambda: self.tag_tree.setFocus(), "Ctrl+1")
        self.act_note = a("Go to &Note", self.focus_note, "Ctrl+3")
        self.act_edit = a("&Edit Note", self.toggle_edit, "Ctrl+E", "Edit the note's Markdown", icon="edit")
        self.act_edit.setCheckable(True)
        self.act_save = a("&Save Note", self.editor.save, None, "Save the note being edited (Ctrl+S)",
                          icon="save")
        self.act_preview = a("Live &Preview in the Editor", lambda: self.editor.preview_button.toggle(), None,
                             "Show the rendered note beside the Markdown editor (Ctrl+Shift+E)",
                             icon="preview")
        self.act_preview.setCheckable(True)
        self.act_preview.setChecked(self.editor.preview_visible)
        self.act_tag_edit = a("Edit &Tags of Selected Notes", self.focus_tag_editor, "Ctrl+T", icon="tag")
        self.act_delete = a("&Delete Note", self.delete_selected, QKeySequence.StandardKey.Delete,
                            "Move the selected notes to the vault's trash",
                            Qt.ShortcutContext.WidgetWithChildrenShortcut, icon="delete")
        self.results.addAction(self.act_delete)
        self.removeAction(self.act_delete)
        # Ctrl+Z in the editor undoes typing (the editor takes the key); elsewhere it undoes a delete
        self.act_undo = a("&Undo", self.undo, QKeySequence.StandardKey.Undo,
                          "Undo typing in the editor, else the last delete", icon="undo")
        self.act_undo.setEnabled(False)
        self.act_redo = a("&Redo", self.redo, QKeySequence.StandardKey.Redo, "Redo typing in the editor")
        self.act_open_source = a("Open &Source in Browser", self.open_source, "Ctrl+Shift+B",
                                 icon="open-source")
        self.act_show_folder = a("Show in &Folder", self.show_in_folder, "Ctrl+Shift+F", icon="folder")
        self.act_refresh = a("&Refresh", self.refresh_from_disk, QKeySequence.StandardKey.Refresh,
                             "Pick up notes changed outside Clipper", icon="refresh")
        if self.act_refresh.shortcut().isEmpty():
            self.act_refresh.setShortcut(QKeySequence("F5"))
        self.act_search_help = a("Search &Help", self.show_search_help, QKeySequence.StandardKey.HelpContents)
        self.act_about = a("&About Clipper", self.show_about)
        self.act_rename_tag = a("&Rename or Merge Tag…", self._rename_selected_tag, None,
                                "Rename a tag in every note (an existing name merges the two)")
        self.act_delete_tag = a("Delete T&ag…", self._delete_selected_tag, None,
                                "Remove a tag from every note (the notes are kept)")

        self.sort_group = QActionGroup(self)
        self.sort_actions = {}
        for key in SORT_MENU:
            act = QAction(SORT_MENU[key], self)
            act.setCheckable(True)
            act.triggered.connect(lambda _c=False, k=key: self.set_sort(k))
            self.sort_group.addAction(act)
            self.sort_actions[key] = act

    def _build_menus(self) -> None:
        import_menu = QMenu(self.import_button)
        for act in (self.act_import_files, self.act_import_folder, self.act_import_clipboard,
                    self.act_import_plain, self.act_import_raw):
            import_menu.addAction(act)
        self.import_button.setMenu(import_menu)
        bar = self.menuBar()
        m = bar.addMenu("&File")
        for act in (self.act_import_files, self.act_import_folder, None, self.act_import_clipboard,
                    self.act_import_plain, self.act_import_raw, None, self.act_settings, None,
                    self.act_quit):
            m.addSeparator() if act is None else m.addAction(act)
        m = bar.addMenu("&Edit")
        for act in (self.act_undo, self.act_redo, None, self.act_paste, None, self.act_edit, self.act_save,
                    self.act_preview, self.act_tag_edit, None, self.act_find, self.act_find_next,
                    self.act_find_previous, None, self.act_delete):
            m.addSeparator() if act is None else m.addAction(act)
        m.aboutToShow.connect(self._update_undo)
        m = bar.addMenu("&View")
        for act in (self.act_search, self.act_tags, self.act_results, self.act_note, None):
            m.addSeparator() if act is None else m.addAction(act)
        for act in self.sort_actions.values():
            m.addAction(act)
        m.addSeparator()
        m.addAction(self.act_refresh)
        m = bar.addMenu("&Note")
        m.addAction(self.act_open_source)
        m.addAction(self.act_show_folder)
        m = bar.addMenu("&Tags")
        m.addAction(self.act_tag_edit)
        m.addSeparator()
        m.addAction(self.act_rename_tag)
        m.addAction(self.act_delete_tag)
        m = bar.addMenu("&Help")
        m.addAction(self.act_search_help)
        m.addAction(self.act_about)
