#!/usr/bin/python3
"""Make the golden embeddings that the C++ tests compare against.

This is an *independent* reference for the C++ embedding pipeline
(core/embedding/EmbeddingModel.cpp).  It runs the same ONNX model through a different
route:

* Debian's python3-opencv bindings (cv2.dnn), not the C++ API;
* preprocessing written out in numpy (mean subtraction, HWC -> NCHW), not
  cv::dnn::blobFromImage(s);
* every image run alone (batch of 1), not in batches;
* pooling of the last feature map done in numpy (float64), not Eigen.

Run it with Debian's interpreter, which has cv2 (a pyenv `python3` on PATH
usually does not):

    /usr/bin/python3 tests/tools/make_golden_embeddings.py \
        [--shared ../shared] [--out tests/data/golden]

Inputs (read-only, from the shared folder):
    models/resnet50_keras_imagenet.onnx      (see models/MODEL.md)
    data/fashion-product-images-small-subset/images/   first 6 files, sorted
    data/clothing-dataset-small-queries/images/dress/  first file, sorted
    data/clothing-dataset-small-queries/images/shoes/  first file, sorted

Outputs (in --out):
    embeddings.json  {"model_sha256", "generator", "dimension", "images",
                      "recipes": {name: [[2048 floats] per image]},
                      "paths_recipe": "squash-288-max-cls0.2-qcrop224",
                      "paths": {role: {"images": [indices into images],
                                       "fit": "squash-288" | "crop-224",
                                       "embeddings": [[3048 floats] per image]}}}
                     Embeddings are L2-normalised; floats have 7 significant
                     digits (6 if the file would exceed 900 kB).
    README.md        what the file is and how it was made.

Recipes (input side 224, cv2.INTER_LINEAR everywhere):
    squash-224-max  resize straight to 224x224; max pooling over the 7x7 map
    pad-224-avg     longer side -> 224 (lround, clamp to [1,224]), pad with
                    white (255,255,255), left=(224-w)//2, top=(224-h)//2;
                    average pooling
    crop-224-gem    shorter side -> 224 (max(224, lround)), centre crop at
                    x=(w-224)//2, y=(h-224)//2; GeM pooling with p=3,
                    (mean(clip(x,1e-6)^3))^(1/3)

The default recipe (squash-288-max-cls0.2-qcrop224-lda1-col0.2; lda1 and col0.2
act at search time, not on the embeddings) on both of its paths, "paths":
    catalog   the 6 catalog files as catalog items: squash to 288x288 (a 9x9 map)
    outside   the 2 street photos as outside photos, the query path: the "qcrop224"
              part, centre crop at 224 as crop-224-gem above
    each: max pooling, L2-normalised (2048); the class layer "prob" of the same
    forward pass, c = sqrt(max(prob, 0)), c = 0.2 * c / |c| (1000); the two
    appended and the row L2-normalised again (3048 floats). The script checks
    that "prob" sums to 1 to 1e-4.

As a cross-check the script verifies, for every image and recipe, that the
spatial mean of `onnx_node!activation_48` equals the network's own
`avg_pool` output to 1e-4 relative, prints the worst case, and fails if not.
"""

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path

import cv2
import numpy as np

REPO_ROOT = Path(__file__).resolve().parents[2]

MODEL_REL = "models/resnet50_keras_imagenet.onnx"
CATALOG_DIR = "data/fashion-product-images-small-subset/images"
QUERY_DIR = "data/clothing-dataset-small-queries/images"
N_CATALOG = 6
QUERY_CLASSES = ("dress", "shoes")

SIDE = 224
MEAN_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)
INPUT_NAME = "input"
FEATURE_LAYER = "onnx_node!activation_48"
AVG_POOL_LAYER = "avg_pool"
DIMENSION = 2048
GEM_P = 3.0
GEM_EPS = 1e-6
CROSS_CHECK_TOL = 1e-4
MAX_BYTES = 900_000

RECIPES = ("squash-224-max", "pad-224-avg", "crop-224-gem")

