#pragma once
// Finds what Lookbook needs but does not own: the model weights and the shared demo data.
// Every lookup returns the places it tried, so a failure can tell the user where to put
// the file instead of just saying "not found".

#include "EmbeddingModel.h"
#include "ModelDescriptor.h"

#include <QString>
#include <QStringList>

namespace lookbook {

struct ModelLookup {
    QString path;        // empty when nothing was found
    QStringList tried;   // every candidate, in the order it was tried
    QString explanation() const; // a paragraph for the user when path is empty
};

class ResourceLocator {
public:
    // The shared folder (models/ and data/): LOOKBOOK_SHARED, the setting "paths/shared",
    // the build's configured folder, then "../shared" above the working directory and the
    // executable. Empty when none exists.
    static QString sharedDir();
    static QStringList sharedDirCandidates();

    // explicitPath: --model on the command line (may be empty). A named path (explicitPath,
    // else LOOKBOOK_MODEL) is the only place looked at; otherwise the setting "model/path",
    // the installed models folder and the shared folders are tried in turn.
    static ModelLookup findModel(const ModelDescriptor &descriptor, const QString &explicitPath = {});

    // findModel, then EmbeddingModel::load; a model not found fails with the explanation.
    static Expected<std::shared_ptr<EmbeddingModel>> loadModel(const ModelDescriptor &descriptor,
                                                               const QString &explicitPath = {});

    // A file inside the shared folder, e.g. "data/fashion-product-images-small-subset".
    static QString sharedPath(const QString &relative);
};

} // namespace lookbook
