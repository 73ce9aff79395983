// Open Jupyter against OpenSSH's sshd (scripts/peers.sh ssh) with Debian's jupyter-notebook 6.4
// (and jupyter-server 1.23) installed on the "host" (scripts/setup.sh): JupyterLauncher detects
// what the test user skydecktest has, starts the Notebook (the user's login, detached), follows
// its log, forwards a local port to it and gives a URL whose token the server accepts. What is not
// real: JupyterLab (no Debian package) is tests/servers/fake_jupyter_lab.py, which behaves as
// jupyter_server 2 does at the process and HTTP level (also as a jupyter-server whose prefix enables
// jupyterlab, and inside a conda environment that a `conda` printing conda's `env list` names); the
// failing and silent "Jupyters" are small scripts in a folder of the test's, searched first.
//
// Each test's servers write their runtime files under the test's own JUPYTER_RUNTIME_DIR (exported
// by the launcher's options), so a server left by another test or run is never reused here; the
// servers started are stopped in cleanup().
#include "ExecChannel.h"
#include "JupyterLauncher.h"
#include "PortForward.h"
#include "ProviderWorker.h"
#include "SshSession.h"
#include "../ssh/SshTestPeer.h"
#include "TestMain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>

#include <csignal>

using namespace skydeck;
using namespace skydeck::ssh;
using namespace skydeck::test;
using skydeck::ui::JupyterKind;
using skydeck::ui::JupyterLauncher;
using skydeck::ui::JupyterProgram;
using skydeck::ui::JupyterServer;

namespace {

// A plain HTTP/1.0 GET on loopback; the whole answer (headers and body), empty on failure.
QByteArray httpGet(quint16 port, const QByteArray &pathAndQuery, const QByteArray &extraHeader = {})
{
    QTcpSocket sock;
    sock.connectToHost(QHostAddress::LocalHost, port);
    if (!sock.waitForConnected(5000))
        return {};
    sock.write("GET " + pathAndQuery + " HTTP/1.0\r\nHost: 127.0.0.1:" + QByteArray::number(port) + "\r\n"
               + (extraHeader.isEmpty() ? QByteArray() : extraHeader + "\r\n") + "\r\n");
    QByteArray answer;
    while (sock.state() == QAbstractSocket::ConnectedState && sock.waitForReadyRead(15000))
        answer += sock.readAll();
    answer += sock.readAll();
    return answer;
}

QByteArray statusLine(const QByteArray &answer)
{
    return answer.left(answer.indexOf("\r\n"));
}

bool writeExecutable(const QString &path, const QByteArray &text)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    f.write(text);
    f.close();
    return f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner | QFileDevice::ReadGroup
                            | QFileDevice::ExeGroup | QFileDevice::ReadOther | QFileDevice::ExeOther);
}

} // namespace

class TestJupyterLaunch : public QObject
{
    Q_OBJECT

    QTemporaryDir m_dir;
    KnownHosts m_knownHosts;
    std::unique_ptr<QTemporaryDir> m_work;  // per test, readable and writable by the test user

    std::unique_ptr<SshSession> connectSession()
    {
        SshHostConfig h = sshPeerHost();
        h.identityFiles = {peerValue("SKYDECK_TEST_SSH_KEY")};
        auto s = std::make_unique<SshSession>(h);
        s->setKnownHosts(m_knownHosts);
        s->setUseAgent(false);
        QSignalSpy ready(s.get(), &SshSession::ready);
        s->connectToHost();
        if (!ready.wait(20000))
            return nullptr;
        return s;
    }
    QString work(const QString &name) const { return m_work->filePath(name); }
    QString runtimeDir() const { return work(QStringLiteral("runtime")); }
    ui::JupyterHostOptions options(const QStringList &extraDirs = {}, bool systemSearch = true) const
    {
        ui::JupyterHostOptions o;
        o.extraDirs = extraDirs;
        o.systemSearch = systemSearch;
        o.environment.insert(QStringLiteral("JUPYTER_RUNTIME_DIR"), runtimeDir());
        return o;
    }
    // A folder of executables the test user may run, searched before everything else.
    QString fakes()
    {
        const QString d = work(QStringLiteral("fakes"));
        QDir().mkpath(d);
        QFile::setPermissions(d, QFile::permissions(m_work->path()));
        return d;
    }
    // The pids of the servers whose runtime files are in the test's runtime folder.
    QList<qint64> serverPids() const
    {
        QList<qint64> pids;
        const QStringList files = QDir(runtimeDir()).entryList({QStringLiteral("*server-*.json")}, QDir::Files);
        for (const QString &f : files) {
            static const QRegularExpression re(QStringLiteral(R"(^(?:jp|nb)server-(\d+)\.json$)"));
            const QRegularExpressionMatch m = re.match(f);
            if (m.hasMatch())
                pids << m.captured(1).toLongLong();
        }
        return pids;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString port;
        SKYDECK_REQUIRE_PEER(port, "SKYDECK_TEST_SSH_PORT");
        if (!QFileInfo::exists(QStringLiteral("/usr/bin/jupyter-notebook")))
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("Debian's jupyter-notebook is not installed (scripts/setup.sh installs it)"));
        m_knownHosts = knownHostsWith(m_dir, peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB"));
    }

