// The `skydeck` binary against a hostile S3 endpoint that lives in this test (HostileS3): a server
// that ignores the prefix asked for, pages for ever or repeats its continuation token, lists keys
// holding terminal escapes; and secrets or plain http in --endpoint-url. What the command acts on,
// what it prints and how it ends are checked against what the server saw.
#include "CliRunner.h"
#include "HostileS3.h"
#include "TestMain.h"

#include <QDir>
#include <QDirIterator>
#include <QNetworkInterface>
#include <QTcpServer>
#include <QTemporaryDir>

using skydeck::test::CliRun;
using skydeck::test::CliRunner;
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

QList<QByteArray> sorted(QList<QByteArray> l)
{
    std::sort(l.begin(), l.end());
    return l;
}

// A bucket where "keep/" holds two objects and three others lie outside it, one of them starting
// with the same letters.
void fill(HostileS3 &s)
{
    s.objects.insert("keep/a", "a");
    s.objects.insert("keep/sub/b", "bb");
    s.objects.insert("keepsake", "outside, though it starts like the prefix");
    s.objects.insert("other/c", "outside");
    s.objects.insert("zz-last", "outside");
}

} // namespace

class TestCliHostile : public QObject
{
    Q_OBJECT
    QTemporaryDir m_home;
    QTemporaryDir m_work;

    CliRunner runner(const QString &endpoint) const
    {
        CliRunner r(m_home.path());
        r.set(QStringLiteral("AWS_ACCESS_KEY_ID"), QStringLiteral("AKIDHOSTILE"));
        r.set(QStringLiteral("AWS_SECRET_ACCESS_KEY"), QStringLiteral("hostile-secret"));
        r.set(QStringLiteral("AWS_ENDPOINT_URL"), endpoint);
        r.unset(QStringLiteral("SKYDECK_ALLOW_INSECURE_HTTP"));
        r.setWorkingDirectory(m_work.path());
        return r;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(QFileInfo(QStringLiteral(SKYDECK_BINARY)).isExecutable());
        QVERIFY(m_home.isValid() && m_work.isValid());
    }

