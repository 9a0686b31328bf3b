#!/usr/bin/env bash
# Renders the app icon's raster versions from resources/icons/lookbook.svg, the one source:
#   resources/icons/hicolor/<N>x<N>/apps/lookbook.png  N = 16 24 32 48 64 128 256 (Linux, Qt)
#   resources/icons/lookbook.ico                         16-64 and 256, for Windows
#   resources/icons/lookbook.icns                        16-512, for macOS
# The outputs are committed; run this again only after changing the SVG.
# Needs: librsvg2-bin (rsvg-convert), imagemagick (convert), icnsutils (png2icns).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
icons="$root/resources/icons"
svg="$icons/lookbook.svg"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for tool in rsvg-convert convert png2icns; do
    command -v "$tool" >/dev/null || { echo "render-icons.sh: $tool is missing (apt-get install librsvg2-bin imagemagick icnsutils)" >&2; exit 1; }
done

render() { # size output
    rsvg-convert --width "$1" --height "$1" --keep-aspect-ratio "$svg" --output "$tmp/raw.png"
    # Strip timestamps and text chunks so that the same SVG always gives the same bytes.
    convert "$tmp/raw.png" -strip -define png:exclude-chunks=date,time "PNG32:$2"
}

for size in 16 24 32 48 64 128 256; do
    dir="$icons/hicolor/${size}x${size}/apps"
    mkdir -p "$dir"
    render "$size" "$dir/lookbook.png"
done

# Windows: one .ico holding the sizes Windows asks for (256 is stored as PNG by ImageMagick;
# 128 is left out: Windows scales the 256 one down, and as BMP it would double the file).
ico_inputs=()
for size in 16 24 32 48 64 256; do ico_inputs+=("$icons/hicolor/${size}x${size}/apps/lookbook.png"); done
convert "${ico_inputs[@]}" "$icons/lookbook.ico"

# macOS: png2icns takes the sizes it knows (16, 32, 48, 128, 256, 512).
for size in 16 32 48 128 256 512; do render "$size" "$tmp/icon_$size.png"; done
png2icns "$icons/lookbook.icns" "$tmp"/icon_{16,32,48,128,256,512}.png >/dev/null

echo "Rendered the icons in $icons"
