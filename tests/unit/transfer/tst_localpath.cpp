// LocalPath: hostile object keys never map outside the chosen folder.
#include "LocalPath.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace skydeck;

class TestLocalPath : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void map_data()
    {
        QTest::addColumn<QString>("key");
        QTest::addColumn<QString>("expected");  // relative to root; empty: refused
        QTest::addColumn<QString>("reason");    // a word the refusal must contain
        const QString n255(255, QLatin1Char('n'));
        const QString n250(250, QLatin1Char('n'));
        const QString n251(251, QLatin1Char('n'));
        QTest::newRow("plain") << "a.txt" << "a.txt" << "";
        QTest::newRow("nested") << "dir/sub/a.txt" << "dir/sub/a.txt" << "";
        QTest::newRow("dots inside names") << "a..b/..c/d.." << "a..b/..c/d.." << "";
        QTest::newRow("spaces and unicode") << "ünï cödé/📦 box.bin" << "ünï cödé/📦 box.bin" << "";
        QTest::newRow("colon later") << "a/c:d" << "a/c:d" << "";
        QTest::newRow("folder marker") << "dir/sub/" << "dir/sub" << "";
        QTest::newRow("file name 250 bytes") << n250 << n250 << "";
        QTest::newRow("dir name 255 bytes") << n255 + "/x" << n255 + "/x" << "";
        QTest::newRow("dotdot") << "../x" << "" << "..";
        QTest::newRow("dotdot inside") << "a/../../b" << "" << "..";
        QTest::newRow("dotdot only") << ".." << "" << "..";
        QTest::newRow("dotdot last") << "a/.." << "" << "..";
        QTest::newRow("dot") << "./x" << "" << "\".\"";
        QTest::newRow("dot only") << "." << "" << "\".\"";
        QTest::newRow("absolute") << "/etc/passwd" << "" << "absolute";
        QTest::newRow("double slash") << "a//b" << "" << "empty";
        QTest::newRow("only slash") << "/" << "" << "absolute";
        QTest::newRow("empty") << "" << "" << "empty";
        QTest::newRow("nul") << QString(QStringLiteral("a")) + QChar(0) + "b" << "" << "NUL";
        QTest::newRow("nul dotdot") << QString(QStringLiteral("..")) + QChar(0) + "/x" << "" << "NUL";
        QTest::newRow("newline") << "a\nb" << "" << "control";
        QTest::newRow("escape") << "a\x1b[31mred" << "" << "control";
        QTest::newRow("delete char") << "a\x7f" << "" << "control";
        QTest::newRow("backslash dotdot") << "..\\..\\x" << "" << "backslash";
        QTest::newRow("backslash") << "a\\b" << "" << "backslash";
        QTest::newRow("drive") << "C:/Windows/x" << "" << "drive";
        QTest::newRow("drive only") << "c:" << "" << "drive";
        QTest::newRow("file name 251 bytes") << n251 << n251 << "";  // working files have their own names now
        QTest::newRow("file name 255 bytes") << n255 << n255 << "";
        QTest::newRow("file name 256 bytes") << QString(256, QLatin1Char('f')) << "" << "256 bytes";
        QTest::newRow("old working names are plain names") << "d/foo.part" << "d/foo.part" << "";
        QTest::newRow("old journal names are plain names") << "d/bar.part.json" << "d/bar.part.json" << "";
        QTest::newRow("a working file's name") << "d/.foo.skydeck-0123456789abcdef.part" << "" << "working files";
        QTest::newRow("a journal's name") << ".foo.skydeck-0123456789ABCDEF.journal" << "" << "working files";
        QTest::newRow("an SFTP upload's temporary") << ".x.skydeck-0123456789ab.part" << "" << "working files";
        QTest::newRow("a folder with a working name") << ".skydeck-0123456789abcdef.part/x" << "" << "working files";
        QTest::newRow("like a working name, not one") << ".foo.skydeck-notahexid.part" << ".foo.skydeck-notahexid.part" << "";
        QTest::newRow("windows device") << "d/CON" << "" << "device";
        QTest::newRow("windows device, extension") << "nul.txt" << "" << "device";
        QTest::newRow("windows device, lower case") << "a/lpt9.log" << "" << "device";
        QTest::newRow("windows device as folder") << "com1/x" << "" << "device";
        QTest::newRow("not a device") << "console/com10/lpt0.txt" << "console/com10/lpt0.txt" << "";
        QTest::newRow("name 300 bytes") << QString(300, QLatin1Char('x')) << "" << "300 bytes";
        QTest::newRow("dir name 256 bytes") << QString(256, QLatin1Char('d')) + "/x" << "" << "256 bytes";
        QTest::newRow("multibyte over limit") << QString(128, QChar(0x00e9)) << "" << "256 bytes";  // 2 bytes each
        QTest::newRow("path too long") << QStringLiteral("a") + QString(QLatin1Char('/') + QString(200, QLatin1Char('p'))).repeated(21)
                                       << "" << "local path";
    }
    void map()
    {
        QFETCH(QString, key);
        QFETCH(QString, expected);
        QFETCH(QString, reason);
        QTemporaryDir root;
        QVERIFY(root.isValid());
        const Result<MappedPath> r = LocalPath::map(root.path(), key);
        if (expected.isEmpty()) {
            QVERIFY2(!r.ok(), qPrintable(QStringLiteral("accepted as ") + (r.ok() ? r->path : QString())));
            QCOMPARE(r.error().category(), Error::Category::InvalidInput);
            QVERIFY2(r.error().message().contains(reason), qPrintable(r.error().message()));
            QVERIFY(!r.error().message().contains(QChar(0)));
            QVERIFY(!r.error().message().contains(QLatin1Char('\n')));
            return;
        }
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->path, QDir::cleanPath(root.path()) + QLatin1Char('/') + expected);
        QCOMPARE(r->isDirectory, key.endsWith(QLatin1Char('/')));
        QVERIFY(r->path.startsWith(QDir::cleanPath(root.path()) + QLatin1Char('/')));
    }

    void refusesSymlinkedFolderLeadingOut()
    {
        QTemporaryDir root;
        QTemporaryDir outside;
        QVERIFY(QFile::link(outside.path(), root.filePath(QStringLiteral("escape"))));
        const Result<MappedPath> r = LocalPath::map(root.path(), QStringLiteral("escape/x.txt"));
        QVERIFY(!r.ok());
        QVERIFY2(r.error().message().contains(QStringLiteral("symbolic link")), qPrintable(r.error().message()));
        // A symlink at the target itself that points out is refused too.
        QVERIFY(QFile::link(outside.filePath(QStringLiteral("victim")), root.filePath(QStringLiteral("f"))));
        QVERIFY(!LocalPath::map(root.path(), QStringLiteral("f")).ok());
    }

    void acceptsSymlinkStayingInside()
    {
        QTemporaryDir root;
        QVERIFY(QDir(root.path()).mkdir(QStringLiteral("real")));
        QVERIFY(QFile::link(root.filePath(QStringLiteral("real")), root.filePath(QStringLiteral("alias"))));
        const Result<MappedPath> r = LocalPath::map(root.path(), QStringLiteral("alias/x.txt"));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    }

    void rootThatIsASymlinkIsFine()
    {
        QTemporaryDir base;
        QVERIFY(QDir(base.path()).mkdir(QStringLiteral("target")));
        QVERIFY(QFile::link(base.filePath(QStringLiteral("target")), base.filePath(QStringLiteral("root"))));
        QVERIFY(QDir(base.filePath(QStringLiteral("target"))).mkdir(QStringLiteral("sub")));
        const Result<MappedPath> r = LocalPath::map(base.filePath(QStringLiteral("root")), QStringLiteral("sub/x"));
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
    }

    void rootNeedNotExist()
    {
        QTemporaryDir base;
        const Result<MappedPath> r = LocalPath::map(base.filePath(QStringLiteral("new/folder")), QStringLiteral("a/b"));
        QVERIFY(r.ok());
        QCOMPARE(r->path, base.filePath(QStringLiteral("new/folder/a/b")));
    }

    void relativeKeyAndDisplay()
    {
        QCOMPARE(LocalPath::relativeKey(QStringLiteral("data/a/b"), QStringLiteral("data/")), QStringLiteral("a/b"));
        QCOMPARE(LocalPath::relativeKey(QStringLiteral("x"), QString()), QStringLiteral("x"));
        // A key outside the prefix has no relative key (null), unlike the prefix's own marker ("").
        QVERIFY(LocalPath::relativeKey(QStringLiteral("other/x"), QStringLiteral("data/")).isNull());
        QVERIFY(LocalPath::relativeKey(QStringLiteral("datafile"), QStringLiteral("data/")).isNull());
        QVERIFY(!LocalPath::relativeKey(QStringLiteral("data/"), QStringLiteral("data/")).isNull());
        QVERIFY(LocalPath::relativeKey(QStringLiteral("data/"), QStringLiteral("data/")).isEmpty());
        QCOMPARE(LocalPath::displayKey(QString(QStringLiteral("a")) + QChar(0) + QStringLiteral("b\n")),
                 QStringLiteral("a\\x00b\\x0a"));
        QVERIFY(LocalPath::displayKey(QString(1000, QLatin1Char('k'))).size() < 200);
    }
    // Working files: hidden, beside the target, unique per object and target, stable for a resume,
    // never longer than a name may be, and of the reserved form map() refuses.
    void workingPaths()
    {
        const QString target = QStringLiteral("/d/sub/model.bin");
        const QString w = LocalPath::workingPath(target, QStringLiteral("acct\0b\0k"));
        QVERIFY2(w.startsWith(QLatin1String("/d/sub/.model.bin.skydeck-")) && w.endsWith(QLatin1String(".part")), qPrintable(w));
        QCOMPARE(LocalPath::workingPath(target, QStringLiteral("acct\0b\0k")), w);
        QVERIFY(LocalPath::workingPath(target, QStringLiteral("acct\0b\0other")) != w);
        QVERIFY(LocalPath::workingPath(QStringLiteral("/d/sub/model.bin2"), QStringLiteral("acct\0b\0k")) != w);
        const QString j = LocalPath::journalPathFor(w);
        QVERIFY(j.endsWith(QLatin1String(".journal")) && j.chopped(8) == w.chopped(5));
        QVERIFY(LocalPath::isWorkingFileName(QFileInfo(w).fileName()));
        QVERIFY(LocalPath::isWorkingFileName(QFileInfo(j).fileName()));
        // A 255-byte name (multibyte too: 2-byte é, 4-byte U+1F4E6 as a surrogate pair) still gives
        // names within the limit. (QChar(0x1F4E6) was a BMP character cut to 16 bits: a debug build's
        // assertion found it.)
        const QString package = QString::fromUtf8("\xF0\x9F\x93\xA6");
        for (const QString &name : {QString(255, QLatin1Char('n')), QString(127, QChar(0x00e9)), package.repeated(63)}) {
            const QString longW = LocalPath::workingPath(QStringLiteral("/d/") + name, QStringLiteral("id"));
            const QString longJ = LocalPath::journalPathFor(longW);
            QVERIFY2(QFileInfo(longW).fileName().toUtf8().size() <= 255, qPrintable(longW));
            QVERIFY2(QFileInfo(longJ).fileName().toUtf8().size() <= 255, qPrintable(longJ));
            QVERIFY(!QFileInfo(longW).fileName().contains(QChar(0xFFFD)));  // not cut inside a character
            QCOMPARE(QString::fromUtf8(longW.toUtf8()), longW);                // nor between surrogates
            QVERIFY(LocalPath::isWorkingFileName(QFileInfo(longW).fileName()));
        }
    }
};

SKYDECK_TEST_MAIN(TestLocalPath)
#include "tst_localpath.moc"
