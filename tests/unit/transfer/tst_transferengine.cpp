// TransferEngine against an in-memory StorageClient: part planning, multipart, parallelism,
// part retries, cancellation, integrity checks and hostile listings.
#include "FakeStorage.h"
#include "Md5.h"
#include "PartPlanner.h"
#include "TestMain.h"
#include "TransferEngine.h"

#include <QDirIterator>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>

#include <limits>

using namespace skydeck;
using skydeck::test::FakeStorage;
using skydeck::test::FakeStore;

namespace {

const QString kAccount = QStringLiteral("fake:test");
const QString kBucket = QStringLiteral("bucket");

QByteArray randomBytes(qint64 n, quint32 seed)
{
    QRandomGenerator gen(seed);
    QByteArray b(n, Qt::Uninitialized);
    for (qint64 i = 0; i < n; ++i)
        b[i] = char(gen.generate() & 0xff);
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
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
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

} // namespace

class TestTransferEngine : public QObject
{
    Q_OBJECT
    AccountRegistry *m_registry = nullptr;
    TransferEngine *m_engine = nullptr;
    FakeStore &store = FakeStore::instance();

    bool waitIdle(int ms = 20000)
    {
        QSignalSpy idle(m_engine, &TransferEngine::idle);
        return m_engine->isIdle() || idle.wait(ms);
    }

    // The hidden working file and journal of a download of key to path.
    QString working(const QString &key, const QString &path)
    {
        return TransferEngine::workingPathFor(spec(TransferKind::Download, key, path));
    }
    QString journal(const QString &key, const QString &path)
    {
        return TransferEngine::journalPathFor(spec(TransferKind::Download, key, path));
    }

    TransferSpec spec(TransferKind kind, const QString &key, const QString &path)
    {
        TransferSpec s;
        s.kind = kind;
        s.accountId = kAccount;
        s.bucket = kBucket;
        s.key = key;
        s.localPath = path;
        return s;
    }

private Q_SLOTS:
    void initTestCase() { FakeStorage::registerFactory(); }

    void init()
    {
        store.reset();
        m_registry = new AccountRegistry;
        Account a;
        a.id = kAccount;
        a.provider = QStringLiteral("fake");
        m_registry->addAccount(a);
        m_engine = new TransferEngine(m_registry);
        m_engine->setMinPartSize(64 * 1024);
    }

    void cleanup()
    {
        delete m_engine;
        m_engine = nullptr;
        delete m_registry;
    }

    void partPlanning_data()
    {
        QTest::addColumn<qint64>("size");
        QTest::addColumn<qint64>("preferred");
        QTest::addColumn<int>("maxParts");
        QTest::addColumn<qint64>("partSize");
        QTest::addColumn<int>("count");
        constexpr qint64 MiB = 1024 * 1024;
        QTest::newRow("empty") << qint64(0) << 8 * MiB << 10000 << 8 * MiB << 0;
        QTest::newRow("one byte") << qint64(1) << 8 * MiB << 10000 << 8 * MiB << 1;
        QTest::newRow("exactly one part") << 8 * MiB << 8 * MiB << 10000 << 8 * MiB << 1;
        QTest::newRow("one byte more") << 8 * MiB + 1 << 8 * MiB << 10000 << 8 * MiB << 2;
        QTest::newRow("64 MiB") << 64 * MiB << 8 * MiB << 10000 << 8 * MiB << 8;
        QTest::newRow("at the part limit") << 80000 * MiB << 8 * MiB << 10000 << 8 * MiB << 10000;
        QTest::newRow("grows past the limit") << 100LL * 1024 * MiB << 8 * MiB << 10000 << 11 * MiB << 9310;
        QTest::newRow("5 TiB") << 5LL * 1024 * 1024 * MiB << 8 * MiB << 10000 << 525 * MiB << 9987;
        QTest::newRow("below the minimum") << 20 * MiB << MiB << 10000 << 5 * MiB << 4;
        QTest::newRow("few parts allowed") << 100 * MiB << 8 * MiB << 3 << 34 * MiB << 3;
        // What a lying server may declare: no signed overflow on the way (UBSan watches this row).
        QTest::newRow("INT64_MAX") << std::numeric_limits<qint64>::max() << 8 * MiB << 10000 << 879609303 * MiB << 10000;
        QTest::newRow("INT64_MAX, huge preferred part") << std::numeric_limits<qint64>::max()
                                                        << std::numeric_limits<qint64>::max() - 1 << 10000
                                                        << std::numeric_limits<qint64>::max() - 1 << 2;
    }
    void partPlanning()
    {
        QFETCH(qint64, size);
        QFETCH(qint64, preferred);
        QFETCH(int, maxParts);
        QFETCH(qint64, partSize);
        QFETCH(int, count);
        const PartPlan p = PartPlanner::plan(size, preferred, 5 * 1024 * 1024, maxParts);
        QCOMPARE(p.partSize, partSize);
        QCOMPARE(p.partCount, count);
        QVERIFY(p.partCount <= maxParts);
        QCOMPARE(p.multipart, count > 1);
        if (count > 0) {
            QCOMPARE(p.offset(count - 1) + p.length(count - 1), size);
            QVERIFY(p.length(count - 1) > 0 && p.length(count - 1) <= partSize);
        }
    }

