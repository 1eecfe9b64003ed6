#!/usr/bin/env bash
# Install the editor tools the copilot's Emacs test drives: Emacs and Proof General, from
# Debian's packages (Debian's proofgeneral depends on emacs-gtk, which also runs in `emacs --batch`
# without a display). Idempotent: exits at once when both are present.
set -euo pipefail
PKGS="emacs-gtk proofgeneral"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install_editor_tools: Emacs and Proof General present"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_editor_tools: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
