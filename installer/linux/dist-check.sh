#!/usr/bin/env bash
# `make dist-check`, after the bundle, packages, MSI and SBOM are built: prove the Linux package
# installs and runs. Validates the desktop file and AppStream metainfo, unpacks the .deb into a
# throwaway root, runs the installed `roundtable` (--version, init, demo, pack, stats) against a
# throwaway store, starts the installed `roundtable-gui` under Xvfb for 10 s and checks its window
# has an icon, and checks SHA256SUMS. Every failure stops with one line saying which step failed.
set -euo pipefail
cd "$(dirname "$0")/../.."
DEB=${1:?usage: dist-check.sh PACKAGE.deb}

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'dist-check FAILED: %s\n' "$*" >&2; exit 1; }
need() {
    command -v "$1" >/dev/null 2>&1 || fail "$1 is missing: sudo apt-get install -y $2"
}
need desktop-file-validate desktop-file-utils
need appstreamcli appstream
need dpkg-deb dpkg
need xvfb-run xvfb
need xprop x11-utils
need xwininfo x11-utils

PY=.venv-build/bin/python  # made by make dist
"$PY" tools/doctor.py --venv .venv-build --display \
    || fail "the system libraries for Qt on a display are missing (apt-get line above)"

WORK=$(mktemp -d)
GUI_PID=""
cleanup() {
    if [[ -n "$GUI_PID" ]]; then kill "$GUI_PID" 2>/dev/null || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

step "desktop file"
desktop-file-validate installer/linux/roundtable.desktop || fail "desktop-file-validate"

step "AppStream metainfo (pedantic; no network: the screenshot URLs are not fetched)"
report=$(appstreamcli validate --pedantic --no-net installer/linux/uk.gov.roundtable.metainfo.xml 2>&1) \
    || fail "appstreamcli validate: $report"
echo "$report"
if grep -qE '^[EWIP]: ' <<<"$report"; then fail "appstreamcli reported issues (see above)"; fi

step "install $DEB into a throwaway root"
ROOT="$WORK/root"
dpkg-deb -x "$DEB" "$ROOT" || fail "dpkg-deb -x"
dpkg-deb -f "$DEB" Depends | grep -q libxcb-cursor0 || fail "Depends lacks the Qt system libraries"
for f in usr/share/applications/roundtable.desktop usr/share/metainfo/uk.gov.roundtable.metainfo.xml \
         usr/share/icons/hicolor/256x256/apps/roundtable.png usr/share/icons/hicolor/scalable/apps/roundtable.svg \
         usr/share/man/man1/roundtable.1.gz usr/share/bash-completion/completions/roundtable \
         usr/share/doc/roundtable/THIRD-PARTY-LICENSES opt/roundtable/roundtable opt/roundtable/roundtable-gui; do
    [[ -e "$ROOT/$f" ]] || fail "the package lacks /$f"
done
for exe in roundtable roundtable-gui; do
    [[ $(readlink "$ROOT/usr/bin/$exe") == "/opt/roundtable/$exe" ]] || fail "/usr/bin/$exe is not a link to /opt/roundtable/$exe"
done
gzip -t "$ROOT/usr/share/man/man1/roundtable.1.gz" || fail "man page"
bash -n "$ROOT/usr/share/bash-completion/completions/roundtable" || fail "bash completion"
grep -q "PySide6" "$ROOT/usr/share/doc/roundtable/THIRD-PARTY-LICENSES" || fail "licences"

step "the installed command line"
RT="$ROOT/opt/roundtable/roundtable"
export ROUNDTABLE_DATA_DIR="$WORK/data" ROUNDTABLE_LOG_DIR="$WORK/log" ROUNDTABLE_STORE="$WORK/data/panel.rtdb"
export ROUNDTABLE_SETTINGS="$WORK/settings.ini" ROUNDTABLE_PASSPHRASE="dist-check passphrase, not a secret"
export ROUNDTABLE_TODAY=2026-03-15 QT_QPA_PLATFORM=offscreen
expected="roundtable $(grep -m1 '^version' pyproject.toml | cut -d'"' -f2)"
[[ $("$RT" --version) == "$expected" ]] || fail "roundtable --version did not print '$expected'"
echo "$expected"
"$RT" init --name "Ann Coordinator" --agency "Northshire Council" --role coordinator \
    --panel "Northshire panel" >/dev/null || fail "roundtable init"
"$RT" demo --cases 20 || fail "roundtable demo --cases 20"
# a command from each command module, so a module left out of the bundle is caught
"$RT" agencies --json >/dev/null || fail "roundtable agencies (panel commands)"
"$RT" check >/dev/null || fail "roundtable check (store commands)"
"$RT" audit verify >/dev/null || fail "roundtable audit verify (records commands)"
first=$("$RT" members --json | "$PY" -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin) if m["role"] == "officer"))') \
    || fail "roundtable members --json"
"$RT" invite "$first" --out "$WORK/officer.rtinv" >/dev/null || fail "roundtable invite (join commands)"
meeting=$("$RT" meetings --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])') \
    || fail "roundtable meetings --json"
mkdir -p "$WORK/packs"
"$RT" pack "$meeting" --all --out-dir "$WORK/packs" || fail "roundtable pack"
ls "$WORK"/packs/*.pdf >/dev/null || fail "roundtable pack wrote no PDF"
"$RT" stats --from 2025-04-01 --to 2026-03-31 --out "$WORK/stats.xlsx" || fail "roundtable stats"
[[ -s "$WORK/stats.xlsx" ]] || fail "roundtable stats wrote nothing"

step "the installed desktop client under Xvfb (10 s) has a window icon"
unset QT_QPA_PLATFORM
cat >"$WORK/gui.sh" <<'EOF'
#!/usr/bin/env bash
"$1" >"$2" 2>&1 &
pid=$!
sleep 10
found=1
for w in $(xwininfo -root -tree | awk '/\("roundtable-gui" "Roundtable"\)/ {print $1}'); do
    if xprop -id "$w" _NET_WM_ICON | grep -q "Icon ("; then
        echo "window $w: $(xprop -id "$w" WM_NAME | cut -d= -f2) has _NET_WM_ICON"
        found=0
    fi
done
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit $found
EOF
chmod +x "$WORK/gui.sh"
xvfb-run -a -s "-screen 0 1280x1024x24" "$WORK/gui.sh" "$ROOT/opt/roundtable/roundtable-gui" "$WORK/gui.log" \
    || { cat "$WORK/gui.log" >&2; fail "no roundtable-gui window with an icon (its output is above)"; }

step "checksums"
(cd dist && sha256sum -c SHA256SUMS) || fail "SHA256SUMS"

printf '\ndist-check: all passed\n'
