#!/usr/bin/env bash
# Tools the test suite uses beyond the proof assistants: headless Chromium (Debian's
# `chromium`) renders the HTML report the way a user's browser does. Idempotent.
set -euo pipefail
bash "$(dirname "$0")/apt_install.sh" install_test_tools chromium
