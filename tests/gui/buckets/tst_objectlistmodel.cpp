// ObjectListModel over a fake StorageClient: paging, streaming, folders first, sort, filters,
// errors with retry, stale answers, drag payload. QAbstractItemModelTester watches every model.
#include "FakeStorageClient.h"
#include "ObjectListModel.h"
#include "ObjectMime.h"
#include "ProviderWorker.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QSignalSpy>

using namespace skydeck;
using skydeck::test::FakeStorageClient;
using skydeck::ui::ObjectListModel;

class CountingModel : public ObjectListModel
{
public:
    int effectiveFetches = 0;
    void fetchMore(const QModelIndex &parent) override
    {
        if (canFetchMore(parent))
            ++effectiveFetches;
        ObjectListModel::fetchMore(parent);
    }
};

class TestObjectListModel : public QObject
{
    Q_OBJECT
private:
    std::unique_ptr<ProviderWorker> m_worker;
    FakeStorageClient *m_client = nullptr;

    std::unique_ptr<ObjectListModel> newModel()
    {
        auto model = std::make_unique<ObjectListModel>();
        new QAbstractItemModelTester(model.get(), QAbstractItemModelTester::FailureReportingMode::QtTest, model.get());
        model->setSource(m_worker.get(), m_client, QStringLiteral("fake:1"));
        return model;
    }
    static bool waitComplete(ObjectListModel *m)
    {
        if (m->isComplete())
            return true;
        QSignalSpy spy(m, &ObjectListModel::completed);
        return spy.wait(10000) || m->isComplete();
    }
    static QStringList names(ObjectListModel *m)
    {
        QStringList out;
        for (int r = 0; r < m->rowCount(); ++r)
            out.append(m->data(m->index(r, 0), ObjectListModel::NameRole).toString());
        return out;
    }

private Q_SLOTS:
    void init()
    {
        m_worker = std::make_unique<ProviderWorker>(QStringLiteral("fake"));
        m_client = m_worker->create<FakeStorageClient>([this] { return new FakeStorageClient(m_worker->context()); });
        // 2,500 keys under p/: every 25th is a folder (p/k0000/inner.txt), the rest objects, so
        // folders and objects interleave across the pages the server sends.
        for (int i = 0; i < 2500; ++i) {
            const QString n = QStringLiteral("p/k%1").arg(i, 4, 10, QLatin1Char('0'));
            if (i % 25 == 0)
                m_client->addObject(QStringLiteral("b"), n + QStringLiteral("/inner.txt"), 1);
            else
                m_client->addObject(QStringLiteral("b"), n + QStringLiteral(".bin"), (i * 37) % 1000,
                                    i % 3 ? QStringLiteral("STANDARD") : QStringLiteral("GLACIER"));
        }
        m_client->addObject(QStringLiteral("b"), QStringLiteral("p/"), 0);  // the folder's own marker
        m_client->addObject(QStringLiteral("b"), QStringLiteral("top.txt"), 5);
    }
    void cleanup()
    {
        m_worker.reset();
        m_client = nullptr;
    }

