#!/usr/bin/env bash
# Install Coq 8.16 and the libraries/provers the Coq backend uses, from Debian's packages.
# Idempotent: exits at once when everything is present.
set -euo pipefail
PKGS="coq libcoq-coquelicot libcoq-hammer eprover z3 cvc4 coinor-csdp libcoq-interval"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install_coq: Coq toolchain present ($(coqc --version | head -1))"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
echo "install_coq: installing$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq $missing
coqc --version | head -1
