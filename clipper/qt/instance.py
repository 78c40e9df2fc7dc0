"""One window per vault: a second launch hands its files to the running app and exits.

"Open with Clipper" on a file while Clipper is running must import the file into the open
window, not start a second one. The first instance listens on a local socket named after the
vault (and the user); a later launch connects, sends the files it was given as one JSON line,
waits for "ok" and quits. If nobody answers in time (no app, or a hung one), the launch starts
normally: the library's own locking keeps two windows on one vault safe anyway.

macOS delivers "Open with" as a ``QFileOpenEvent`` to the running app instead of arguments:
:class:`FileOpenFilter` turns those into imports too.
"""

from __future__ import annotations

import getpass
import hashlib
import json
import logging
import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

log = logging.getLogger(__name__)

TIMEOUT_MS = 1500
MAX_MESSAGE = 1 << 20


def server_name(vault: Path) -> str:
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 -- no user name (a container): the vault alone will do
        user = ""
    key = f"{user}\0{os.path.normcase(os.path.abspath(vault))}"
    return "clipper-" + hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:20]


def hand_off(vault: Path, files, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Give ``files`` to the app already running on ``vault``; True if it took them."""
    sock = QLocalSocket()
    sock.connectToServer(server_name(vault))
    if not sock.waitForConnected(timeout_ms):
        return False
    message = {"files": [os.path.abspath(f) for f in files]}
    sock.write(json.dumps(message).encode("utf-8", "surrogateescape") + b"\n")
    ok = sock.waitForBytesWritten(timeout_ms)
    reply = b""
    while ok and b"\n" not in reply and sock.waitForReadyRead(timeout_ms):
        reply += bytes(sock.readAll().data())
    sock.disconnectFromServer()
    return reply.strip() == b"ok"


class InstanceServer(QObject):
    """Listens for later launches on the same vault; emits the files they were given."""

    files_received = Signal(list)
    activate_requested = Signal()

    def __init__(self, vault: Path, parent=None):
        super().__init__(parent)
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._accept)
        self._buffers: dict[QLocalSocket, bytes] = {}
        name = server_name(vault)
        if not self._server.listen(name):
            # Nobody answered on this name (hand_off failed first), so the socket is stale.
            QLocalServer.removeServer(name)
            if not self._server.listen(name):
                log.warning("single-instance socket unavailable: %s", self._server.errorString())

    @property
    def listening(self) -> bool:
        return self._server.isListening()

    def close(self) -> None:
        self._server.close()

    def _accept(self) -> None:
        while self._server.hasPendingConnections():
            sock = self._server.nextPendingConnection()
            self._buffers[sock] = b""
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(lambda s=sock: self._drop(s))

    def _drop(self, sock) -> None:
        self._buffers.pop(sock, None)
        sock.deleteLater()

    def _read(self, sock) -> None:
        data = self._buffers.get(sock, b"") + bytes(sock.readAll().data())
        if b"\n" not in data:
            if len(data) > MAX_MESSAGE:
                sock.abort()
                self._drop(sock)
            else:
                self._buffers[sock] = data
            return
        line = data.split(b"\n", 1)[0]
        self._buffers[sock] = b""
        try:
            files = json.loads(line.decode("utf-8", "surrogateescape")).get("files") or []
            files = [str(f) for f in files if isinstance(f, str)]
        except (ValueError, AttributeError):
            sock.abort()
            return
        sock.write(b"ok\n")
        sock.flush()
        self.activate_requested.emit()
        if files:
            self.files_received.emit(files)


class FileOpenFilter(QObject):
    """macOS "Open with": QFileOpenEvent on the application becomes an import."""

    files_received = Signal(list)

    def eventFilter(self, obj, event):  # noqa: N802 -- Qt's name
        if event.type() == QEvent.Type.FileOpen:
            path = event.file()
            if path:
                self.files_received.emit([path])
            return True
        return False
