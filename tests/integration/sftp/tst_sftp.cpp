// SftpClient and SftpStorage (through the TransferEngine) against OpenSSH's internal-sftp:
// metadata (list with lstat semantics, stat, mkdir, rename, delete, recursive delete, error
// categories), 100 MiB upload and download byte-identical, a folder tree round trip, hostile
// remote names and symlinks that must stay out of (or inside) the target, cancel (the channel
// stays usable after a cancelled read or write; cancel then retry).
#include "AccountRegistry.h"
#include "ExecChannel.h"
#include "LocalPath.h"
#include "ProviderWorker.h"
#include "SftpClient.h"
#include "SftpStorage.h"
#include "SshConnection.h"
#include "SshSession.h"
#include "SshTestPeer.h"
#include "TestMain.h"
#include "TransferEngine.h"

#include <QCryptographicHash>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QLoggingCategory>
#include <QMutex>
#include <QScopeGuard>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUuid>

#include <atomic>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;

namespace {

QByteArray sha256(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return h.result().toHex();
}

bool writeRandom(const QString &path, qint64 size, quint32 seed)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return false;
    QRandomGenerator gen(seed);
    QByteArray chunk;
    for (qint64 done = 0; done < size;) {
        const qint64 n = std::min<qint64>(size - done, 1 << 20);
        chunk.resize((n + 3) / 4 * 4);
        gen.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        if (f.write(chunk.constData(), n) != n)
            return false;
        done += n;
    }
    return true;
}

// Files (and symlinks) under dir, relative, sorted; hidden ones included.
QStringList filesUnder(const QString &dir)
{
    QStringList out;
    QDirIterator it(dir, QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        out.append(QDir(dir).relativeFilePath(it.next()));
    out.sort();
    return out;
}

bool waitIdle(TransferEngine &engine, int ms)
{
    return QTest::qWaitFor([&] { return engine.isIdle(); }, ms);
}

} // namespace

