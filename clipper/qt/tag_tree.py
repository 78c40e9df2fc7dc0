"""The tag sidebar: nested tags (``a/b``) as a tree with note counts. A click filters the results,
Ctrl+click combines tags; the context menu offers rename (merge) and delete."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QMenu, QTreeWidget, QTreeWidgetItem

TagRole = Qt.ItemDataRole.UserRole + 1
ALL_NOTES = ""


class TagTree(QTreeWidget):
    tags_selected = Signal(list)  # the selected tags ([] = all notes)
    rename_requested = Signal(str)
    delete_requested = Signal(str)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAccessibleName("Tags")
        self.setAccessibleDescription("Click a tag to show its notes; Ctrl+click to combine tags")
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._context_menu)
        self.itemSelectionChanged.connect(self._emit_selection)
        self._counts: dict[str, int] = {}
        self._building = False
        self._rename_action = QAction("&Rename or merge tag…", self)
        self._rename_action.setShortcut("F2")
        self._rename_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._rename_action.triggered.connect(self._rename_current)
        self._delete_action = QAction("&Delete tag…", self)
        self._delete_action.setShortcut("Delete")
        self._delete_action.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        self._delete_action.triggered.connect(self._delete_current)
        self.addAction(self._rename_action)
        self.addAction(self._delete_action)
        self.set_tags({})

    # -- content -----------------------------------------------------------------------------
    def set_tags(self, counts: dict[str, int]) -> None:
        """Rebuild from ``{tag: count}``, keeping the selection and the expanded branches."""
        selected = set(self.selected_tags())
        # Branches are open unless the user closed them.
        collapsed = {it.data(0, TagRole) for it in self._all_items()
                     if it.childCount() and not it.isExpanded()}
        self._building = True
        self.blockSignals(True)
        try:
            self.clear()
            self._counts = dict(counts)
            total = QTreeWidgetItem(self, ["All notes"])
            total.setData(0, TagRole, ALL_NOTES)
            nodes: dict[str, QTreeWidgetItem] = {}
            for tag in sorted(counts, key=lambda t: t.casefold()):
                parts = [p for p in tag.split("/") if p]
                parent = None
                for depth in range(len(parts)):
                    path = "/".join(parts[: depth + 1])
                    node = nodes.get(path)
                    if node is None:
                        node = QTreeWidgetItem(parent if parent is not None else self)
                        node.setData(0, TagRole, path)
                        nodes[path] = node
                    parent = node
            for path, node in nodes.items():
                name = path.rsplit("/", 1)[-1]
                count = counts.get(path)
                node.setText(0, f"{name}  ({count})" if count else name)
                node.setToolTip(0, f"#{path}: {count or 0} note(s)")
                if path not in collapsed:
                    node.setExpanded(True)
                if path in selected:
                    node.setSelected(True)
            if not selected:
                total.setSelected(True)
        finally:
            self.blockSignals(False)
            self._building = False
        if selected - set(nodes):
            self._emit_selection()  # a selected tag disappeared: the filter changes

    def _all_items(self):
        stack = [self.topLevelItem(i) for i in range(self.topLevelItemCount())]
        while stack:
            item = stack.pop()
            yield item
            stack.extend(item.child(i) for i in range(item.childCount()))

    def item_for(self, tag: str):
        return next((it for it in self._all_items() if it.data(0, TagRole) == tag), None)

    def selected_tags(self) -> list[str]:
        return [it.data(0, TagRole) for it in self.selectedItems() if it.data(0, TagRole)]

    def select_tags(self, tags) -> None:
        self.clearSelection()
        for tag in tags:
            item = self.item_for(tag)
            if item is not None:
                item.setSelected(True)
                parent = item.parent()
                while parent is not None:
                    parent.setExpanded(True)
                    parent = parent.parent()

    def counts(self) -> dict[str, int]:
        return dict(self._counts)

    def _emit_selection(self) -> None:
        if self._building:
            return
        items = self.selectedItems()
        # Picking "All notes" together with tags means all notes.
        if any(it.data(0, TagRole) == ALL_NOTES for it in items) and len(items) > 1:
            self.blockSignals(True)
            for it in items:
                if it.data(0, TagRole) != ALL_NOTES:
                    it.setSelected(False)
            self.blockSignals(False)
        self.tags_selected.emit(self.selected_tags())

    # -- context menu ------------------------------------------------------------------------
    def _context_menu(self, pos) -> None:
        item = self.itemAt(pos)
        if item is None or not item.data(0, TagRole):
            return
        self.setCurrentItem(item)
        menu = QMenu(self)
        menu.addAction(self._rename_action)
        menu.addAction(self._delete_action)
        menu.exec(self.viewport().mapToGlobal(pos))

    def _current_tag(self) -> str:
        item = self.currentItem()
        return item.data(0, TagRole) if item is not None else ""

    def _rename_current(self) -> None:
        tag = self._current_tag()
        if tag:
            self.rename_requested.emit(tag)

    def _delete_current(self) -> None:
        tag = self._current_tag()
        if tag:
            self.delete_requested.emit(tag)
