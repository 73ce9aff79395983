// Dragging objects and folders out of the bucket browser onto an external file manager, against
// s3rver with the real S3Client and TransferEngine: the mime data the view drags offers
// text/uri-list; asking for it (what a file manager does on drop) downloads the selection through
// the engine into a staging folder and answers with file:// URLs of byte-identical files and
// folder trees. Nothing is downloaded before that, nor for drops inside Skydeck; a selection over
// the size cap gets no URLs; a hostile listing (a loopback server: s3rver collapses "..") never
// writes outside the staging folder.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "BucketBrowser.h"
#include "HostileS3.h"
#include "ObjectDragMime.h"
#include "ObjectListModel.h"
#include "ObjectMime.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TransferEngine.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QDirIterator>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QMimeData>
#include <QProgressDialog>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QUuid>

#include <utime.h>

using namespace skydeck;
using skydeck::ui::BucketBrowser;
using skydeck::ui::DragOutSettings;
using skydeck::ui::ObjectDragMime;
using skydeck::ui::ObjectListModel;

namespace {
const QString kAccount = QStringLiteral("test:s3");
const QString kUriList = QStringLiteral("text/uri-list");

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray b((size + 3) / 4 * 4, Qt::Uninitialized);
    QRandomGenerator(seed).fillRange(reinterpret_cast<quint32 *>(b.data()), b.size() / 4);
    b.truncate(size);
    return b;
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}

QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

QString stagingRoot()
{
    return QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + QStringLiteral("/drag");
}
} // namespace

class TestDragOutS3 : public QObject
{
    Q_OBJECT
    std::unique_ptr<AccountRegistry> m_registry;
    std::unique_ptr<TransferEngine> m_engine;
    QString m_bucket;
    QByteArray m_a;
    QByteArray m_c;
    QByteArray m_top;

    ProviderWorker *worker() { return m_registry->worker(kAccount); }
    StorageClient *client() { return m_registry->storage(kAccount); }

