// A hostile S3 endpoint (a tiny loopback server speaking just enough S3) lists keys that try to
// escape the download folder, URL-encoded as S3 does for encoding-type=url (so a NUL can arrive).
// downloadPrefix through the real S3Client must write only inside the chosen folder, report every
// refused key, and never even request them.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "HostileS3.h"
#include "TestMain.h"
#include "TransferEngine.h"

#include <QDirIterator>
#include <QSignalSpy>
#include <QTemporaryDir>

using namespace skydeck;
using skydeck::test::HostileS3;

namespace {

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
