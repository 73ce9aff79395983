#pragma once

// A hostile S3 endpoint for tests: a tiny loopback server speaking just enough S3 (ListObjectsV2
// with encoding-type=url, GET/HEAD with Range, DeleteObjects, CopyObject) to behave as a lying
// server does: it ignores the prefix asked for (every listing is the whole bucket), may page for
// ever or repeat its continuation token, and lists keys that try to escape a download folder.
// s3rver cannot be one: it stores keys as files and collapses "..". Link Qt6::Network and
// skydeck_transfer (Md5).
//
// It answers on the thread that owns it: a test that runs the skydeck binary against it must keep
// its event loop turning while it waits (CliRunner::runAsync).
#include "Md5.h"

#include <QHash>
#include <QObject>
#include <QTcpServer>
#include <QTcpSocket>
#include <QUrl>

#include <algorithm>
#include <memory>

namespace skydeck::test {

class HostileS3 : public QObject
{
public:
    enum class Paging {
        Honest,        // pages of pageSize keys with real continuation tokens
        RepeatToken,   // every page says "more" with the same token
        EndlessEmpty,  // every page is empty and says "more" with a new token
        EndlessNew,    // every page repeats the first keys and says "more" with a new token
    };

    QHash<QByteArray, QByteArray> objects;  // key -> bytes (served, listed, deleted, copied)
    QList<QByteArray> listedOnly;           // URL-encoded keys listed but never served
    QList<QByteArray> requested;            // decoded keys of object GETs/HEADs
    QList<QByteArray> deleted;              // keys named in DeleteObjects requests and DELETEs
    QList<QPair<QByteArray, QByteArray>> copies;  // (source key, destination key) of CopyObject
    int listRequests = 0;
    int requestCount = 0;
    bool hangOnGet = false;                 // never answer object GETs/HEADs (a stalled download)
    Paging paging = Paging::Honest;
    int pageSize = 1000;
    QByteArray listingPrefixElement = "p%2F";  // what <Prefix> says (nothing checks it)

    explicit HostileS3(const QHostAddress &address = QHostAddress::LocalHost)
    {
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                auto buf = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s, buf] { onData(s, *buf); });
            }
        });
        m_server.listen(address, 0);
    }
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    quint16 port() const { return m_server.serverPort(); }

