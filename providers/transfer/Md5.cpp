#include "Md5.h"

#include <openssl/evp.h>

#include <cctype>

namespace skydeck {

struct Md5::Ctx {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    ~Ctx() { EVP_MD_CTX_free(ctx); }
};

Md5::Md5() : d(std::make_unique<Ctx>())
{
    EVP_DigestInit_ex(d->ctx, EVP_md5(), nullptr);
}

Md5::~Md5() = default;

void Md5::add(const char *data, qint64 size)
{
    if (size > 0)
        EVP_DigestUpdate(d->ctx, data, size_t(size));
}

QByteArray Md5::result()
{
    QByteArray out(EVP_MAX_MD_SIZE, Qt::Uninitialized);
    unsigned int len = 0;
    EVP_DigestFinal_ex(d->ctx, reinterpret_cast<unsigned char *>(out.data()), &len);
    out.resize(len);
    return out;
}

QByteArray Md5::of(const QByteArray &data)
{
    Md5 m;
    m.add(data);
    return m.result();
}

QString Md5::multipartEtag(const QList<QByteArray> &partDigests)
{
    Md5 m;
    for (const QByteArray &p : partDigests)
        m.add(p);
    return QString::fromLatin1(m.result().toHex()) + QLatin1Char('-') + QString::number(partDigests.size());
}

bool Md5::isPlainMd5Etag(const QString &etag)
{
    if (etag.size() != 32)
        return false;
    for (QChar c : etag)
        if (!isxdigit(c.toLatin1()))
            return false;
    return true;
}

} // namespace skydeck