    void streamsAllPagesFoldersFirst()
    {
        auto m = newModel();
        QSignalSpy inserted(m.get(), &QAbstractItemModel::rowsInserted);
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QCOMPARE(m->state(), ObjectListModel::State::Loading);
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m->rowCount(), 2500);
        QCOMPARE(m_client->listCalls(), 3);  // 1000 + 1000 + 500 entries
        for (int r = 0; r < 100; ++r)
            QVERIFY2(m->isPrefixAt(r), qPrintable(QString::number(r)));
        for (int r = 100; r < 2500; ++r)
            QVERIFY(!m->isPrefixAt(r));
        QCOMPARE(m->keyAt(0), QStringLiteral("p/k0000/"));
        QCOMPARE(m->data(m->index(0, 0)).toString(), QStringLiteral("k0000"));  // shown without the '/'
        QCOMPARE(m->keyAt(99), QStringLiteral("p/k2475/"));
        QCOMPARE(m->keyAt(100), QStringLiteral("p/k0001.bin"));
        QCOMPARE(m->keyAt(2499), QStringLiteral("p/k2499.bin"));
        QVERIFY(!names(m.get()).contains(QString()));  // the p/ marker is not its own child
        QVERIFY(!m->canFetchMore({}));
        // Batched: a handful of inserts, not one per row or per page entry.
        QVERIFY2(inserted.size() <= 10, qPrintable(QString::number(inserted.size())));
        QVERIFY(m->memoryUsage() > 0);
    }

    void fetchMoreLoadsPageByPage()
    {
        // The tester itself calls fetchMore() as a view would; count the calls that asked for a page.
        auto m = std::make_unique<CountingModel>();
        new QAbstractItemModelTester(m.get(), QAbstractItemModelTester::FailureReportingMode::QtTest, m.get());
        m->setSource(m_worker.get(), m_client, QStringLiteral("fake:1"));
        m->setAutoStream(false);
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(!m->canFetchMore({}));  // the first page is on its way: one request at a time
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m->rowCount(), 2500);
        QVERIFY(!m->canFetchMore({}));
        QCOMPARE(m->effectiveFetches, 2);               // pages 2 and 3 came from fetchMore()
        QCOMPARE(m_client->listCalls(), 1 + m->effectiveFetches);
    }

    void sortsBySizeKeepingFoldersFirst()
    {
        auto m = newModel();
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(waitComplete(m.get()));
        const QPersistentModelIndex tracked = m->index(150, 0);
        const QString trackedKey = tracked.data(ObjectListModel::KeyRole).toString();
        m->sort(ObjectListModel::SizeColumn, Qt::DescendingOrder);
        QCOMPARE(tracked.data(ObjectListModel::KeyRole).toString(), trackedKey);  // persistent index followed
        for (int r = 0; r < 100; ++r)
            QVERIFY(m->isPrefixAt(r));
        for (int r = 101; r < 2500; ++r)
            QVERIFY(m->data(m->index(r - 1, 0), ObjectListModel::SizeRole).toLongLong()
                    >= m->data(m->index(r, 0), ObjectListModel::SizeRole).toLongLong());
        m->sort(ObjectListModel::ClassColumn, Qt::AscendingOrder);
        QCOMPARE(m->data(m->index(100, ObjectListModel::ClassColumn)).toString(), QStringLiteral("GLACIER"));
        QCOMPARE(m->data(m->index(2499, ObjectListModel::ClassColumn)).toString(), QStringLiteral("STANDARD"));
        m->sort(ObjectListModel::NameColumn, Qt::AscendingOrder);
        QCOMPARE(m->keyAt(100), QStringLiteral("p/k0001.bin"));
    }

    void sortedWhileStreamingMergesInPlace()
    {
        auto m = newModel();
        m->sort(ObjectListModel::SizeColumn, Qt::AscendingOrder);
        m->setPageSize(100);  // 25 pages, each merged into a sorted list
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m->rowCount(), 2500);
        for (int r = 101; r < 2500; ++r) {
            const qint64 a = m->data(m->index(r - 1, 0), ObjectListModel::SizeRole).toLongLong();
            const qint64 b = m->data(m->index(r, 0), ObjectListModel::SizeRole).toLongLong();
            QVERIFY2(a < b || (a == b && m->keyAt(r - 1) < m->keyAt(r)), qPrintable(m->keyAt(r)));
        }
    }

    void substringFilterIsLocal()
    {
        auto m = newModel();
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(waitComplete(m.get()));
        const int calls = m_client->listCalls();
        m->setSubstringFilter(QStringLiteral("K24"));  // case-insensitive
        QCOMPARE(m_client->listCalls(), calls);        // no new request
        const QStringList shown = names(m.get());
        QCOMPARE(shown.size(), 100);  // k2400..k2499 (k2400, k2425, k2450, k2475 are folders)
        for (const QString &n : shown)
            QVERIFY(n.contains(QStringLiteral("k24")));
        QVERIFY(m->isPrefixAt(0));
        m->setSubstringFilter(QString());
        QCOMPARE(m->rowCount(), 2500);
    }

    void namePrefixFilterAsksTheServer()
    {
        auto m = newModel();
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"), QStringLiteral("k01"));
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m_client->lastRequest().prefix, QStringLiteral("p/k01"));
        QCOMPARE(m->rowCount(), 100);
        QCOMPARE(m->keyAt(0), QStringLiteral("p/k0100/"));  // names stay relative to the folder
        QCOMPARE(m->data(m->index(0, 0), ObjectListModel::NameRole).toString(), QStringLiteral("k0100/"));
    }

    void firstPageErrorIsShownAndRetried()
    {
        auto m = newModel();
        QSignalSpy failed(m.get(), &ObjectListModel::listingFailed);
        m_client->failNextList(Error(Error::Category::Permission, QStringLiteral("Access Denied"),
                                     QStringLiteral("AccessDenied"), 403));
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(failed.wait(5000));
        QCOMPARE(m->state(), ObjectListModel::State::Failed);
        QCOMPARE(m->lastError().category(), Error::Category::Permission);
        QVERIFY(m->lastError().toString().contains(QStringLiteral("Access Denied")));
        QCOMPARE(m->rowCount(), 0);
        QVERIFY(!m->canFetchMore({}));
        m->retry();
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m->rowCount(), 2500);
    }

    void midStreamErrorKeepsRowsAndResumes()
    {
        auto m = newModel();
        QSignalSpy failed(m.get(), &ObjectListModel::listingFailed);
        m_client->failListCall(2, Error(Error::Category::Network, QStringLiteral("connection reset")));
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(failed.wait(5000));
        QTRY_COMPARE(m->rowCount(), 999);  // what was listed stays (page 1 minus the p/ marker)
        QCOMPARE(m->state(), ObjectListModel::State::Failed);
        QCOMPARE(m->lastError().category(), Error::Category::Network);
        QVERIFY(!m->canFetchMore({}));
        m->retry();  // continues from the page that failed
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(m->rowCount(), 2500);
        QCOMPARE(m->keyAt(2499), QStringLiteral("p/k2499.bin"));
        QCOMPARE(m_client->listCalls(), 4);
    }

    // A server that repeats its continuation token, or answers "more" with empty pages for ever,
    // or lists keys outside the folder: the listing stops with the guard's error (before the
    // guard, the model asked again for ever) and shows no key from outside the folder.
    void lyingServerStopsTheListing_data()
    {
        QTest::addColumn<int>("lie");
        QTest::addColumn<QString>("code");
        QTest::newRow("repeated token") << int(FakeStorageClient::Lie::RepeatToken) << QStringLiteral("RepeatedPageToken");
        QTest::newRow("endless empty pages") << int(FakeStorageClient::Lie::EndlessEmptyPages)
                                             << QStringLiteral("EmptyPages");
        QTest::newRow("key outside prefix") << int(FakeStorageClient::Lie::KeyOutsidePrefix)
                                            << QStringLiteral("KeyOutsidePrefix");
    }
    void lyingServerStopsTheListing()
    {
        QFETCH(int, lie);
        QFETCH(QString, code);
        m_client->setLie(FakeStorageClient::Lie(lie));
        auto m = newModel();
        QSignalSpy failed(m.get(), &ObjectListModel::listingFailed);
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(failed.wait(20000));
        QCOMPARE(m->state(), ObjectListModel::State::Failed);
        QCOMPARE(m->lastError().code(), code);
        QVERIFY(m_client->listCalls() <= 102);
        QTRY_VERIFY(m->pendingCount() == 0);
        for (int r = 0; r < m->rowCount(); ++r)
            QVERIFY2(m->keyAt(r).startsWith(QLatin1String("p/")), qPrintable(m->keyAt(r)));
        QVERIFY(!m->canFetchMore({}));
    }

    void answersForAnOldLocationAreIgnored()
    {
        auto m = newModel();
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        m->setLocation(QStringLiteral("b"), QString());  // before the first answer
        QVERIFY(waitComplete(m.get()));
        QCOMPARE(names(m.get()), (QStringList{QStringLiteral("p/"), QStringLiteral("top.txt")}));
        QVERIFY(m->isPrefixAt(0));
    }

    void dragCarriesObjectIdentities()
    {
        auto m = newModel();
        m->setLocation(QStringLiteral("b"), QStringLiteral("p/"));
        QVERIFY(waitComplete(m.get()));
        std::unique_ptr<QMimeData> mime(m->mimeData({m->index(0, 0), m->index(0, 1), m->index(100, 0)}));
        QVERIFY(mime);
        const auto payload = ui::ObjectMime::decode(mime.get());
        QVERIFY(payload);
        QCOMPARE(payload->accountId, QStringLiteral("fake:1"));
        QCOMPARE(payload->bucket, QStringLiteral("b"));
        QCOMPARE(payload->basePrefix, QStringLiteral("p/"));
        QCOMPARE(payload->refs.size(), 2);
        QCOMPARE(payload->refs[0].key, QStringLiteral("p/k0000/"));
        QVERIFY(payload->refs[0].isPrefix);
        QCOMPARE(payload->refs[1].key, QStringLiteral("p/k0001.bin"));
        QCOMPARE(mime->text(), QStringLiteral("s3://b/p/k0000/\ns3://b/p/k0001.bin"));
        // Hostile names never become local paths.
        QCOMPARE(ui::ObjectMime::safeLocalName(QStringLiteral("p/../"), QStringLiteral("p/")), QString());
        QCOMPARE(ui::ObjectMime::safeLocalName(QStringLiteral("p/.."), QStringLiteral("p/")), QString());
        QCOMPARE(ui::ObjectMime::safeLocalName(QStringLiteral("p/a\\b"), QStringLiteral("p/")), QString());
        QCOMPARE(ui::ObjectMime::safeLocalName(QStringLiteral("p/ok.txt"), QStringLiteral("p/")), QStringLiteral("ok.txt"));
    }
};

SKYDECK_GUI_TEST_MAIN(TestObjectListModel)
#include "tst_objectlistmodel.moc"