private:
    void onData(QTcpSocket *s, QByteArray &buf)
    {
        buf += s->readAll();
        for (;;) {
            const qsizetype end = buf.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buf.left(end).split('\n');
            qint64 length = 0;
            QByteArray range;
            QByteArray copySource;
            for (const QByteArray &raw : lines) {
                const QByteArray l = raw.trimmed();
                const QByteArray lower = l.toLower();
                if (lower.startsWith("range:"))
                    range = l.mid(6).trimmed();
                else if (lower.startsWith("content-length:"))
                    length = l.mid(15).trimmed().toLongLong();
                else if (lower.startsWith("x-amz-copy-source:"))
                    copySource = l.mid(18).trimmed();
            }
            if (buf.size() < end + 4 + length)
                return;  // the body is still coming
            const QByteArray body = buf.mid(end + 4, length);
            buf.remove(0, end + 4 + length);
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            ++requestCount;
            answer(s, first.value(0), first.value(1), range, copySource, body);
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

    void answer(QTcpSocket *s, const QByteArray &method, const QByteArray &target, const QByteArray &range,
                const QByteArray &copySource, const QByteArray &body)
    {
        const qsizetype q = target.indexOf('?');
        const QByteArray path = target.left(q < 0 ? target.size() : q);
        const QByteArray query = q < 0 ? QByteArray() : target.mid(q + 1);
        if (path == "/bucket" || path == "/bucket/") {
            if (method == "POST" && query.startsWith("delete"))
                return deleteObjects(s, body);
            if (q >= 0)
                return reply(s, 200, listing(query), {"Content-Type: application/xml"});
        }
        if (!path.startsWith("/bucket/"))
            return reply(s, 404, "<Error><Code>NoSuchBucket</Code></Error>");
        const QByteArray key = QByteArray::fromPercentEncoding(path.mid(8));
        if (method == "PUT" && !copySource.isEmpty()) {
            QByteArray from = QByteArray::fromPercentEncoding(copySource);
            if (from.startsWith('/'))
                from.remove(0, 1);
            from = from.mid(from.indexOf('/') + 1);  // "bucket/key" -> "key"
            copies.append({from, key});
            objects.insert(key, objects.value(from));
            return reply(s, 200,
                         "<CopyObjectResult><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;"
                             + Md5::of(objects.value(key)).toHex() + "&quot;</ETag></CopyObjectResult>",
                         {"Content-Type: application/xml"});
        }
        if (method == "DELETE") {
            deleted.append(key);
            objects.remove(key);
            return reply(s, 204, {});
        }
        requested.append(key);
        if (hangOnGet)
            return;
        if (!objects.contains(key))
            return reply(s, 404, "<Error><Code>NoSuchKey</Code><Message>no</Message></Error>", {}, method == "HEAD");
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

    void deleteObjects(QTcpSocket *s, const QByteArray &body)
    {
        QByteArray result = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult>";
        qsizetype at = 0;
        for (;;) {
            const qsizetype open = body.indexOf("<Key>", at);
            if (open < 0)
                break;
            const qsizetype close = body.indexOf("</Key>", open);
            QByteArray key = body.mid(open + 5, close - open - 5);
            key.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'").replace("&amp;", "&");
            deleted.append(key);
            objects.remove(key);
            result += "<Deleted><Key>" + body.mid(open + 5, close - open - 5) + "</Key></Deleted>";
            at = close + 6;
        }
        reply(s, 200, result + "</DeleteResult>", {"Content-Type: application/xml"});
    }

    QByteArray listing(const QByteArray &query)
    {
        ++listRequests;
        QByteArray token;
        for (const QByteArray &kv : query.split('&'))
            if (kv.startsWith("continuation-token="))
                token = QByteArray::fromPercentEncoding(kv.mid(19));
        struct Row {
            QByteArray encodedKey;
            qint64 size;
            QByteArray etag;
        };
        QList<Row> rows;
        QList<QByteArray> keys = objects.keys();
        std::sort(keys.begin(), keys.end());
        for (const QByteArray &k : keys)
            rows.append({k.toPercentEncoding("-._~"), objects.value(k).size(), Md5::of(objects.value(k)).toHex()});
        for (const QByteArray &k : listedOnly)
            rows.append({k, 6, "0123456789abcdef0123456789abcdef"});

        qsizetype start = 0;
        QByteArray next;
        QList<Row> page;
        switch (paging) {
        case Paging::Honest:
            start = token.isEmpty() ? 0 : token.toLongLong();
            page = rows.mid(start, pageSize);
            if (start + pageSize < rows.size())
                next = QByteArray::number(start + pageSize);
            break;
        case Paging::RepeatToken:
            page = rows.mid(0, pageSize);
            next = "always-the-same";
            break;
        case Paging::EndlessEmpty:
            next = "empty-" + QByteArray::number(listRequests);
            break;
        case Paging::EndlessNew:
            page = rows.mid(0, pageSize);
            next = "more-" + QByteArray::number(listRequests);
            break;
        }
        QByteArray xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
                         "<Name>bucket</Name><Prefix>" + listingPrefixElement + "</Prefix><MaxKeys>1000</MaxKeys>"
                         "<EncodingType>url</EncodingType><IsTruncated>" + QByteArray(next.isEmpty() ? "false" : "true")
                       + "</IsTruncated>";
        if (!next.isEmpty())
            xml += "<NextContinuationToken>" + next + "</NextContinuationToken>";
        for (const Row &r : page)
            xml += "<Contents><Key>" + r.encodedKey + "</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified><ETag>&quot;"
                + r.etag + "&quot;</ETag><Size>" + QByteArray::number(r.size) + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
        return xml + "</ListBucketResult>";
    }

    QTcpServer m_server;
};

} // namespace skydeck::test
