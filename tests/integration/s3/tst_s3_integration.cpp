// S3Client against s3rver on loopback (scripts/peers.sh). s3rver does not verify signatures: the
// signing itself is checked by tests/unit/aws (published vectors, botocore, the wire test).
#include "Peers.h"
#include "ProviderWorker.h"
#include "S3Client.h"
#include "SigV4.h"
#include "TestMain.h"

#include <QCryptographicHash>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>

#include <memory>

using namespace skydeck;
using namespace skydeck::aws;

class TestS3Integration : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void bucketLifecycle();
    void putHeadGet_data();
    void putHeadGet();
    void rangedGet();
    void contentMd5AndStorageClass();
    void multipartComplete();
    void multipartAbort();
    void listing2500();
    void batchDelete1000();
    void copyObject();
    void notFound();
    void presignedUrlFetch();
    void wrongSecretStillSigned();

private:
    template <typename T, typename F>
    Result<T> call(F f, S3Client *client = nullptr)
    {
        S3Client *c = client ? client : m_client;
        return waitFor(m_worker->run<T>([c, f](const CancelToken &t, Callback<T> done) { f(c, t, std::move(done)); }));
    }
    S3Client *makeClient(const QString &secret);
    QString newBucket();
    void putAll(const QString &bucket, const QStringList &keys);

    QString m_endpoint;
    std::unique_ptr<ProviderWorker> m_worker;
    S3Client *m_client = nullptr;
    QString m_bucket;  // shared by the object tests
    QString m_listingBucket;
};

S3Client *TestS3Integration::makeClient(const QString &secret)
{
    S3Config cfg;
    cfg.endpoint = QUrl(m_endpoint);
    cfg.region = QStringLiteral("us-east-1");
    cfg.addressing = S3Config::Addressing::Auto;  // a custom endpoint: path-style
    cfg.credentials.accessKeyId = skydeck::test::s3PeerValue("ACCESS_KEY");
    cfg.credentials.secretAccessKey = secret;
    QObject *ctx = m_worker->context();
    return m_worker->create<S3Client>([cfg, ctx] { return new S3Client(cfg, ctx); });
}

QString TestS3Integration::newBucket()
{
    const QString name = QStringLiteral("skydeck-it-%1").arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    const Status s = call<Done>([name](S3Client *c, const CancelToken &t, Callback<Done> d) { c->createBucket(name, {}, t, d); });
    if (!s.ok())
        qWarning() << s.error().toString();
    return s.ok() ? name : QString();
}

void TestS3Integration::putAll(const QString &bucket, const QStringList &keys)
{
    // Many requests in flight at once: the worker's HttpClient queues them on its connections.
    QList<QFuture<Result<PutResult>>> futures;
    for (const QString &k : keys)
        futures.append(m_worker->run<PutResult>([c = m_client, bucket, k](const CancelToken &t, Callback<PutResult> d) {
            c->putObject(bucket, k, k.toUtf8(), {}, {}, t, d);
        }));
    for (auto &f : futures) {
        const Result<PutResult> r = waitFor(f);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    }
}

void TestS3Integration::initTestCase()
{
    SKYDECK_REQUIRE_S3_PEER(m_endpoint);
    m_worker = std::make_unique<ProviderWorker>(QStringLiteral("s3-test"));
    m_client = makeClient(skydeck::test::s3PeerValue("SECRET_KEY"));
    QVERIFY(m_client);
    QVERIFY(!m_client->usesVirtualHost(QStringLiteral("abc")));
    m_bucket = newBucket();
    QVERIFY(!m_bucket.isEmpty());
}

void TestS3Integration::cleanupTestCase()
{
    m_worker.reset();
}