# The default recipe's embedding parts (squash-288-max-cls0.2-qcrop224-lda1-col0.2 without
# lda1 and col0.2, which act at search time on the stored rows): catalog items squashed to
# 288, outside photos centre-cropped to 224, max pooling, and the class probabilities blended
# in: sqrt(prob) L2-normalised, times 0.2, appended to the L2-normalised pooled map, then the
# whole row L2-normalised. Each role on the images it is used for in the product: the
# catalog files as catalog items, the street photos as outside photos (the query path).
DEFAULT_RECIPE = "squash-288-max-cls0.2-qcrop224"
CLASS_LAYER = "prob"
CLASS_COUNT = 1000
CLASS_WEIGHT = 0.2
DEFAULT_PATHS = (  # role, fit, side, which images (indices into "images")
    ("catalog", "squash", 288, range(0, N_CATALOG)),
    ("outside", "crop", 224, range(N_CATALOG, N_CATALOG + len(QUERY_CLASSES))),
)
IMAGE_EXTS = {".jpg", ".jpeg", ".png", ".bmp", ".webp"}


def lround(x):
    """Round half away from zero, like C's lround (exact for doubles)."""
    a = abs(x)
    q = math.floor(a)
    r = a - q  # exact in binary floating point
    n = int(q) + (1 if r >= 0.5 else 0)
    return n if x >= 0 else -n


def list_images(folder):
    names = sorted(p.name for p in folder.iterdir()
                   if p.is_file() and p.suffix.lower() in IMAGE_EXTS)
    if not names:
        sys.exit(f"no images in {folder}")
    return names


def pick_images(shared):
    rel = []
    cat = list_images(shared / CATALOG_DIR)
    if len(cat) < N_CATALOG:
        sys.exit(f"need {N_CATALOG} images in {shared / CATALOG_DIR}, found {len(cat)}")
    rel += [f"{CATALOG_DIR}/{n}" for n in cat[:N_CATALOG]]
    for cls in QUERY_CLASSES:
        rel.append(f"{QUERY_DIR}/{cls}/{list_images(shared / QUERY_DIR / cls)[0]}")
    return rel


def fit(bgr, mode, side=SIDE):
    rows, cols = bgr.shape[:2]
    if mode == "squash":
        return cv2.resize(bgr, (side, side), interpolation=cv2.INTER_LINEAR)
    if mode == "pad":
        s = side / max(cols, rows)
        w = min(max(lround(cols * s), 1), side)
        h = min(max(lround(rows * s), 1), side)
        small = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_LINEAR)
        out = np.full((side, side, 3), 255, dtype=np.uint8)
        left, top = (side - w) // 2, (side - h) // 2
        out[top:top + h, left:left + w] = small
        return out
    if mode == "crop":
        s = side / min(cols, rows)
        w = max(side, lround(cols * s))
        h = max(side, lround(rows * s))
        big = cv2.resize(bgr, (w, h), interpolation=cv2.INTER_LINEAR)
        x, y = (w - side) // 2, (h - side) // 2
        return np.ascontiguousarray(big[y:y + side, x:x + side])
    raise ValueError(mode)


def to_blob(bgr_square):
    """uint8 HxWx3 BGR -> float32 1x3xHxW, mean-subtracted, no swap, no scale."""
    x = bgr_square.astype(np.float32) - MEAN_BGR
    return np.ascontiguousarray(x.transpose(2, 0, 1)[np.newaxis])


def pool(fmap, how):
    """fmap: 2048xHxW (7x7 at 224, 9x9 at 288) -> 2048 (float64)."""
    x = fmap.reshape(fmap.shape[0], -1).astype(np.float64)
    if how == "max":
        return x.max(axis=1)
    if how == "avg":
        return x.mean(axis=1)
    if how == "gem":
        return np.power(np.power(np.clip(x, GEM_EPS, None), GEM_P).mean(axis=1), 1.0 / GEM_P)
    raise ValueError(how)


