#pragma once

// A hostile S3 endpoint for tests: a tiny loopback server speaking just enough S3 (ListObjectsV2
// with encoding-type=url, GET/HEAD with Range) to list keys that try to escape a download folder.
// s3rver cannot be one: it stores keys as files and collapses "..". Link Qt6::Network and
// skydeck_transfer (Md5).
#include "Md5.h"

#include <QHash>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>

#include <memory>

namespace skydeck::test {

// Objects it serves (GET with Range) and extra keys it only lists.
class HostileS3 : public QObject
{
public:
    QHash<QByteArray, QByteArray> objects;  // key -> bytes
    QList<QByteArray> listedOnly;           // URL-encoded keys listed but never served
    QList<QByteArray> requested;            // decoded paths of object GETs/HEADs
    bool hangOnGet = false;                 // never answer object GETs/HEADs (a stalled download)

    HostileS3()
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                auto buf = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s, buf] { onData(s, *buf); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }

private:
    void onData(QTcpSocket *s, QByteArray &buf)
    {
        buf += s->readAll();
        for (;;) {
            const qsizetype end = buf.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buf.left(end).split('\n');
            buf.remove(0, end + 4);  // no request bodies here
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            QByteArray range;
            for (const QByteArray &l : lines)
                if (l.toLower().startsWith("range:"))
                    range = l.mid(6).trimmed();
            answer(s, first.value(0), first.value(1), range);
        }
    }

    void reply(QTcpSocket *s, int status, const QByteArray &body, const QList<QByteArray> &headers = {}, bool head = false)
    {
        QByteArray out = "HTTP/1.1 " + QByteArray::number(status) + " X\r\n";
        for (const QByteArray &h : headers)
            out += h + "\r\n";
        out += "Content-Length: " + QByteArray::number(body.size()) + "\r\n\r\n";
        if (!head)
            out += body;
        s->write(out);
    }

    void answer(QTcpSocket *s, const QByteArray &method, const QByteArray &target, const QByteArray &range)
    {
        const qsizetype q = target.indexOf('?');
        const QByteArray path = target.left(q < 0 ? target.size() : q);
        if ((path == "/bucket" || path == "/bucket/") && q >= 0)
            return reply(s, 200, listing(), {"Content-Type: application/xml"});
        if (!path.startsWith("/bucket/"))
            return reply(s, 404, "<Error><Code>NoSuchBucket</Code></Error>");
        const QByteArray key = QByteArray::fromPercentEncoding(path.mid(8));
        requested.append(key);
        if (hangOnGet)
            return;
        if (!objects.contains(key))
            return reply(s, 404, "<Error><Code>NoSuchKey</Code><Message>no</Message></Error>");
        const QByteArray data = objects.value(key);
        const QByteArray etag = "ETag: \"" + Md5::of(data).toHex() + '"';
        if (range.startsWith("bytes=")) {
            const QList<QByteArray> r = range.mid(6).split('-');
            const qint64 from = r.value(0).toLongLong();
            const qint64 to = r.value(1).isEmpty() ? data.size() - 1 : r.value(1).toLongLong();
            return reply(s, 206, data.mid(from, to - from + 1),
                         {etag, "Content-Range: bytes " + QByteArray::number(from) + '-' + QByteArray::number(to) + '/'
                                    + QByteArray::number(data.size())},
                         method == "HEAD");
        }
        reply(s, 200, data, {etag}, method == "HEAD");
    }

    QByteArray listing() const
    {
        QByteArray xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                         "<Name>bucket</Name><Prefix>p%2F</Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>"
                         "<IsTruncated>false</IsTruncated>";
        auto entry = [&xml](const QByteArray &encodedKey, qint64 size, const QByteArray &etag) {
            xml += "<Contents><Key>" + encodedKey + "</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;"
                + etag + "&quot;</ETag><Size>" + QByteArray::number(size) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
        };
        for (auto it = objects.cbegin(); it != objects.cend(); ++it)
            entry(it.key().toPercentEncoding("-._~"), it.value().size(), Md5::of(it.value()).toHex());
        for (const QByteArray &k : listedOnly)
            entry(k, 6, "0123456789abcdef0123456789abcdef");
        return xml + "</ListBucketResult>";
    }

    QTcpServer m_server;
};

} // namespace skydeck::test
