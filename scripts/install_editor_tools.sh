#!/usr/bin/env bash
# Install the editor tools the copilot's Emacs test drives: Emacs and Proof General, from
# Debian's packages (Debian's proofgeneral depends on emacs-gtk, which also runs in
# `emacs --batch` without a display). Idempotent: a second run only checks.
set -euo pipefail
rc=0
bash "$(dirname "$0")/apt_install.sh" emacs-gtk proofgeneral || rc=$?
case $rc in
  0) emacs --version | head -1 ;;
  10) echo "install_editor_tools: Emacs and Proof General present" ;;
  *) exit "$rc" ;;
esac
