#!/usr/bin/env bash
# Set up convviz on a fresh Debian 12 machine with Python 3.11: the system
# libraries Qt needs (installed only if missing), then a virtualenv in .venv.
#   bash scripts/setup.sh          # to run the app
#   bash scripts/setup.sh --test   # also the test tools and a virtual X display
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0
[ "${1:-}" = "--test" ] && want_test=1

# Qt's offscreen and xcb platforms need these; a desktop usually has them all.
pkgs=(libegl1 libgl1 libx11-6 libdbus-1-3 libfontconfig1 libfreetype6 libglib2.0-0
      libxkbcommon0 fonts-dejavu-core libxcb-cursor0 libxcb-icccm4 libxcb-image0
      libxcb-keysyms1 libxcb-render-util0 libxcb-shape0 libxcb-xkb1 libxkbcommon-x11-0)
# The smoke test starts the real app on a virtual X display.
[ "$want_test" = 1 ] && pkgs+=(xvfb xauth xdotool)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing system libraries: ${missing[*]}"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_="sudo"
  $sudo_ apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo_ apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

py=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$py" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
if [ "$want_test" = 1 ]; then
  .venv/bin/python -m pip install -q -e '.[test]'
else
  .venv/bin/python -m pip install -q -e .
fi
# Compile the engine's numba loops into numba's on-disk cache now (about 7 s of
# CPU), so that even the first launch in front of a class loads them at once.
# The engine runs its own thread pool, so no OpenMP/TBB library is needed.
.venv/bin/python -m convviz.engine.warmup
echo "convviz is set up in .venv"