    bool put(const QString &key, const QByteArray &data)
    {
        StorageClient *c = client();
        const QString b = m_bucket;
        return waitFor(worker()->run<PutResult>([c, b, key, data](const CancelToken &t, Callback<PutResult> d) {
                   c->putObject(b, key, data, PutOptions{}, ProgressFn(), t, d);
               }))
            .ok();
    }
    std::unique_ptr<BucketBrowser> browserAt(const QString &prefix)
    {
        auto b = std::make_unique<BucketBrowser>(m_engine.get());
        new QAbstractItemModelTester(b->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, b.get());
        b->setAccount(kAccount, worker(), client());
        b->resize(900, 600);
        b->show();
        b->setLocation(m_bucket, prefix);
        return b;
    }
    // What QAbstractItemView::startDrag() puts in the QDrag: the model's mime data for the selection.
    static std::unique_ptr<QMimeData> dragOf(BucketBrowser *browser, const QStringList &keys)
    {
        QItemSelectionModel *sel = browser->view()->selectionModel();
        sel->clearSelection();
        for (int r = 0; r < browser->model()->rowCount(); ++r)
            if (keys.contains(browser->model()->keyAt(r)))
                sel->select(browser->model()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        return std::unique_ptr<QMimeData>(browser->model()->mimeData(sel->selectedIndexes()));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        aws::registerProviders();
        m_registry = std::make_unique<AccountRegistry>();
        Account a;
        a.id = kAccount;
        a.provider = QStringLiteral("aws");
        a.displayName = QStringLiteral("s3rver");
        a.settings = {{QStringLiteral("endpoint"), endpoint},
                      {QStringLiteral("region"), QStringLiteral("us-east-1")},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("S3RVER")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("S3RVER")}};
        m_registry->addAccount(a);
        m_engine = std::make_unique<TransferEngine>(m_registry.get());
        m_engine->setMinPartSize(5 * 1024 * 1024);  // the 9 MiB object below comes in ranged parts
        m_bucket = QStringLiteral("dragout-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        StorageClient *c = client();
        const QString b = m_bucket;
        QVERIFY(waitFor(worker()->run<Done>([c, b](const CancelToken &t, Callback<Done> d) {
                    c->createBucket(b, QString(), t, d);
                })).ok());

        m_a = randomBytes(9 * 1024 * 1024 + 5, 20);
        m_c = randomBytes(70 * 1024, 21);
        m_top = randomBytes(1000, 22);
        QVERIFY(put(QStringLiteral("out/a.bin"), m_a));
        QVERIFY(put(QStringLiteral("out/empty.txt"), QByteArray()));
        QVERIFY(put(QStringLiteral("out/folder/top.txt"), m_top));
        QVERIFY(put(QStringLiteral("out/folder/nested/c.bin"), m_c));
        QVERIFY(put(QStringLiteral("out/folder/nested/zero"), QByteArray()));
        QVERIFY(put(QStringLiteral("out/not-dragged.bin"), QByteArray("x")));
        QSettings().remove(QStringLiteral("buckets"));
        QDir(stagingRoot()).removeRecursively();
    }
    void cleanup()
    {
        QSettings().remove(QStringLiteral("buckets"));
        m_engine->clearFinished();
    }
    void cleanupTestCase()
    {
        m_engine.reset();
        m_registry.reset();
    }

    void dropOnFileManagerGetsStagedFiles()
    {
        auto browser = browserAt(QStringLiteral("out/"));
        QTRY_VERIFY(browser->model()->isComplete());
        auto mime = dragOf(browser.get(), {QStringLiteral("out/a.bin"), QStringLiteral("out/folder/")});
        QVERIFY(mime);
        auto *drag = qobject_cast<ObjectDragMime *>(mime.get());
        QVERIFY(drag);
        QVERIFY(mime->hasFormat(QString::fromLatin1(ui::ObjectMime::kFormat)));
        QVERIFY(mime->formats().contains(kUriList));
        QVERIFY(mime->hasUrls());
        QCOMPARE(mime->text(), QStringLiteral("s3://%1/out/folder/\ns3://%1/out/a.bin").arg(m_bucket));

        // Lazy: dragging (and asking what is offered) downloads nothing.
        QVERIFY(!QFileInfo::exists(drag->stagingDir()));
        QVERIFY(m_engine->transfers().isEmpty());

        // The drop: the file manager asks for text/uri-list.
        const QByteArray uriList = mime->data(kUriList);
        QVERIFY2(!uriList.isEmpty(), qPrintable(drag->lastError().toString()));
        QVERIFY2(!drag->lastError().isError(), qPrintable(drag->lastError().toString()));
        const QList<QByteArray> lines = uriList.trimmed().split('\n');
        QCOMPARE(lines.size(), 2);
        QList<QUrl> urls;
        for (const QByteArray &l : lines)
            urls.append(QUrl::fromEncoded(l.trimmed()));
        const QString staging = drag->stagingDir();
        QVERIFY(staging.startsWith(stagingRoot() + QLatin1Char('/')));
        QCOMPARE(urls, (QList<QUrl>{QUrl::fromLocalFile(staging + QStringLiteral("/folder")),
                                    QUrl::fromLocalFile(staging + QStringLiteral("/a.bin"))}));

        // Byte-identical files, the folder as a tree (its empty object included), no .part left.
        QCOMPARE(readFile(urls.at(1).toLocalFile()), m_a);
        const QString folder = urls.at(0).toLocalFile();
        QVERIFY(QFileInfo(folder).isDir());
        QCOMPARE(filesUnder(folder), (QStringList{QStringLiteral("nested/c.bin"), QStringLiteral("nested/zero"),
                                                  QStringLiteral("top.txt")}));
        QCOMPARE(readFile(folder + QStringLiteral("/top.txt")), m_top);
        QCOMPARE(readFile(folder + QStringLiteral("/nested/c.bin")), m_c);
        QCOMPARE(readFile(folder + QStringLiteral("/nested/zero")), QByteArray());
        QCOMPARE(filesUnder(staging).size(), 4);

        // Through the engine (the transfers pane shows them), all verified and done.
        const QList<TransferStatus> all = m_engine->transfers();
        QCOMPARE(all.size(), 4);
        for (const TransferStatus &s : all) {
            QVERIFY2(s.state == TransferState::Done, qPrintable(s.spec.key + QStringLiteral(": ") + s.error.toString()));
            QVERIFY(s.spec.localPath.startsWith(staging + QLatin1Char('/')));
        }
        QVERIFY(std::any_of(all.cbegin(), all.cend(), [](const TransferStatus &s) { return s.partsTotal > 1; }));

        // Asked again (targets do): the same answer, nothing downloaded twice.
        QCOMPARE(mime->urls(), urls);
        QCOMPARE(mime->data(kUriList), uriList);
        QCOMPARE(m_engine->transfers().size(), 4);
    }

    void dropInsideSkydeckStagesNothing()
    {
        auto browser = browserAt(QStringLiteral("out/"));
        QTRY_VERIFY(browser->model()->isComplete());
        auto mime = dragOf(browser.get(), {QStringLiteral("out/a.bin"), QStringLiteral("out/folder/")});
        auto *drag = qobject_cast<ObjectDragMime *>(mime.get());
        QVERIFY(drag);
        QWidget *viewport = browser->view()->viewport();
        const QPoint pos(viewport->width() / 2, viewport->height() - 5);
        QDragEnterEvent enter(pos, Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(!enter.isAccepted());
        QDropEvent drop(QPointF(pos), Qt::CopyAction, mime.get(), Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);
        QVERIFY(!drop.isAccepted());
        QVERIFY(!browser->uploadDropped(mime.get(), QStringLiteral("out/")));
        // An in-app target uses the identities.
        const auto payload = ui::ObjectMime::decode(mime.get());
        QVERIFY(payload);
        QCOMPARE(payload->refs.size(), 2);
        QVERIFY(!QFileInfo::exists(drag->stagingDir()));
        QVERIFY(m_engine->transfers().isEmpty());
    }

    void overCapSelectionGetsNoUris()
    {
        auto browser = browserAt(QStringLiteral("out/"));
        QTRY_VERIFY(browser->model()->isComplete());
        QSettings().setValue(QStringLiteral("buckets/dragOutMaxBytes"), 50 * 1024);

        // Sizes known from the listing: text/uri-list is not even offered.
        QSignalSpy activity(browser.get(), &BucketBrowser::activity);
        auto big = dragOf(browser.get(), {QStringLiteral("out/a.bin")});
        auto *bigDrag = qobject_cast<ObjectDragMime *>(big.get());
        QVERIFY(bigDrag);
        QVERIFY(!bigDrag->offersFiles());
        QVERIFY(!big->formats().contains(kUriList));
        QVERIFY(!big->hasUrls());
        QVERIFY(big->data(kUriList).isEmpty());
        QVERIFY(big->hasFormat(QString::fromLatin1(ui::ObjectMime::kFormat)));  // still an internal drag
        QVERIFY(bigDrag->lastError().message().contains(QStringLiteral("Download to")));
        QCOMPARE(activity.size(), 1);
        QVERIFY(activity.at(0).at(0).toString().contains(QStringLiteral("Download to")));

        // A folder's size is known only once listed (71 KB here): offered, but the drop gets nothing.
        auto folder = dragOf(browser.get(), {QStringLiteral("out/empty.txt"), QStringLiteral("out/folder/")});
        auto *folderDrag = qobject_cast<ObjectDragMime *>(folder.get());
        QVERIFY(folderDrag);
        QVERIFY(folder->formats().contains(kUriList));
        QSignalSpy errors(browser.get(), &BucketBrowser::errorOccurred);
        QVERIFY(folder->data(kUriList).isEmpty());
        QCOMPARE(folderDrag->lastError().category(), Error::Category::InvalidInput);
        QVERIFY(folderDrag->lastError().message().contains(QStringLiteral("Download to")));
        QVERIFY(m_engine->transfers().isEmpty());
        QVERIFY(!QFileInfo::exists(folderDrag->stagingDir()));
        QVERIFY(errors.wait(5000));  // the browser says why (queued, after the drop returned)
        QVERIFY(errors.at(0).at(0).value<Error>().message().contains(QStringLiteral("Download to")));
    }

    void escapeCancelsTheWait()
    {
        // A server that lists one object and never answers its GET: only Escape ends the wait.
        test::HostileS3 server;
        server.listedOnly = {"p%2Fhang.bin"};
        server.hangOnGet = true;
        AccountRegistry registry;
        Account a;
        a.id = QStringLiteral("slow");
        a.provider = QStringLiteral("aws");
        a.settings = {{QStringLiteral("endpoint"), server.endpoint()},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("AKIDEXAMPLE")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("secret")}};
        registry.addAccount(a);
        TransferEngine engine(&registry);

        QWidget window;
        window.show();
        ui::ObjectDragPayload payload{a.id, QStringLiteral("bucket"), QString(),
                                      {ui::ObjectRef{QStringLiteral("p/"), true, -1}}};
        DragOutSettings settings = DragOutSettings::load();
        ObjectDragMime mime(payload, &engine, registry.worker(a.id), registry.storage(a.id), settings, &window);
        bool sawDialog = false;
        QTimer escape;
        escape.setInterval(50);
        connect(&escape, &QTimer::timeout, this, [&] {
            auto *dialog = window.findChild<QProgressDialog *>();
            if (!dialog || !dialog->isVisible())
                return;
            sawDialog = true;
            QTest::keyClick(dialog, Qt::Key_Escape);
        });
        escape.start();
        QElapsedTimer clock;
        clock.start();
        QVERIFY(mime.data(kUriList).isEmpty());
        escape.stop();
        QVERIFY(sawDialog);
        QVERIFY2(clock.elapsed() < 30000, qPrintable(QString::number(clock.elapsed())));
        QCOMPARE(mime.lastError().category(), Error::Category::Cancelled);
        QTRY_VERIFY(engine.isIdle());
        const QList<TransferStatus> all = engine.transfers();
        QCOMPARE(all.size(), 1);
        QCOMPARE(all.first().state, TransferState::Cancelled);
    }

    void hostileKeysStayInsideStaging()
    {
        test::HostileS3 server;
        server.objects.insert("p/ok.txt", "fine");
        server.objects.insert("p/sub/ok2.txt", "fine too");
        server.listedOnly = {"p%2F..%2Fx", "p%2Fa%2F..%2F..%2Fb", "p%2F%2Fetc%2Fpasswd", "p%2Fnul%00x",
                             "p%2F" + QByteArray(300, 'L'), "p%2F..%5C..%5Cwin", "p%2F.%2Fdot", "p%2FC%3A%2Fwin"};
        AccountRegistry registry;
        Account a;
        a.id = QStringLiteral("hostile");
        a.provider = QStringLiteral("aws");
        a.settings = {{QStringLiteral("endpoint"), server.endpoint()},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("AKIDEXAMPLE")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("secret")}};
        registry.addAccount(a);
        TransferEngine engine(&registry);

        QTemporaryDir base;
        DragOutSettings settings = DragOutSettings::load();
        settings.stagingRoot = base.filePath(QStringLiteral("cache/drag"));
        // Dragging the folder p/ and an object whose own name is hostile.
        ui::ObjectDragPayload payload{a.id, QStringLiteral("bucket"), QString(),
                                      {ui::ObjectRef{QStringLiteral("p/"), true, -1},
                                       ui::ObjectRef{QStringLiteral(".."), false, 6}}};
        ObjectDragMime mime(payload, &engine, registry.worker(a.id), registry.storage(a.id), settings);
        const QList<QUrl> urls = mime.urls();
        QCOMPARE(urls, QList<QUrl>{QUrl::fromLocalFile(mime.stagingDir() + QStringLiteral("/p"))});
        QCOMPARE(mime.lastError().category(), Error::Category::InvalidInput);  // the refused keys, named

        const QString uuid = QFileInfo(mime.stagingDir()).fileName();
        QCOMPARE(filesUnder(base.path()), (QStringList{QStringLiteral("cache/drag/%1/p/ok.txt").arg(uuid),
                                                       QStringLiteral("cache/drag/%1/p/sub/ok2.txt").arg(uuid)}));
        QCOMPARE(readFile(mime.stagingDir() + QStringLiteral("/p/sub/ok2.txt")), QByteArray("fine too"));
        const QSet<QByteArray> fetched(server.requested.cbegin(), server.requested.cend());
        QCOMPARE(fetched, QSet<QByteArray>({"p/ok.txt", "p/sub/ok2.txt"}));
    }

