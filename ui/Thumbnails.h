#pragma once
// Thumbnails of result images for the results grid. Decoding runs on pools::thumbnails()
// (so it never competes with a search for every core); the finished images come back to the
// GUI thread and are kept in memory, bounded in bytes. Use from the GUI thread only.

#include <QCache>
#include <QImage>
#include <QObject>
#include <QSet>
#include <QSize>
#include <QString>

namespace lookbook {

class Thumbnails : public QObject {
    Q_OBJECT
public:
    // Images larger than maxSize are decoded at a reduced size that fits it (aspect kept);
    // smaller ones are kept as they are and scaled up when painted.
    explicit Thumbnails(QSize maxSize = {240, 320}, QObject *parent = nullptr);
    ~Thumbnails() override;

    // The cached thumbnail of the image at path. A null image when it is not made yet (a
    // load is queued, once however often this is asked; thumbnailReady follows) or when the
    // image could not be read (isBroken; it is not tried again while that marker is cached).
    QImage thumbnail(const QString &path);
    bool isBroken(const QString &path) const;
    QSize maxSize() const { return m_maxSize; }

signals:
    // A requested thumbnail was made, or could not be (then isBroken(path) is true).
    void thumbnailReady(const QString &path);

private:
    static QImage load(const QString &path, QSize maxSize);
    void request(const QString &path);
    void store(const QString &path, const QImage &image);

    QSize m_maxSize;
    QCache<QString, QImage> m_cache; // a null image is the "broken" marker
    QSet<QString> m_inFlight;
};

} // namespace lookbook