    void md5Helpers()
    {
        QCOMPARE(Md5::of(QByteArray()).toHex(), QByteArray("d41d8cd98f00b204e9800998ecf8427e"));
        QCOMPARE(Md5::of("abc").toHex(), QByteArray("900150983cd24fb0d6963f7d28e17f72"));
        // md5(md5("a") + md5("b")) with the part count, as S3 computes multipart ETags.
        const QByteArray concat = Md5::of("a") + Md5::of("b");
        QCOMPARE(Md5::multipartEtag({Md5::of("a"), Md5::of("b")}), QString::fromLatin1(Md5::of(concat).toHex()) + QStringLiteral("-2"));
        QVERIFY(Md5::isPlainMd5Etag(QStringLiteral("900150983cd24fb0d6963f7d28e17f72")));
        QVERIFY(!Md5::isPlainMd5Etag(QStringLiteral("900150983cd24fb0d6963f7d28e17f72-2")));
        QVERIFY(!Md5::isPlainMd5Etag(QStringLiteral("zz0150983cd24fb0d6963f7d28e17f72")));
    }

    void smallFileRoundTripsWithOnePut()
    {
        QTemporaryDir dir;
        const QByteArray data = randomBytes(10000, 1);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("in.bin")), data));
        QSignalSpy added(m_engine, &TransferEngine::transferAdded);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("k/in.bin"), dir.filePath(QStringLiteral("in.bin"))));
        QCOMPARE(added.size(), 1);
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        QCOMPARE(m_engine->status(up).bytesDone, 10000);
        QCOMPARE(store.object(kBucket, QStringLiteral("k/in.bin")), data);
        QCOMPARE(store.puts.load(), 1);
        QCOMPARE(store.creates.load(), 0);

        const QString out = dir.filePath(QStringLiteral("deep/er/out.bin"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("k/in.bin"), out));
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(down).state == TransferState::Done, qPrintable(m_engine->status(down).error.toString()));
        QCOMPARE(readFile(out), data);
        QVERIFY(!QFile::exists(working(QStringLiteral("k/in.bin"), out)));
    }

    void emptyFileRoundTrips()
    {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("empty")), QByteArray()));
        m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("empty"), dir.filePath(QStringLiteral("empty"))));
        QVERIFY(waitIdle());
        QVERIFY(store.has(kBucket, QStringLiteral("empty")));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("empty"), dir.filePath(QStringLiteral("out"))));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).state, TransferState::Done);
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral("out"))));
        QCOMPARE(QFileInfo(dir.filePath(QStringLiteral("out"))).size(), 0);
    }

    void multipartInParallelWithinTheConcurrencyCap()
    {
        store.delayMs = 20;
        m_engine->setConcurrency(8);
        QTemporaryDir dir;
        const QByteArray data = randomBytes(2 * 1024 * 1024 + 123, 2);  // 33 parts of 64 KiB
        QVERIFY(writeFile(dir.filePath(QStringLiteral("big")), data));
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("big"), dir.filePath(QStringLiteral("big"))));
        QVERIFY(waitIdle());
        const TransferStatus st = m_engine->status(up);
        QVERIFY2(st.state == TransferState::Done, qPrintable(st.error.toString()));
        QCOMPARE(st.partsTotal, 33);
        QCOMPARE(st.partsDone, 33);
        QCOMPARE(store.object(kBucket, QStringLiteral("big")), data);
        QCOMPARE(store.creates.load(), 1);
        QVERIFY2(store.maxActive.load() > 4 && store.maxActive.load() <= 8, qPrintable(QString::number(store.maxActive.load())));
        // Eight requests need two clients (a network manager opens six connections per host).
        QVERIFY(store.threads.size() >= 2);

        store.maxActive = 0;
        const QString out = dir.filePath(QStringLiteral("big.out"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("big"), out));
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(down).state == TransferState::Done, qPrintable(m_engine->status(down).error.toString()));
        QCOMPARE(readFile(out), data);
        QVERIFY(store.maxActive.load() > 4 && store.maxActive.load() <= 8);
    }

    void concurrencyOneIsSerial()
    {
        store.delayMs = 5;
        m_engine->setConcurrency(1);
        QTemporaryDir dir;
        const QByteArray data = randomBytes(300 * 1024, 3);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), data));
        m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("g"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        QCOMPARE(store.maxActive.load(), 1);
        QCOMPARE(store.object(kBucket, QStringLiteral("g")), data);
    }

    void partGrowsToStayUnderMaxParts()
    {
        store.maxPartCount = 4;
        QTemporaryDir dir;
        const QByteArray data = randomBytes(1024 * 1024, 4);  // 16 parts of 64 KiB would be too many
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), data));
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        QCOMPARE(m_engine->status(up).partsTotal, 1);  // grows to whole MiB: one part of 1 MiB
        QCOMPARE(store.object(kBucket, QStringLiteral("f")), data);
    }

    void retryableFailuresAreRetriedPerPart()
    {
        QTemporaryDir dir;
        const QByteArray data = randomBytes(500 * 1024, 5);
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), data));
        store.failNext.insert(QStringLiteral("part"), 2);
        store.failNext.insert(QStringLiteral("get"), 2);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(up).state == TransferState::Done, qPrintable(m_engine->status(up).error.toString()));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), dir.filePath(QStringLiteral("o"))));
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(down).state == TransferState::Done, qPrintable(m_engine->status(down).error.toString()));
        QCOMPARE(readFile(dir.filePath(QStringLiteral("o"))), data);
        QCOMPARE(m_engine->partRetries(), quint64(4));
    }

    void persistentFailureFailsAndAbortsTheUpload()
    {
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), randomBytes(500 * 1024, 6)));
        store.failNext.insert(QStringLiteral("part"), 1);
        store.failWith = Error(Error::Category::Permission, QStringLiteral("Access Denied"), QStringLiteral("AccessDenied"), 403);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        const TransferStatus st = m_engine->status(up);
        QCOMPARE(st.state, TransferState::Failed);
        QCOMPARE(st.error.category(), Error::Category::Permission);
        QVERIFY(st.error.toString().contains(QStringLiteral("fake://bucket/f")));
        QTRY_COMPARE(store.aborts.load(), 1);
        QVERIFY(!store.has(kBucket, QStringLiteral("f")));
        QCOMPARE(m_engine->partRetries(), quint64(0));  // not retryable

        // Retry from the queue, with the fault gone.
        m_engine->retry(up);
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        QVERIFY(store.has(kBucket, QStringLiteral("f")));
    }

    void exhaustedPartRetriesFail()
    {
        m_engine->setPartAttempts(2);
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), randomBytes(1000, 7)));
        store.failNext.insert(QStringLiteral("put"), 5);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Failed);
        QCOMPARE(m_engine->status(up).error.category(), Error::Category::Server);
        QCOMPARE(store.puts.load(), 2);
    }

    void cancelMidUploadAbortsAndStoresNothing()
    {
        store.delayMs = 100;
        m_engine->setConcurrency(2);
        QTemporaryDir dir;
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), randomBytes(2 * 1024 * 1024, 8)));
        QSignalSpy changed(m_engine, &TransferEngine::transferChanged);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QTRY_VERIFY(m_engine->status(up).partsDone >= 1 && store.active.load() >= 1);  // a part in flight
        m_engine->cancel(up);
        QCOMPARE(m_engine->status(up).state, TransferState::Cancelled);
        QVERIFY(m_engine->isIdle());
        QTRY_COMPARE(store.aborts.load(), 1);
        QTRY_VERIFY(store.cancelled.load() >= 1);  // the in-flight requests were cancelled
        QVERIFY(!store.has(kBucket, QStringLiteral("f")));
        int cancelledSignals = 0;
        for (const auto &args : changed)
            cancelledSignals += args[0].value<TransferStatus>().state == TransferState::Cancelled;
        QCOMPARE(cancelledSignals, 1);
    }

    void cancelMidDownloadRemovesThePartFile()
    {
        store.store(kBucket, QStringLiteral("f"), randomBytes(2 * 1024 * 1024, 9));
        store.delayMs = 100;
        m_engine->setConcurrency(2);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        QVERIFY(writeFile(out, "previous contents"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
        QTRY_VERIFY(m_engine->status(down).partsDone >= 1);
        QVERIFY(QFile::exists(working(QStringLiteral("f"), out)));
        m_engine->cancel(down);
        QCOMPARE(m_engine->status(down).state, TransferState::Cancelled);
        QTRY_VERIFY(!QFile::exists(working(QStringLiteral("f"), out)));
        QTRY_VERIFY(!QFile::exists(journal(QStringLiteral("f"), out)));
        QCOMPARE(readFile(out), QByteArray("previous contents"));  // never touched
    }

    void failedDownloadResumesFromItsJournal()
    {
        const QByteArray data = randomBytes(64 * 1024 * 10, 13);  // 10 parts
        store.store(kBucket, QStringLiteral("f"), data);
        store.delayMs = 30;
        m_engine->setConcurrency(1);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
        QTRY_VERIFY(m_engine->status(down).partsDone >= 4);
        {
            QMutexLocker l(&store.lock);
            store.failNext.insert(QStringLiteral("get"), 1000);
            store.failWith = Error(Error::Category::Permission, QStringLiteral("Access Denied"), QStringLiteral("AccessDenied"), 403);
        }
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).state, TransferState::Failed);
        const int doneBefore = m_engine->status(down).partsDone;
        QVERIFY(doneBefore >= 4 && doneBefore < 10);
        QVERIFY(QFile::exists(working(QStringLiteral("f"), out)));
        QVERIFY(QFile::exists(journal(QStringLiteral("f"), out)));
        QVERIFY(!QFile::exists(out));
        {
            QMutexLocker l(&store.lock);
            store.failNext.clear();
        }
        store.gets = 0;
        m_engine->retry(down);
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(down).state == TransferState::Done, qPrintable(m_engine->status(down).error.toString()));
        QCOMPARE(store.gets.load(), 10 - doneBefore);  // only the missing parts
        QCOMPARE(readFile(out), data);
        QVERIFY(!QFile::exists(working(QStringLiteral("f"), out)));
        QVERIFY(!QFile::exists(journal(QStringLiteral("f"), out)));
    }

    void journalOfAnotherVersionIsNotTrusted()
    {
        const QByteArray data = randomBytes(64 * 1024 * 4, 14);
        store.store(kBucket, QStringLiteral("f"), data);
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        // A leftover .part full of zeros with a journal claiming every part, for another ETag.
        QVERIFY(writeFile(working(QStringLiteral("f"), out), QByteArray(data.size(), '\0')));
        QVERIFY(writeFile(journal(QStringLiteral("f"), out),
                          QByteArray(R"({"etag":"0123456789abcdef0123456789abcdef","size":262144,"partSize":65536,"done":[0,1,2,3]})")));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).state, TransferState::Done);
        QCOMPARE(store.gets.load(), 4);
        QCOMPARE(readFile(out), data);
    }

    void objectChangedSinceListingFails()
    {
        store.store(kBucket, QStringLiteral("f"), randomBytes(1000, 15));
        TransferSpec s = spec(TransferKind::Download, QStringLiteral("f"), QString());
        QTemporaryDir dir;
        s.localPath = dir.filePath(QStringLiteral("out"));
        s.knownSize = 1000;
        s.knownEtag = QStringLiteral("0123456789abcdef0123456789abcdef");  // an older version
        const quint64 down = m_engine->enqueue(s);
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).state, TransferState::Failed);
        QCOMPARE(m_engine->status(down).error.category(), Error::Category::Conflict);
        QVERIFY(!QFile::exists(s.localPath));
        QTRY_VERIFY(!QFile::exists(working(QStringLiteral("f"), s.localPath)));
    }

    void corruptDownloadFailsAndKeepsTheTarget()
    {
        store.store(kBucket, QStringLiteral("f"), randomBytes(300 * 1024, 10));
        store.corruptDownloads = true;
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
        QVERIFY(waitIdle());
        const TransferStatus st = m_engine->status(down);
        QCOMPARE(st.state, TransferState::Failed);
        QCOMPARE(st.error.category(), Error::Category::Integrity);
        QVERIFY(!QFile::exists(out));
        QTRY_VERIFY(!QFile::exists(working(QStringLiteral("f"), out)));
    }

    void missingObjectAndMissingFileFailClearly()
    {
        QTemporaryDir dir;
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("nope"), dir.filePath(QStringLiteral("x"))));
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("nope"), dir.filePath(QStringLiteral("missing"))));
        TransferSpec unknown = spec(TransferKind::Upload, QStringLiteral("k"), dir.filePath(QStringLiteral("missing")));
        unknown.accountId = QStringLiteral("nobody");
        const quint64 bad = m_engine->enqueue(unknown);
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).error.category(), Error::Category::NotFound);
        QCOMPARE(m_engine->status(up).error.category(), Error::Category::NotFound);
        QCOMPARE(m_engine->status(bad).error.category(), Error::Category::InvalidInput);
        QVERIFY(!QFile::exists(working(QStringLiteral("nope"), dir.filePath(QStringLiteral("x")))));
        QCOMPARE(m_engine->transfers().size(), 3);
        QSignalSpy removed(m_engine, &TransferEngine::transferRemoved);
        m_engine->clearFinished();
        QCOMPARE(removed.size(), 3);
        QVERIFY(m_engine->transfers().isEmpty());
    }

    void folderRoundTrip()
    {
        QTemporaryDir src;
        QTemporaryDir dst;
        const QStringList files = {QStringLiteral("a.txt"), QStringLiteral("sub/b.bin"), QStringLiteral("sub/deeper/c"),
                                   QStringLiteral(".hidden"), QStringLiteral("ünï/ok")};
        QHash<QString, QByteArray> contents;
        quint32 seed = 20;
        for (const QString &f : files) {
            contents.insert(f, randomBytes(1000 * seed % 300000, seed));
            QVERIFY(writeFile(src.filePath(f), contents.value(f)));
            ++seed;
        }
        m_engine->uploadFolder(kAccount, src.path(), kBucket, QStringLiteral("tree"));
        QVERIFY(!m_engine->isIdle());
        QVERIFY(waitIdle());
        for (const QString &f : files)
            QCOMPARE(store.object(kBucket, QStringLiteral("tree/") + f), contents.value(f));
        m_engine->clearFinished();
        store.heads = 0;
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("tree/"), dst.path());
        QVERIFY(waitIdle());
        QCOMPARE(store.heads.load(), 0);  // the listing gave sizes and ETags
        for (const TransferStatus &st : m_engine->transfers())
            QVERIFY2(st.state == TransferState::Done, qPrintable(st.error.toString()));
        QStringList expected = files;
        expected.sort();
        QCOMPARE(filesUnder(dst.path()), expected);
        for (const QString &f : files)
            QCOMPARE(readFile(dst.filePath(f)), contents.value(f));
    }

    void hostileListingNeverWritesOutside()
    {
        QTemporaryDir base;
        const QString target = base.filePath(QStringLiteral("chosen"));
        store.store(kBucket, QStringLiteral("p/ok.txt"), "fine");
        store.store(kBucket, QStringLiteral("p/sub/ok2.txt"), "fine too");
        store.store(kBucket, QStringLiteral("p/../x"), "escape");
        store.store(kBucket, QStringLiteral("p/a/../../b"), "escape");
        store.store(kBucket, QStringLiteral("p//etc/passwd"), "root::0:0");
        store.store(kBucket, QStringLiteral("p/nul") + QChar(0) + QStringLiteral("/x"), "nul");
        store.store(kBucket, QStringLiteral("p/") + QString(300, QLatin1Char('L')), "long");
        store.store(kBucket, QStringLiteral("p/..\\..\\win"), "backslash");
        store.extraListing.append(QStringLiteral("p/./dot"));
        QSignalSpy added(m_engine, &TransferEngine::transferAdded);
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("p"), target);
        QVERIFY(waitIdle());
        QCOMPARE(added.size(), 9);
        int done = 0;
        int refused = 0;
        for (const TransferStatus &st : m_engine->transfers()) {
            if (st.state == TransferState::Done) {
                ++done;
                continue;
            }
            QCOMPARE(st.state, TransferState::Failed);
            QCOMPARE(st.error.category(), Error::Category::InvalidInput);
            QVERIFY2(st.error.toString().contains(QStringLiteral("refused object key")), qPrintable(st.error.toString()));
            QVERIFY(!st.error.toString().contains(QChar(0)));
            ++refused;
        }
        QCOMPARE(done, 2);
        QCOMPARE(refused, 7);
        QCOMPARE(filesUnder(base.path()), QStringList({QStringLiteral("chosen/ok.txt"), QStringLiteral("chosen/sub/ok2.txt")}));
        // A refused item cannot be retried into running.
        const quint64 firstRefused = [&] {
            for (const TransferStatus &st : m_engine->transfers())
                if (st.state == TransferState::Failed)
                    return st.id;
            return quint64(0);
        }();
        m_engine->retry(firstRefused);
        QCOMPARE(m_engine->status(firstRefused).state, TransferState::Failed);
    }

    // Downloads are written through hidden working files: objects named like the old "<name>.part"
    // working files (and their journals) are downloaded side by side with their namesakes, and an
    // object named like one of the new working files is refused, never written.
    void workingFilesNeverTakeAnObjectsName()
    {
        m_engine->setMinPartSize(1024);
        store.minPart = 1024;
        const QByteArray foo = randomBytes(10 * 1024, 21);  // several parts: a working file and a journal
        const QByteArray fooPart = randomBytes(3000, 22);
        const QByteArray bar = randomBytes(5000, 23);
        const QByteArray barJournal = "{\"etag\":\"not a journal\"}";
        store.store(kBucket, QStringLiteral("p/foo"), foo);
        store.store(kBucket, QStringLiteral("p/foo.part"), fooPart);
        store.store(kBucket, QStringLiteral("p/bar"), bar);
        store.store(kBucket, QStringLiteral("p/bar.part.json"), barJournal);
        QTemporaryDir dir;
        const QString reserved = QFileInfo(working(QStringLiteral("p/foo"), dir.filePath(QStringLiteral("foo")))).fileName();
        store.store(kBucket, QStringLiteral("p/") + reserved, "planted");
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("p/"), dir.path());
        QVERIFY(waitIdle());
        int refused = 0;
        for (const TransferStatus &st : m_engine->transfers()) {
            if (st.spec.key.endsWith(reserved)) {
                QCOMPARE(st.state, TransferState::Failed);
                QVERIFY2(st.error.toString().contains(QLatin1String("working files")), qPrintable(st.error.toString()));
                ++refused;
            } else {
                QVERIFY2(st.state == TransferState::Done, qPrintable(st.spec.key + QLatin1String(": ") + st.error.toString()));
            }
        }
        QCOMPARE(refused, 1);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("foo"))), foo);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("foo.part"))), fooPart);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("bar"))), bar);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("bar.part.json"))), barJournal);
        QTRY_COMPARE(filesUnder(dir.path()), QStringList({QStringLiteral("bar"), QStringLiteral("bar.part.json"),
                                                          QStringLiteral("foo"), QStringLiteral("foo.part")}));
    }

    // A server that ignores the prefix asked for lists the whole bucket: only keys under the prefix
    // are downloaded; the others are reported (expansionFailed, KeyOutsidePrefix) and never asked for.
    void keysOutsideThePrefixAreNeverDownloaded()
    {
        store.store(kBucket, QStringLiteral("keep/a"), "a");
        store.store(kBucket, QStringLiteral("keep/sub/b"), "b");
        store.store(kBucket, QStringLiteral("keepsake"), "outside, though it starts like the prefix");
        store.store(kBucket, QStringLiteral("other/c"), "outside");
        store.ignorePrefix = true;
        QSignalSpy failed(m_engine, &TransferEngine::expansionFailed);
        QTemporaryDir dir;
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("keep/"), dir.path());
        QVERIFY(waitIdle());
        QCOMPARE(filesUnder(dir.path()), QStringList({QStringLiteral("a"), QStringLiteral("sub/b")}));
        QCOMPARE(m_engine->transfers().size(), 2);
        QCOMPARE(failed.size(), 1);
        const Error e = failed[0][0].value<Error>();
        QCOMPARE(e.code(), QStringLiteral("KeyOutsidePrefix"));
        QVERIFY2(e.toString().contains(QLatin1String("2 keys")), qPrintable(e.toString()));
        QCOMPARE(store.gets.load(), 2);
    }

    // The same key listed twice (or two keys for one file): the second is a reported conflict, not a
    // second writer of the same file.
    void aKeyListedTwiceIsAConflictNotAnOverwrite()
    {
        const QByteArray data = randomBytes(200 * 1024, 24);
        store.store(kBucket, QStringLiteral("p/x"), data);
        store.listedTwice.append(QStringLiteral("p/x"));
        QTemporaryDir dir;
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("p/"), dir.path());
        QVERIFY(waitIdle());
        const QList<TransferStatus> all = m_engine->transfers();
        QCOMPARE(all.size(), 2);
        int conflicts = 0;
        for (const TransferStatus &st : all)
            conflicts += st.state == TransferState::Failed && st.error.category() == Error::Category::Conflict;
        QCOMPARE(conflicts, 1);
        QCOMPARE(readFile(dir.filePath(QStringLiteral("x"))), data);
        QCOMPARE(filesUnder(dir.path()), QStringList({QStringLiteral("x")}));
    }

    // Two transfers asked to write one local file at the same time: the later one fails.
    void twoDownloadsToOneFileConflict()
    {
        store.store(kBucket, QStringLiteral("a"), randomBytes(300 * 1024, 25));
        store.store(kBucket, QStringLiteral("b"), randomBytes(300 * 1024, 26));
        store.delayMs = 50;
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        const quint64 first = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("a"), out));
        const quint64 second = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("b"), out));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(first).state, TransferState::Done);
        QCOMPARE(m_engine->status(second).state, TransferState::Failed);
        QCOMPARE(m_engine->status(second).error.code(), QStringLiteral("LocalNameConflict"));
        QCOMPARE(readFile(out), store.object(kBucket, QStringLiteral("a")));
    }

    // A HEAD declaring a petabyte: refused for lack of space before anything is written, and no
    // (sparse) working file of that size is left behind.
    void declaredSizeBeyondTheDiskLeavesNoFile()
    {
        store.store(kBucket, QStringLiteral("f"), randomBytes(300 * 1024, 27));
        store.headSize = 1LL << 50;
        QTemporaryDir dir;
        const QString out = dir.filePath(QStringLiteral("out"));
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
        QVERIFY(waitIdle());
        const TransferStatus st = m_engine->status(down);
        QCOMPARE(st.state, TransferState::Failed);
        QCOMPARE(st.error.code(), QStringLiteral("NoSpace"));
        QCOMPARE(store.gets.load(), 0);
        QTRY_COMPARE(filesUnder(dir.path()), QStringList());
    }

    // A download that fails before finishing any part has nothing to resume: no working file stays.
    void failureBeforeAnyPartLeavesNoFile()
    {
        store.store(kBucket, QStringLiteral("f"), randomBytes(640 * 1024, 28));
        store.failNext.insert(QStringLiteral("get"), 1000);
        store.failWith = Error(Error::Category::Permission, QStringLiteral("Access Denied"), QStringLiteral("AccessDenied"), 403);
        QTemporaryDir dir;
        const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), dir.filePath(QStringLiteral("out"))));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(down).state, TransferState::Failed);
        QTRY_COMPARE(filesUnder(dir.path()), QStringList());
    }

    // A checkpoint after every part: the last one must never write its journal after the file was
    // renamed into place (a stale journal beside a finished file).
    void checkpointsNeverOutliveTheFinishedFile()
    {
        for (int round = 0; round < 10; ++round) {
            m_engine->setCheckpointInterval(0);
            m_engine->setConcurrency(8);
            m_engine->setMinPartSize(64 * 1024);
            const QByteArray data = randomBytes(64 * 1024 * 24 + 7, 30 + round);  // 25 parts
            store.store(kBucket, QStringLiteral("f"), data);
            QTemporaryDir dir;
            const QString out = dir.filePath(QStringLiteral("out"));
            const quint64 down = m_engine->enqueue(spec(TransferKind::Download, QStringLiteral("f"), out));
            QVERIFY(waitIdle());
            QCOMPARE(m_engine->status(down).state, TransferState::Done);
            QCOMPARE(readFile(out), data);
            // Destroying the engine waits for its pool: a checkpoint still under way has written by now.
            delete m_engine;
            m_engine = new TransferEngine(m_registry);
            QCOMPARE(filesUnder(dir.path()), QStringList({QStringLiteral("out")}));
        }
    }

    // A folder of thousands of objects is listed a page at a time as the queue drains: the engine
    // never holds much more than its refill mark of waiting transfers.
    void folderDownloadListsAsTheQueueDrains()
    {
        const int count = 3000;
        for (int i = 0; i < count; ++i)
            store.store(kBucket, QStringLiteral("many/%1").arg(i, 5, 10, QLatin1Char('0')), QByteArray(1, char(i)));
        m_engine->setKeepFinished(false);
        int waiting = 0;
        int most = 0;
        int finished = 0;
        connect(m_engine, &TransferEngine::transferAdded, this, [&](const TransferStatus &s) {
            if (s.isFinished())
                ++finished;
            else
                most = std::max(most, ++waiting);
        });
        connect(m_engine, &TransferEngine::transferChanged, this, [&](const TransferStatus &s) {
            if (s.isFinished()) {
                ++finished;
                --waiting;
            }
        });
        QTemporaryDir dir;
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("many/"), dir.path());
        QVERIFY(waitIdle(120000));
        QCOMPARE(finished, count);
        QVERIFY2(most <= 2100, qPrintable(QString::number(most)));
        QVERIFY(m_engine->transfers().isEmpty());  // nothing kept once finished
        QCOMPARE(filesUnder(dir.path()).size(), count);
    }

    // An upload interrupted by the engine going away (a quit, or a crash: the journal was written
    // when the upload began) resumes in a new engine: ListParts says which parts the service has,
    // those that match the file are kept, only the others are sent; one multipart upload in all.
    void interruptedUploadResumesWithOnlyMissingParts()
    {
        QTemporaryDir dir;
        m_engine->setUploadJournalFolder(dir.filePath(QStringLiteral("journals")));
        const QByteArray data = randomBytes(64 * 1024 * 10 + 5, 41);  // 11 parts
        const QString file = dir.filePath(QStringLiteral("big.bin"));
        QVERIFY(writeFile(file, data));
        store.delayMs = 40;
        m_engine->setConcurrency(1);
        m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("big.bin"), file));
        QTRY_VERIFY_WITH_TIMEOUT(m_engine->transfers().value(0).partsDone >= 4, 20000);
        delete m_engine;  // like a crash: nothing aborts the upload
        m_engine = nullptr;
        QCOMPARE(store.aborts.load(), 0);
        int held = 0;
        {
            QMutexLocker l(&store.lock);
            QCOMPARE(store.uploads.size(), 1);
            held = int(store.uploads.cbegin()->size());
        }
        QVERIFY(held >= 4 && held < 11);
        QCOMPARE(QDir(dir.filePath(QStringLiteral("journals"))).entryList(QDir::Files).size(), 1);

        store.partPuts = 0;
        m_engine = new TransferEngine(m_registry);
        m_engine->setMinPartSize(64 * 1024);
        m_engine->setUploadJournalFolder(dir.filePath(QStringLiteral("journals")));
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("big.bin"), file));
        QVERIFY(waitIdle());
        QVERIFY2(m_engine->status(up).state == TransferState::Done, qPrintable(m_engine->status(up).error.toString()));
        QCOMPARE(store.partPuts.load(), 11 - held);
        QCOMPARE(store.creates.load(), 1);
        QCOMPARE(store.listParts.load(), 1);
        QCOMPARE(store.object(kBucket, QStringLiteral("big.bin")), data);
        QTRY_COMPARE(QDir(dir.filePath(QStringLiteral("journals"))).entryList(QDir::Files).size(), 0);
    }

    // The file changed since the interrupted upload began: that upload is aborted and a new one
    // sends every part. A part the service holds that is not this file's bytes is sent again.
    void changedFileOrPartStartsOverWhereNeeded()
    {
        QTemporaryDir dir;
        const QString journals = dir.filePath(QStringLiteral("journals"));
        const QString file = dir.filePath(QStringLiteral("f.bin"));
        auto interrupt = [&](const QByteArray &data) {
            QVERIFY(writeFile(file, data));
            m_engine->setUploadJournalFolder(journals);
            store.delayMs = 40;
            m_engine->setConcurrency(1);
            const quint64 id = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f.bin"), file));
            QTRY_VERIFY_WITH_TIMEOUT(m_engine->status(id).partsDone >= 3, 20000);
            delete m_engine;
            m_engine = new TransferEngine(m_registry);
            m_engine->setMinPartSize(64 * 1024);
            m_engine->setUploadJournalFolder(journals);
            store.delayMs = 1;
        };
        // 1. Another version of the file.
        interrupt(randomBytes(64 * 1024 * 6, 42));
        const QByteArray second = randomBytes(64 * 1024 * 6, 43);
        QVERIFY(writeFile(file, second));
        {
            // A modification time the journal did not see, whatever the file system's resolution.
            QFile f(file);
            QVERIFY(f.open(QIODevice::ReadWrite));
            QVERIFY(f.setFileTime(QDateTime::currentDateTime().addSecs(10), QFileDevice::FileModificationTime));
        }
        store.partPuts = 0;
        quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f.bin"), file));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        QCOMPARE(store.partPuts.load(), 6);
        QTRY_COMPARE(store.aborts.load(), 1);
        QCOMPARE(store.object(kBucket, QStringLiteral("f.bin")), second);

        // 2. A part on the service that is not the file's (corrupted, or from elsewhere).
        store.reset();
        store.minPart = 1024;
        interrupt(randomBytes(64 * 1024 * 6, 44));
        {
            QMutexLocker l(&store.lock);
            QCOMPARE(store.uploads.size(), 1);
            auto &parts = store.uploads.begin().value();
            QVERIFY(parts.contains(2));
            parts[2] = QByteArray(parts[2].size(), 'x');  // part number 2
        }
        int held = 0;
        {
            QMutexLocker l(&store.lock);
            held = int(store.uploads.cbegin()->size());
        }
        store.partPuts = 0;
        up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f.bin"), file));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        QCOMPARE(store.partPuts.load(), 6 - held + 1);
        QCOMPARE(store.object(kBucket, QStringLiteral("f.bin")), readFile(file));
    }

    // A cancelled upload is aborted and forgets its journal; one the service no longer has starts over.
    void cancelledOrVanishedUploadsDoNotResume()
    {
        QTemporaryDir dir;
        const QString journals = dir.filePath(QStringLiteral("journals"));
        m_engine->setUploadJournalFolder(journals);
        const QString file = dir.filePath(QStringLiteral("c.bin"));
        QVERIFY(writeFile(file, randomBytes(64 * 1024 * 6, 45)));
        store.delayMs = 40;
        m_engine->setConcurrency(1);
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("c.bin"), file));
        QTRY_VERIFY_WITH_TIMEOUT(m_engine->status(up).partsDone >= 2, 20000);
        m_engine->cancel(up);
        QTRY_COMPARE(store.aborts.load(), 1);
        QTRY_COMPARE(QDir(journals).entryList(QDir::Files).size(), 0);

        // Interrupted, then the service forgets the upload (it expired, or someone aborted it).
        const quint64 again = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("c.bin"), file));
        QTRY_VERIFY_WITH_TIMEOUT(m_engine->status(again).partsDone >= 2, 20000);
        delete m_engine;
        m_engine = new TransferEngine(m_registry);
        m_engine->setMinPartSize(64 * 1024);
        m_engine->setUploadJournalFolder(journals);
        {
            QMutexLocker l(&store.lock);
            store.uploads.clear();
        }
        store.delayMs = 1;
        store.partPuts = 0;
        const quint64 third = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("c.bin"), file));
        QVERIFY(waitIdle());
        QCOMPARE(m_engine->status(third).state, TransferState::Done);
        QCOMPARE(store.partPuts.load(), 6);
        QCOMPARE(store.object(kBucket, QStringLiteral("c.bin")), readFile(file));
    }

    void listingFailureIsReported()
    {
        store.failNext.insert(QStringLiteral("list"), 1);
        store.failWith = Error(Error::Category::Permission, QStringLiteral("Access Denied"), QStringLiteral("AccessDenied"), 403);
        QSignalSpy failed(m_engine, &TransferEngine::expansionFailed);
        QTemporaryDir dir;
        m_engine->downloadPrefix(kAccount, kBucket, QStringLiteral("p/"), dir.path());
        QVERIFY(waitIdle());
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed[0][0].value<Error>().category(), Error::Category::Permission);
        m_engine->uploadFolder(kAccount, dir.filePath(QStringLiteral("no/such/dir")), kBucket, QString());
        QVERIFY(waitIdle());
        QCOMPARE(failed.size(), 2);
    }

    void progressIsThrottledAndTotalsAdd()
    {
        store.delayMs = 40;
        m_engine->setConcurrency(2);
        QTemporaryDir dir;
        const QByteArray data = randomBytes(64 * 1024 * 24, 11);  // 24 parts, ~12 rounds of 40 ms
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), data));
        QSignalSpy changed(m_engine, &TransferEngine::transferChanged);
        QSignalSpy totals(m_engine, &TransferEngine::totalsChanged);
        QElapsedTimer clock;
        clock.start();
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QVERIFY(waitIdle());
        const qint64 ms = clock.elapsed();
        QCOMPARE(m_engine->status(up).state, TransferState::Done);
        // Progress ticks at most every 200 ms, plus a handful of state changes.
        QVERIFY2(changed.size() <= ms / 200 + 8, qPrintable(QStringLiteral("%1 signals in %2 ms").arg(changed.size()).arg(ms)));
        QVERIFY(totals.size() >= 1);
        const QList<QVariant> last = totals.last();
        QCOMPARE(last[0].toLongLong(), data.size());
        QCOMPARE(last[1].toLongLong(), data.size());
        // bytesDone never goes backwards and never exceeds the total.
        qint64 prev = 0;
        for (const auto &args : changed) {
            const TransferStatus st = args[0].value<TransferStatus>();
            QVERIFY(st.bytesDone >= prev);
            QVERIFY(st.bytesDone <= data.size());
            prev = st.bytesDone;
        }
    }

    // The engine going away mid-upload (the window quits, the CLI is interrupted) is handled like a
    // crash: the multipart upload and its journal stay, so the same upload resumes next time
    // (interruptedUploadResumesWithOnlyMissingParts); nothing is completed half-way.
    void destroyingTheEngineMidTransferKeepsTheUploadToResume()
    {
        store.delayMs = 200;
        QTemporaryDir dir;
        m_engine->setUploadJournalFolder(dir.filePath(QStringLiteral("journals")));
        QVERIFY(writeFile(dir.filePath(QStringLiteral("f")), randomBytes(1024 * 1024, 12)));
        const quint64 up = m_engine->enqueue(spec(TransferKind::Upload, QStringLiteral("f"), dir.filePath(QStringLiteral("f"))));
        QTRY_COMPARE(m_engine->status(up).state, TransferState::Running);
        QTRY_VERIFY(m_engine->status(up).partsDone >= 1);  // the upload id is known
        delete m_engine;
        m_engine = nullptr;
        QCOMPARE(store.aborts.load(), 0);
        QVERIFY(!store.has(kBucket, QStringLiteral("f")));
        QTRY_COMPARE(QDir(dir.filePath(QStringLiteral("journals"))).entryList(QDir::Files).size(), 1);
        m_engine = new TransferEngine(m_registry);  // for cleanup()
    }
};

SKYDECK_TEST_MAIN(TestTransferEngine)
#include "tst_transferengine.moc"
