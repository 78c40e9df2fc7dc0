#!/usr/bin/env bash
# Put Clipper into the desktop: menu entry, "Open with Clipper" for web pages, icons, metainfo.
#
#   bash packaging/install-linux.sh                     # for this user (~/.local/share), runs `clipper-gui`
#   bash packaging/install-linux.sh --bundle dist/Clipper   # also install the PyInstaller bundle
#   sudo bash packaging/install-linux.sh --system [--bundle dist/Clipper]   # for everyone (/usr/local)
#   bash packaging/install-linux.sh --uninstall [--system]
#
# Options: --exec CMD (the command the menu entry runs, default: `clipper-gui` if it is on PATH,
# else the absolute path of one found in this checkout's .venv), --prefix DIR (system prefix,
# default /usr/local). DESTDIR is honoured for staged installs (packagers).
# Without --bundle, install Clipper itself first (`pip install .` or `pipx install .`).
set -euo pipefail
HERE="$(cd "$(dirname "$0")/.." && pwd)"
APP_ID=io.github.clipper.Clipper
RES="$HERE/resources"

system=0; uninstall=0; bundle=""; exec_cmd=""; prefix=/usr/local
while [ $# -gt 0 ]; do
  case "$1" in
    --system) system=1 ;;
    --uninstall) uninstall=1 ;;
    --bundle) bundle="$2"; shift ;;
    --exec) exec_cmd="$2"; shift ;;
    --prefix) prefix="$2"; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown option: $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

DESTDIR="${DESTDIR:-}"
if [ "$system" = 1 ]; then
  data="$prefix/share"; bindir="$prefix/bin"; optdir="/opt/clipper"
else
  data="${XDG_DATA_HOME:-$HOME/.local/share}"; bindir="$HOME/.local/bin"; optdir="$data/clipper/bundle"
fi
apps="$DESTDIR$data/applications"
icons="$DESTDIR$data/icons/hicolor"
meta="$DESTDIR$data/metainfo"

refresh_caches() {
  [ -z "$DESTDIR" ] || return 0
  if command -v update-desktop-database >/dev/null 2>&1; then update-desktop-database -q "$apps" || true; fi
  if command -v gtk-update-icon-cache >/dev/null 2>&1 && [ -f "$icons/index.theme" ]; then
    gtk-update-icon-cache -q -t -f "$icons" || true
  fi
}

if [ "$uninstall" = 1 ]; then
  rm -f "$apps/$APP_ID.desktop" "$meta/$APP_ID.metainfo.xml" "$icons/scalable/apps/$APP_ID.svg"
  rm -f "$icons"/*/apps/"$APP_ID.png"
  if [ -L "$DESTDIR$bindir/clipper-gui" ] && [ -d "$DESTDIR$optdir" ]; then
    rm -f "$DESTDIR$bindir/clipper-gui" "$DESTDIR$bindir/clipper"
  fi
  rm -rf "$DESTDIR$optdir"
  refresh_caches
  echo "Removed Clipper's desktop entry, icons and metainfo from $DESTDIR$data."
  exit 0
fi

if [ -n "$bundle" ]; then
  [ -x "$bundle/Clipper" ] || { echo "no executable $bundle/Clipper: build it with bash packaging/build.sh" >&2; exit 1; }
  mkdir -p "$DESTDIR$optdir" "$DESTDIR$bindir"
  rm -rf "$DESTDIR$optdir"
  cp -a "$bundle" "$DESTDIR$optdir"
  # One executable, two names: `clipper` is always the command line, `clipper-gui` the app.
  ln -sfn "$optdir/Clipper" "$DESTDIR$bindir/clipper-gui"
  ln -sfn "$optdir/Clipper" "$DESTDIR$bindir/clipper"
  exec_cmd="${exec_cmd:-$optdir/Clipper}"
  echo "Installed the bundle in $DESTDIR$optdir (commands clipper, clipper-gui in $bindir)."
fi

if [ -z "$exec_cmd" ]; then
  if command -v clipper-gui >/dev/null 2>&1; then
    exec_cmd=clipper-gui
  elif [ -x "$HERE/.venv/bin/clipper-gui" ]; then
    exec_cmd="$HERE/.venv/bin/clipper-gui"
  else
    exec_cmd=clipper-gui
    echo "warning: clipper-gui is not on PATH; install Clipper (pip install .) or use --bundle" >&2
  fi
fi
case "$exec_cmd" in *\ *) echo "--exec must not contain spaces: $exec_cmd" >&2; exit 2 ;; esac

mkdir -p "$apps" "$meta" "$icons/scalable/apps"
sed -e "s|^Exec=clipper-gui |Exec=$exec_cmd |" -e "s|^TryExec=clipper-gui\$|TryExec=$exec_cmd|" \
  "$RES/$APP_ID.desktop" > "$apps/$APP_ID.desktop"
chmod 644 "$apps/$APP_ID.desktop"
install -m 644 "$RES/$APP_ID.metainfo.xml" "$meta/$APP_ID.metainfo.xml"
install -m 644 "$RES/icons/$APP_ID.svg" "$icons/scalable/apps/$APP_ID.svg"
for png in "$RES"/icons/hicolor/*/apps/"$APP_ID.png"; do
  size_dir="$(basename "$(dirname "$(dirname "$png")")")"
  mkdir -p "$icons/$size_dir/apps"
  install -m 644 "$png" "$icons/$size_dir/apps/$APP_ID.png"
done
refresh_caches
echo "Installed the desktop entry (Exec=$exec_cmd), icons and metainfo into $DESTDIR$data."