void TestS3Integration::bucketLifecycle()
{
    const QString name = newBucket();
    QVERIFY(!name.isEmpty());
    auto list = [&] {
        return call<QList<Bucket>>([](S3Client *c, const CancelToken &t, Callback<QList<Bucket>> d) { c->listBuckets(t, d); });
    };
    Result<QList<Bucket>> buckets = list();
    QVERIFY2(buckets.ok(), qPrintable(buckets.error().toString()));
    bool found = false;
    for (const Bucket &b : buckets.value()) {
        if (b.name == name) {
            found = true;
            QVERIFY(b.created.isValid());
        }
    }
    QVERIFY(found);
    const Status del = call<Done>([name](S3Client *c, const CancelToken &t, Callback<Done> d) { c->deleteBucket(name, t, d); });
    QVERIFY2(del.ok(), qPrintable(del.error().toString()));
    buckets = list();
    QVERIFY(buckets.ok());
    for (const Bucket &b : buckets.value())
        QVERIFY(b.name != name);
    const Status again = call<Done>([name](S3Client *c, const CancelToken &t, Callback<Done> d) { c->deleteBucket(name, t, d); });
    QVERIFY(!again.ok());
    QCOMPARE(again.error().category(), Error::Category::NotFound);
}

void TestS3Integration::putHeadGet_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<QByteArray>("data");
    QByteArray big(300 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < big.size(); ++i)
        big[i] = char(QRandomGenerator::global()->bounded(256));
    QTest::newRow("empty") << QStringLiteral("empty.bin") << QByteArray();
    QTest::newRow("one byte") << QStringLiteral("one") << QByteArray("x");
    QTest::newRow("unicode") << QStringLiteral("dir/ünï cödé ✓ 日本.txt") << QByteArray("unicode");
    QTest::newRow("space plus") << QStringLiteral("a b+c=d~e.txt") << QByteArray("plus");
    QTest::newRow("percent and friends") << QStringLiteral("weird/%41 & ? # ' ! ( ) * , ; @ $.bin") << big;
}

void TestS3Integration::putHeadGet()
{
    QFETCH(QString, key);
    QFETCH(QByteArray, data);
    const QString bucket = m_bucket;
    const Result<PutResult> put = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        PutOptions o;
        o.contentType = QStringLiteral("application/x-test");
        o.metadata.insert(QStringLiteral("origin"), QStringLiteral("skydeck"));
        c->putObject(bucket, key, data, o, {}, t, d);
    });
    QVERIFY2(put.ok(), qPrintable(put.error().toString()));
    const QString md5 = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex());
    QCOMPARE(put.value().etag, md5);

    const Result<ObjectHead> head = call<ObjectHead>([&](S3Client *c, const CancelToken &t, Callback<ObjectHead> d) {
        c->headObject(bucket, key, t, d);
    });
    QVERIFY2(head.ok(), qPrintable(head.error().toString()));
    QCOMPARE(head.value().size, data.size());
    QCOMPARE(head.value().etag, md5);
    QCOMPARE(head.value().contentType, QStringLiteral("application/x-test"));
    QCOMPARE(head.value().metadata.value(QStringLiteral("origin")), QStringLiteral("skydeck"));
    QVERIFY(head.value().modified.isValid());

    const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> d) {
        GetRequest g;
        g.bucket = bucket;
        g.key = key;
        c->getObject(g, {}, t, d);
    });
    QVERIFY2(get.ok(), qPrintable(get.error().toString()));
    QCOMPARE(get.value().data, data);
    QCOMPARE(get.value().head.size, data.size());

    // The key comes back from a listing exactly as it was written.
    const Result<ListPage> page = call<ListPage>([&](S3Client *c, const CancelToken &t, Callback<ListPage> d) {
        ListRequest l;
        l.bucket = bucket;
        l.prefix = key;
        l.delimiter.clear();
        c->listObjects(l, t, d);
    });
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    QCOMPARE(page.value().entries.size(), 1);
    QCOMPARE(page.value().entries.first().key, key);
    QCOMPARE(page.value().entries.first().size, data.size());
    QCOMPARE(page.value().entries.first().etag, md5);
}

