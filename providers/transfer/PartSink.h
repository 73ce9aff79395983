#pragma once

#include "DataSink.h"

#include <QByteArray>
#include <QString>

#include <memory>

namespace skydeck {

class Md5;

namespace transfer {

// One range of a download, written into its working file (LocalPath::workingPath, the ".part") as
// it arrives (pwrite at its offset, on the storage client's thread): no buffer the size of the
// range, no copy to another thread.
//
// IntoExisting writes into a .part the engine prepared (several ranges in parallel). Whole is a
// download of one range: the sink creates the .part itself (replacing a leftover of the same
// transfer or a symlink in its place: the name is reserved for it), hashes the bytes in order, and
// commit() checks the size and MD5 and renames the .part over the target. finish() closes the
// file; a Whole sink that was not committed removes it.
class PartSink : public DataSink
{
public:
    enum class Mode { IntoExisting, Whole };
    PartSink(const QString &partPath, qint64 offset, qint64 length, Mode mode);
    ~PartSink() override;
    PartSink(const PartSink &) = delete;
    PartSink &operator=(const PartSink &) = delete;

    Status begin() override;
    Status write(const char *data, qint64 size) override;

    qint64 written() const { return m_pos; }
    // Whole only: the size must be the range's and, when md5Hex is not empty, the MD5 of what
    // was written must match it; then the .part becomes target (and a stale journal goes).
    Status commit(const QString &target, const QString &md5Hex);
    void finish();

private:
    Status open();
    Error writeError(int err) const;

    QString m_partPath;
    QByteArray m_path;  // encoded
    qint64 m_offset = 0;
    qint64 m_length = 0;
    Mode m_mode;
    int m_fd = -1;
    qint64 m_pos = 0;
    bool m_created = false;
    bool m_committed = false;
    bool m_finished = false;
    std::unique_ptr<Md5> m_md5;
};

} // namespace transfer
} // namespace skydeck
