// RemoteFileModel under QAbstractItemModelTester (lazy fetch in batches, lstat types, columns)
// and FileBrowser uploads/downloads through the TransferEngine, against sshd's internal-sftp.
#include "AccountRegistry.h"
#include "ExecChannel.h"
#include "ProviderWorker.h"
#include "FileBrowser.h"
#include "GuiTestMain.h"
#include "RemoteFileModel.h"
#include "SftpClient.h"
#include "SftpStorage.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "TransferEngine.h"

#include <QAbstractItemModelTester>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>
#include <QUuid>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

class TestRemoteFiles : public QObject
{
    Q_OBJECT
    QTemporaryDir m_dir;
    std::unique_ptr<SshSession> m_session;
    std::shared_ptr<SftpClient> m_sftp;
    QString m_root;

private Q_SLOTS:
    void initTestCase()
    {
        QString port;
        SKYDECK_REQUIRE_PEER(port, "SKYDECK_TEST_SSH_PORT");
        SshHostConfig h = sshPeerHost();
        h.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
        m_session = std::make_unique<SshSession>(h);
        m_session->setKnownHosts(knownHostsWith(m_dir, peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB")));
        m_session->setUseAgent(false);
        QSignalSpy ready(m_session.get(), &SshSession::ready);
        m_session->connectToHost();
        QVERIFY(ready.wait(20000));
        m_sftp = std::make_shared<SftpClient>(m_session.get());
        const QString home = waitFor(m_sftp->homeDirectory()).value();
        m_root = home + QStringLiteral("/files-test-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
        Result<ExecResult> r = waitFor(ExecChannel::run(m_session.get(),
            QStringLiteral("mkdir -p %1/many/sub && cd %1/many && seq 1 2500 | xargs touch && printf abc > f.txt && ln -s /etc etc-link").arg(m_root)));
        QVERIFY(r.ok() && r->exitStatus == 0);
    }

    void cleanupTestCase()
    {
        if (m_sftp && !m_root.isEmpty())
            (void)waitFor(m_sftp->removeRecursive(m_root));
        m_sftp.reset();
        m_session.reset();
    }

    void modelFetchesLazilyInBatches()
    {
        RemoteFileModel model(m_sftp);
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setDirectory(m_root + QStringLiteral("/many"));
        QCOMPARE(model.rowCount(), 0);  // nothing until asked (the tester asks once, like a view)
        QSignalSpy loaded(&model, &RemoteFileModel::loaded);
        model.fetchMore({});
        QVERIFY(loaded.wait(20000));
        QVERIFY(model.rowCount() <= RemoteFileModel::kBatch);  // one batch per fetchMore
        QVERIFY(model.canFetchMore({}));
        while (model.canFetchMore({}))
            model.fetchMore({});
        QCOMPARE(model.rowCount(), 2500 + 3);
        // Folders first; the link is a link (lstat), with its permissions column saying so.
        QCOMPARE(model.index(0, RemoteFileModel::NameColumn).data().toString(), QStringLiteral("sub"));
        bool sawLink = false, sawFile = false;
        for (int i = 0; i < model.rowCount(); ++i) {
            const RemoteEntry e = model.entry(i);
            if (e.name == QLatin1String("etc-link")) {
                sawLink = true;
                QCOMPARE(e.type, RemoteEntry::Type::Symlink);
                QVERIFY(model.index(i, RemoteFileModel::PermissionsColumn).data().toString().startsWith(QLatin1Char('l')));
            }
            if (e.name == QLatin1String("f.txt")) {
                sawFile = true;
                QCOMPARE(model.index(i, RemoteFileModel::SizeColumn).data(RemoteFileModel::SizeRole).toLongLong(), 3);
            }
        }
        QVERIFY(sawLink && sawFile);
        // A missing directory reports an error, and navigation resets cleanly.
        QSignalSpy failed(&model, &RemoteFileModel::failed);
        model.setDirectory(m_root + QStringLiteral("/missing"));
        model.fetchMore({});
        QVERIFY(failed.wait(10000));
        QCOMPARE(failed.first().first().value<Error>().category(), Error::Category::NotFound);
        QCOMPARE(model.rowCount(), 0);
    }

    void browserUploadsAndDownloadsThroughTheEngine()
    {
        SftpStorage::registerProvider();
        AccountRegistry registry;
        const Account a = SftpStorage::accountFor(m_sftp->displayName());
        SftpStorage::attach(a.id, m_sftp);
        registry.addAccount(a);
        TransferEngine engine(&registry);
        FileBrowser browser(m_sftp, &engine, a.id);
        browser.show();
        browser.navigate(m_root);
        QTRY_VERIFY_WITH_TIMEOUT(browser.model()->rowCount() == 1, 10000);  // "many"
        const QString local = m_dir.filePath(QStringLiteral("up"));
        QDir().mkpath(local + QStringLiteral("/inner"));
        QFile f(local + QStringLiteral("/inner/data.bin"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QByteArray(300000, 'z'));
        f.close();
        browser.uploadLocal({local});
        QTRY_VERIFY_WITH_TIMEOUT(engine.isIdle() && browser.model()->rowCount() == 2, 30000);
        for (const TransferStatus &s : engine.transfers())
            QCOMPARE(s.state, TransferState::Done);
        // Download the uploaded folder back by its entry.
        RemoteEntry up;
        for (int i = 0; i < browser.model()->rowCount(); ++i)
            if (browser.model()->entry(i).name == QLatin1String("up"))
                up = browser.model()->entry(i);
        QVERIFY(up.isDirectory());
        const QString back = m_dir.filePath(QStringLiteral("back"));
        QDir().mkpath(back);
        browser.downloadTo({up}, back);
        QTRY_VERIFY_WITH_TIMEOUT(engine.isIdle(), 30000);
        QFile g(back + QStringLiteral("/up/inner/data.bin"));
        QVERIFY(g.open(QIODevice::ReadOnly));
        QCOMPARE(g.readAll(), QByteArray(300000, 'z'));
        SftpStorage::detach(a.id);
    }

    // Dragging a file and a folder out to a file manager: when the drop asks for text/uri-list,
    // the selection is staged through the engine and handed out as file:// URLs with the same
    // bytes; a link inside the folder is not followed out of it.
    void dragOutToAFileManagerStagesCopies()
    {
        Result<ExecResult> made = waitFor(ExecChannel::run(m_session.get(),
            QStringLiteral("mkdir -p %1/drag/tree/deep && cd %1/drag && head -c 700000 /dev/urandom > one.bin"
                           " && printf nested > tree/deep/n.txt && printf top > tree/t.txt && ln -s /etc tree/etc-link")
                .arg(m_root)));
        QVERIFY(made.ok() && made->exitStatus == 0);
        SftpStorage::registerProvider();
        AccountRegistry registry;
        const Account a = SftpStorage::accountFor(m_sftp->displayName());
        SftpStorage::attach(a.id, m_sftp);
        registry.addAccount(a);
        TransferEngine engine(&registry);
        FileBrowser browser(m_sftp, &engine, a.id);
        browser.setDragOut(registry.worker(a.id), registry.storage(a.id));
        browser.navigate(m_root + QStringLiteral("/drag"));
        QTRY_VERIFY_WITH_TIMEOUT(browser.model()->rowCount() == 2, 10000);
        QList<RemoteEntry> entries;
        for (int i = 0; i < browser.model()->rowCount(); ++i)
            entries << browser.model()->entry(i);
        std::unique_ptr<QMimeData> mime(browser.dragMimeData(entries));
        QVERIFY(mime);
        QVERIFY(mime->text().contains(QStringLiteral("sftp://")));
        const QList<QUrl> urls = QUrl::fromStringList(
            QString::fromUtf8(mime->data(QStringLiteral("text/uri-list"))).split(QStringLiteral("\r\n"), Qt::SkipEmptyParts));
        QCOMPARE(urls.size(), 2);
        QString file, folder;
        for (const QUrl &u : urls) {
            QVERIFY(u.isLocalFile());
            (QFileInfo(u.toLocalFile()).isDir() ? folder : file) = u.toLocalFile();
        }
        QCOMPARE(QFileInfo(file).fileName(), QStringLiteral("one.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), waitFor(m_sftp->read(m_root + QStringLiteral("/drag/one.bin"), 0, -1)).value());
        QFile n(folder + QStringLiteral("/deep/n.txt"));
        QVERIFY(n.open(QIODevice::ReadOnly));
        QCOMPARE(n.readAll(), QByteArray("nested"));
        QVERIFY(QFileInfo::exists(folder + QStringLiteral("/t.txt")));
        QVERIFY(!QFileInfo(folder + QStringLiteral("/etc-link")).isDir());  // not followed to /etc
        QVERIFY(!QFileInfo::exists(folder + QStringLiteral("/etc-link/passwd")));
        for (const TransferStatus &s : engine.transfers())
            QCOMPARE(s.state, TransferState::Done);
        SftpStorage::detach(a.id);
    }
};

SKYDECK_GUI_TEST_MAIN(TestRemoteFiles)
#include "tst_remote_files.moc"
