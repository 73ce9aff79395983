// The bucket browser's multi-step operations against s3rver: counting a prefix's objects before a
// delete, batch delete, rename of an object (copy + delete) and of a prefix (every object under
// it), new folder, HEAD for properties, presigned URL.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "BucketOperations.h"
#include "HostileS3.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include "GuiTestMain.h"

#include <QElapsedTimer>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSignalSpy>

using namespace skydeck;
using skydeck::ui::BucketOperations;
using skydeck::ui::ObjectRef;

namespace {
// Runs an async BucketOperations call to completion on this (the UI) thread's event loop.
template <typename T, typename Start>
Result<T> finish(Start start)
{
    std::optional<Result<T>> out;
    start([&out](Result<T> r) { out = std::move(r); });
    QElapsedTimer clock;
    clock.start();
    while (!out && clock.elapsed() < 30000)
        QCoreApplication::processEvents(QEventLoop::AllEvents | QEventLoop::WaitForMoreEvents, 50);
    return out ? *out : Result<T>(Error(Error::Category::Server, QStringLiteral("no answer in 30 s")));
}
} // namespace

class TestBucketOperationsS3 : public QObject
{
    Q_OBJECT
    std::unique_ptr<AccountRegistry> m_registry;
    std::unique_ptr<BucketOperations> m_ops;
    QString m_bucket;

    QStringList listAll(const QString &prefix)
    {
        return finish<QStringList>([&](auto cb) { m_ops->collectKeys(m_bucket, {ObjectRef{prefix, true, -1}}, cb); })
            .value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        aws::registerProviders();
        m_registry = std::make_unique<AccountRegistry>();
        Account a;
        a.id = QStringLiteral("ops");
        a.provider = QStringLiteral("aws");
        a.settings = {{QStringLiteral("endpoint"), endpoint},
                      {QStringLiteral("region"), QStringLiteral("us-east-1")},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("S3RVER")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("S3RVER")}};
        m_registry->addAccount(a);
        m_ops = std::make_unique<BucketOperations>(m_registry->worker(a.id), m_registry->storage(a.id));
        m_bucket = QStringLiteral("ops-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        StorageClient *c = m_registry->storage(a.id);
        const QString b = m_bucket;
        QVERIFY(waitFor(m_registry->worker(a.id)->run<Done>([c, b](const CancelToken &t, Callback<Done> d) {
                    c->createBucket(b, QString(), t, d);
                })).ok());
        // 1,203 objects under big/ (more than one delete batch and one listing page), a few others.
        QList<QFuture<Result<PutResult>>> puts;
        QStringList keys;
        for (int i = 0; i < 1203; ++i)
            keys.append(QStringLiteral("big/%1/f%2").arg(i % 7).arg(i));
        keys << QStringLiteral("move/a.txt") << QStringLiteral("move/sub/b.txt") << QStringLiteral("single.txt");
        for (const QString &k : keys)
            puts.append(m_registry->worker(a.id)->run<PutResult>([c, b, k](const CancelToken &t, Callback<PutResult> d) {
                c->putObject(b, k, k.toUtf8(), PutOptions{}, ProgressFn(), t, d);
            }));
        for (auto &f : puts)
            QVERIFY(waitFor(f).ok());
    }

    void countsThenDeletesAPrefix()
    {
        const auto keys = finish<QStringList>([&](auto cb) {
            m_ops->collectKeys(m_bucket, {ObjectRef{QStringLiteral("big/"), true, -1}, ObjectRef{QStringLiteral("single.txt"), false, 11}}, cb);
        });
        QVERIFY2(keys.ok(), qPrintable(keys.error().toString()));
        QCOMPARE(keys.value().size(), 1204);  // what the confirmation says
        const auto del = finish<Done>([&](auto cb) { m_ops->deleteKeys(m_bucket, keys.value(), cb); });
        QVERIFY2(del.ok(), qPrintable(del.error().toString()));
        QCOMPARE(listAll(QStringLiteral("big/")), QStringList());
        QCOMPARE(listAll(QStringLiteral("single.txt")), QStringList());
    }

    void renamesAnObjectAndAPrefix()
    {
        auto r = finish<Done>([&](auto cb) {
            m_ops->rename(m_bucket, ObjectRef{QStringLiteral("move/a.txt"), false, 10}, QStringLiteral("move/renamed.txt"), cb);
        });
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(listAll(QStringLiteral("move/")), (QStringList{QStringLiteral("move/renamed.txt"), QStringLiteral("move/sub/b.txt")}));

        r = finish<Done>([&](auto cb) {
            m_ops->rename(m_bucket, ObjectRef{QStringLiteral("move/"), true, -1}, QStringLiteral("moved/"), cb);
        });
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(listAll(QStringLiteral("move/")), QStringList());
        QStringList moved = listAll(QStringLiteral("moved/"));
        moved.sort();
        QCOMPARE(moved, (QStringList{QStringLiteral("moved/renamed.txt"), QStringLiteral("moved/sub/b.txt")}));

        // Into itself: refused before anything is copied.
        r = finish<Done>([&](auto cb) {
            m_ops->rename(m_bucket, ObjectRef{QStringLiteral("moved/"), true, -1}, QStringLiteral("moved/inner/"), cb);
        });
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), Error::Category::InvalidInput);
    }

    void newFolderHeadAndPresign()
    {
        auto r = finish<Done>([&](auto cb) { m_ops->createFolder(m_bucket, QStringLiteral("fresh"), cb); });
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(listAll(QStringLiteral("fresh/")), QStringList{QStringLiteral("fresh/")});

        const auto head = finish<ObjectHead>([&](auto cb) { m_ops->head(m_bucket, QStringLiteral("moved/sub/b.txt"), cb); });
        QVERIFY2(head.ok(), qPrintable(head.error().toString()));
        QCOMPARE(head.value().size, qint64(QByteArray("move/sub/b.txt").size()));
        const auto missing = finish<ObjectHead>([&](auto cb) { m_ops->head(m_bucket, QStringLiteral("nope"), cb); });
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().category(), Error::Category::NotFound);

        const auto url = finish<QUrl>([&](auto cb) { m_ops->presign(m_bucket, QStringLiteral("moved/sub/b.txt"), 900, cb); });
        QVERIFY2(url.ok(), qPrintable(url.error().toString()));
        QVERIFY(url.value().toString().contains(QStringLiteral("X-Amz-Expires=900")));
        QNetworkAccessManager nam;
        std::unique_ptr<QNetworkReply> reply(nam.get(QNetworkRequest(url.value())));
        QSignalSpy done(reply.get(), &QNetworkReply::finished);
        QVERIFY(done.wait(10000));
        QCOMPARE(reply->readAll(), QByteArray("move/sub/b.txt"));
    }

    // A server that ignores the folder asked for (it lists the whole bucket): the folder delete's
    // count, a folder rename and the listing behind a drag-out all stop with KeyOutsidePrefix
    // before anything is deleted or copied. Before: every listed key was counted and acted on.
    void aServerListingOutsideTheFolderIsNotActedOn()
    {
        test::HostileS3 server;
        server.objects.insert("keep/a", "a");
        server.objects.insert("keep/sub/b", "b");
        server.objects.insert("keepsake", "outside");
        server.objects.insert("other/c", "outside");
        AccountRegistry registry;
        Account a;
        a.id = QStringLiteral("hostile");
        a.provider = QStringLiteral("aws");
        a.settings = {{QStringLiteral("endpoint"), server.endpoint()},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("AKIDEXAMPLE")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("secret")}};
        registry.addAccount(a);
        BucketOperations ops(registry.worker(a.id), registry.storage(a.id));
        const auto keys = finish<QStringList>([&](auto cb) {
            ops.collectKeys(QStringLiteral("bucket"), {ObjectRef{QStringLiteral("keep/"), true, -1}}, cb);
        });
        QVERIFY(!keys.ok());
        QCOMPARE(keys.error().code(), QStringLiteral("KeyOutsidePrefix"));
        const auto renamed = finish<Done>([&](auto cb) {
            ops.rename(QStringLiteral("bucket"), ObjectRef{QStringLiteral("keep/"), true, -1}, QStringLiteral("moved/"), cb);
        });
        QVERIFY(!renamed.ok());
        QCOMPARE(renamed.error().code(), QStringLiteral("KeyOutsidePrefix"));
        const auto tree = finish<QList<ObjectEntry>>([&](auto cb) {
            ops.listTree(QStringLiteral("bucket"), QStringLiteral("keep/"), -1, cb);
        });
        QVERIFY(!tree.ok());
        QVERIFY(server.deleted.isEmpty());
        QVERIFY(server.copies.isEmpty());
        QCOMPARE(server.objects.size(), 4);
    }
};

SKYDECK_GUI_TEST_MAIN(TestBucketOperationsS3)
#include "tst_bucketoperations_s3.moc"
