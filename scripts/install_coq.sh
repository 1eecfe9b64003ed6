#!/usr/bin/env bash
# Install Coq 8.16 and the libraries/provers the Coq backend uses, from Debian's packages.
# Idempotent: exits at once when everything is present.
set -euo pipefail
rc=0
bash "$(dirname "$0")/apt_install.sh" coq libcoq-coquelicot libcoq-hammer eprover z3 cvc4 \
  coinor-csdp libcoq-interval || rc=$?
case $rc in
  0) coqc --version | head -1 ;;
  10) echo "install_coq: Coq toolchain present ($(coqc --version | head -1))" ;;
  *) exit "$rc" ;;
esac
