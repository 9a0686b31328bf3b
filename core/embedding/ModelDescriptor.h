#pragma once
// What the core needs to know about a network to turn images into embeddings, read from a
// descriptor in models/ (compiled in as a Qt resource).

#include "Expected.h"

#include <QByteArray>
#include <QString>

#include <array>

namespace lookbook {

struct ModelDescriptor {
    QString id;            // stable name recorded in caches, e.g. "resnet50-keras-imagenet"
    QString fileName;      // weights file, e.g. "resnet50_keras_imagenet.onnx"
    QByteArray sha256Hex;  // lower-case hex digest of the weights file
    qint64 bytes = 0;      // size of the weights file
    QString inputName;     // the network's input blob
    int nativeInputSize = 224;
    bool bgr = true;       // channel order the network expects
    std::array<double, 3> mean{}; // per channel, in the network's channel order, 0..255 scale
    double scale = 1.0;
    QString featureLayer;  // last convolutional map, pooled into the embedding
    int featureChannels = 0;
    QString classLayer;    // softmax over the training classes, optionally blended in
    int classCount = 0;

    static Expected<ModelDescriptor> fromJson(const QByteArray &json);
    // The descriptor of the model the product ships with.
    static const ModelDescriptor &builtIn();
};

} // namespace lookbook
