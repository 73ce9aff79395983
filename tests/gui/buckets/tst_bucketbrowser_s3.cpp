// The bucket browser against s3rver with the real S3Client and TransferEngine: the model lists a
// real bucket page by page; dropping local files and a folder (text/uri-list of file:// URLs) on
// the browser uploads them (checked by listing and reading with S3Client directly); dragging
// objects and a folder out (the mime data the view drags) into a folder downloads byte-identical
// files through the engine.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "BucketBrowser.h"
#include "ObjectListModel.h"
#include "ObjectMime.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StorageClient.h"
#include "TransferEngine.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QMessageBox>
#include <QTimer>
#include <QDirIterator>
#include <QDropEvent>
#include <QMimeData>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTableView>

using namespace skydeck;
using skydeck::ui::BucketBrowser;
using skydeck::ui::ObjectListModel;

namespace {
const QString kAccount = QStringLiteral("test:s3");

QByteArray randomBytes(qint64 size, quint32 seed)
{
    QByteArray b((size + 3) / 4 * 4, Qt::Uninitialized);
    QRandomGenerator(seed).fillRange(reinterpret_cast<quint32 *>(b.data()), b.size() / 4);
    b.truncate(size);
    return b;
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(data) == data.size();
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray("<missing>");
}
} // namespace

class TestBucketBrowserS3 : public QObject
{
    Q_OBJECT
    std::unique_ptr<AccountRegistry> m_registry;
    std::unique_ptr<TransferEngine> m_engine;
    QString m_bucket;
    QTemporaryDir m_tmp;

    ProviderWorker *worker() { return m_registry->worker(kAccount); }
    StorageClient *client() { return m_registry->storage(kAccount); }

