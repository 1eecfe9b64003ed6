#!/usr/bin/env bash
# apt_install.sh NAME PACKAGE...: install the Debian packages that are missing (sudo when not
# root); exits at once, saying so, when all are present. The install scripts share it.
set -euo pipefail
name="$1"
shift
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "$name: all present ($*)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "$name: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
