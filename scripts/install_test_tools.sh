#!/usr/bin/env bash
# Tools the test suite uses beyond the proof assistants: headless Chromium (Debian's
# `chromium`) renders the HTML report the way a user's browser does.
# Idempotent: exits at once when everything is present.
set -euo pipefail
PKGS="chromium"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install_test_tools: present ($(chromium --version 2>/dev/null | head -1))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_test_tools: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