void TestS3Integration::rangedGet()
{
    const QString bucket = m_bucket;
    const QString key = QStringLiteral("ranged/ä b.bin");
    QByteArray data;
    for (int i = 0; i < 10000; ++i)
        data += char('a' + i % 26);
    QVERIFY(call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
                c->putObject(bucket, key, data, {}, {}, t, d);
            }).ok());
    auto get = [&](qint64 offset, qint64 length, const QString &ifMatch = {}) {
        return call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> d) {
            GetRequest g;
            g.bucket = bucket;
            g.key = key;
            g.offset = offset;
            g.length = length;
            g.ifMatch = ifMatch;
            c->getObject(g, {}, t, d);
        });
    };
    Result<ObjectData> r = get(100, 50);
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().data, data.mid(100, 50));
    QCOMPARE(r.value().head.size, data.size());  // the whole object's size, from Content-Range
    r = get(9990, -1);
    QVERIFY(r.ok());
    QCOMPARE(r.value().data, data.mid(9990));
    const QString etag = QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex());
    r = get(0, 10, etag);
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QCOMPARE(r.value().data, data.left(10));
    // s3rver ignores If-Match; the 412 mapping is covered by tst_s3_wire.
}

void TestS3Integration::contentMd5AndStorageClass()
{
    const QString bucket = m_bucket;
    const QByteArray data("checked by the server");
    PutOptions o;
    o.contentMd5 = QCryptographicHash::hash(data, QCryptographicHash::Md5);
    o.storageClass = QStringLiteral("STANDARD_IA");
    Result<PutResult> r = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        c->putObject(bucket, QStringLiteral("md5-ok"), data, o, {}, t, d);
    });
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    const Result<ObjectHead> head = call<ObjectHead>([&](S3Client *c, const CancelToken &t, Callback<ObjectHead> d) {
        c->headObject(bucket, QStringLiteral("md5-ok"), t, d);
    });
    QVERIFY(head.ok());
    QCOMPARE(head.value().storageClass, QStringLiteral("STANDARD_IA"));
    // s3rver does not check Content-MD5; the header itself is checked by tst_s3_wire.
}

void TestS3Integration::multipartComplete()
{
    const QString bucket = m_bucket;
    const QString key = QStringLiteral("multi/part file ✓.bin");
    QByteArray part1(5 * 1024 * 1024, 'p');
    QByteArray part2("tail of the object");
    part1[12345] = 'X';
    const Result<QString> id = call<QString>([&](S3Client *c, const CancelToken &t, Callback<QString> d) {
        c->createMultipartUpload(bucket, key, {}, t, d);
    });
    QVERIFY2(id.ok(), qPrintable(id.error().toString()));
    QList<UploadedPart> parts;
    int n = 0;
    for (const QByteArray &data : {part1, part2}) {
        ++n;
        const QByteArray md5 = QCryptographicHash::hash(data, QCryptographicHash::Md5);
        const Result<UploadedPart> p = call<UploadedPart>([&](S3Client *c, const CancelToken &t, Callback<UploadedPart> d) {
            c->uploadPart(bucket, key, id.value(), n, data, md5, {}, t, d);
        });
        QVERIFY2(p.ok(), qPrintable(p.error().toString()));
        QCOMPARE(p.value().number, n);
        QCOMPARE(p.value().etag, QString::fromLatin1(md5.toHex()));
        parts.append(p.value());
    }
    const Result<PutResult> done = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        c->completeMultipartUpload(bucket, key, id.value(), parts, t, d);
    });
    QVERIFY2(done.ok(), qPrintable(done.error().toString()));
    QVERIFY(!done.value().etag.isEmpty());
    const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> d) {
        GetRequest g;
        g.bucket = bucket;
        g.key = key;
        c->getObject(g, {}, t, d);
    });
    QVERIFY(get.ok());
    QCOMPARE(get.value().data.size(), part1.size() + part2.size());
    QVERIFY(get.value().data == part1 + part2);
}

