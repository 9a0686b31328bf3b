#include "ModelDescriptor.h"

#include "BuiltInResource.h"
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace lookbook {

Expected<ModelDescriptor> ModelDescriptor::fromJson(const QByteArray &json)
{
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (!doc.isObject())
        return Expected<ModelDescriptor>::failure(
            QStringLiteral("model descriptor is not valid JSON: %1").arg(parseError.errorString()));
    const QJsonObject root = doc.object();
    const QJsonObject input = root.value(u"input").toObject();
    const QJsonObject feature = root.value(u"feature").toObject();
    const QJsonArray mean = input.value(u"mean").toArray();

    ModelDescriptor d;
    d.id = root.value(u"id").toString();
    d.fileName = root.value(u"file").toString();
    d.sha256Hex = root.value(u"sha256").toString().toLower().toLatin1();
    d.bytes = root.value(u"bytes").toInteger();
    d.inputName = input.value(u"name").toString();
    d.nativeInputSize = input.value(u"size").toInt();
    d.bgr = input.value(u"channel_order").toString().compare(u"BGR", Qt::CaseInsensitive) == 0;
    d.scale = input.value(u"scale").toDouble(1.0);
    d.featureLayer = feature.value(u"layer").toString();
    d.featureChannels = feature.value(u"channels").toInt();
    const QJsonObject classes = root.value(u"classes").toObject();
    d.classLayer = classes.value(u"layer").toString();
    d.classCount = classes.value(u"count").toInt();
    if (mean.size() != 3 || d.id.isEmpty() || d.fileName.isEmpty() || d.sha256Hex.size() != 64
        || d.featureLayer.isEmpty() || d.featureChannels <= 0 || d.nativeInputSize <= 0)
        return Expected<ModelDescriptor>::failure(
            QStringLiteral("model descriptor is missing a field (id, file, sha256, input, feature)"));
    for (int c = 0; c < 3; ++c) d.mean[static_cast<size_t>(c)] = mean[c].toDouble();
    return d;
}

const ModelDescriptor &ModelDescriptor::builtIn()
{
    static const ModelDescriptor descriptor = [] {
        constexpr const char *kWhat = "model descriptor";
        return parsedBuiltIn(fromJson(builtInResource(QStringLiteral("resnet50_keras_imagenet.json"), kWhat)), kWhat);
    }();
    return descriptor;
}

} // namespace lookbook
