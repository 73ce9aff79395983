// parseJupyterServerList on the output shapes of `jupyter server list` / `jupyter notebook list`:
// --json (one object per line, as jupyter_server 1.x/2.x and notebook 5.3+ print them with
// json.dumps), --jsonlist (one array), the plain-text list, banners and warnings mixed in.
#include "JupyterServers.h"
#include "TestMain.h"

using skydeck::ui::JupyterServer;
using skydeck::ui::parseJupyterServerList;

// moc 6.4 loses track of a class after raw string literals holding braces: the JSON lives here.
#ifndef Q_MOC_RUN
namespace {
const char *const kJson0 = R"({"base_url": "/", "hostname": "localhost", "password": false, "pid": 31337, "port": 8888, "root_dir": "/home/alice", "secure": false, "sock": "", "token": "3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b", "url": "http://localhost:8888/", "version": "2.14.2"})";
const char *const kJson1 = R"({"base_url": "/", "hostname": "0.0.0.0", "password": false, "pid": 4242, "port": 8890, "root_dir": "/data", "secure": false, "sock": "", "token": "abc", "url": "http://gpu-box:8890/", "version": "2.14.2"})";
const char *const kJson2 = R"({"base_url": "/", "hostname": "localhost", "notebook_dir": "/home/bob/work", "password": false, "pid": 999, "port": 8889, "secure": false, "sock": "", "token": "tok", "url": "http://localhost:8889/"})";
const char *const kJson3 = R"({"base_url": "/user/carol/", "hostname": "127.0.0.1", "password": true, "pid": 7, "port": 9000, "root_dir": "/home/carol", "secure": true, "sock": "", "token": "", "url": "https://127.0.0.1:9000/user/carol/", "version": "2.7.2"})";
const char *const kJson4 = R"([{"base_url": "/", "hostname": "localhost", "port": 8888, "token": "t1", "url": "http://localhost:8888/", "sock": ""}, {"base_url": "/", "hostname": "localhost", "port": 8889, "token": "t2", "url": "http://localhost:8889/", "sock": ""}])";
const char *const kJson5 = R"({"base_url": "/", "hostname": "", "port": 0, "sock": "/run/user/1000/jupyter.sock", "token": "x", "url": "http+unix://%2Frun%2Fuser%2F1000%2Fjupyter.sock/"})";
const char *const kJson6 = R"({"base_url": "/", "hostname": "localhost", "port": 8888, "root_dir": "/a", "sock": "", "token": "t", "url": "http://localhost:8888/"})";
const char *const kJson7 = R"({"base_url": "/", "hostname": "localhost", "port": 8888, "notebook_dir": "/a", "sock": "", "token": "t", "url": "http://localhost:8888/"})";
const char *const kJson8 = R"({"url": "https://10.0.0.5:8443/", "token": "k"})";
} // namespace
#endif

class TestJupyterServers : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void serverListJson()
    {
        // jupyter_server 2.14: `jupyter server list --json`, two servers.
        const QByteArray out = QByteArray(kJson0) + "\n" + kJson1 + "\n";
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].port, 8888);
        QCOMPARE(s[0].hostname, QStringLiteral("localhost"));
        QCOMPARE(s[0].forwardHost(), QStringLiteral("localhost"));
        QCOMPARE(s[0].token, QStringLiteral("3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"));
        QCOMPARE(s[0].rootDir, QStringLiteral("/home/alice"));
        QCOMPARE(s[0].pid, 31337);
        QCOMPARE(s[0].browserUrl(45123).toString(),
                 QStringLiteral("http://127.0.0.1:45123/?token=3f2a9c0d1e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b"));
        // Bound to every interface: forwarded to the loopback address.
        QCOMPARE(s[1].forwardHost(), QStringLiteral("127.0.0.1"));
        QCOMPARE(s[1].port, 8890);
    }

    void notebookListJson()
    {
        // notebook 6: notebook_dir instead of root_dir, no version.
        const QByteArray out =
            kJson2;
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 1);
        QCOMPARE(s[0].rootDir, QStringLiteral("/home/bob/work"));
        QCOMPARE(s[0].port, 8889);
    }

    void baseUrlSecureAndPassword()
    {
        // JupyterHub single-user server under a prefix, TLS, password login (empty token).
        const QByteArray out =
            kJson3;
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 1);
        QVERIFY(s[0].secure);
        QCOMPARE(s[0].browserUrl(5555).toString(), QStringLiteral("https://127.0.0.1:5555/user/carol/"));
    }

    void jsonList()
    {
        const QByteArray out =
            kJson4;
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[1].token, QStringLiteral("t2"));
    }

    void plainText()
    {
        const QByteArray out = "Currently running servers:\n"
                               "http://localhost:8888/?token=0123abcd :: /home/alice\n"
                               "http://0.0.0.0:8890/lab/prefix/?token=ff%2Bee :: /srv/my notebooks\n";
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 2);
        QCOMPARE(s[0].port, 8888);
        QCOMPARE(s[0].token, QStringLiteral("0123abcd"));
        QCOMPARE(s[0].rootDir, QStringLiteral("/home/alice"));
        QCOMPARE(s[1].forwardHost(), QStringLiteral("127.0.0.1"));
        QCOMPARE(s[1].baseUrl, QStringLiteral("/lab/prefix/"));
        QCOMPARE(s[1].token, QStringLiteral("ff+ee"));
        QCOMPARE(s[1].rootDir, QStringLiteral("/srv/my notebooks"));
        QCOMPARE(s[1].browserUrl(1234).toString(QUrl::FullyEncoded),
                 QStringLiteral("http://127.0.0.1:1234/lab/prefix/?token=ff%2Bee"));
    }

    void skipsNoiseSocketsAndDuplicates()
    {
        // The same server twice: kJson7 is how `jupyter notebook list --json` on notebook 7 shows it.
        const QByteArray out =
            QByteArray("[W 2024-05-01 12:00:00.000 ServerApp] A `_jupyter_server_extension_points` function was not found\n")
            + kJson5 + "\n" + kJson6 + "\n{not json\n" + kJson7 + "\nCurrently running servers:\n";
        const QList<JupyterServer> s = parseJupyterServerList(out);
        QCOMPARE(s.size(), 1);
        QCOMPARE(s[0].port, 8888);
        QVERIFY(parseJupyterServerList(QByteArray()).isEmpty());
        QVERIFY(parseJupyterServerList("Currently running servers:\n").isEmpty());
    }

    void fieldsMissingComeFromTheUrl()
    {
        // An old server without port/hostname/secure fields.
        const QList<JupyterServer> s = parseJupyterServerList(kJson8);
        QCOMPARE(s.size(), 1);
        QCOMPARE(s[0].port, 8443);
        QCOMPARE(s[0].forwardHost(), QStringLiteral("10.0.0.5"));
        QVERIFY(s[0].secure);
    }
};

SKYDECK_TEST_MAIN(TestJupyterServers)
#include "tst_jupyterservers.moc"