void TestS3Integration::multipartAbort()
{
    const QString bucket = m_bucket;
    const QString key = QStringLiteral("multi/aborted");
    const Result<QString> id = call<QString>([&](S3Client *c, const CancelToken &t, Callback<QString> d) {
        c->createMultipartUpload(bucket, key, {}, t, d);
    });
    QVERIFY(id.ok());
    QVERIFY(call<UploadedPart>([&](S3Client *c, const CancelToken &t, Callback<UploadedPart> d) {
                c->uploadPart(bucket, key, id.value(), 1, QByteArray(1024, 'a'), {}, {}, t, d);
            }).ok());
    const Status aborted = call<Done>([&](S3Client *c, const CancelToken &t, Callback<Done> d) {
        c->abortMultipartUpload(bucket, key, id.value(), t, d);
    });
    // s3rver 3.7.1 has no AbortMultipartUpload route: it answers 405 MethodNotAllowed, which must
    // come back as a clear error (the success path is covered by tst_s3_wire).
    if (!aborted.ok()) {
        QCOMPARE(aborted.error().code(), QStringLiteral("MethodNotAllowed"));
        QCOMPARE(aborted.error().httpStatus(), 405);
        return;
    }
    const Result<PutResult> late = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        c->completeMultipartUpload(bucket, key, id.value(), {UploadedPart{1, QStringLiteral("x"), 1024}}, t, d);
    });
    QVERIFY(!late.ok());
    // NoSuchUpload; moto 5.2.1 crashes on it instead (500 with an HTML page: a server error).
    QCOMPARE(late.error().category(), skydeck::test::s3PeerIsMoto() ? Error::Category::Server : Error::Category::NotFound);
    const Result<ObjectHead> head = call<ObjectHead>([&](S3Client *c, const CancelToken &t, Callback<ObjectHead> d) {
        c->headObject(bucket, key, t, d);
    });
    QVERIFY(!head.ok());
}

void TestS3Integration::listing2500()
{
    const QString bucket = newBucket();
    QVERIFY(!bucket.isEmpty());
    QStringList keys;
    for (int f = 0; f < 20; ++f)
        for (int i = 0; i < 100; ++i)
            keys << QStringLiteral("folder%1/file %2.txt").arg(f, 2, 10, QLatin1Char('0')).arg(i, 3, 10, QLatin1Char('0'));
    for (int i = 0; i < 500; ++i)
        keys << QStringLiteral("root-%1").arg(i, 3, 10, QLatin1Char('0'));
    putAll(bucket, keys);
    if (QTest::currentTestFailed())
        return;

    auto listAll = [&](const QString &prefix, const QString &delimiter, int maxKeys, int *pages) {
        QList<ObjectEntry> all;
        QString token;
        *pages = 0;
        do {
            const Result<ListPage> page = call<ListPage>([&](S3Client *c, const CancelToken &t, Callback<ListPage> d) {
                ListRequest l;
                l.bucket = bucket;
                l.prefix = prefix;
                l.delimiter = delimiter;
                l.maxKeys = maxKeys;
                l.continuation = token;
                c->listObjects(l, t, d);
            });
            if (!page.ok()) {
                qWarning() << page.error().toString();
                return QList<ObjectEntry>();
            }
            ++*pages;
            all += page.value().entries;
            token = page.value().nextContinuation;
            if (page.value().truncated != !token.isEmpty())
                return QList<ObjectEntry>();
        } while (!token.isEmpty() && *pages < 1000);
        return all;
    };

    // Folders and objects at the root, 100 per page.
    int pages = 0;
    const QList<ObjectEntry> root = listAll({}, QStringLiteral("/"), 100, &pages);
    QSet<QString> seen;
    int folders = 0;
    for (const ObjectEntry &e : root) {
        QVERIFY2(!seen.contains(e.key), qPrintable(e.key));
        seen.insert(e.key);
        if (e.isPrefix) {
            ++folders;
            QVERIFY(e.key.startsWith(QLatin1String("folder")) && e.key.endsWith(QLatin1Char('/')));
        } else {
            QVERIFY(e.key.startsWith(QLatin1String("root-")));
            QCOMPARE(e.size, e.key.toUtf8().size());
        }
    }
    QCOMPARE(folders, 20);
    QCOMPARE(root.size(), 520);
    // S3 counts prefixes toward max-keys (6 pages); s3rver counts only objects (5 pages).
    QVERIFY2(pages == 6 || pages == 5, qPrintable(QString::number(pages)));

    // One folder, paged by 30.
    const QList<ObjectEntry> inFolder = listAll(QStringLiteral("folder07/"), QStringLiteral("/"), 30, &pages);
    QCOMPARE(inFolder.size(), 100);
    QCOMPARE(pages, 4);
    QSet<QString> folderKeys;
    for (const ObjectEntry &e : inFolder) {
        QVERIFY(!e.isPrefix);
        folderKeys.insert(e.key);
    }
    QCOMPARE(folderKeys.size(), 100);
    QVERIFY(folderKeys.contains(QStringLiteral("folder07/file 042.txt")));

    // Flat: every key once, in order.
    const QList<ObjectEntry> flat = listAll({}, {}, 1000, &pages);
    QCOMPARE(pages, 3);
    QStringList flatKeys;
    for (const ObjectEntry &e : flat)
        flatKeys << e.key;
    QStringList expected = keys;
    std::sort(expected.begin(), expected.end());
    QCOMPARE(flatKeys, expected);
    m_listingBucket = bucket;
}

void TestS3Integration::batchDelete1000()
{
    const QString bucket = m_listingBucket;
    if (bucket.isEmpty())
        SKYDECK_SKIP_OR_FAIL(QStringLiteral("listing2500 did not leave its bucket"));
    QStringList keys;
    for (int f = 0; f < 10; ++f)
        for (int i = 0; i < 100; ++i)
            keys << QStringLiteral("folder%1/file %2.txt").arg(f, 2, 10, QLatin1Char('0')).arg(i, 3, 10, QLatin1Char('0'));
    QCOMPARE(keys.size(), 1000);
    const Result<QList<DeleteFailure>> r = call<QList<DeleteFailure>>(
        [&](S3Client *c, const CancelToken &t, Callback<QList<DeleteFailure>> d) { c->deleteObjects(bucket, keys, t, d); });
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    QVERIFY(r.value().isEmpty());
    int total = 0;
    QString token;
    do {
        const Result<ListPage> page = call<ListPage>([&](S3Client *c, const CancelToken &t, Callback<ListPage> d) {
            ListRequest l;
            l.bucket = bucket;
            l.delimiter.clear();
            l.continuation = token;
            c->listObjects(l, t, d);
        });
        QVERIFY(page.ok());
        total += int(page.value().entries.size());
        for (const ObjectEntry &e : page.value().entries)
            QVERIFY2(!keys.contains(e.key), qPrintable(e.key));
        token = page.value().nextContinuation;
    } while (!token.isEmpty());
    QCOMPARE(total, 1500);
    // 1001 keys is refused before any request.
    keys << QStringLiteral("one too many");
    const Result<QList<DeleteFailure>> tooMany = call<QList<DeleteFailure>>(
        [&](S3Client *c, const CancelToken &t, Callback<QList<DeleteFailure>> d) { c->deleteObjects(bucket, keys, t, d); });
    QVERIFY(!tooMany.ok());
    QCOMPARE(tooMany.error().category(), Error::Category::InvalidInput);
}

