"""A message bar in the window (not a dialog): what just happened or went wrong, with at most one
action button ("Undo", "Copy link") and a close button. The undo bar after a delete is one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton

INFO_MS = 15_000
ERROR_MS = 30_000


class MessageBar(QFrame):
    """``show_message(text, action=("&Undo", fn))``; hides itself after a while."""

    action_triggered = Signal()

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(name)
        self.setAutoFillBackground(True)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)  # messages quote note data
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.button = QPushButton(self)
        self.button.setAccessibleName(f"{name} action")
        self.button.hide()
        self.button.clicked.connect(self._on_action)
        self.close_button = QToolButton(self)
        self.close_button.setText("✕")
        self.close_button.setAccessibleName(f"Close the {name.lower()}")
        self.close_button.setAutoRaise(True)
        self.close_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 2, 4, 2)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        layout.addWidget(self.close_button)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self._action: Callable | None = None
        self.error = False
        self.hide()

    def show_message(self, text: str, action: tuple[str, Callable] | None = None, *, error: bool = False,
                     timeout_ms: int | None = None) -> None:
        self.error = error
        self.label.setText(text)
        if action is None:
            self._action = None
            self.button.hide()
        else:
            self.button.setText(action[0])
            self.button.setAccessibleName(action[0].replace("&", ""))
            self._action = action[1]
            self.button.show()
        pal = self.parentWidget().palette() if self.parentWidget() is not None else self.palette()
        role = QPalette.ColorRole.Base if not error else QPalette.ColorRole.ToolTipBase
        pal.setColor(QPalette.ColorRole.Window, pal.color(role))
        self.setPalette(pal)
        self.show()
        self._timer.start(timeout_ms or (ERROR_MS if error else INFO_MS))

    def text(self) -> str:
        return self.label.text() if self.isVisible() else ""

    def _on_action(self) -> None:
        action = self._action
        self.hide()
        if action is not None:
            action()
        self.action_triggered.emit()
