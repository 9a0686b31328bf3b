#!/bin/bash
# Checks a Lookbook disk image the way a user meets it: mounts it, checks Lookbook.app's
# layout and signature, then runs the app and lookbook-cli from the image with no Qt or
# Lookbook variables set, indexing and querying two test images with the bundled model.
#
#   packaging/macos/smoke-test.sh dist/Lookbook-0.1.0-macos-arm64.dmg
#
# Exit code 0 when all is well; otherwise the first failure, with its reason.
# (macOS's own bash 3.2 runs it.)
set -euo pipefail

fail() { printf 'smoke-test: FAILED: %s\n' "$*" >&2; exit 1; }
[ $# -eq 1 ] || { echo "usage: $0 IMAGE.dmg" >&2; exit 2; }
dmg="$1"
images="$(cd "$(dirname "$0")/../../tests/data/images" && pwd)"

mnt="$(mktemp -d /tmp/lookbook-dmg.XXXXXX)"
work="$(mktemp -d /tmp/lookbook-smoke.XXXXXX)"
hdiutil attach -nobrowse -readonly -noautoopen -mountpoint "$mnt" "$dmg" >/dev/null
trap 'hdiutil detach "$mnt" -quiet || hdiutil detach "$mnt" -force -quiet || true; rm -rf "$work"' EXIT

app="$mnt/Lookbook.app"
for f in Contents/Info.plist Contents/MacOS/Lookbook Contents/MacOS/lookbook-cli \
         Contents/Resources/lookbook.icns Contents/Resources/qt.conf \
         Contents/Resources/models/resnet50_keras_imagenet.onnx \
         Contents/Frameworks/QtCore.framework Contents/PlugIns/platforms/libqcocoa.dylib \
         Contents/PlugIns/imageformats/libqjpeg.dylib Contents/PlugIns/imageformats/libqwebp.dylib \
         Contents/PlugIns/imageformats/libqtiff.dylib; do
    [ -e "$app/$f" ] || fail "Lookbook.app lacks $f"
done
[ -L "$mnt/Applications" ] || fail "the image has no shortcut to /Applications"
codesign --verify --deep "$app" || fail "Lookbook.app's signature does not verify"
echo "Info.plist: $(plutil -extract CFBundleIdentifier raw "$app/Contents/Info.plist")" \
     "$(plutil -extract CFBundleShortVersionString raw "$app/Contents/Info.plist")," \
     "macOS $(plutil -extract LSMinimumSystemVersion raw "$app/Contents/Info.plist")+"

# Runs "$@" without the variables that could hide a missing file, with a time limit (perl's
# alarm; macOS has no timeout command), its output kept in $work/out.
run() {
    echo "> $*"
    local rc=0
    # shellcheck disable=SC2016   # $ARGV and $! are perl's
    env -u LOOKBOOK_MODEL -u LOOKBOOK_SHARED -u QT_PLUGIN_PATH -u QT_QPA_PLATFORM_PLUGIN_PATH \
        -u DYLD_LIBRARY_PATH -u DYLD_FRAMEWORK_PATH -u DYLD_FALLBACK_LIBRARY_PATH \
        /usr/bin/perl -e 'alarm 300; exec @ARGV or die "cannot run $ARGV[0]: $!\n"' "$@" \
        >"$work/out" 2>&1 || rc=$?
    cat "$work/out"
    [ "$rc" -eq 0 ] || fail "$* exited with code $rc (142: no answer within 300 s)"
}

mkdir "$work/catalog"
cp "$images/cmyk.jpg" "$images/exif-orientation-6.jpg" "$work/catalog/"
cli="$app/Contents/MacOS/lookbook-cli"
run "$cli" --version
run "$app/Contents/MacOS/Lookbook" --version   # loads Qt's cocoa platform plugin
run "$cli" index "$work/catalog" --cache "$work/smoke.lbi"
grep -q 'Embedded: 2 ' "$work/out" || fail "lookbook-cli index did not embed the 2 test images"
run "$cli" query "$work/catalog" "$work/catalog/cmyk.jpg" --cache "$work/smoke.lbi" -k 1
grep -q 'exif-orientation-6\.jpg' "$work/out" || fail "lookbook-cli query did not find the other test image"
echo "Smoke test passed: mounted, checked, ran, indexed and searched."