    // rm -r deletes only keys under the prefix, whatever the listing holds; the rest are named and
    // the command fails (exit 1). Before: every listed key was deleted.
    void removeRecursiveDeletesOnlyUnderThePrefix()
    {
        HostileS3 s;
        fill(s);
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("rm"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/")});
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        QCOMPARE(sorted(s.deleted), QList<QByteArray>({"keep/a", "keep/sub/b"}));
        QVERIFY(s.objects.contains("keepsake") && s.objects.contains("other/c") && s.objects.contains("zz-last"));
        QVERIFY2(r.err.contains(QLatin1String("3 keys")) && r.err.contains(QLatin1String("not under the prefix")),
                 qPrintable(r.describe()));
        QVERIFY2(r.err.contains(QLatin1String("deleted 2 objects")), qPrintable(r.describe()));
    }

    // A key XML cannot carry (control characters) is deleted with its own DELETE: it does not keep
    // the other keys of its batch from being deleted. Before: the whole batch failed.
    void keysWithControlCharactersAreDeletedToo()
    {
        HostileS3 s;
        s.objects.insert("gone/a", "a");
        s.objects.insert("gone/\x1b]0;title\x07", "esc");
        s.objects.insert("gone/z", "z");
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("rm"), QStringLiteral("-r"), QStringLiteral("s3://bucket/gone/")});
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        QCOMPARE(sorted(s.deleted), QList<QByteArray>({"gone/\x1b]0;title\x07", "gone/a", "gone/z"}));
        QVERIFY(s.objects.isEmpty());
        QVERIFY2(r.out.contains(QLatin1String("deleted 3 objects")), qPrintable(r.describe()));
    }

    // cp -r between prefixes copies only keys under the source prefix.
    void serverSideCopyCopiesOnlyUnderThePrefix()
    {
        HostileS3 s;
        fill(s);
        const CliRun r = runner(s.endpoint()).runAsync(
            {QStringLiteral("cp"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/"), QStringLiteral("s3://bucket/dst/")});
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        QList<QByteArray> sources;
        for (const auto &c : std::as_const(s.copies)) {
            sources.append(c.first);
            QVERIFY2(c.second.startsWith("dst/"), c.second.constData());
        }
        QCOMPARE(sorted(sources), QList<QByteArray>({"keep/a", "keep/sub/b"}));
        QVERIFY2(r.err.contains(QLatin1String("not under the prefix")), qPrintable(r.describe()));
    }

    // cp -r to a local folder downloads only keys under the prefix; none outside is even requested.
    void downloadCopiesOnlyUnderThePrefix()
    {
        HostileS3 s;
        fill(s);
        QTemporaryDir out;
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("cp"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/"), out.path()});
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        QCOMPARE(filesUnder(out.path()), QStringList({QStringLiteral("a"), QStringLiteral("sub/b")}));
        for (const QByteArray &k : std::as_const(s.requested))
            QVERIFY2(k.startsWith("keep/"), k.constData());
        QVERIFY2(r.err.contains(QLatin1String("not under the prefix")), qPrintable(r.describe()));
    }

    // ls shows only what lies under the prefix, and says the rest was there.
    void listShowsOnlyUnderThePrefix()
    {
        HostileS3 s;
        fill(s);
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("ls"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/")});
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 2);
        QVERIFY(r.out.contains(QLatin1String("keep/a")) && r.out.contains(QLatin1String("keep/sub/b")));
        QVERIFY(!r.out.contains(QLatin1String("keepsake")) && !r.out.contains(QLatin1String("other/c")));
        QVERIFY2(r.err.contains(QLatin1String("3 entries")), qPrintable(r.describe()));
    }

    // A server that never stops paging: every command stops with a clear error, in seconds, and
    // rm acts on nothing past the point the paging went wrong.
    void endlessPagingStops_data()
    {
        QTest::addColumn<int>("paging");
        QTest::addColumn<QString>("code");
        QTest::newRow("repeated token") << int(HostileS3::Paging::RepeatToken) << QStringLiteral("RepeatedPageToken");
        QTest::newRow("endless empty pages") << int(HostileS3::Paging::EndlessEmpty) << QStringLiteral("EmptyPages");
    }
    void endlessPagingStops()
    {
        QFETCH(int, paging);
        QFETCH(QString, code);
        for (const QString &command : {QStringLiteral("ls"), QStringLiteral("rm"), QStringLiteral("cp")}) {
            HostileS3 s;
            fill(s);
            s.paging = HostileS3::Paging(paging);
            s.pageSize = 1;
            QTemporaryDir out;
            QStringList args{command, QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/")};
            if (command == QLatin1String("cp"))
                args << out.path();
            const CliRun r = runner(s.endpoint()).runAsync(args, 60000);
            QVERIFY2(r.finished && r.code == 1, qPrintable(command + QLatin1Char(' ') + r.describe()));
            QVERIFY2(r.err.contains(code), qPrintable(command + QLatin1Char(' ') + r.describe()));
            QVERIFY2(s.listRequests <= 110, qPrintable(QString::number(s.listRequests)));
            for (const QByteArray &k : std::as_const(s.deleted))
                QVERIFY2(k.startsWith("keep/"), k.constData());
        }
    }

    // A page "with more to come" that repeats the same keys under new tokens: the listing stops at
    // the page limit at the latest; here the repeated keys make cp refuse the second writer of each
    // file and nothing runs away. (Bounded by time: the command must end.)
    void endlessNewTokensEnd()
    {
        HostileS3 s;
        fill(s);
        s.paging = HostileS3::Paging::EndlessNew;
        s.pageSize = 2;
        QTemporaryDir out;
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("cp"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/"), out.path()}, 120000);
        QVERIFY2(r.finished, qPrintable(r.describe()));
        QVERIFY2(r.code == 1, qPrintable(r.describe()));
        QCOMPARE(filesUnder(out.path()), QStringList({QStringLiteral("a"), QStringLiteral("sub/b")}));
    }

    // Keys holding terminal escapes (clipboard write, title, clear screen, a forged line) are
    // printed escaped: no control byte reaches the terminal; --raw prints them as stored.
    void controlCharactersInKeysAreEscaped()
    {
        HostileS3 s;
        const QByteArray osc52 = "keep/\x1b]52;c;cm0gLXJmIH4K\x07";
        const QByteArray forged = "keep/x\r\nupload: fake to s3://evil/\x1b[2J";
        const QByteArray c1 = QStringLiteral("keep/c1-\u009b31m-\u202etxt.exe").toUtf8();
        s.objects.insert(osc52, "1");
        s.objects.insert(forged, "2");
        s.objects.insert(c1, "3");
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("ls"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/")});
        QVERIFY2(r.finished && r.code == 0, qPrintable(r.describe()));
        QCOMPARE(r.outLines().size(), 3);
        for (const QChar c : r.out) {
            const char16_t u = c.unicode();
            QVERIFY2(u == '\n' || (u >= 0x20 && u != 0x7f && !(u >= 0x80 && u <= 0x9f) && u != 0x202e),
                     qPrintable(QStringLiteral("control U+%1 in: %2").arg(uint(u), 4, 16, QLatin1Char('0')).arg(r.out)));
        }
        QVERIFY2(r.out.contains(QLatin1String("keep/\\x1b]52;c;cm0gLXJmIH4K\\x07")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("\\x0d\\x0aupload: fake")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QLatin1String("\\x9b31m-\\u202etxt.exe")), qPrintable(r.out));

        const CliRun raw = runner(s.endpoint()).runAsync({QStringLiteral("ls"), QStringLiteral("-r"), QStringLiteral("--raw"), QStringLiteral("s3://bucket/keep/")});
        QVERIFY2(raw.finished && raw.code == 0, qPrintable(raw.describe()));
        QVERIFY(raw.out.toUtf8().contains(osc52));
        QVERIFY(raw.out.toUtf8().contains(forged));
    }

    // An error message from the server with escapes and markup is printed escaped, on one line.
    void serverErrorTextIsEscaped()
    {
        HostileS3 s;
        fill(s);
        QTemporaryDir out;
        // A key refused by the local mapping: its name is part of the error line.
        s.objects.insert("keep/..\x1b[2J", "x");
        const CliRun r = runner(s.endpoint()).runAsync({QStringLiteral("cp"), QStringLiteral("-r"), QStringLiteral("s3://bucket/keep/"), out.path()});
        QVERIFY2(r.finished && r.code == 1, qPrintable(r.describe()));
        QVERIFY2(!r.err.contains(QChar(0x1b)), qPrintable(r.describe()));
        QCOMPARE(r.errLines().size(), 1);
    }

    // user:password@ in --endpoint-url never reaches the output (here: a refused connection, whose
    // error names the endpoint).
    void passwordInTheEndpointIsNeverPrinted()
    {
        QTcpServer closed;
        closed.listen(QHostAddress::LocalHost, 0);
        const int port = closed.serverPort();
        closed.close();
        CliRunner r = runner(QString());
        r.unset(QStringLiteral("AWS_ENDPOINT_URL"));
        const CliRun run = r.runAsync({QStringLiteral("ls"), QStringLiteral("--endpoint-url"),
                                       QStringLiteral("http://admin:pa55w0rd-top@127.0.0.1:%1").arg(port),
                                       QStringLiteral("s3://bucket/")},
                                      60000);
        QVERIFY2(run.finished && run.code == 5, qPrintable(run.describe()));
        QVERIFY2(!run.err.contains(QLatin1String("pa55w0rd")) && !run.out.contains(QLatin1String("pa55w0rd")),
                 qPrintable(run.describe()));
        QVERIFY2(run.err.contains(QLatin1String("admin:<redacted>@127.0.0.1")), qPrintable(run.describe()));
    }

    // Plain http to a host that is not loopback is refused before a byte is sent, unless asked for.
    void plainHttpOffLoopbackNeedsConsent()
    {
        QString address;
        for (const QHostAddress &a : QNetworkInterface::allAddresses())
            if (a.protocol() == QAbstractSocket::IPv4Protocol && !a.isLoopback()) {
                address = a.toString();
                break;
            }
        HostileS3 s(QHostAddress::AnyIPv4);
        fill(s);
        const QString endpoint = QStringLiteral("http://%1:%2").arg(address.isEmpty() ? QStringLiteral("192.0.2.1") : address).arg(s.port());
        const CliRun refused = runner(endpoint).runAsync({QStringLiteral("ls"), QStringLiteral("s3://bucket/keep/")}, 60000);
        QVERIFY2(refused.finished && refused.code == 2, qPrintable(refused.describe()));
        QVERIFY2(refused.err.contains(QLatin1String("InsecureTransport")) && refused.err.contains(QLatin1String("--allow-insecure-http")),
                 qPrintable(refused.describe()));
        QCOMPARE(s.requestCount, 0);
        const CliRun allowed = runner(endpoint).runAsync(
            {QStringLiteral("ls"), QStringLiteral("-r"), QStringLiteral("--allow-insecure-http"), QStringLiteral("s3://bucket/keep/")}, 120000);
        QVERIFY2(allowed.finished && !allowed.err.contains(QLatin1String("InsecureTransport")), qPrintable(allowed.describe()));
        if (!address.isEmpty())
            QVERIFY2(s.requestCount > 0 && allowed.out.contains(QLatin1String("keep/")), qPrintable(allowed.describe()));
        else  // no address of this machine off loopback: consent shows as an attempt (a network error)
            QVERIFY2(allowed.code == 5, qPrintable(allowed.describe()));
    }
};

SKYDECK_TEST_MAIN(TestCliHostile)
#include "tst_cli_hostile.moc"
