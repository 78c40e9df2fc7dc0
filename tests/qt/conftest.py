"""Fixtures for the GUI tests: a real Library on a temp vault, the main window, and helpers that act
like a user (drop, paste, type) and wait on signals."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QApplication

from clipper.qt.settings import Settings, open_settings

WAIT_MS = 30_000


@pytest.fixture(autouse=True, scope="session")
def _native_threads():
    """As the app does at start-up: Qt runs threads Python does not count, so the core never forks."""
    from clipper.core import limits

    limits.set_native_threads()


@pytest.fixture(autouse=True)
def _clear_clipboard(qapp):
    """A QMimeData left on the clipboard segfaults the interpreter's exit (offscreen)."""
    qapp.clipboard().clear()
    yield
    qapp.clipboard().clear()


@pytest.fixture
def vault(tmp_path) -> Path:
    return tmp_path / "vault"


@pytest.fixture
def settings(tmp_path):
    s = Settings(open_settings(str(tmp_path / "settings" / "clipper.ini")))
    s.set("welcomed", True)
    s.set("download_images", "no")  # the tests that want the question set "ask" themselves
    return s


@pytest.fixture
def lib(vault):
    from clipper import Library

    library = Library.open(vault, wait=True)
    yield library
    library.close()


@pytest.fixture
def window(qtbot, lib, settings):
    from clipper.qt.main_window import MainWindow

    win = MainWindow(lib, settings)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    wait_idle(qtbot, win)
    yield win
    win.close()


def wait_idle(qtbot, win, timeout=WAIT_MS) -> None:
    """Until both workers have nothing queued (their results delivered)."""
    qtbot.waitUntil(lambda: not win.writer.busy and not win.reader.busy and not win.renderer.busy,
                    timeout=timeout)


def titles(win) -> list[str]:
    model = win.results_model
    return [model.data(model.index(i)) for i in range(model.rowCount())]


def wait_titles(qtbot, win, predicate, timeout=WAIT_MS) -> list[str]:
    qtbot.waitUntil(lambda: not win.reader.busy and predicate(titles(win)), timeout=timeout)
    return titles(win)


def _drag_event(cls, pos: QPointF, *args):
    """PySide6 6.12 takes a QPointF (the QPoint form is deprecated); older ones only a QPoint."""
    try:
        return cls(pos, *args)
    except TypeError:
        return cls(pos.toPoint(), *args)


def drop(win, mime: QMimeData, widget=None) -> bool:
    """A drag entering the window, moving and dropping, as Qt delivers it."""
    target = widget or win
    pos = QPointF(target.width() / 2, target.height() / 2)
    actions = Qt.DropAction.CopyAction | Qt.DropAction.MoveAction | Qt.DropAction.LinkAction
    buttons, mods = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = _drag_event(QDragEnterEvent, pos, actions, mime, buttons, mods)
    QApplication.sendEvent(target, enter)
    if not enter.isAccepted():
        return False
    move = _drag_event(QDragMoveEvent, pos, actions, mime, buttons, mods)
    QApplication.sendEvent(target, move)
    event = QDropEvent(pos, actions, mime, buttons, mods)
    QApplication.sendEvent(target, event)
    return event.isAccepted()


def import_by(qtbot, win, action, timeout=WAIT_MS):
    """Run ``action`` (a drop, a key press) and return the ImportOutcome once it is shown."""
    with qtbot.waitSignal(win.import_finished, timeout=timeout) as blocker:
        action()
    wait_idle(qtbot, win)
    return blocker.args[0]


def file_mime(*paths) -> QMimeData:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime
