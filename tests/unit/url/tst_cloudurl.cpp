#include "CloudUrl.h"
#include "TestMain.h"

#include <QDir>

using skydeck::CloudUrl;
using Scheme = skydeck::CloudUrl::Scheme;

class TestCloudUrl : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void s3Urls_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("bucket");
        QTest::addColumn<QString>("key");
        QTest::addColumn<bool>("prefix");
        QTest::newRow("all buckets") << "s3://" << "" << "" << true;
        QTest::newRow("bucket") << "s3://my-bucket" << "my-bucket" << "" << true;
        QTest::newRow("bucket slash") << "s3://my-bucket/" << "my-bucket" << "" << true;
        QTest::newRow("key") << "s3://b1b/data/x.csv" << "b1b" << "data/x.csv" << false;
        QTest::newRow("prefix") << "s3://b1b/data/" << "b1b" << "data/" << true;
        QTest::newRow("spaces") << "s3://b1b/my file (1).txt" << "b1b" << "my file (1).txt" << false;
        QTest::newRow("unicode") << QString::fromUtf8("s3://b1b/données/日本語.txt") << "b1b"
                                 << QString::fromUtf8("données/日本語.txt") << false;
        QTest::newRow("percent is literal") << "s3://b1b/a%20b%2F" << "b1b" << "a%20b%2F" << false;
        QTest::newRow("double slash kept") << "s3://b1b//lead" << "b1b" << "/lead" << false;
        QTest::newRow("upper-case scheme") << "S3://b1b/k" << "b1b" << "k" << false;
        QTest::newRow("legacy bucket") << "s3://Legacy_Bucket/k" << "Legacy_Bucket" << "k" << false;
        QTest::newRow("hash and query chars") << "s3://b1b/a#b?c=d" << "b1b" << "a#b?c=d" << false;
    }
    void s3Urls()
    {
        QFETCH(QString, text);
        QFETCH(QString, bucket);
        QFETCH(QString, key);
        QFETCH(bool, prefix);
        const auto r = CloudUrl::parse(text);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->scheme(), Scheme::S3);
        QVERIFY(r->isObjectStore());
        QVERIFY(!r->isLocal());
        QCOMPARE(r->bucket(), bucket);
        QCOMPARE(r->key(), key);
        QCOMPARE(r->isPrefix(), prefix);
        // Round trip through the canonical form.
        const auto again = CloudUrl::parse(r->toString());
        QVERIFY(again.ok());
        QCOMPARE(again.value(), r.value());
    }

    void canonicalForm()
    {
        QCOMPARE(CloudUrl::s3(QStringLiteral("b1b"), QStringLiteral("a b/c")).toString(), QStringLiteral("s3://b1b/a b/c"));
        QCOMPARE(CloudUrl::s3({}).toString(), QStringLiteral("s3://"));
        QCOMPARE(CloudUrl::s3(QStringLiteral("b1b")).toString(), QStringLiteral("s3://b1b/"));
        QCOMPARE(CloudUrl::gcs(QStringLiteral("gbk"), QStringLiteral("k")).toString(), QStringLiteral("gs://gbk/k"));
        QCOMPARE(CloudUrl::azure(QStringLiteral("acct1"), QStringLiteral("cont"), QStringLiteral("x/y")).toString(),
                 QStringLiteral("az://acct1/cont/x/y"));
        QCOMPARE(CloudUrl::sftp(QStringLiteral("h"), QStringLiteral("/p"), QStringLiteral("u"), 2222).toString(),
                 QStringLiteral("sftp://u@h:2222/p"));
        QCOMPARE(CloudUrl::sftp(QStringLiteral("::1"), QStringLiteral("/p")).toString(), QStringLiteral("sftp://[::1]/p"));
        QCOMPARE(CloudUrl::local(QStringLiteral("weird://name")).toString(), QStringLiteral("./weird://name"));
    }

    void gcsAndAzure()
    {
        auto g = CloudUrl::parse(QStringLiteral("gs://my_bucket.data/k/"));
        QVERIFY2(g.ok(), qPrintable(g.error().toString()));
        QCOMPARE(g->scheme(), Scheme::Gcs);
        QCOMPARE(g->bucket(), QStringLiteral("my_bucket.data"));
        QCOMPARE(g->key(), QStringLiteral("k/"));
        QVERIFY(g->isPrefix());

        auto a = CloudUrl::parse(QStringLiteral("az://myaccount/my-container/dir/blob name.bin"));
        QVERIFY2(a.ok(), qPrintable(a.error().toString()));
        QCOMPARE(a->scheme(), Scheme::Azure);
        QCOMPARE(a->account(), QStringLiteral("myaccount"));
        QCOMPARE(a->bucket(), QStringLiteral("my-container"));
        QCOMPARE(a->key(), QStringLiteral("dir/blob name.bin"));
        QCOMPARE(CloudUrl::parse(a->toString()).value(), a.value());

        auto acctOnly = CloudUrl::parse(QStringLiteral("az://myaccount"));
        QVERIFY(acctOnly.ok());
        QVERIFY(!acctOnly->hasBucket());
        auto container = CloudUrl::parse(QStringLiteral("az://myaccount/$web"));
        QVERIFY(container.ok());
        QCOMPARE(container->bucket(), QStringLiteral("$web"));
        QVERIFY(container->key().isEmpty());
    }

    void sftpUrls_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QString>("path");
        QTest::newRow("host only") << "sftp://example.org" << "" << "example.org" << -1 << "";
        QTest::newRow("user host path") << "sftp://alice@example.org/home/alice/x y" << "alice" << "example.org" << -1
                                        << "/home/alice/x y";
        QTest::newRow("port") << "sftp://bob@10.0.0.5:2222/data/" << "bob" << "10.0.0.5" << 2222 << "/data/";
        QTest::newRow("ipv6") << "sftp://[fe80::1]:22/tmp" << "" << "fe80::1" << 22 << "/tmp";
        QTest::newRow("at in user") << "sftp://me@corp@host/p" << "me@corp" << "host" << -1 << "/p";
    }
    void sftpUrls()
    {
        QFETCH(QString, text);
        QFETCH(QString, user);
        QFETCH(QString, host);
        QFETCH(int, port);
        QFETCH(QString, path);
        const auto r = CloudUrl::parse(text);
        QVERIFY2(r.ok(), qPrintable(r.error().toString()));
        QCOMPARE(r->scheme(), Scheme::Sftp);
        QCOMPARE(r->user(), user);
        QCOMPARE(r->host(), host);
        QCOMPARE(r->port(), port);
        QCOMPARE(r->key(), path);
        QCOMPARE(CloudUrl::parse(r->toString()).value(), r.value());
    }

    void localPaths()
    {
        auto rel = CloudUrl::parse(QStringLiteral("data/out dir/"));
        QVERIFY(rel.ok());
        QVERIFY(rel->isLocal());
        QCOMPARE(rel->localPath(), QStringLiteral("data/out dir/"));
        QVERIFY(rel->isPrefix());
        QCOMPARE(rel->absoluteLocalPath(), QDir::current().absoluteFilePath(QStringLiteral("data/out dir")));

        auto abs = CloudUrl::parse(QStringLiteral("/tmp/a.txt"));
        QVERIFY(abs.ok());
        QCOMPARE(abs->localPath(), QStringLiteral("/tmp/a.txt"));
        QVERIFY(!abs->isPrefix());
        QCOMPARE(abs->fileName(), QStringLiteral("a.txt"));

        auto file = CloudUrl::parse(QStringLiteral("file:///tmp/my%20file%25.txt"));
        QVERIFY2(file.ok(), qPrintable(file.error().toString()));
        QVERIFY(file->isLocal());
        QCOMPARE(file->localPath(), QStringLiteral("/tmp/my file%.txt"));
        auto fileDir = CloudUrl::parse(QStringLiteral("file://localhost/tmp/d/"));
        QVERIFY(fileDir.ok());
        QCOMPARE(fileDir->localPath(), QStringLiteral("/tmp/d/"));
        QVERIFY(fileDir->isPrefix());

        // A colon without "://" is just part of a file name.
        auto colon = CloudUrl::parse(QStringLiteral("notes:v2.txt"));
        QVERIFY(colon.ok());
        QVERIFY(colon->isLocal());
        QVERIFY(CloudUrl::parse(QStringLiteral(".")).value().isPrefix());
        QVERIFY(CloudUrl::parse(QStringLiteral("..")).value().isPrefix());

        // A relative path that reads like a URL ("s:" joined with "/x") is written "./s://x" and parses
        // back to the same path (it gave "./s://x", a different CloudUrl; tests/fuzz/crashes/cloud_url).
        const CloudUrl urlish = CloudUrl::local(QStringLiteral("s:")).joined(QStringLiteral("/x"));
        QCOMPARE(urlish.localPath(), QStringLiteral("s://x"));
        QCOMPARE(urlish.toString(), QStringLiteral("./s://x"));
        QCOMPARE(CloudUrl::parse(urlish.toString()).value(), urlish);
        QCOMPARE(CloudUrl::parse(QStringLiteral("./notes.txt")).value().localPath(), QStringLiteral("./notes.txt"));
        // ... and so does "./s://x" itself ("." joined with "s://x"): written "././s://x".
        const CloudUrl dotted = CloudUrl::local(QStringLiteral(".")).joined(QStringLiteral("s://x"));
        QCOMPARE(dotted.localPath(), QStringLiteral("./s://x"));
        QCOMPARE(dotted.toString(), QStringLiteral("././s://x"));
        QCOMPARE(CloudUrl::parse(dotted.toString()).value(), dotted);
    }

    void invalid_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << "" << "empty";
        QTest::newRow("unknown scheme") << "http://example.org/x" << "unsupported URL scheme 'http'";
        QTest::newRow("key without bucket") << "s3:///key" << "missing bucket";
        QTest::newRow("bad bucket chars") << "s3://bad bucket/k" << "invalid bucket name 'bad bucket'";
        QTest::newRow("bucket slash chars") << "s3://a*b/k" << "invalid bucket name";
        QTest::newRow("gcs upper") << "gs://UPPER/k" << "invalid bucket name";
        QTest::newRow("az account upper") << "az://MyAccount/c/b" << "invalid storage account";
        QTest::newRow("az no account") << "az:///c" << "missing storage account";
        QTest::newRow("az container") << "az://acct1/a--b/x" << "invalid container name";
        QTest::newRow("file NUL") << "file:///tmp/a%00b" << "NUL";  // tests/fuzz/crashes/cloud_url
        QTest::newRow("sftp no host") << "sftp:///path" << "missing host";
        // "::1" read as host "::" and port 1; "a:b:22" printed as "[a:b]:22", which does not parse
        QTest::newRow("sftp bare ipv6") << "sftp://::1/x" << "in brackets";
        QTest::newRow("sftp colon in host") << "sftp://a:b:22/x" << "in brackets";
        QTest::newRow("sftp bad port") << "sftp://h:99999/p" << "invalid port";
        QTest::newRow("sftp empty port") << "sftp://h:/p" << "invalid port";
        QTest::newRow("sftp empty user") << "sftp://@h/p" << "empty user";
        QTest::newRow("sftp bad ipv6") << "sftp://[nothex]/p" << "not an IPv6";
        QTest::newRow("file remote host") << "file://server/share/x" << "another host";
        QTest::newRow("nul") << QStringLiteral("s3://b1b/a") + QChar(0) + QStringLiteral("b") << "NUL";
    }
    void invalid()
    {
        QFETCH(QString, text);
        QFETCH(QString, mentions);
        const auto r = CloudUrl::parse(text);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().category(), skydeck::Error::Category::InvalidInput);
        QVERIFY2(r.error().toString().contains(mentions), qPrintable(r.error().toString()));
    }

    void bucketNamesForCreate_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<bool>("valid");
        QTest::newRow("simple") << "demo-datasets" << true;
        QTest::newRow("dots") << "my.bucket.01" << true;
        QTest::newRow("min length") << "abc" << true;
        QTest::newRow("too short") << "ab" << false;
        QTest::newRow("max length") << QString(63, QLatin1Char('a')) << true;
        QTest::newRow("too long") << QString(64, QLatin1Char('a')) << false;
        QTest::newRow("upper") << "MyBucket" << false;
        QTest::newRow("underscore") << "my_bucket" << false;
        QTest::newRow("leading hyphen") << "-bucket" << false;
        QTest::newRow("trailing dot") << "bucket." << false;
        QTest::newRow("adjacent dots") << "my..bucket" << false;
        QTest::newRow("ip address") << "192.168.5.4" << false;
        QTest::newRow("xn prefix") << "xn--bucket" << false;
        QTest::newRow("s3alias suffix") << "bucket-s3alias" << false;
        QTest::newRow("ol-s3 suffix") << "bucket--ol-s3" << false;
        QTest::newRow("unicode") << QString::fromUtf8("bücket") << false;
    }
    void bucketNamesForCreate()
    {
        QFETCH(QString, name);
        QFETCH(bool, valid);
        const QString problem = CloudUrl::bucketNameProblem(Scheme::S3, name, CloudUrl::BucketRules::Create);
        QCOMPARE(problem.isEmpty(), valid);
    }

    void otherBucketRules()
    {
        QVERIFY(CloudUrl::bucketNameProblem(Scheme::Gcs, QStringLiteral("google-data"), CloudUrl::BucketRules::Create)
                    .contains(QLatin1String("google")));
        QVERIFY(CloudUrl::bucketNameProblem(Scheme::Gcs, QStringLiteral("my_data-1")).isEmpty());
        QVERIFY(!CloudUrl::bucketNameProblem(Scheme::Azure, QStringLiteral("ab")).isEmpty());
        QVERIFY(CloudUrl::bucketNameProblem(Scheme::Azure, QStringLiteral("logs-2024")).isEmpty());
        QVERIFY(!CloudUrl::bucketNameProblem(Scheme::Local, QStringLiteral("x")).isEmpty());
        QVERIFY(!CloudUrl::azureAccountProblem(QStringLiteral("has-hyphen")).isEmpty());
        QVERIFY(CloudUrl::azureAccountProblem(QStringLiteral("devstoreaccount1")).isEmpty());
        QVERIFY(!CloudUrl::bucketNameProblem(Scheme::S3, QString(256, QLatin1Char('a'))).isEmpty());
    }

    void fileNameAndJoin()
    {
        const CloudUrl prefix = CloudUrl::s3(QStringLiteral("b1b"), QStringLiteral("data/"));
        QCOMPARE(prefix.fileName(), QStringLiteral("data"));
        QCOMPARE(prefix.joined(QStringLiteral("x/y.csv")).key(), QStringLiteral("data/x/y.csv"));
        const CloudUrl obj = CloudUrl::s3(QStringLiteral("b1b"), QStringLiteral("data/file"));
        QCOMPARE(obj.joined(QStringLiteral("y")).key(), QStringLiteral("data/file/y"));
        QCOMPARE(CloudUrl::s3(QStringLiteral("b1b")).joined(QStringLiteral("k")).key(), QStringLiteral("k"));
        QCOMPARE(CloudUrl::s3(QStringLiteral("b1b")).fileName(), QString());
        const CloudUrl all = CloudUrl::s3({});
        const CloudUrl j = all.joined(QStringLiteral("bk1/a/b"));
        QCOMPARE(j.bucket(), QStringLiteral("bk1"));
        QCOMPARE(j.key(), QStringLiteral("a/b"));
        QCOMPARE(CloudUrl::local(QStringLiteral("out")).joined(QStringLiteral("a/b")).localPath(), QStringLiteral("out/a/b"));
        QCOMPARE(CloudUrl::local(QStringLiteral("out/")).joined(QStringLiteral("a")).localPath(), QStringLiteral("out/a"));
        QCOMPARE(CloudUrl::sftp(QStringLiteral("h"), QStringLiteral("/srv")).joined(QStringLiteral("f")).key(),
                 QStringLiteral("/srv/f"));
        // No path is the login directory: below it is /~/..., and the text parses back to the same URL
        // (it was "sftp://hrel"; tests/fuzz/crashes/cloud_url).
        const CloudUrl home = CloudUrl::parse(QStringLiteral("sftp://u@h:2222")).value().joined(QStringLiteral("rel/f"));
        QCOMPARE(home.key(), QStringLiteral("/~/rel/f"));
        QCOMPARE(home.toString(), QStringLiteral("sftp://u@h:2222/~/rel/f"));
        QCOMPARE(CloudUrl::parse(home.toString()).value(), home);
    }
};

SKYDECK_TEST_MAIN(TestCloudUrl)
#include "tst_cloudurl.moc"
