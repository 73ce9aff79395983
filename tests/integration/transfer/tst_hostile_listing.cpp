// A hostile S3 endpoint (a tiny loopback server speaking just enough S3) lists keys that try to
// escape the download folder, URL-encoded as S3 does for encoding-type=url (so a NUL can arrive).
// downloadPrefix through the real S3Client must write only inside the chosen folder, report every
// refused key, and never even request them.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "Md5.h"
#include "TestMain.h"
#include "TransferEngine.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>

using namespace skydeck;

namespace {

// Objects it serves (GET with Range) and extra keys it only lists.
class HostileS3 : public QObject
{
public:
    QHash<QByteArray, QByteArray> objects;  // key -> bytes
    QList<QByteArray> listedOnly;           // URL-encoded keys listed but never served
    QList<QByteArray> requested;            // decoded paths of object GETs/HEADs

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

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

} // namespace

class TestHostileListing : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void hostileKeysNeverLeaveTheChosenFolder()
    {
        aws::registerProviders();
        HostileS3 server;
        server.objects.insert("p/ok.txt", "fine");
        server.objects.insert("p/sub/ok2.txt", "fine too");
        server.listedOnly = {"p%2F..%2Fx", "p%2Fa%2F..%2F..%2Fb", "p%2F%2Fetc%2Fpasswd", "p%2Fnul%00x",
                             "p%2F" + QByteArray(300, 'L'), "p%2F..%5C..%5Cwin", "p%2F.%2Fdot", "p%2FC%3A%2Fwin"};

        AccountRegistry registry;
        Account a;
        a.id = QStringLiteral("hostile");
        a.provider = QStringLiteral("aws");
        a.settings.insert(QStringLiteral("endpoint"), server.endpoint());
        a.settings.insert(QStringLiteral("addressingStyle"), QStringLiteral("path"));
        a.settings.insert(QStringLiteral("accessKeyId"), QStringLiteral("AKIDEXAMPLE"));
        a.secrets.insert(QStringLiteral("secretAccessKey"), QStringLiteral("secret"));
        registry.addAccount(a);
        TransferEngine engine(&registry);

        QTemporaryDir base;
        const QString chosen = base.filePath(QStringLiteral("chosen"));
        QSignalSpy idle(&engine, &TransferEngine::idle);
        QSignalSpy expansionFailed(&engine, &TransferEngine::expansionFailed);
        engine.downloadPrefix(a.id, QStringLiteral("bucket"), QStringLiteral("p/"), chosen);
        QVERIFY(idle.wait(30000));
        QCOMPARE(expansionFailed.size(), 0);

        const QList<TransferStatus> all = engine.transfers();
        QCOMPARE(all.size(), 10);
        int done = 0;
        int refused = 0;
        for (const TransferStatus &st : all) {
            if (st.state == TransferState::Done) {
                ++done;
                continue;
            }
            QCOMPARE(st.state, TransferState::Failed);
            QCOMPARE(st.error.category(), Error::Category::InvalidInput);
            QVERIFY2(st.error.toString().startsWith(QStringLiteral("s3://bucket/p/")), qPrintable(st.error.toString()));
            QVERIFY2(st.error.toString().contains(QStringLiteral("refused object key")), qPrintable(st.error.toString()));
            QVERIFY(!st.error.toString().contains(QChar(0)));
            ++refused;
        }
        QCOMPARE(done, 2);
        QCOMPARE(refused, 8);
        QCOMPARE(filesUnder(base.path()), QStringList({QStringLiteral("chosen/ok.txt"), QStringLiteral("chosen/sub/ok2.txt")}));
        // Only the two safe objects were ever fetched.
        QSet<QByteArray> fetched(server.requested.cbegin(), server.requested.cend());
        QCOMPARE(fetched, QSet<QByteArray>({"p/ok.txt", "p/sub/ok2.txt"}));
    }
};

SKYDECK_TEST_MAIN(TestHostileListing)
#include "tst_hostile_listing.moc"
