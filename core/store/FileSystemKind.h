#pragma once
// Whether a file lies on a network share (NFS, SMB/CIFS, FUSE mounts such as sshfs, AFS,
// Ceph, 9P, Coda), and which file a path names now. Two things Lookbook relies on do not hold
// on a share: a lock file is not protected by flock against other computers, and a
// memory-mapped file can vanish under the mapping when another computer replaces it (the
// next page read is a SIGBUS). The cache lock (CacheLock) and the store (EmbeddingStore)
// ask here to take the safe way there.
//
// A mount that is not detected (or one wrongly taken for a share) is named by the
// environment: LOOKBOOK_NETWORK_SHARE=1 treats every cache as on a share, =0 as local.

#include <QString>

#include <optional>

namespace lookbook::fileSystem {

inline constexpr char kNetworkShareVariable[] = "LOOKBOOK_NETWORK_SHARE";

enum class Kind { Local, Network };

// True for the Linux statfs() f_type of a network file system (or FUSE: most FUSE mounts
// are remote, and the safe way costs a local one little).
bool isNetworkType(qint64 statfsType);
// What the file system holding `path` is (the nearest existing folder above it when it
// does not exist yet), after the environment's override. Local when it cannot be told.
Kind kindOf(const QString &path);
// What the file system itself says, without the override (for tests and messages).
Kind detectedKindOf(const QString &path);
inline bool isOnNetworkShare(const QString &path)
{
    return kindOf(path) == Kind::Network;
}

// Which file a path names: a file renamed over it, truncated or rewritten gets another one.
struct FileIdentity {
    quint64 device = 0;
    quint64 inode = 0;
    qint64 size = 0;
    qint64 modifiedNs = 0;
    friend bool operator==(const FileIdentity &, const FileIdentity &) = default;
};
// Of an open file (its descriptor) and of the file a path names now; nullopt when there is
// none (or it cannot be asked).
std::optional<FileIdentity> identityOf(int descriptor);
std::optional<FileIdentity> identityOf(const QString &path);

} // namespace lookbook::fileSystem
