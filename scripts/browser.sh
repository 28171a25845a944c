#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium with Selenium; fonts-noto-core renders Ge'ez and
# Arabic script in the screenshots. Installs them when missing (needs root, as on CI and dev machines here).
set -euo pipefail
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
[ -d /usr/share/fonts/truetype/noto ] || need+=(fonts-noto-core)
[ ${#need[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "error: the browser tests need: ${need[*]} (apt-get install ${need[*]})" >&2
  exit 1
fi
echo "    installing ${need[*]} (Debian packages, about a minute)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