    void oldStagingFoldersAreRemoved()
    {
        QTemporaryDir base;
        const QString root = base.filePath(QStringLiteral("drag"));
        const QString old = root + QStringLiteral("/") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString fresh = root + QStringLiteral("/") + QUuid::createUuid().toString(QUuid::WithoutBraces);
        const QString notOurs = root + QStringLiteral("/keep-me");
        for (const QString &d : {old, fresh, notOurs})
            QVERIFY(QDir().mkpath(d + QStringLiteral("/sub")));
        QFile f(old + QStringLiteral("/sub/x"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.close();
        const QDateTime twoDaysAgo = QDateTime::currentDateTimeUtc().addDays(-2);
        for (const QString &d : {old, notOurs}) {
            const struct utimbuf times{twoDaysAgo.toSecsSinceEpoch(), twoDaysAgo.toSecsSinceEpoch()};
            QCOMPARE(::utime(QFile::encodeName(d).constData(), &times), 0);
        }
        DragOutSettings::removeOldStaging(root);
        QTRY_VERIFY(!QFileInfo::exists(old));
        QVERIFY(QFileInfo::exists(fresh));
        QVERIFY(QFileInfo::exists(notOurs));
    }
};

SKYDECK_GUI_TEST_MAIN(TestDragOutS3)
#include "tst_dragout_s3.moc"