class TestSftp : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<SshSession> m_session;
    std::shared_ptr<SftpClient> m_sftp;
    QString m_home;
    QString m_root;  // a fresh remote directory for this run
    std::unique_ptr<AccountRegistry> m_registry;
    QString m_account;

    QString remote(const QString &rel) const { return m_root + QLatin1Char('/') + rel; }

    void exec(const QString &command)
    {
        Result<ExecResult> r = waitFor(ExecChannel::run(m_session.get(), command));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QVERIFY2(r->exitStatus == 0, r->standardError.constData());
    }

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
        QSignalSpy failed(m_session.get(), &SshSession::failed);
        m_session->connectToHost();
        QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 20000));
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().toString()));
        m_sftp = std::make_shared<SftpClient>(m_session.get());
        Result<QString> home = waitFor(m_sftp->homeDirectory());
        QVERIFY2(home.ok(), qPrintable(home.error().toString()));
        m_home = home.value();
        QVERIFY(m_home.startsWith(QLatin1Char('/')));
        m_root = m_home + QStringLiteral("/sftp-test-") + QUuid::createUuid().toString(QUuid::Id128).left(8);
        Status made = waitFor(m_sftp->makeDirectory(m_root));
        QVERIFY2(made.ok(), qPrintable(made.error().toString()));

        SftpStorage::registerProvider();
        m_registry = std::make_unique<AccountRegistry>();
        const Account a = SftpStorage::accountFor(m_sftp->displayName());
        m_account = a.id;
        SftpStorage::attach(m_account, m_sftp);
        m_registry->addAccount(a);
    }

    void cleanupTestCase()
    {
        if (m_sftp && !m_root.isEmpty())
            (void)waitFor(m_sftp->removeRecursive(m_root));
        m_registry.reset();
        SftpStorage::detach(m_account);
        m_sftp.reset();
        m_session.reset();
    }

    void metadata()
    {
        QVERIFY(waitFor(m_sftp->makeDirectory(remote(QStringLiteral("dir")))).ok());
        exec(QStringLiteral("cd '%1' && printf hello > dir/f.txt && chmod 640 dir/f.txt && ln -s f.txt dir/link && ln -s /etc dir/etclink")
                 .arg(m_root));
        Result<QList<RemoteEntry>> l = waitFor(m_sftp->list(remote(QStringLiteral("dir"))));
        QVERIFY2(l.ok(), qPrintable(l.error().toString()));
        QCOMPARE(l->size(), 3);
        QHash<QString, RemoteEntry> byName;
        for (const RemoteEntry &e : l.value())
            byName.insert(e.name, e);
        QCOMPARE(byName[QStringLiteral("f.txt")].type, RemoteEntry::Type::File);
        QCOMPARE(byName[QStringLiteral("f.txt")].size, 5);
        QCOMPARE(byName[QStringLiteral("f.txt")].permissions, 0640u);
        QCOMPARE(byName[QStringLiteral("f.txt")].path, remote(QStringLiteral("dir/f.txt")));
        QVERIFY(qAbs(byName[QStringLiteral("f.txt")].modified.secsTo(QDateTime::currentDateTimeUtc())) < 120);
        QCOMPARE(byName[QStringLiteral("link")].type, RemoteEntry::Type::Symlink);       // lstat
        QCOMPARE(byName[QStringLiteral("etclink")].type, RemoteEntry::Type::Symlink);

        Result<RemoteEntry> st = waitFor(m_sftp->stat(remote(QStringLiteral("dir"))));
        QVERIFY(st.ok());
        QCOMPARE(st->type, RemoteEntry::Type::Directory);

        // Errors carry categories.
        Result<RemoteEntry> missing = waitFor(m_sftp->stat(remote(QStringLiteral("nope"))));
        QCOMPARE(missing.error().category(), Error::Category::NotFound);
        Status again = waitFor(m_sftp->makeDirectory(remote(QStringLiteral("dir"))));
        QVERIFY(!again.ok());
        QCOMPARE(again.error().category(), Error::Category::Conflict);
        Status notEmpty = waitFor(m_sftp->remove(remote(QStringLiteral("dir"))));
        QCOMPARE(notEmpty.error().category(), Error::Category::Conflict);

        // Rename, delete one file, a symlink (not what it points to), then the whole tree.
        QVERIFY(waitFor(m_sftp->rename(remote(QStringLiteral("dir/f.txt")), remote(QStringLiteral("dir/g.txt")))).ok());
        QCOMPARE(waitFor(m_sftp->stat(remote(QStringLiteral("dir/f.txt")))).error().category(), Error::Category::NotFound);
        QCOMPARE(waitFor(m_sftp->stat(remote(QStringLiteral("dir/g.txt"))))->size, 5);
        QVERIFY(waitFor(m_sftp->remove(remote(QStringLiteral("dir/etclink")))).ok());
        QVERIFY(QFileInfo::exists(QStringLiteral("/etc/passwd")));
        QVERIFY(waitFor(m_sftp->makeDirectory(remote(QStringLiteral("dir/sub")))).ok());
        QVERIFY(waitFor(m_sftp->write(remote(QStringLiteral("dir/sub/x")), 0, "x", true)).ok());
        Result<qint64> removed = waitFor(m_sftp->removeRecursive(remote(QStringLiteral("dir"))));
        QVERIFY2(removed.ok(), qPrintable(removed.error().toString()));
        QCOMPARE(removed.value(), 5);  // g.txt, link, sub/x, sub, dir
        QCOMPARE(waitFor(m_sftp->stat(remote(QStringLiteral("dir")))).error().category(), Error::Category::NotFound);
    }

    void readWriteRanges()
    {
        const QString p = remote(QStringLiteral("ranges.bin"));
        QByteArray data(3 * 1024 * 1024 + 17, Qt::Uninitialized);
        for (int i = 0; i < data.size(); ++i)
            data[i] = char(i * 7 + i / 251);
        QVERIFY(waitFor(m_sftp->write(p, 0, data, true)).ok());
        Result<QByteArray> mid = waitFor(m_sftp->read(p, 1000, 2 * 1024 * 1024));
        QVERIFY2(mid.ok(), qPrintable(mid.error().toString()));
        QCOMPARE(mid.value(), data.mid(1000, 2 * 1024 * 1024));
        Result<QByteArray> tail = waitFor(m_sftp->read(p, data.size() - 5, -1));
        QCOMPARE(tail.value(), data.right(5));
        // A stale version is refused; reading past the end is an integrity error.
        Result<QByteArray> stale = waitFor(m_sftp->read(p, 0, 10, QStringLiteral("1-1")));
        QCOMPARE(stale.error().category(), Error::Category::Conflict);
        Result<QByteArray> past = waitFor(m_sftp->read(p, data.size() - 5, 10));
        QCOMPARE(past.error().category(), Error::Category::Integrity);
        // Writes at offsets (as parts of an upload are).
        QVERIFY(waitFor(m_sftp->write(p, 10, "ABC", false)).ok());
        QCOMPARE(waitFor(m_sftp->read(p, 8, 7)).value(), data.mid(8, 2) + "ABC" + data.mid(13, 2));
    }

    void hundredMiBUploadAndDownload()
    {
        const QString src = m_dir.filePath(QStringLiteral("big.bin"));
        QVERIFY(writeRandom(src, 100LL * 1024 * 1024, 42));
        TransferEngine engine(m_registry.get());
        const QString key = SftpStorage::keyForPath(remote(QStringLiteral("big.bin")));
        TransferSpec up;
        up.kind = TransferKind::Upload;
        up.accountId = m_account;
        up.bucket = m_sftp->displayName();
        up.key = key;
        up.localPath = src;
        QElapsedTimer t;
        t.start();
        const quint64 upId = engine.enqueue(up);
        QVERIFY(waitIdle(engine, 240000));
        const double upS = t.elapsed() / 1000.0;
        QVERIFY2(engine.status(upId).state == TransferState::Done, qPrintable(engine.status(upId).error.toString()));
        QVERIFY(engine.status(upId).partsTotal > 1);  // went through the multipart path
        // The remote file (same machine: read it directly) is byte-identical, and no temporary is left.
        QCOMPARE(sha256(remote(QStringLiteral("big.bin"))), sha256(src));
        QVERIFY(!filesUnder(m_root).join(QLatin1Char(' ')).contains(QStringLiteral(".skydeck-")));

        TransferSpec down;
        down.kind = TransferKind::Download;
        down.accountId = m_account;
        down.bucket = up.bucket;
        down.key = key;
        down.localPath = m_dir.filePath(QStringLiteral("back.bin"));
        t.restart();
        const quint64 downId = engine.enqueue(down);
        QVERIFY(waitIdle(engine, 240000));
        const double downS = t.elapsed() / 1000.0;
        QVERIFY2(engine.status(downId).state == TransferState::Done, qPrintable(engine.status(downId).error.toString()));
        QCOMPARE(sha256(down.localPath), sha256(src));
        QVERIFY(!QFile::exists(down.localPath + QStringLiteral(".part")));
        qInfo("100 MiB: upload %.2f s (%.0f MiB/s), download %.2f s (%.0f MiB/s)", upS, 100 / upS, downS, 100 / downS);
    }

    void folderTreeRoundTrip()
    {
        const QString local = m_dir.filePath(QStringLiteral("tree"));
        QVERIFY(writeRandom(local + QStringLiteral("/a.txt"), 10, 1));
        QVERIFY(writeRandom(local + QStringLiteral("/empty.bin"), 0, 2));
        QVERIFY(writeRandom(local + QStringLiteral("/sub/b.bin"), 3 * 1024 * 1024 + 5, 3));
        QVERIFY(writeRandom(local + QStringLiteral("/sub/deeper/c d é.txt"), 1000, 4));
        TransferEngine engine(m_registry.get());
        engine.setMinPartSize(1024 * 1024);
        const QString prefix = SftpStorage::keyForPath(remote(QStringLiteral("tree")));
        // Missing remote folders are created on the way, as keys under new prefixes would be.
        engine.uploadFolder(m_account, local, m_sftp->displayName(), prefix);
        QVERIFY(waitIdle(engine, 60000));
        for (const TransferStatus &s : engine.transfers())
            QVERIFY2(s.state == TransferState::Done, qPrintable(s.error.toString()));
        const QString back = m_dir.filePath(QStringLiteral("tree-back"));
        QDir().mkpath(back);
        engine.downloadPrefix(m_account, m_sftp->displayName(), prefix, back);
        QVERIFY(waitIdle(engine, 60000));
        for (const TransferStatus &s : engine.transfers())
            QVERIFY2(s.state == TransferState::Done, qPrintable(s.error.toString()));
        QCOMPARE(filesUnder(back), filesUnder(local));
        for (const QString &f : filesUnder(local))
            QCOMPARE(sha256(back + QLatin1Char('/') + f), sha256(local + QLatin1Char('/') + f));
    }

    void hostileNamesStayInside()
    {
        // Names a POSIX server allows but LocalPath refuses, and symlinks out of the folder.
        const QString longName = QString(253, QLatin1Char('L'));
        exec(QStringLiteral("mkdir -p '%1/hostile/inner' && cd '%1/hostile' && printf ok > good.txt && printf nl > \"$(printf 'new\\nline')\" "
                            "&& printf bs > 'back\\\\slash' && printf long > %2 && ln -s /etc/passwd passwd-link "
                            "&& ln -s /etc etc-link && ln -s good.txt inner/inside-link && printf in > inner/x.txt")
                 .arg(m_root, longName));
        Result<QList<RemoteEntry>> l = waitFor(m_sftp->list(remote(QStringLiteral("hostile"))));
        QVERIFY(l.ok());
        QVERIFY(std::any_of(l->begin(), l->end(), [](const RemoteEntry &e) { return e.name == QStringLiteral("new\nline"); }));

        const QString target = m_dir.filePath(QStringLiteral("hostile-target"));
        QDir().mkpath(target);
        TransferEngine engine(m_registry.get());
        engine.downloadPrefix(m_account, m_sftp->displayName(), SftpStorage::keyForPath(remote(QStringLiteral("hostile"))), target);
        QVERIFY(waitIdle(engine, 60000));
        int failed = 0;
        for (const TransferStatus &s : engine.transfers()) {
            if (s.state == TransferState::Failed) {
                ++failed;
                QCOMPARE(s.error.category(), Error::Category::InvalidInput);
            } else {
                QCOMPARE(s.state, TransferState::Done);
                QVERIFY2(s.spec.localPath.startsWith(target + QLatin1Char('/')), qPrintable(s.spec.localPath));
            }
        }
        QCOMPARE(failed, 2);  // newline, backslash (a 253-byte name is fine: working files have names of their own)
        // Only the regular files with acceptable names arrived; no symlink was followed or made.
        QCOMPARE(filesUnder(target), QStringList({longName, QStringLiteral("good.txt"), QStringLiteral("inner/x.txt")}));
        QVERIFY(!QFileInfo(target + QStringLiteral("/passwd-link")).exists());
        QVERIFY(!QFileInfo(target + QStringLiteral("/etc-link")).exists());
        QDirIterator it(m_dir.path(), QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            const QFileInfo fi(it.next());
            QVERIFY2(!fi.isSymLink(), qPrintable(fi.filePath()));
        }
    }

    // A write or read cancelled mid-way leaves its SFTP channel usable: with one bulk channel the
    // next operations run on the same channel and must move the right bytes (a request left half
    // sent would break the channel's SFTP stream).
    void cancelMidTransferKeepsChannel()
    {
        SftpClient one(m_session.get(), 1);
        const QString big = remote(QStringLiteral("midcancel.bin"));
        const QString small = remote(QStringLiteral("after-cancel.bin"));
        QByteArray data(32 * 1024 * 1024, Qt::Uninitialized);
        QRandomGenerator(5).fillRange(reinterpret_cast<quint32 *>(data.data()), data.size() / 4);
        auto finished = [](const auto &f) { return QTest::qWaitFor([&] { return f.isFinished(); }, 60000); };
        QFuture<Status> whole = one.write(big, 0, data, true);
        QVERIFY(finished(whole));
        QVERIFY2(whole.result().ok(), qPrintable(whole.result().error().toString()));
        for (int round = 0; round < 3; ++round) {
            auto seen = std::make_shared<std::atomic<qint64>>(0);
            const ProgressFn note = [seen](qint64 done, qint64) { seen->store(done); };
            QFuture<Result<QByteArray>> r = one.read(big, 0, -1, {}, note);
            QVERIFY(QTest::qWaitFor([&] { return seen->load() > 0 || r.isFinished(); }, 30000));
            r.cancel();
            seen->store(0);
            QFuture<Status> w = one.write(big, 0, data, false, note);
            QVERIFY(QTest::qWaitFor([&] { return seen->load() > 0 || w.isFinished(); }, 30000));
            w.cancel();
            const QByteArray blob = data.mid(round * 1000, 300 * 1000);
            QFuture<Status> put = one.write(small, 0, blob, true);
            QVERIFY2(finished(put), "the write after a cancelled one hangs");
            QVERIFY2(put.result().ok(), qPrintable(put.result().error().toString()));
            QFuture<Result<QByteArray>> back = one.read(small, 0, -1);
            QVERIFY2(finished(back), "the read after a cancelled one hangs");
            QVERIFY2(back.result().ok(), qPrintable(back.result().error().toString()));
            QVERIFY(back.result().value() == blob);
        }
        // The cancelled writes put the same bytes where they were: the big file is intact.
        QFuture<Result<QByteArray>> all = one.read(big, 0, -1);
        QVERIFY(finished(all));
        QVERIFY2(all.result().ok(), qPrintable(all.result().error().toString()));
        QVERIFY(all.result().value() == data);
    }

    void cancelLeavesNothing()
    {
        const QString src = m_dir.filePath(QStringLiteral("cancel.bin"));
        QVERIFY(writeRandom(src, 64LL * 1024 * 1024, 9));
        TransferEngine engine(m_registry.get());
        TransferSpec up;
        up.kind = TransferKind::Upload;
        up.accountId = m_account;
        up.bucket = m_sftp->displayName();
        up.key = SftpStorage::keyForPath(remote(QStringLiteral("cancelled.bin")));
        up.localPath = src;
        const quint64 id = engine.enqueue(up);
        QVERIFY(QTest::qWaitFor([&] { return engine.status(id).bytesDone > 0 || engine.status(id).isFinished(); }, 30000));
        engine.cancel(id);
        QVERIFY(waitIdle(engine, 30000));
        QCOMPARE(engine.status(id).state, TransferState::Cancelled);
        // The aborted upload's temporary file goes; the target never appeared.
        QTRY_VERIFY_WITH_TIMEOUT(!filesUnder(m_root).join(QLatin1Char(' ')).contains(QStringLiteral("cancelled.bin")), 10000);
        // Retry from the transfers pane completes it.
        engine.retry(id);
        QVERIFY(waitIdle(engine, 60000));
        QCOMPARE(engine.status(id).state, TransferState::Done);
        QCOMPARE(sha256(remote(QStringLiteral("cancelled.bin"))), sha256(src));
    }

    // Overlapping bulk operations open extra transfer connections (SftpLanes) and run on them:
    // the bytes written and read back through several connections at once are the same.
    void transferConnectionsCarryParts()
    {
        static QMutex lock;  // lanes log from their own threads
        static QStringList seen;
        seen.clear();
        QLoggingCategory::setFilterRules(QStringLiteral("skydeck.ssh.sftp.debug=true"));
        static QtMessageHandler previous = nullptr;
        previous = qInstallMessageHandler([](QtMsgType type, const QMessageLogContext &ctx, const QString &msg) {
            if (msg.startsWith(QLatin1String("transfer connection"))) {
                QMutexLocker locked(&lock);
                seen.append(msg);
            }
            if (previous)
                previous(type, ctx, msg);
        });
        auto restore = qScopeGuard([] {
            qInstallMessageHandler(previous);
            QLoggingCategory::setFilterRules(QString());
        });
        SftpClient lanes(m_session.get(), 2);
        lanes.setTransferConnections(3);
        QCOMPARE(lanes.transferConnections(), 3);
        const QString path = remote(QStringLiteral("lanes.bin"));
        constexpr int kParts = 8;
        constexpr qint64 kPart = 3 * 1024 * 1024;
        QByteArray data(kParts * kPart, Qt::Uninitialized);
        QRandomGenerator(11).fillRange(reinterpret_cast<quint32 *>(data.data()), data.size() / 4);
        auto finished = [](const auto &f) { return QTest::qWaitFor([&] { return f.isFinished(); }, 60000); };
        QFuture<Status> created = lanes.write(path, 0, QByteArray(), true);
        QVERIFY(finished(created));
        QVERIFY(created.result().ok());
        // Two rounds: the first opens the lanes while it runs, the second finds them ready.
        for (int round = 0; round < 2; ++round) {
            QList<QFuture<Status>> writes;
            for (int i = 0; i < kParts; ++i)
                writes.append(lanes.write(path, i * kPart, data.mid(i * kPart, kPart), false));
            for (const auto &w : writes) {
                QVERIFY(finished(w));
                QVERIFY2(w.result().ok(), qPrintable(w.result().error().toString()));
            }
            QList<QFuture<Result<QByteArray>>> reads;
            for (int i = 0; i < kParts; ++i)
                reads.append(lanes.read(path, i * kPart, kPart));
            for (int i = 0; i < kParts; ++i) {
                QVERIFY(finished(reads[i]));
                QVERIFY2(reads[i].result().ok(), qPrintable(reads[i].result().error().toString()));
                QVERIFY2(reads[i].result().value() == data.mid(i * kPart, kPart), qPrintable(QString::number(i)));
            }
        }
        QMutexLocker locked(&lock);
        const QStringList ready = seen.filter(QStringLiteral("ready"));
        QVERIFY2(ready.size() == 2, qPrintable(seen.join(QLatin1String("; "))));
        QVERIFY2(seen.filter(QStringLiteral("not used")).isEmpty(), qPrintable(seen.join(QLatin1String("; "))));
    }

    // An extra connection takes the first connection's host key, not known_hosts: the same key
    // connects with no known_hosts entry at all, and another key is refused.
    void pinnedHostKey()
    {
        for (const bool right : {true, false}) {
            SshConnection::Options o;
            o.host = sshPeerHost();
            o.host.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
            o.knownHosts = KnownHosts({m_dir.filePath(QStringLiteral("none-known"))}, m_dir.filePath(QStringLiteral("none-store")));
            o.useAgent = false;
            QFile pub(peerValue(right ? "SKYDECK_TEST_SSH_HOST_KEY_PUB" : "SKYDECK_TEST_SSH_OTHER_HOST_KEY_PUB"));
            QVERIFY(pub.open(QIODevice::ReadOnly));
            o.pinnedHostKey = HostKey::fromOpenSshPublicKey(pub.readAll().trimmed()).blob;
            QVERIFY(!o.pinnedHostKey.isEmpty());
            SshConnection c(o);
            QSignalSpy ready(&c, &SshConnection::ready);
            QSignalSpy failed(&c, &SshConnection::failed);
            QSignalSpy asked(&c, &SshConnection::hostKeyQuestion);
            c.start();
            QVERIFY(QTest::qWaitFor([&] { return !ready.isEmpty() || !failed.isEmpty(); }, 20000));
            QVERIFY(asked.isEmpty());
            if (right) {
                QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(0).value<Error>().toString()));
            } else {
                QVERIFY(ready.isEmpty());
                QCOMPARE(failed.value(0).value(0).value<Error>().code(), QStringLiteral("HostKeyChanged"));
            }
            c.disconnectNow(QString());
        }
    }
};

SKYDECK_TEST_MAIN(TestSftp)
#include "tst_sftp.moc"
