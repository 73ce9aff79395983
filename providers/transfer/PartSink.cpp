#include "PartSink.h"

#include "FileOps.h"
#include "Md5.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace skydeck::transfer {

PartSink::PartSink(const QString &partPath, qint64 offset, qint64 length, Mode mode)
    : m_partPath(partPath), m_path(QFile::encodeName(partPath)), m_offset(offset), m_length(length), m_mode(mode)
{
}

PartSink::~PartSink()
{
    finish();
}

Error PartSink::writeError(int err) const
{
    return Error(Error::Category::Local, QStringLiteral("cannot write %1: %2")
                                             .arg(QDir::toNativeSeparators(m_partPath), QString::fromLocal8Bit(std::strerror(err))));
}

Status PartSink::open()
{
    if (m_mode == Mode::IntoExisting) {
        // Never created here: a cancelled download's .part stays removed.
        m_fd = ::open(m_path.constData(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
        return m_fd >= 0 ? Status(Done{}) : Status(writeError(errno));
    }
    // Whole: a fresh file; whatever is in its place (an old .part, a symlink) goes first.
    ::unlink(m_path.constData());
    m_fd = ::open(m_path.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    if (m_fd < 0 && errno == ENOENT) {
        const QString folder = QFileInfo(m_partPath).absolutePath();
        if (!QDir().mkpath(folder))
            return Error(Error::Category::Local,
                         QStringLiteral("cannot create folder %1: mkdir failed").arg(QDir::toNativeSeparators(folder)));
        m_fd = ::open(m_path.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666);
    }
    if (m_fd < 0)
        return writeError(errno);
    m_created = true;
    return Done{};
}

Status PartSink::begin()
{
    if (m_finished)
        return Error(Error::Category::Cancelled, QStringLiteral("Cancelled"));
    m_pos = 0;
    if (m_mode == Mode::Whole)
        m_md5 = std::make_unique<Md5>();
    if (m_fd < 0)
        return open();
    // A retried attempt starts the body over.
    if (m_mode == Mode::Whole && ::ftruncate(m_fd, 0) != 0)
        return writeError(errno);
    return Done{};
}

Status PartSink::write(const char *data, qint64 size)
{
    if (m_fd < 0)
        return writeError(EBADF);
    if (m_pos + size > m_length)
        return Error(Error::Category::Integrity,
                     QStringLiteral("the server sent more than the %1 bytes asked for").arg(m_length),
                     QStringLiteral("ChecksumMismatch"))
            .setRetryable(true);
    if (m_md5)
        m_md5->add(data, size);
    while (size > 0) {
        const ssize_t n = ::pwrite(m_fd, data, size_t(size), off_t(m_offset + m_pos));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return writeError(errno);
        }
        data += n;
        size -= n;
        m_pos += n;
    }
    return Done{};
}

Status PartSink::commit(const QString &target, const QString &md5Hex)
{
    if (m_mode != Mode::Whole || m_fd < 0)
        return writeError(EBADF);
    if (m_pos != m_length)
        return Error(Error::Category::Integrity, QStringLiteral("downloaded %1 bytes, expected %2").arg(m_pos).arg(m_length),
                     QStringLiteral("SizeMismatch"));
    if (!md5Hex.isEmpty()) {
        const QString got = QString::fromLatin1(m_md5->result().toHex());
        m_md5.reset();
        if (got.compare(md5Hex, Qt::CaseInsensitive) != 0)
            return Error(Error::Category::Integrity,
                         QStringLiteral("MD5 of the downloaded data (%1) differs from the object's ETag (%2)").arg(got, md5Hex),
                         QStringLiteral("ChecksumMismatch"));
    }
    ::close(m_fd);
    m_fd = -1;
    // rename(2) replaces the target atomically (and replaces a symlink, never follows it).
    if (std::rename(m_path.constData(), QFile::encodeName(target).constData()) != 0)
        return Error(Error::Category::Local, QStringLiteral("cannot rename to %1: %2")
                                                 .arg(QDir::toNativeSeparators(target), QString::fromLocal8Bit(std::strerror(errno))));
    m_committed = true;
    ::unlink(QFile::encodeName(fileops::journalPath(m_partPath)).constData());  // a stale one, if any
    return Done{};
}

void PartSink::finish()
{
    if (m_finished)
        return;
    m_finished = true;
    if (m_fd >= 0)
        ::close(m_fd);
    m_fd = -1;
    if (m_created && !m_committed)
        ::unlink(m_path.constData());
}

} // namespace skydeck::transfer