void TestS3Integration::copyObject()
{
    const QString bucket = m_bucket;
    // s3rver decodes x-amz-copy-source with decodeURI, which leaves %2B %26 %3D encoded: keep
    // those characters out of the source key here (the header encoding is checked by tst_s3_wire).
    const QString src = QStringLiteral("copy/src ü ✓ (1).txt");
    const QString dst = QStringLiteral("copy/dst ✓ %.txt");
    const QByteArray data("copy me");
    QVERIFY(call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
                c->putObject(bucket, src, data, {}, {}, t, d);
            }).ok());
    const Result<PutResult> copied = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        c->copyObject(bucket, src, bucket, dst, t, d);
    });
    QVERIFY2(copied.ok(), qPrintable(copied.error().toString()));
    QCOMPARE(copied.value().etag, QString::fromLatin1(QCryptographicHash::hash(data, QCryptographicHash::Md5).toHex()));
    const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> d) {
        GetRequest g;
        g.bucket = bucket;
        g.key = dst;
        c->getObject(g, {}, t, d);
    });
    QVERIFY(get.ok());
    QCOMPARE(get.value().data, data);
}

void TestS3Integration::notFound()
{
    const QString bucket = m_bucket;
    const Result<ObjectData> get = call<ObjectData>([&](S3Client *c, const CancelToken &t, Callback<ObjectData> d) {
        GetRequest g;
        g.bucket = bucket;
        g.key = QStringLiteral("no/such key");
        c->getObject(g, {}, t, d);
    });
    QVERIFY(!get.ok());
    QCOMPARE(get.error().category(), Error::Category::NotFound);
    QCOMPARE(get.error().code(), QStringLiteral("NoSuchKey"));
    QVERIFY(get.error().toString().contains(QLatin1String("s3://")));

    const Result<ObjectHead> head = call<ObjectHead>([&](S3Client *c, const CancelToken &t, Callback<ObjectHead> d) {
        c->headObject(bucket, QStringLiteral("no/such key"), t, d);
    });
    QVERIFY(!head.ok());
    QCOMPARE(head.error().category(), Error::Category::NotFound);

    const Result<ListPage> list = call<ListPage>([&](S3Client *c, const CancelToken &t, Callback<ListPage> d) {
        ListRequest l;
        l.bucket = QStringLiteral("skydeck-no-such-bucket");
        c->listObjects(l, t, d);
    });
    QVERIFY(!list.ok());
    QCOMPARE(list.error().category(), Error::Category::NotFound);
    QCOMPARE(list.error().code(), QStringLiteral("NoSuchBucket"));
}

void TestS3Integration::presignedUrlFetch()
{
    const QString bucket = m_bucket;
    const QString key = QStringLiteral("shared/link ✓ +=.txt");
    const QByteArray data("fetched through a presigned URL");
    QVERIFY(call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
                c->putObject(bucket, key, data, {}, {}, t, d);
            }).ok());
    const Result<QUrl> url = m_client->presignedGetUrl(bucket, key, 600);
    QVERIFY2(url.ok(), qPrintable(url.error().toString()));
    QVERIFY(url.value().toString().contains(QLatin1String("X-Amz-Signature=")));
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(QNetworkRequest(url.value()));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    QCOMPARE(reply->readAll(), data);
    reply->deleteLater();
    QCOMPARE(m_client->presignedGetUrl(bucket, key, 0).error().category(), Error::Category::InvalidInput);
}

void TestS3Integration::wrongSecretStillSigned()
{
    // s3rver accepts any signature, so a wrong secret works here; what matters is that the request
    // went out signed (tst_s3_wire checks the signature itself on the wire).
    S3Client *wrong = makeClient(QStringLiteral("not-the-secret"));
    const QString bucket = m_bucket;
    const Result<PutResult> r = call<PutResult>([&](S3Client *c, const CancelToken &t, Callback<PutResult> d) {
        c->putObject(bucket, QStringLiteral("wrong-secret"), "x", {}, {}, t, d);
    }, wrong);
    QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    const Result<QUrl> a = wrong->presignedGetUrl(bucket, QStringLiteral("k"), 60);
    const Result<QUrl> b = m_client->presignedGetUrl(bucket, QStringLiteral("k"), 60);
    QVERIFY(a.ok() && b.ok());
    QVERIFY(a.value() != b.value());  // the secret is in the signature
}

SKYDECK_TEST_MAIN(TestS3Integration)
#include "tst_s3_integration.moc"
