"""Two real Syncthing instances on 127.0.0.1 syncing two copies of a vault (two "machines").

Each instance gets its own home folder (keys, config, database) and a config written before its
first start: GUI/REST on a free loopback port with an API key, listening on another free
loopback port, the other device at its fixed address, and nothing that leaves the machine (no
relays, no global or local discovery, no NAT traversal, no usage or crash reporting, no
upgrades). The shared folder is copied from the generated ``<defaults><folder>`` so every field
has Syncthing's own default, and ``maxConflicts`` is set explicitly (see FIELD-NOTES: a folder
written by hand gets 0, and then a concurrent edit is silently dropped).

Waiting is done through the REST API (``/rest/db/scan``, ``/rest/db/status``,
``/rest/db/completion``), plus a comparison of the two folders' files: converged means both
instances are idle with nothing needed on either side and the two trees hold the same bytes.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

FOLDER_ID = "clipper-vault"
MARKER = ".stfolder"


def available() -> str | None:
    """The syncthing binary, or None."""
    return shutil.which("syncthing")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tree(folder: Path) -> dict[str, str]:
    """rel path -> sha256 of every file under ``folder``, Syncthing's own files left out."""
    out = {}
    root = str(folder)
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d not in (MARKER, ".stversions")]
        for name in filenames:
            if name.startswith(".syncthing.") or name == ".stignore":
                continue  # Syncthing's temp files while it pulls
            path = os.path.join(dirpath, name)
            try:
                with open(path, "rb") as fh:
                    digest = hashlib.sha256(fh.read()).hexdigest()
            except OSError:
                continue
            out[os.path.relpath(path, root).replace(os.sep, "/")] = digest
    return out


