#include "FileSystemKind.h"

#include <QDir>
#include <QFileInfo>

#include <array>

#if defined(Q_OS_LINUX)
#include <sys/statfs.h>
#elif defined(Q_OS_MACOS) || defined(Q_OS_FREEBSD) || defined(Q_OS_OPENBSD)
#include <sys/mount.h>
#include <sys/param.h>
#elif defined(Q_OS_WIN)
#include <windows.h>
#endif
#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

namespace lookbook::fileSystem {

namespace {

// f_type values from linux/magic.h and the file systems' own headers (not all of which
// Debian installs), compared as 32 bits: f_type is signed and as wide as a long.
constexpr std::array<quint32, 13> kNetworkTypes = {
    0x6969,     // NFS_SUPER_MAGIC
    0x517B,     // SMB_SUPER_MAGIC
    0xFF534D42, // CIFS_MAGIC_NUMBER
    0xFE534D42, // SMB2_MAGIC_NUMBER
    0x65735546, // FUSE_SUPER_MAGIC (sshfs, rclone, gcsfuse, GlusterFS…)
    0x5346414F, // AFS_SUPER_MAGIC
    0x6B414653, // AFS_FS_MAGIC (kAFS)
    0x00C36400, // CEPH_SUPER_MAGIC
    0x01021997, // V9FS_MAGIC (9P: WSL, virtual machines' shared folders)
    0x73757245, // CODA_SUPER_MAGIC
    0x564C,     // NCP_SUPER_MAGIC (NetWare)
    0x0BD00BD0, // LUSTRE_SUPER_MAGIC
    0x786F4256, // VBOXSF_SUPER_MAGIC (VirtualBox shared folders)
};

// The path itself, or the nearest folder above it that exists (a cache not written yet).
QString existingAncestor(const QString &path)
{
    QString at = QFileInfo(path).absoluteFilePath();
    while (!QFileInfo::exists(at)) {
        const QString up = QFileInfo(at).absolutePath();
        if (up == at) break;
        at = up;
    }
    return at;
}

#ifdef Q_OS_UNIX
FileIdentity identityFrom(const struct stat &st)
{
#ifdef Q_OS_DARWIN
    const struct timespec &modified = st.st_mtimespec;
#else
    const struct timespec &modified = st.st_mtim;
#endif
    return {quint64(st.st_dev), quint64(st.st_ino), qint64(st.st_size),
            qint64(modified.tv_sec) * 1'000'000'000 + qint64(modified.tv_nsec)};
}
#endif

} // namespace

bool isNetworkType(qint64 statfsType)
{
    const auto type = quint32(quint64(statfsType) & 0xFFFF'FFFFu);
    for (const quint32 network : kNetworkTypes)
        if (type == network) return true;
    return false;
}

Kind detectedKindOf(const QString &path)
{
    const QString at = existingAncestor(path);
#if defined(Q_OS_LINUX)
    struct statfs fs {};
    if (::statfs(QFile::encodeName(at).constData(), &fs) != 0) return Kind::Local;
    return isNetworkType(qint64(fs.f_type)) ? Kind::Network : Kind::Local;
#elif defined(Q_OS_MACOS) || defined(Q_OS_FREEBSD) || defined(Q_OS_OPENBSD)
    // The BSDs say it themselves: a mount without MNT_LOCAL is served from elsewhere.
    struct statfs fs {};
    if (::statfs(QFile::encodeName(at).constData(), &fs) != 0) return Kind::Local;
    return (fs.f_flags & MNT_LOCAL) == 0 ? Kind::Network : Kind::Local;
#elif defined(Q_OS_WIN)
    // The volume's root (C:\, \\server\share\); a UNC path without a drive letter is remote.
    const QString native = QDir::toNativeSeparators(at);
    if (native.startsWith(QStringLiteral("\\\\"))) return Kind::Network;
    const QString root = native.left(3);
    return GetDriveTypeW(reinterpret_cast<const wchar_t *>(root.utf16())) == DRIVE_REMOTE ? Kind::Network : Kind::Local;
#else
    // No way to ask here: local, and LOOKBOOK_NETWORK_SHARE=1 names a share.
    Q_UNUSED(at);
    return Kind::Local;
#endif
}

Kind kindOf(const QString &path)
{
    const QString forced = qEnvironmentVariable(kNetworkShareVariable).trimmed().toLower();
    if (forced == QStringLiteral("1") || forced == QStringLiteral("yes") || forced == QStringLiteral("true"))
        return Kind::Network;
    if (forced == QStringLiteral("0") || forced == QStringLiteral("no") || forced == QStringLiteral("false")) return Kind::Local;
    return detectedKindOf(path);
}

std::optional<FileIdentity> identityOf(int descriptor)
{
#ifdef Q_OS_UNIX
    struct stat st {};
    if (descriptor < 0 || ::fstat(descriptor, &st) != 0) return std::nullopt;
    return identityFrom(st);
#else
    Q_UNUSED(descriptor);
    return std::nullopt;
#endif
}

std::optional<FileIdentity> identityOf(const QString &path)
{
#ifdef Q_OS_UNIX
    struct stat st {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0) return std::nullopt;
    return identityFrom(st);
#else
    // No inode to go by: the size and the modification time (a replacement is a new write).
    const QFileInfo info(path);
    if (!info.exists()) return std::nullopt;
    return FileIdentity{0, 0, info.size(), info.lastModified().toMSecsSinceEpoch() * 1'000'000};
#endif
}

} // namespace lookbook::fileSystem
