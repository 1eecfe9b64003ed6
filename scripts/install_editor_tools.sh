#!/usr/bin/env bash
# Install the editor tools the copilot's Emacs test drives: Emacs and Proof General, from
# Debian's packages (Debian's proofgeneral depends on emacs-gtk, which also runs in
# `emacs --batch` without a display). Idempotent.
set -euo pipefail
bash "$(dirname "$0")/apt_install.sh" install_editor_tools emacs-gtk proofgeneral
