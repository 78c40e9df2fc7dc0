"""Helper process for test_real_drag: a small window that starts a real QDrag of one file URL as
soon as the mouse is pressed on it. Usage: python drag_source.py FILE X Y"""

import sys

from PySide6.QtCore import QMimeData, Qt, QUrl
from PySide6.QtGui import QDrag
from PySide6.QtWidgets import QApplication, QLabel


class Source(QLabel):
    def __init__(self, path: str):
        super().__init__(f"drag me: {path}")
        self.path = path
        self.setWindowTitle("DragSourceWindow")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)

    def mousePressEvent(self, event):  # noqa: N802
        print("PRESSED", flush=True)
        mime = QMimeData()
        mime.setUrls([QUrl.fromLocalFile(self.path)])
        drag = QDrag(self)
        drag.setMimeData(mime)
        result = drag.exec(Qt.DropAction.CopyAction | Qt.DropAction.LinkAction, Qt.DropAction.CopyAction)
        print(f"DROPPED {int(result.value) if hasattr(result, 'value') else int(result)}", flush=True)


def main() -> int:
    path, x, y = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    app = QApplication(sys.argv[:1])
    window = Source(path)
    window.setGeometry(x, y, 260, 160)
    window.show()
    print("READY", flush=True)
    code = app.exec()
    app.clipboard().clear()
    return code


if __name__ == "__main__":
    sys.exit(main())