@dataclass
class Instance:
    name: str
    home: Path
    folder: Path
    gui_port: int
    listen_port: int
    apikey: str
    device_id: str = ""
    proc: subprocess.Popen | None = None
    log_path: Path | None = None
    peer: Instance | None = field(default=None, repr=False)

    # -- REST ---------------------------------------------------------------------------------
    def rest(self, method: str, path: str, timeout: float = 60, **params):
        url = f"http://127.0.0.1:{self.gui_port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        req = urllib.request.Request(url, method=method, headers={"X-API-Key": self.apikey})
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            data = resp.read()
        return json.loads(data) if data.strip() else None

    def get(self, path: str, **params):
        return self.rest("GET", path, **params)

    def post(self, path: str, **params):
        return self.rest("POST", path, **params)

    def scan(self) -> None:
        """Make Syncthing look at the folder now (returns when the scan is done)."""
        self.post("/rest/db/scan", folder=FOLDER_ID, timeout=300)

    def status(self) -> dict:
        return self.get("/rest/db/status", folder=FOLDER_ID)

    def completion_of_peer(self) -> dict:
        return self.get("/rest/db/completion", folder=FOLDER_ID, device=self.peer.device_id)

    def connected(self) -> bool:
        conns = self.get("/rest/system/connections").get("connections", {})
        return bool(conns.get(self.peer.device_id, {}).get("connected"))

    def set_paused(self, paused: bool) -> None:
        """Pause or resume the shared folder on this instance (``PATCH /rest/config/folders/ID``)."""
        url = f"http://127.0.0.1:{self.gui_port}/rest/config/folders/{FOLDER_ID}"
        req = urllib.request.Request(url, method="PATCH", data=json.dumps({"paused": paused}).encode(),
                                     headers={"X-API-Key": self.apikey, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            resp.read()

    def pause_peer(self) -> None:
        self.post("/rest/system/pause", device=self.peer.device_id)

    def resume_peer(self) -> None:
        self.post("/rest/system/resume", device=self.peer.device_id)

    def idle(self) -> bool:
        st = self.status()
        need = st.get("needFiles", 0) + st.get("needDeletes", 0) + st.get("needDirectories", 0) \
            + st.get("needSymlinks", 0)
        return st.get("state") == "idle" and need == 0 and st.get("pullErrors", 0) == 0

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text("utf-8", "replace").splitlines()[-lines:])
        except OSError:
            return ""


def _set(parent: ET.Element, tag: str, text) -> None:
    el = parent.find(tag)
    if el is None:
        el = ET.SubElement(parent, tag)
    el.text = str(text)


def _device_element(device_id: str, name: str, address: str) -> ET.Element:
    dev = ET.Element("device", {"id": device_id, "name": name, "compression": "metadata",
                                "introducer": "false", "skipIntroductionRemovals": "false",
                                "introducedBy": ""})
    ET.SubElement(dev, "address").text = address
    ET.SubElement(dev, "paused").text = "false"
    ET.SubElement(dev, "autoAcceptFolders").text = "false"
    return dev


class Pair:
    """Two instances, ``a`` and ``b``, syncing ``root/a/vault`` and ``root/b/vault``.

    Use as a context manager: both are stopped at the end, also when the test fails."""

    def __init__(self, root: Path, *, max_conflicts: int = 10, watcher_delay_s: int = 1):
        self.root = Path(root)
        self.max_conflicts = max_conflicts
        self.watcher_delay_s = watcher_delay_s
        self.waiting_for = ""  # what wait_in_sync last waited for (shown when it gives up)
        self.binary = available()
        if self.binary is None:
            raise RuntimeError("syncthing is not installed (bash scripts/setup.sh installs it)")
        self.a = self._make("a")
        self.b = self._make("b")
        self.a.peer, self.b.peer = self.b, self.a

    def _make(self, name: str) -> Instance:
        base = self.root / name
        home = base / "syncthing"
        folder = base / "vault"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / MARKER).mkdir(exist_ok=True)
        home.mkdir(parents=True, exist_ok=True)
        subprocess.run([self.binary, "generate", f"--home={home}", "--no-default-folder",
                        "--skip-port-probing"], check=True, capture_output=True, timeout=120,
                       env=self._env(home))
        out = subprocess.run([self.binary, "serve", f"--home={home}", "--device-id"], check=True,
                             capture_output=True, text=True, timeout=60, env=self._env(home))
        inst = Instance(name, home, folder, free_port(), free_port(),
                        hashlib.sha256(os.urandom(16)).hexdigest()[:32], out.stdout.strip())
        return inst

    def _env(self, home: Path) -> dict:
        env = dict(os.environ)
        env.update({"STNODEFAULTFOLDER": "1", "STNOUPGRADE": "1", "STNORESTART": "1", "HOME": str(home),
                    "STTRACE": ""})
        return env

    def _write_config(self, inst: Instance) -> None:
        path = inst.home / "config.xml"
        tree_ = ET.parse(path)
        cfg = tree_.getroot()
        for old in cfg.findall("folder"):
            cfg.remove(old)
        own = cfg.find("device")
        own.set("name", f"machine-{inst.name}")
        own.find("address").text = "dynamic"
        peer = inst.peer
        # Only machine a dials; b waits for it ("dynamic" with discovery off never dials). When
        # both dial at once, each side may drop the other's connection as a duplicate mid-Hello,
        # and the pair can take minutes to settle (seen once in CI: 20 s Hello timeouts in a row).
        address = f"tcp://127.0.0.1:{peer.listen_port}" if inst is self.a else "dynamic"
        cfg.insert(list(cfg).index(own) + 1,
                   _device_element(peer.device_id, f"machine-{peer.name}", address))
        gui = cfg.find("gui")
        _set(gui, "address", f"127.0.0.1:{inst.gui_port}")
        _set(gui, "apikey", inst.apikey)
        opts = cfg.find("options")
        for tag, value in {
            "listenAddress": f"tcp://127.0.0.1:{inst.listen_port}",
            "globalAnnounceEnabled": "false", "localAnnounceEnabled": "false", "relaysEnabled": "false",
            "natEnabled": "false", "urAccepted": "-1", "urSeen": "3", "autoUpgradeIntervalH": "0",
            "crashReportingEnabled": "false", "startBrowser": "false", "reconnectionIntervalS": "1",
            "setLowPriority": "false", "stunServer": "", "announceLANAddresses": "false",
        }.items():
            _set(opts, tag, value)
        # the shared folder: Syncthing's own defaults, then what this test needs
        folder = copy.deepcopy(cfg.find("defaults/folder"))
        folder.set("id", FOLDER_ID)
        folder.set("label", "Clipper vault")
        folder.set("path", str(inst.folder))
        folder.set("rescanIntervalS", "3600")  # changes are seen by the watcher and explicit scans
        folder.set("fsWatcherEnabled", "true")
        folder.set("fsWatcherDelayS", str(self.watcher_delay_s))
        for dev in folder.findall("device"):
            folder.remove(dev)
        for dev_id in (inst.device_id, peer.device_id):
            d = ET.SubElement(folder, "device", {"id": dev_id, "introducedBy": ""})
            ET.SubElement(d, "encryptionPassword")
        _set(folder, "maxConflicts", self.max_conflicts)
        cfg.insert(list(cfg).index(cfg.find("gui")), folder)
        tree_.write(path, encoding="unicode")

    # -- running ------------------------------------------------------------------------------
    def start(self, timeout: float = 90) -> None:
        for inst in (self.a, self.b):
            self._write_config(inst)
        for inst in (self.a, self.b):
            inst.log_path = inst.home / "syncthing.log"
            log = open(inst.log_path, "wb")  # noqa: SIM115 - the child keeps it
            inst.proc = subprocess.Popen(
                [self.binary, "serve", f"--home={inst.home}", "--no-browser", "--no-restart",
                 "--no-upgrade", "--no-default-folder"],
                stdout=log, stderr=subprocess.STDOUT, env=self._env(inst.home), start_new_session=True)
            log.close()
        deadline = time.monotonic() + timeout
        for inst in (self.a, self.b):
            self._wait(lambda i=inst: i.get("/rest/system/ping").get("ping") == "pong", deadline,
                       f"syncthing {inst.name} did not start")
        for inst in (self.a, self.b):
            self._wait(inst.connected, deadline, f"syncthing {inst.name} did not connect to its peer")

    def _wait(self, predicate, deadline: float, what: str, interval: float = 0.1) -> None:
        last = None
        while True:
            for inst in (self.a, self.b):
                if inst.proc is not None and inst.proc.poll() is not None:
                    raise RuntimeError(f"syncthing {inst.name} exited ({inst.proc.returncode}):\n"
                                       f"{inst.log_tail()}")
            try:
                if predicate():
                    return
            except (OSError, urllib.error.URLError, ValueError, AttributeError) as exc:
                last = exc
            if time.monotonic() > deadline:
                raise TimeoutError(f"{what} (last error: {last})\n--- a ---\n{self.a.log_tail()}\n"
                                   f"--- b ---\n{self.b.log_tail()}")
            time.sleep(interval)

    def wait_in_sync(self, timeout: float = 180, scan: bool = True) -> float:
        """Scan both sides, then wait until both are idle with nothing needed, each sees the
        other complete, and the two folders hold the same files. Returns the seconds it took."""
        start = time.monotonic()
        deadline = start + timeout
        if scan:
            for inst in (self.a, self.b):
                inst.scan()

        def converged() -> bool:
            for inst in (self.a, self.b):
                if not inst.idle():
                    self.waiting_for = f"{inst.name} busy: {inst.status()}"
                    return False
                comp = inst.completion_of_peer()
                if comp.get("completion", 0) < 100 or comp.get("needItems", 0):
                    self.waiting_for = f"{inst.name} sees its peer incomplete: {comp}"
                    return False
            self.waiting_for = "the two folders differ"
            return tree(self.a.folder) == tree(self.b.folder)

        rescanned = start
        while True:
            try:
                if converged():
                    return time.monotonic() - start
            except (OSError, urllib.error.URLError, ValueError) as exc:
                last = exc  # noqa: F841 -- a busy instance answers late; try again
            now = time.monotonic()
            if now > deadline:
                diff = _tree_diff(tree(self.a.folder), tree(self.b.folder))
                raise TimeoutError(f"not in sync after {timeout:.0f} s ({self.waiting_for}): {diff}"
                                   f"\n--- a ---\n"
                                   f"{self.a.log_tail()}\n--- b ---\n{self.b.log_tail()}")
            if os.environ.get("CLIPPER_SYNC_DEBUG") and now - start > 3:
                print(f"{now - start:5.1f} s: waiting: {self.waiting_for}"[:400], flush=True)
            if now - rescanned > 5:  # a change the watcher missed (or made during a pull)
                rescanned = now
                for inst in (self.a, self.b):
                    with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                        inst.scan()
            time.sleep(0.1)

    def separate(self) -> None:
        """The two machines stop syncing (as a laptop taken offline): the shared folder is paused
        on both. (Pausing the other device works too, but Syncthing then takes 5-25 s to dial
        back; the folder pause keeps the connection, so the test waits for the sync only.)"""
        for inst in (self.a, self.b):
            inst.set_paused(True)
        deadline = time.monotonic() + 30
        self._wait(lambda: all(i.status().get("state") == "" for i in (self.a, self.b)), deadline,
                   "the folder did not pause")  # a paused folder has no state

    def rejoin(self) -> None:
        for inst in (self.a, self.b):
            inst.set_paused(False)
        deadline = time.monotonic() + 60
        self._wait(lambda: all(i.status().get("state") not in ("paused", "") for i in (self.a, self.b)),
                   deadline, "the folder did not resume")

    def stop(self) -> None:
        for inst in (self.a, self.b):
            proc = inst.proc
            if proc is None or proc.poll() is not None:
                continue
            with contextlib.suppress(OSError, urllib.error.URLError, ValueError):
                inst.post("/rest/system/shutdown", timeout=5)
        for inst in (self.a, self.b):
            proc = inst.proc
            if proc is None:
                continue
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)  # its own session: only what it started
                proc.wait(timeout=15)
            inst.proc = None

    def __enter__(self) -> Pair:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _tree_diff(a: dict, b: dict) -> str:
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    differ = sorted(k for k in set(a) & set(b) if a[k] != b[k])
    return f"only on a: {only_a[:10]}, only on b: {only_b[:10]}, different: {differ[:10]}"
