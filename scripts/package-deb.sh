#!/usr/bin/env bash
# Packages the release build as a Debian package, offline, with dpkg-deb — the same layout
# Tauri's bundler writes (binary, desktop entry, icon, control file with the runtime libraries).
# Prints the path of the .deb.
#
#   bash scripts/package-deb.sh      (after: npm --prefix ui run build; cargo build --release -p latchkey)
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
cd "$LK_ROOT"

bin=target/release/latchkey
[[ -x "$bin" ]] || lk_die "$bin is missing: run cargo build --release -p latchkey first"
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -n1)"
arch="$(dpkg --print-architecture)"
root=target/deb/latchkey_${version}_${arch}
rm -rf "$root"
install -Dm755 "$bin" "$root/usr/bin/latchkey"
install -Dm644 icons/128x128.png "$root/usr/share/icons/hicolor/128x128/apps/latchkey.png"
install -Dm644 icons/32x32.png "$root/usr/share/icons/hicolor/32x32/apps/latchkey.png"
install -d "$root/usr/share/applications" "$root/DEBIAN"
cat >"$root/usr/share/applications/latchkey.desktop" <<DESKTOP
[Desktop Entry]
Type=Application
Name=Latchkey
Comment=Just-in-time privileged access for Microsoft Entra PIM
Exec=latchkey
Icon=latchkey
Terminal=false
Categories=Utility;Security;
DESKTOP
cat >"$root/DEBIAN/control" <<CONTROL
Package: latchkey
Version: ${version}
Architecture: ${arch}
Maintainer: Latchkey developers
Installed-Size: $(du -sk "$root/usr" | cut -f1)
Depends: libwebkit2gtk-4.1-0, libgtk-3-0, libayatana-appindicator3-1
Section: utils
Priority: optional
Description: Just-in-time privileged access for Microsoft Entra PIM, from the tray
CONTROL
dpkg-deb --root-owner-group -Zxz --build "$root" "$root.deb" >/dev/null
printf '%s\n' "$root.deb"