def default_path_embedding(net, bgr, mode, side):
    """One image through the default recipe's path for one role: 2048 + 1000 floats."""
    blob = to_blob(fit(bgr, mode, side))
    net.setInput(blob, INPUT_NAME)
    fmap, prob = net.forward([FEATURE_LAYER, CLASS_LAYER])
    cells = side // 32  # ResNet-50's stride
    if fmap.shape != (1, DIMENSION, cells, cells) or prob.shape != (1, CLASS_COUNT):
        sys.exit(f"unexpected shapes at {side}: {FEATURE_LAYER} {fmap.shape}, {CLASS_LAYER} {prob.shape}")
    p = prob[0].astype(np.float64)
    if abs(p.sum() - 1.0) > CROSS_CHECK_TOL:
        sys.exit(f"{CLASS_LAYER} at {side} is not a distribution: it sums to {p.sum():.6f}")
    pooled = l2n(pool(fmap[0], "max"))
    classes = np.sqrt(np.clip(p, 0.0, None))  # the Hellinger mapping
    classes = CLASS_WEIGHT * classes / np.linalg.norm(classes)
    return l2n(np.concatenate([pooled, classes]))


def default_paths(net, shared, images):
    """{role: {"images": [indices], "fit": ..., "embeddings": [...]}} for DEFAULT_RECIPE."""
    out = {}
    for role, mode, side, which in DEFAULT_PATHS:
        rows = []
        for i in which:
            bgr = cv2.imread(str(shared / images[i]), cv2.IMREAD_COLOR)
            if bgr is None:
                sys.exit(f"cannot read {images[i]}")
            rows.append(default_path_embedding(net, bgr, mode, side).tolist())
        out[role] = {"images": list(which), "fit": f"{mode}-{side}", "embeddings": rows}
    return out