    void init()
    {
        m_work = std::make_unique<QTemporaryDir>();
        QVERIFY(m_work->isValid());
        // The servers run as the test user: they create the runtime folder and read the fakes here.
        QVERIFY(QFile::setPermissions(m_work->path(), QFileDevice::Permissions(0x7777)));
    }

    void cleanup()
    {
        for (qint64 pid : serverPids())
            ::kill(pid_t(pid), SIGTERM);
        // Waits after a failed test too (QTRY_* gives up at once then).
        const bool stopped = QTest::qWaitFor([this] {
            for (qint64 pid : serverPids())
                if (::kill(pid_t(pid), 0) == 0)
                    return false;
            return true;
        }, 15000);
        QVERIFY2(stopped, "a Jupyter server the test started did not stop on SIGTERM");
        const QByteArray pid = readAll(work(QStringLiteral("silent.pid"))).trimmed();
        if (!pid.isEmpty())
            ::kill(pid_t(pid.toLongLong()), SIGTERM);
        m_work.reset();
    }

    // What the host has: Debian's Notebook (started, the bare Server never is), found on PATH,
    // with a login shell's PATH read; nothing running yet.
    void detectsWhatTheHostHas()
    {
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options());
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        const auto program = none.first().first().value<JupyterProgram>();
        QCOMPARE(program.kind, JupyterKind::Notebook);
        QCOMPARE(QFileInfo(program.path).fileName(), QStringLiteral("jupyter-notebook"));
        const ui::JupyterDetection &d = launcher.detection();
        QVERIFY(d.valid);
        QVERIFY(!d.root);
        QCOMPARE(d.home, QStringLiteral("/home/") + peerValue("SKYDECK_TEST_SSH_USER"));
        QVERIFY(d.searchedDirs.contains(QStringLiteral("/usr/bin")));
        QVERIFY2(!d.loginPath.isEmpty(), "no login shell PATH");
        if (QFileInfo::exists(QStringLiteral("/usr/bin/jupyter-server")))
            QVERIFY(d.hasBareServer());
        QVERIFY(d.running.isEmpty());
        QVERIFY(!launcher.isBusy());
    }

    // Start → ready → forward → a URL whose token works; the token is on no command line; a
    // second Open, and another client's, reuse the running server.
    void startsTheNotebookWithAWorkingToken()
    {
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options());
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy ready(&launcher, &JupyterLauncher::readyToOpen);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        launcher.startServer();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() || !failed.isEmpty(), 90000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));

        const QUrl url = ready.first().at(0).toUrl();
        const auto server = ready.first().at(1).value<JupyterServer>();
        QCOMPARE(url.scheme(), QStringLiteral("http"));
        QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
        QVERIFY(url.port() > 0);
        const QString token = url.query().section(QLatin1Char('='), 1);
        QVERIFY2(QRegularExpression(QStringLiteral("^[0-9a-f]{48}$")).match(token).hasMatch(), qPrintable(url.toString()));
        QCOMPARE(server.token, token);  // as the server's runtime file says
        QCOMPARE(server.hostname, QStringLiteral("127.0.0.1"));
        QCOMPARE(forwards.forwards().size(), 1);
        QCOMPARE(forwards.forwards().first()->spec().remotePort, quint16(server.port));

        // Through the forward: the token opens the API, its absence does not, and the URL itself
        // logs the browser in (Notebook 6 sends it on to its file tree).
        const quint16 local = quint16(url.port());
        QCOMPARE(statusLine(httpGet(local, "/api/status", "Authorization: token " + token.toLatin1())), QByteArray("HTTP/1.1 200 OK"));
        QCOMPARE(statusLine(httpGet(local, "/api/status")), QByteArray("HTTP/1.1 403 Forbidden"));
        QCOMPARE(statusLine(httpGet(local, "/api/status", "Authorization: token 0000")), QByteArray("HTTP/1.1 403 Forbidden"));
        const QByteArray page = httpGet(local, url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
        QVERIFY2(page.startsWith("HTTP/1.1 302") && page.contains(QByteArray("Location: /tree?token=" + token.toLatin1())), page.left(400).constData());

        // Not on any command line (ps shows those to every user), and the log is the user's alone.
        QProcess ps;
        ps.start(QStringLiteral("ps"), {QStringLiteral("-eo"), QStringLiteral("args")});
        QVERIFY(ps.waitForFinished());
        const QByteArray args = ps.readAllStandardOutput();
        QVERIFY(args.contains("jupyter-notebook --no-browser --ip=127.0.0.1"));
        QVERIFY(!args.contains(token.toLatin1()));
        const QDir logs(QStringLiteral("/home/%1/.skydeck").arg(peerValue("SKYDECK_TEST_SSH_USER")));
        const QFileInfoList logFiles = logs.entryInfoList({QStringLiteral("jupyter-*.log")}, QDir::Files, QDir::Time);
        QVERIFY(!logFiles.isEmpty());
        QVERIFY(!(logFiles.first().permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup)));
        QVERIFY(readAll(logFiles.first().filePath()).contains("Jupyter Notebook 6."));

        // Open again: the same server through the same forward, nothing started.
        const int pids = serverPids().size();
        QCOMPARE(pids, 1);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(ready.size() == 2 || failed.size() > 0, 60000);
        QVERIFY(failed.isEmpty());
        QCOMPARE(none.size(), 1);
        QCOMPARE(ready.at(1).at(0).toUrl(), url);
        QCOMPARE(forwards.forwards().size(), 1);
        QCOMPARE(serverPids().size(), 1);

        // Another client (a new connection) finds it too, token and all.
        auto other = connectSession();
        QVERIFY(other);
        PortForwardList otherForwards(other.get());
        JupyterLauncher second(other.get(), &otherForwards);
        second.setOptions(options());
        QSignalSpy secondReady(&second, &JupyterLauncher::readyToOpen);
        QSignalSpy secondNone(&second, &JupyterLauncher::noServerRunning);
        second.open();
        QTRY_VERIFY_WITH_TIMEOUT(!secondReady.isEmpty() || !secondNone.isEmpty(), 60000);
        QVERIFY(secondNone.isEmpty());
        const QUrl otherUrl = secondReady.first().at(0).toUrl();
        QCOMPARE(otherUrl.query(), url.query());
        QCOMPARE(statusLine(httpGet(quint16(otherUrl.port()), "/api/status", "Authorization: token " + token.toLatin1())),
                 QByteArray("HTTP/1.1 200 OK"));
    }

    // A Jupyter that dies at once: the log's reason, not a 45 s wait.
    void failsAtOnceWithTheLogsReason()
    {
        const QString bin = fakes();
        QVERIFY(writeExecutable(bin + QStringLiteral("/jupyter-lab"),
                                "#!/bin/sh\n"
                                "echo 'Traceback (most recent call last):' >&2\n"
                                "echo '  File \"/opt/conda/bin/jupyter-lab\", line 5, in <module>' >&2\n"
                                "echo '    from jupyterlab.labapp import main' >&2\n"
                                "echo \"ModuleNotFoundError: No module named 'jupyterlab'\" >&2\n"
                                "exit 1\n"));
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options({bin}));
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        const auto program = none.first().first().value<JupyterProgram>();
        QCOMPARE(program.kind, JupyterKind::Lab);  // Lab before the host's Notebook
        QCOMPARE(program.path, bin + QStringLiteral("/jupyter-lab"));

        QElapsedTimer t;
        t.start();
        launcher.startServer();
        QVERIFY(failed.wait(10000));
        const qint64 ms = t.elapsed();
        const Error e = failed.first().first().value<Error>();
        QCOMPARE(e.code(), QStringLiteral("JupyterDidNotStart"));
        QVERIFY2(e.message().contains(QLatin1String("ModuleNotFoundError: No module named 'jupyterlab' (exited with status 1)")),
                 qPrintable(e.message()));
        // Two exec round trips on loopback: well within a second unless the machine is very busy.
        qInfo() << "failure reported after" << ms << "ms";
        QVERIFY2(ms < 3000, qPrintable(QString::number(ms)));
        QVERIFY(!launcher.isBusy());
    }

    // The issue's host: Debian's `jupyter` asked for `lab` prints its usage and "Jupyter command
    // `jupyter-lab` not found." (the real jupyter_core, through a `jupyter-lab` that hands over to
    // it as the old Open Jupyter did): that line is the reason, reported as soon as the log has it,
    // not after the 45 s start timeout.
    void reportsJupyterLabNotFoundAtOnce()
    {
        const QString bin = fakes();
        QVERIFY(writeExecutable(bin + QStringLiteral("/jupyter-lab"),
                                "#!/bin/sh\nPATH=/usr/bin:/bin exec /usr/bin/jupyter lab \"$@\"\n"));
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options({bin}));
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        QCOMPARE(none.first().first().value<JupyterProgram>().path, bin + QStringLiteral("/jupyter-lab"));

        QElapsedTimer t;
        t.start();
        launcher.startServer();
        QVERIFY(failed.wait(20000));
        const qint64 ms = t.elapsed();
        const Error e = failed.first().first().value<Error>();
        QCOMPARE(e.code(), QStringLiteral("JupyterDidNotStart"));
        QVERIFY2(e.message().startsWith(QLatin1String("JupyterLab did not start on peer: Jupyter command `jupyter-lab` not found.")),
                 qPrintable(e.message()));
        qInfo() << "'jupyter-lab not found' reported after" << ms << "ms";
        QVERIFY2(ms < 10000, qPrintable(QString::number(ms)));  // a Python start, then at once
        QVERIFY(forwards.forwards().isEmpty());
    }

    // Nothing to start: a clear message (only an empty folder searched).
    void reportsNoJupyter()
    {
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options({fakes()}, false));
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QVERIFY(failed.wait(30000));
        QVERIFY(none.isEmpty());
        const Error e = failed.first().first().value<Error>();
        QCOMPARE(e.category(), Error::Category::NotFound);
        QCOMPARE(e.code(), QStringLiteral("JupyterNotFound"));
        QVERIFY2(e.message().startsWith(QLatin1String("No Jupyter on peer: install jupyterlab or notebook")), qPrintable(e.message()));
    }

    // JupyterLab comes first (tests/servers/fake_jupyter_lab.py): started with the options, the
    // token in its environment only, and the token works through the forward.
    void startsLabFirst()
    {
        const QString bin = fakes();
        const QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/fake_jupyter_lab.py");
        QVERIFY(writeExecutable(bin + QStringLiteral("/jupyter-lab"), readAll(source)));
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        ui::JupyterHostOptions o = options({bin});
        o.environment.insert(QStringLiteral("FAKE_JUPYTER_RECORD"), work(QStringLiteral("record.json")));
        launcher.setOptions(o);
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy ready(&launcher, &JupyterLauncher::readyToOpen);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QCOMPARE(none.first().first().value<JupyterProgram>().kind, JupyterKind::Lab);
        launcher.startServer();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        const QUrl url = ready.first().at(0).toUrl();
        const QString token = url.query().section(QLatin1Char('='), 1);
        QCOMPARE(token.size(), 48);
        const quint16 local = quint16(url.port());
        QCOMPARE(statusLine(httpGet(local, "/api/status", "Authorization: token " + token.toLatin1())), QByteArray("HTTP/1.0 200 OK"));
        QCOMPARE(statusLine(httpGet(local, "/api/status")), QByteArray("HTTP/1.0 403 Forbidden"));
        QVERIFY(httpGet(local, url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority)).startsWith("HTTP/1.0 200"));

        const QJsonObject rec = QJsonDocument::fromJson(readAll(work(QStringLiteral("record.json")))).object();
        QVERIFY(rec.value(QLatin1String("token_from_env")).toBool());
        const QByteArray argv = QJsonDocument(rec.value(QLatin1String("argv")).toArray()).toJson(QJsonDocument::Compact);
        QVERIFY2(argv.contains("\"--no-browser\",\"--ip=127.0.0.1\",\"--port=8888\",\"--port-retries=50\""), argv.constData());
        QVERIFY(!argv.contains(token.toLatin1()));
        QCOMPARE(rec.value(QLatin1String("cwd")).toString(), QStringLiteral("/home/") + peerValue("SKYDECK_TEST_SSH_USER"));
    }

    // Debian's real jupyter-server 1.23 alone (a REST API, no page to work in): not started, and
    // the message says what is missing.
    void refusesABareJupyterServer()
    {
        if (!QFileInfo::exists(QStringLiteral("/usr/bin/jupyter-server")))
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("Debian's jupyter-server is not installed (scripts/setup.sh installs it)"));
        const QString bin = fakes();
        QVERIFY(QFile::link(QStringLiteral("/usr/bin/jupyter-server"), bin + QStringLiteral("/jupyter-server")));
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        launcher.setOptions(options({bin}, false));
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QVERIFY(failed.wait(30000));
        QVERIFY(none.isEmpty());
        QVERIFY(launcher.detection().hasBareServer());
        const Error e = failed.first().first().value<Error>();
        QCOMPARE(e.code(), QStringLiteral("JupyterNotFound"));
        QVERIFY2(e.message().startsWith(QLatin1String("No Jupyter to open on peer: Jupyter Server is there but no page to work in; "
                                                      "install jupyterlab or notebook")),
                 qPrintable(e.message()));
    }

    // A prefix whose jupyter-server enables the jupyterlab extension (the file JupyterLab's wheel
    // installs in PREFIX/etc/jupyter/jupyter_server_config.d) but has no jupyter-lab script: Lab
    // on Jupyter Server, started with /lab as its default page. The server is the fake Lab.
    void startsLabOnJupyterServer()
    {
        const QString prefix = work(QStringLiteral("prefix"));
        QVERIFY(QDir().mkpath(prefix + QStringLiteral("/bin")));
        QVERIFY(QDir().mkpath(prefix + QStringLiteral("/etc/jupyter/jupyter_server_config.d")));
        const QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/fake_jupyter_lab.py");
        QVERIFY(writeExecutable(prefix + QStringLiteral("/bin/jupyter-server"), readAll(source)));
        QFile ext(prefix + QStringLiteral("/etc/jupyter/jupyter_server_config.d/jupyterlab.json"));
        QVERIFY(ext.open(QIODevice::WriteOnly));
        ext.write(R"({"ServerApp": {"jpserver_extensions": {"jupyterlab": true}}})" "\n");
        ext.close();
        for (const QString &d : QStringList{prefix, prefix + QStringLiteral("/bin"), prefix + QStringLiteral("/etc"),
                                 prefix + QStringLiteral("/etc/jupyter"), prefix + QStringLiteral("/etc/jupyter/jupyter_server_config.d")})
            QVERIFY(QFile::setPermissions(d, QFileDevice::Permissions(0x7755)));
        QVERIFY(QFile::setPermissions(ext.fileName(), QFileDevice::Permissions(0x6444)));

        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        ui::JupyterHostOptions o = options({prefix + QStringLiteral("/bin")});
        o.environment.insert(QStringLiteral("FAKE_JUPYTER_RECORD"), work(QStringLiteral("record.json")));
        launcher.setOptions(o);
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy ready(&launcher, &JupyterLauncher::readyToOpen);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        const auto program = none.first().first().value<JupyterProgram>();
        QCOMPARE(program.kind, JupyterKind::ServerWithLab);  // before the host's Notebook
        QCOMPARE(program.path, prefix + QStringLiteral("/bin/jupyter-server"));
        launcher.startServer();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        const QUrl url = ready.first().at(0).toUrl();
        const QString token = url.query().section(QLatin1Char('='), 1);
        const quint16 local = quint16(url.port());
        QCOMPARE(statusLine(httpGet(local, "/api/status", "Authorization: token " + token.toLatin1())), QByteArray("HTTP/1.0 200 OK"));
        QCOMPARE(statusLine(httpGet(local, "/api/status")), QByteArray("HTTP/1.0 403 Forbidden"));
        const QJsonObject rec = QJsonDocument::fromJson(readAll(work(QStringLiteral("record.json")))).object();
        const QByteArray argv = QJsonDocument(rec.value(QLatin1String("argv")).toArray()).toJson(QJsonDocument::Compact);
        QVERIFY2(argv.endsWith(R"("--port-retries=50","--ServerApp.default_url=/lab"])"), argv.constData());
    }

    // A conda environment outside every folder searched, known only to `conda env list` (conda is
    // found through CONDA_EXE, which `conda init` exports): its JupyterLab (the fake Lab) is found
    // through conda and started. The `conda` here prints what conda 23's `env list` prints (a
    // "# conda environments:" header, then "NAME [*] PREFIX" rows, a path-only row for an
    // environment outside envs_dirs); no conda is packaged in Debian.
    void findsAndStartsLabInACondaEnvironment()
    {
        const QString base = work(QStringLiteral("conda"));
        const QString env = work(QStringLiteral("projects/ml env"));
        QVERIFY(QDir().mkpath(base + QStringLiteral("/bin")));
        QVERIFY(QDir().mkpath(env + QStringLiteral("/bin")));
        QVERIFY(writeExecutable(base + QStringLiteral("/bin/conda"),
                                "#!/bin/sh\n[ \"$1 $2\" = 'env list' ] || exit 2\n"
                                "echo '# conda environments:'\necho '#'\n"
                                "echo 'base                  *  " + base.toUtf8() + "'\n"
                                "echo '                         " + env.toUtf8() + "'\n"));
        const QString source = qEnvironmentVariable("SKYDECK_SOURCE_DIR") + QStringLiteral("/tests/servers/fake_jupyter_lab.py");
        QVERIFY(writeExecutable(env + QStringLiteral("/bin/jupyter-lab"), readAll(source)));
        for (const QString &d : QStringList{base, base + QStringLiteral("/bin"), work(QStringLiteral("projects")), env, env + QStringLiteral("/bin")})
            QVERIFY(QFile::setPermissions(d, QFileDevice::Permissions(0x7755)));

        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        ui::JupyterHostOptions o = options();
        o.environment.insert(QStringLiteral("CONDA_EXE"), base + QStringLiteral("/bin/conda"));
        launcher.setOptions(o);
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy ready(&launcher, &JupyterLauncher::readyToOpen);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        const ui::JupyterDetection &d = launcher.detection();
        QCOMPARE(d.conda, base + QStringLiteral("/bin/conda"));
        QCOMPARE(d.condaEnvs, QStringList({base, env}));
        const auto program = none.first().first().value<JupyterProgram>();
        QCOMPARE(program.kind, JupyterKind::Lab);  // before the host's Notebook
        QCOMPARE(program.path, env + QStringLiteral("/bin/jupyter-lab"));
        launcher.startServer();
        QTRY_VERIFY_WITH_TIMEOUT(!ready.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().value<Error>().toString()));
        const QUrl url = ready.first().at(0).toUrl();
        const QString token = url.query().section(QLatin1Char('='), 1);
        QCOMPARE(statusLine(httpGet(quint16(url.port()), "/api/status", "Authorization: token " + token.toLatin1())),
                 QByteArray("HTTP/1.0 200 OK"));
    }

    // A Jupyter that says nothing: the timeout, and it says the log is empty.
    void silentStartTimesOut()
    {
        const QString bin = fakes();
        QVERIFY(writeExecutable(bin + QStringLiteral("/jupyter-lab"), "#!/bin/sh\necho $$ >\"$SILENT_PID\"\nexec sleep 60\n"));
        auto session = connectSession();
        QVERIFY(session);
        PortForwardList forwards(session.get());
        JupyterLauncher launcher(session.get(), &forwards);
        ui::JupyterHostOptions o = options({bin});
        o.environment.insert(QStringLiteral("SILENT_PID"), work(QStringLiteral("silent.pid")));
        launcher.setOptions(o);
        launcher.setStartTimeoutMs(2000);
        QSignalSpy none(&launcher, &JupyterLauncher::noServerRunning);
        QSignalSpy failed(&launcher, &JupyterLauncher::failed);
        launcher.open();
        QTRY_VERIFY_WITH_TIMEOUT(!none.isEmpty() || !failed.isEmpty(), 60000);
        QVERIFY(failed.isEmpty());
        QElapsedTimer t;
        t.start();
        launcher.startServer();
        QVERIFY(failed.wait(15000));
        QVERIFY(t.elapsed() >= 2000);
        const Error e = failed.first().first().value<Error>();
        QVERIFY2(e.message().startsWith(QLatin1String("JupyterLab did not start on peer within 2 s, and its log (")), qPrintable(e.message()));
        QVERIFY(e.message().endsWith(QLatin1String(") is empty.")));
    }
};

SKYDECK_TEST_MAIN(TestJupyterLaunch)
#include "tst_jupyter_launch.moc"
