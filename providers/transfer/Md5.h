#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <memory>

namespace skydeck {

// MD5 on OpenSSL, for Content-MD5 headers and ETag checks (not for security).
class Md5
{
public:
    Md5();
    ~Md5();
    Md5(const Md5 &) = delete;
    Md5 &operator=(const Md5 &) = delete;

    void add(const char *data, qint64 size);
    void add(const QByteArray &data) { add(data.constData(), data.size()); }
    QByteArray result();  // raw 16 bytes; the object cannot be used afterwards

    static QByteArray of(const QByteArray &data);  // raw 16 bytes

    // The ETag S3 gives a multipart upload: md5 of the concatenated raw part digests, "-", count.
    static QString multipartEtag(const QList<QByteArray> &partDigests);

    // A plain MD5 ETag (32 hex digits, no "-N" suffix): the object's MD5 where it applies.
    static bool isPlainMd5Etag(const QString &etag);

private:
    struct Ctx;
    std::unique_ptr<Ctx> d;
};

} // namespace skydeck