def l2n(v):
    n = np.linalg.norm(v)
    if not n > 0:
        sys.exit("zero embedding")
    return v / n


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def render_json(doc, digits):
    """Compact JSON, one embedding per line, floats with `digits` significant digits."""
    fmt = f"%.{digits}g"
    lines = ["{"]
    lines.append(f'"model_sha256": {json.dumps(doc["model_sha256"])},')
    lines.append(f'"generator": {json.dumps(doc["generator"])},')
    lines.append(f'"dimension": {doc["dimension"]},')
    lines.append('"images": [' + ",\n".join(json.dumps(p) for p in doc["images"]) + "],")
    lines.append('"recipes": {')
    rblocks = []
    for name, embs in doc["recipes"].items():
        rows = ["[" + ",".join(fmt % v for v in e) + "]" for e in embs]
        rblocks.append(json.dumps(name) + ": [\n" + ",\n".join(rows) + "]")
    lines.append(",\n".join(rblocks))
    lines.append("},")
    pblocks = []
    for role, part in doc["paths"].items():
        rows = ["[" + ",".join(fmt % v for v in e) + "]" for e in part["embeddings"]]
        pblocks.append(json.dumps(role) + ": {" + f'"images": {json.dumps(part["images"])}, '
                       f'"fit": {json.dumps(part["fit"])}, "embeddings": [\n' + ",\n".join(rows) + "]}")
    lines.append(f'"paths_recipe": {json.dumps(doc["paths_recipe"])},')
    lines.append('"paths": {\n' + ",\n".join(pblocks) + "}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=REPO_ROOT.parent / "shared",
                    help="the shared folder (default: ../shared next to the repo root)")
    ap.add_argument("--out", type=Path, default=REPO_ROOT / "tests" / "data" / "golden",
                    help="output folder (default: tests/data/golden in the repo)")
    args = ap.parse_args()
    shared = args.shared.resolve()

    model = shared / MODEL_REL
    model_sha = sha256(model)
    images = pick_images(shared)
    generator = (f"tests/tools/make_golden_embeddings.py with python3-opencv "
                 f"{cv2.__version__}, numpy {np.__version__}")
    print(f"model  {model}  sha256 {model_sha}")
    print(f"opencv {cv2.__version__}  numpy {np.__version__}")
    for p in images:
        print(f"image  {p}")

    net = cv2.dnn.readNetFromONNX(str(model))
    recipes = {name: [] for name in RECIPES}
    worst = (0.0, None)
    for rel in images:
        bgr = cv2.imread(str(shared / rel), cv2.IMREAD_COLOR)
        if bgr is None or bgr.dtype != np.uint8 or bgr.ndim != 3 or bgr.shape[2] != 3:
            sys.exit(f"cannot read {rel} as 8-bit BGR")
        for name in RECIPES:
            mode, _, how = name.split("-")
            blob = to_blob(fit(bgr, mode))
            net.setInput(blob, INPUT_NAME)
            fmap = net.forward(FEATURE_LAYER)
            if fmap.shape != (1, DIMENSION, 7, 7):
                sys.exit(f"unexpected {FEATURE_LAYER} shape {fmap.shape}")
            net.setInput(blob, INPUT_NAME)
            ref = net.forward(AVG_POOL_LAYER).reshape(-1).astype(np.float64)
            mine = pool(fmap[0], "avg")
            rel_err = float(np.abs(mine - ref).max() / np.abs(ref).max())
            if rel_err > worst[0] or worst[1] is None:
                worst = (rel_err, f"{rel} / {name}")
            if rel_err > CROSS_CHECK_TOL:
                sys.exit(f"cross-check failed for {rel} / {name}: "
                         f"max|mean(activation_48) - avg_pool| / max|avg_pool| = {rel_err:.3e}")
            recipes[name].append(l2n(pool(fmap[0], how)))

    print(f"cross-check: mean over 7x7 of {FEATURE_LAYER} vs forward(\"{AVG_POOL_LAYER}\"), "
          f"{len(images) * len(RECIPES)} runs: worst max|diff|/max|avg_pool| = {worst[0]:.3e} "
          f"({worst[1]}), tolerance {CROSS_CHECK_TOL:g}: OK")

    doc = {"model_sha256": model_sha, "generator": generator, "dimension": DIMENSION,
           "images": images, "recipes": {k: [e.tolist() for e in v] for k, v in recipes.items()},
           "paths_recipe": DEFAULT_RECIPE, "paths": default_paths(net, shared, images)}
    digits = 7
    text = render_json(doc, digits)
    if len(text.encode()) > MAX_BYTES:
        digits = 6
        text = render_json(doc, digits)
    json.loads(text)  # sanity: it parses

    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    (out / "embeddings.json").write_text(text, encoding="utf-8")
    (out / "README.md").write_text(readme(doc, digits), encoding="utf-8")
    print(f"wrote {out / 'embeddings.json'} ({len(text.encode())} bytes, {digits} significant digits)")
    print(f"wrote {out / 'README.md'}")
    for name in RECIPES:
        first = recipes[name][0][:5]
        print(f"{name}: first 5 of image 0: " + " ".join(f"{v:.7g}" for v in first))
    for role, part in doc["paths"].items():
        e = np.array(part["embeddings"][0])
        print(f"{DEFAULT_RECIPE} {role} ({part['fit']}): image {part['images'][0]}: first 3 "
              + " ".join(f"{v:.7g}" for v in e[:3]) + f", class block norm {np.linalg.norm(e[DIMENSION:]):.6f}")


