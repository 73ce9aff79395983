// What the launch dialog and `skydeck vm launch` share (LaunchOptions.h): images per provider, the
// SSH user and key conventions (a private key is refused), --gpu MODEL:COUNT, address prefixes, and
// where SSH may come from by default (the SSH client's address, only when it is a public one).
#include "LaunchOptions.h"
#include "TestMain.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>

using namespace skydeck;

class TestLaunchOptions : public QObject
{
    Q_OBJECT
    static void write(const QString &path, const QByteArray &data)
    {
        QDir().mkpath(QFileInfo(path).absolutePath());
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(data);
    }

private Q_SLOTS:
    void imagesAndUsers()
    {
        for (const char *p : {"aws", "gcp", "azure"})
            QVERIFY(!launch::images(QLatin1String(p)).isEmpty());
        for (const launch::ImageChoice &i : launch::images(QStringLiteral("azure")))
            QCOMPARE(i.image.count(QLatin1Char(':')), 3);  // publisher:offer:sku:version
        QProcessEnvironment env;
        env.insert(QStringLiteral("USER"), QStringLiteral("ada"));
        QCOMPARE(launch::defaultSshUser(QStringLiteral("gcp"), env), QStringLiteral("ada"));
        QCOMPARE(launch::defaultSshUser(QStringLiteral("azure"), env), QStringLiteral("azureuser"));
        QVERIFY(launch::defaultSshUser(QStringLiteral("aws"), env).isEmpty());
    }

    void publicKeys()
    {
        QTemporaryDir home;
        QVERIFY(launch::defaultPublicKeyPath(home.path()).isEmpty());
        const QString rsa = home.filePath(QStringLiteral(".ssh/id_rsa.pub"));
        write(rsa, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 me@host\n");
        QCOMPARE(launch::defaultPublicKeyPath(home.path()), rsa);
        const QString ed = home.filePath(QStringLiteral(".ssh/id_ed25519.pub"));
        write(ed, "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ me@host\n");
        QCOMPARE(launch::defaultPublicKeyPath(home.path()), ed);
        QCOMPARE(launch::readPublicKey(ed).value(), QStringLiteral("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGxZ me@host"));
        const QString priv = home.filePath(QStringLiteral(".ssh/id_ed25519"));
        write(priv, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n");
        const Result<QString> refused = launch::readPublicKey(priv);
        QVERIFY(!refused.ok());
        QVERIFY2(refused.error().message().contains(QLatin1String("private key")), qPrintable(refused.error().message()));
        const QString junk = home.filePath(QStringLiteral("junk.pub"));
        write(junk, "hello world\n");
        QVERIFY(!launch::readPublicKey(junk).ok());
        QVERIFY(!launch::readPublicKey(home.filePath(QStringLiteral("missing.pub"))).ok());
    }

    void gpuSpecs()
    {
        QCOMPARE(launch::parseGpu(QStringLiteral("T4:2"))->count, 2);
        QCOMPARE(launch::parseGpu(QStringLiteral("T4:2"))->model, QStringLiteral("T4"));
        QCOMPARE(launch::parseGpu(QStringLiteral("nvidia-tesla-v100:1"))->model, QStringLiteral("nvidia-tesla-v100"));
        QCOMPARE(launch::parseGpu(QStringLiteral("A100"))->count, 1);
        for (const char *bad : {"", "T4:", "T4:0", "T4:x", ":2", "T4:17"})
            QVERIFY2(!launch::parseGpu(QLatin1String(bad)).ok(), bad);
    }

    void addressPrefixes()
    {
        QCOMPARE(launch::normaliseCidr(QStringLiteral("81.2.69.160")).value(), QStringLiteral("81.2.69.160/32"));
        QCOMPARE(launch::normaliseCidr(QStringLiteral(" 81.2.69.0/24 ")).value(), QStringLiteral("81.2.69.0/24"));
        QCOMPARE(launch::normaliseCidr(QStringLiteral("81.2.69.160/24")).value(), QStringLiteral("81.2.69.0/24"));
        QCOMPARE(launch::normaliseCidr(QStringLiteral("2001:db8::1")).value(), QStringLiteral("2001:db8::1/128"));
        QCOMPARE(launch::normaliseCidr(QStringLiteral("0.0.0.0/0")).value(), QStringLiteral("0.0.0.0/0"));
        QVERIFY(launch::isWholeInternet(QStringLiteral("0.0.0.0/0")));
        QVERIFY(launch::isWholeInternet(QStringLiteral("::/0")));
        QVERIFY(!launch::isWholeInternet(QStringLiteral("81.2.69.0/24")));
        for (const char *bad : {"", "me", "81.2.69", "81.2.69.160/33", "81.2.69.160/255.255.255.0", "*", "Internet"})
            QVERIFY2(!launch::normaliseCidr(QLatin1String(bad)).ok(), bad);
    }

    void sshSourceOnlyWhenPublic()
    {
        QProcessEnvironment env;
        QVERIFY(launch::sshSourceFromEnvironment(env).isEmpty());
        env.insert(QStringLiteral("SSH_CONNECTION"), QStringLiteral("81.2.69.160 52144 10.0.0.5 22"));
        QCOMPARE(launch::sshSourceFromEnvironment(env), QStringLiteral("81.2.69.160/32"));
        for (const char *notPublic : {"10.1.2.3", "192.168.1.20", "172.20.0.1", "127.0.0.1", "100.64.1.1", "::1",
                                      "fe80::1", "fd00::5", "203.0.113.9"}) {
            env.insert(QStringLiteral("SSH_CONNECTION"), QStringLiteral("%1 52144 10.0.0.5 22").arg(QLatin1String(notPublic)));
            QVERIFY2(launch::sshSourceFromEnvironment(env).isEmpty(), notPublic);
        }
        env.remove(QStringLiteral("SSH_CONNECTION"));
        env.insert(QStringLiteral("SSH_CLIENT"), QStringLiteral("2a00:1450:4001:80b::200e 52144 22"));
        QCOMPARE(launch::sshSourceFromEnvironment(env), QStringLiteral("2a00:1450:4001:80b::200e/128"));
    }
};

SKYDECK_TEST_MAIN(TestLaunchOptions)
#include "tst_launchoptions.moc"