    template <typename T>
    Result<T> call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op)
    {
        StorageClient *c = client();
        return waitFor(worker()->run<T>([c, op](const CancelToken &t, Callback<T> done) { op(c, t, std::move(done)); }));
    }
    bool put(const QString &key, const QByteArray &data)
    {
        const QString b = m_bucket;
        return call<PutResult>([b, key, data](StorageClient *c, const CancelToken &t, Callback<PutResult> d) {
                   c->putObject(b, key, data, PutOptions{}, ProgressFn(), t, d);
               })
            .ok();
    }
    QByteArray get(const QString &key)
    {
        GetRequest req{m_bucket, key};
        auto r = call<ObjectData>([req](StorageClient *c, const CancelToken &t, Callback<ObjectData> d) {
            c->getObject(req, ProgressFn(), t, d);
        });
        return r.ok() ? r.value().data : QByteArray("<" + r.error().toString().toUtf8() + ">");
    }
    QStringList listFlat(const QString &prefix)
    {
        QStringList keys;
        QString cont;
        do {
            ListRequest req;
            req.bucket = m_bucket;
            req.prefix = prefix;
            req.delimiter.clear();
            req.continuation = cont;
            auto r = call<ListPage>([req](StorageClient *c, const CancelToken &t, Callback<ListPage> d) {
                c->listObjects(req, t, d);
            });
            if (!r.ok())
                return {QStringLiteral("<error: %1>").arg(r.error().toString())};
            for (const ObjectEntry &e : r.value().entries)
                keys.append(e.key);
            cont = r.value().truncated ? r.value().nextContinuation : QString();
        } while (!cont.isEmpty());
        keys.sort();
        return keys;
    }
    bool waitIdle()
    {
        if (m_engine->isIdle())
            return true;
        QSignalSpy idle(m_engine.get(), &TransferEngine::idle);
        return idle.wait(60000) || m_engine->isIdle();
    }
    std::unique_ptr<BucketBrowser> newBrowser()
    {
        auto b = std::make_unique<BucketBrowser>(m_engine.get());
        new QAbstractItemModelTester(b->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, b.get());
        b->setAccount(kAccount, worker(), client());
        b->resize(900, 600);
        b->show();
        return b;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_S3_ENDPOINT");
        QVERIFY(m_tmp.isValid());
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
        m_bucket = QStringLiteral("gui-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        const QString b = m_bucket;
        QVERIFY(call<Done>([b](StorageClient *c, const CancelToken &t, Callback<Done> d) {
                    c->createBucket(b, QString(), t, d);
                }).ok());
    }
    void cleanupTestCase()
    {
        m_engine.reset();
        m_registry.reset();
    }

    void modelListsRealBucketInPages()
    {
        // 1,200 objects and 30 folders under list/, listed 500 keys a page.
        QList<QFuture<Result<PutResult>>> puts;
        StorageClient *c = client();
        for (int i = 0; i < 1230; ++i) {
            const QString key = i < 30 ? QStringLiteral("list/dir%1/x.txt").arg(i, 2, 10, QLatin1Char('0'))
                                       : QStringLiteral("list/obj%1.dat").arg(i, 4, 10, QLatin1Char('0'));
            const QString b = m_bucket;
            const QByteArray data = QByteArray::number(i);
            puts.append(worker()->run<PutResult>([c, b, key, data](const CancelToken &t, Callback<PutResult> d) {
                c->putObject(b, key, data, PutOptions{}, ProgressFn(), t, d);
            }));
        }
        for (auto &f : puts)
            QVERIFY(waitFor(f).ok());

        ObjectListModel model;
        new QAbstractItemModelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest, &model);
        model.setSource(worker(), client(), kAccount);
        model.setPageSize(500);
        QSignalSpy done(&model, &ObjectListModel::completed);
        model.setLocation(m_bucket, QStringLiteral("list/"));
        QVERIFY(done.wait(30000));
        QCOMPARE(model.rowCount(), 1230);
        QVERIFY(model.isPrefixAt(0));
        QCOMPARE(model.keyAt(0), QStringLiteral("list/dir00/"));
        QCOMPARE(model.keyAt(29), QStringLiteral("list/dir29/"));
        QCOMPARE(model.keyAt(30), QStringLiteral("list/obj0030.dat"));
        QCOMPARE(model.data(model.index(30, ObjectListModel::SizeColumn), ObjectListModel::SizeRole).toLongLong(), 2);

        // Server-side name prefix, then a local substring.
        QSignalSpy done2(&model, &ObjectListModel::completed);
        model.setLocation(m_bucket, QStringLiteral("list/"), QStringLiteral("obj11"));
        QVERIFY(done2.wait(30000));
        QCOMPARE(model.rowCount(), 100);
        model.setSubstringFilter(QStringLiteral("5"));
        QCOMPARE(model.rowCount(), 19);  // obj1105, obj1115, ..., obj1150..obj1159, ...

        // A bucket that does not exist: an error, not an empty list.
        QSignalSpy failed(&model, &ObjectListModel::listingFailed);
        model.setSubstringFilter(QString());
        model.setLocation(QStringLiteral("no-such-bucket-skydeck"), QString());
        QVERIFY(failed.wait(30000));
        QCOMPARE(model.state(), ObjectListModel::State::Failed);
        QCOMPARE(model.lastError().category(), Error::Category::NotFound);
    }

    // A key is the uploader's text: the delete confirmation shows it as plain text (markup and all,
    // never rendered), and answering Cancel deletes nothing; Yes deletes it.
    void deleteConfirmationShowsKeysAsPlainText()
    {
        const QString key = QStringLiteral("confirm/<b>bold<i> & <img src=x>.txt");  // no '/': one object
        QVERIFY(put(key, "markup"));
        auto browser = newBrowser();
        QSignalSpy done(browser->model(), &ObjectListModel::completed);
        browser->setLocation(m_bucket, QStringLiteral("confirm/"));
        QVERIFY(done.wait(30000));
        QCOMPARE(browser->model()->rowCount(), 1);
        for (const bool accept : {false, true}) {
            browser->view()->selectRow(0);
            QString shown;
            Qt::TextFormat format = Qt::AutoText;
            bool answered = false;
            // The confirmation is modal: answer it from a timer once it shows.
            QTimer poll;
            connect(&poll, &QTimer::timeout, this, [&] {
                auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
                if (!box || box->objectName() != QLatin1String("deleteConfirmation"))
                    return;
                shown = box->text();
                format = box->textFormat();
                answered = true;
                box->button(accept ? QMessageBox::Yes : QMessageBox::Cancel)->click();
            });
            poll.start(20);
            browser->deleteAction()->trigger();
            QTRY_VERIFY_WITH_TIMEOUT(answered, 30000);
            poll.stop();
            QCOMPARE(format, Qt::PlainText);
            QVERIFY2(shown.contains(key), qPrintable(shown));
            if (!accept) {
                QCOMPARE(listFlat(QStringLiteral("confirm/")), QStringList{key});
            } else {
                QTRY_COMPARE_WITH_TIMEOUT(listFlat(QStringLiteral("confirm/")), QStringList(), 30000);
            }
        }
    }

    void droppedFilesAndFolderAreUploaded()
    {
        const QString src = m_tmp.filePath(QStringLiteral("drop-src"));
        const QByteArray one = randomBytes(100 * 1024 + 7, 1);
        const QByteArray two = randomBytes(1, 2);
        const QByteArray deep = randomBytes(300 * 1024, 3);
        QVERIFY(writeFile(src + QStringLiteral("/one.bin"), one));
        QVERIFY(writeFile(src + QStringLiteral("/tree/two.txt"), two));
        QVERIFY(writeFile(src + QStringLiteral("/tree/sub/deep.bin"), deep));

        auto browser = newBrowser();
        browser->setLocation(m_bucket, QStringLiteral("drop/"));
        QTRY_VERIFY(browser->model()->state() != ObjectListModel::State::Loading);

        QMimeData mime;
        mime.setUrls({QUrl::fromLocalFile(src + QStringLiteral("/one.bin")), QUrl::fromLocalFile(src + QStringLiteral("/tree"))});
        QWidget *viewport = browser->view()->viewport();
        const QPointF pos(viewport->width() / 2.0, viewport->height() - 5.0);  // empty space: the current folder
        QDragEnterEvent enter(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &enter);
        QVERIFY(enter.isAccepted());
        QDragMoveEvent move(pos.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &move);
        QVERIFY(move.isAccepted());
        QDropEvent drop(pos, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &drop);
        QVERIFY(drop.isAccepted());
        QCOMPARE(drop.dropAction(), Qt::CopyAction);

        QVERIFY(waitIdle());
        for (const TransferStatus &s : m_engine->transfers())
            QVERIFY2(s.state == TransferState::Done, qPrintable(s.spec.key + QStringLiteral(": ") + s.error.toString()));
        QCOMPARE(listFlat(QStringLiteral("drop/")),
                 (QStringList{QStringLiteral("drop/one.bin"), QStringLiteral("drop/tree/sub/deep.bin"),
                              QStringLiteral("drop/tree/two.txt")}));
        QCOMPARE(get(QStringLiteral("drop/one.bin")), one);
        QCOMPARE(get(QStringLiteral("drop/tree/two.txt")), two);
        QCOMPARE(get(QStringLiteral("drop/tree/sub/deep.bin")), deep);

        // Text that is not a local file is refused, not guessed at.
        QMimeData text;
        text.setText(QStringLiteral("hello"));
        QDragEnterEvent refused(pos.toPoint(), Qt::CopyAction, &text, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(viewport, &refused);
        QVERIFY(!refused.isAccepted());
        m_engine->clearFinished();
    }

    void draggedObjectsAreDownloadedToAFolder()
    {
        const QByteArray a = randomBytes(256 * 1024 + 3, 10);
        const QByteArray b = randomBytes(0, 11);
        const QByteArray c = randomBytes(70 * 1024, 12);
        QVERIFY(put(QStringLiteral("out/a.bin"), a));
        QVERIFY(put(QStringLiteral("out/empty.txt"), b));
        QVERIFY(put(QStringLiteral("out/folder/nested/c.bin"), c));
        // s3rver only reports a common prefix for a folder with a direct child (its filesystem
        // walk skips folders holding only folders), so out/folder/ gets one.
        QVERIFY(put(QStringLiteral("out/folder/top.txt"), QByteArray("top")));
        QVERIFY(put(QStringLiteral("out/not-dragged.bin"), QByteArray("x")));

        auto browser = newBrowser();
        browser->setLocation(m_bucket, QStringLiteral("out/"));
        QTRY_VERIFY(browser->model()->isComplete());
        QStringList shown;
        for (int r = 0; r < browser->model()->rowCount(); ++r)
            shown.append(browser->model()->keyAt(r));
        QVERIFY2(shown.size() == 4, qPrintable(shown.join(QLatin1Char(','))));
        QCOMPARE(shown, (QStringList{QStringLiteral("out/folder/"), QStringLiteral("out/a.bin"),
                                     QStringLiteral("out/empty.txt"), QStringLiteral("out/not-dragged.bin")}));

        // Select what the user drags: the folder and two objects.
        QItemSelectionModel *sel = browser->view()->selectionModel();
        for (int r = 0; r < browser->model()->rowCount(); ++r)
            if (browser->model()->keyAt(r) != QStringLiteral("out/not-dragged.bin"))
                sel->select(browser->model()->index(r, 0), QItemSelectionModel::Select | QItemSelectionModel::Rows);
        // What QAbstractItemView::startDrag() puts in the QDrag: the model's mime data for the selection.
        std::unique_ptr<QMimeData> mime(browser->model()->mimeData(sel->selectedIndexes()));
        QVERIFY(mime);
        QVERIFY(mime->hasFormat(QString::fromLatin1(ui::ObjectMime::kFormat)));

        // The drop side: a folder target decodes the identities and queues engine downloads.
        const QString dest = m_tmp.filePath(QStringLiteral("drag-out"));
        QVERIFY(QDir().mkpath(dest));
        const auto payload = ui::ObjectMime::decode(mime.get());
        QVERIFY(payload);
        QCOMPARE(payload->refs.size(), 3);
        QVERIFY(ui::ObjectMime::downloadTo(m_engine.get(), *payload, dest).isEmpty());
        QVERIFY(waitIdle());
        for (const TransferStatus &s : m_engine->transfers())
            QVERIFY2(s.state == TransferState::Done, qPrintable(s.spec.key + QStringLiteral(": ") + s.error.toString()));

        QStringList files;
        QDirIterator it(dest, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
        while (it.hasNext())
            files.append(QDir(dest).relativeFilePath(it.next()));
        files.sort();
        QCOMPARE(files, (QStringList{QStringLiteral("a.bin"), QStringLiteral("empty.txt"),
                                     QStringLiteral("folder/nested/c.bin"), QStringLiteral("folder/top.txt")}));
        QCOMPARE(readFile(dest + QStringLiteral("/folder/top.txt")), QByteArray("top"));
        QCOMPARE(readFile(dest + QStringLiteral("/a.bin")), a);
        QCOMPARE(readFile(dest + QStringLiteral("/empty.txt")), b);
        QCOMPARE(readFile(dest + QStringLiteral("/folder/nested/c.bin")), c);
        m_engine->clearFinished();
    }
};

SKYDECK_GUI_TEST_MAIN(TestBucketBrowserS3)
#include "tst_bucketbrowser_s3.moc"