def readme(doc, digits):
    imgs = "\n".join(f"{i}. `{p}`" for i, p in enumerate(doc["images"]))
    return f"""# Golden embeddings

`embeddings.json` holds reference embeddings of {len(doc["images"])} images under three recipes,
and of the default recipe's two paths (`paths`: catalog items and outside photos), computed by a route that does not share code with the C++ pipeline
(`core/embedding/EmbeddingModel.cpp`). The C++ tests compare their own embeddings with these,
recipe by recipe and image by image, and expect cosine similarity >= 0.9999.

Generated by `tests/tools/make_golden_embeddings.py`; do not edit by hand.

## Regenerate

From the repository root, with Debian's Python (it has `python3-opencv`; a pyenv
`python3` on PATH usually has no `cv2`):

```sh
/usr/bin/python3 tests/tools/make_golden_embeddings.py --shared ../shared --out tests/data/golden
```

(`--shared` defaults to `../shared` next to the repository root, `--out` to `tests/data/golden`.)
The script is deterministic; rerunning it with the same model, images and library versions
gives the same file.

## Contents

- `model_sha256`: sha256 of `models/resnet50_keras_imagenet.onnx` in the shared folder
  (`{doc["model_sha256"]}`).
- `generator`: `{doc["generator"]}`.
- `dimension`: {doc["dimension"]}.
- `images`: paths relative to the shared folder, in this order (the first 6 catalog files in
  sorted order, then the first file of the `dress/` and `shoes/` query folders):

{imgs}

- `recipes`: for each recipe name, one L2-normalised {doc["dimension"]}-float embedding per image,
  in the order of `images`. Floats are written with {digits} significant digits.
- `paths_recipe` (`{doc["paths_recipe"]}`, the embedding parts of the default recipe
  `squash-288-max-cls0.2-qcrop224-lda1-col0.2`) and `paths`: for the roles `catalog` (images
  {doc["paths"]["catalog"]["images"]}, embedded as catalog items) and `outside` (images
  {doc["paths"]["outside"]["images"]}, embedded as photos from outside the catalog, the query path),
  the fit used and one L2-normalised {doc["dimension"]} + {CLASS_COUNT}-float embedding per image.

## Recipes

All read with `cv2.imread` (8-bit BGR), resized with `cv2.INTER_LINEAR`, input side 224
(288 for the default recipe's catalog path).

| name | fit | pooling over the 7x7 map of `onnx_node!activation_48` |
| --- | --- | --- |
| `squash-224-max` | resize straight to 224x224 | max |
| `pad-224-avg` | longer side to 224 (`w = clamp(lround(cols*s), 1, 224)`, same for h), pad with white (255,255,255) at `left=(224-w)/2`, `top=(224-h)/2`, rest right/bottom | mean |
| `crop-224-gem` | shorter side to 224 (`w = max(224, lround(cols*s))`, same for h), centre 224x224 crop at `x=(w-224)/2`, `y=(h-224)/2` | GeM, p=3: `(mean(max(x,1e-6)^3))^(1/3)` |

The default recipe's paths (`paths`), the same steps at their own sizes:

| role | fit | embedding |
| --- | --- | --- |
| `catalog` | `squash-288`: resize straight to 288x288 (a 9x9 map) | max pooling over the map, L2-normalised (2048), then the class layer `prob` of the same forward pass as `0.2 * L2(sqrt(max(prob, 0)))` (1000) appended, and the row L2-normalised |
| `outside` | `crop-224` (the recipe's `qcrop224`): as `crop-224-gem` above | the same |

## How it was made, and why it is independent

- **Bindings**: OpenCV's Python bindings (Debian `python3-opencv`), `cv2.dnn.readNetFromONNX`,
  not the C++ API used by the application.
- **Preprocessing in numpy**, not `cv::dnn::blobFromImage(s)`: the fitted 224x224 uint8 image is
  converted to float32, the per-channel mean B=103.939, G=116.779, R=123.68 is subtracted (BGR
  order, no channel swap, no scaling), and the array is transposed to NCHW. The fit step (resize,
  pad, crop) is written out in the script from the recipe definitions.
- **Batch of 1**: each image is run alone (`setInput(blob, "input")`,
  `forward("onnx_node!activation_48")`), whereas the C++ code batches images.
- **Pooling in numpy** (float64) rather than Eigen, then L2 normalisation.
- **Cross-check**: for every image and recipe, the script checks that the spatial mean of
  `activation_48` equals the network's own `forward("avg_pool")` output to 1e-4 relative
  (max abs difference / max abs value), and fails otherwise.

What it does share with the C++ code: the ONNX file, the OpenCV 4.6 dnn engine underneath both
bindings, the OpenCV image decoder, and `cv::resize`. It therefore checks the C++ glue
(fit geometry, blob layout, mean values, batching, output layer choice, pooling, normalisation),
not OpenCV's inference itself; MODEL.md in the shared folder describes the check of the model
against the original TF.js weights.
"""


if __name__ == "__main__":
    main()
