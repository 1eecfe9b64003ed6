#!/usr/bin/env bash
# Install Coq 8.16 and the libraries/provers the Coq backend uses, from Debian's packages.
# Idempotent: exits at once when everything is present.
set -euo pipefail
PKGS="coq libcoq-coquelicot libcoq-hammer eprover z3 cvc4 coinor-csdp libcoq-interval"
bash "$(dirname "$0")/apt_install.sh" install_coq $PKGS
coqc --version | head -1
