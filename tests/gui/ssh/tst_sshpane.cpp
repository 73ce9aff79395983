// The SSH pane in the main window against OpenSSH's sshd (scripts/peers.sh ssh). What is real:
// sshd, the test user's login shell, the host key, password authentication, the HTTP servers
// (python3 -m http.server) reached through forwards, Debian's jupyter-notebook 6.4 that Open
// Jupyter starts as the test user. What is not: a `jupyter-lab` script that fails as a broken one
// does; the browser is a QDesktopServices URL handler that records the URL (the test fetches it
// through the forward).
//
// Each test gets its own $HOME with ~/.ssh/config (and known_hosts), so the tree, the config
// resolution and the host key checks run exactly as for a user.
#include "AccountRegistry.h"
#include "AccountTreeModel.h"
#include "FileBrowser.h"
#include "ForwardTableModel.h"
#include "ForwardsPanel.h"
#include "JupyterLauncher.h"
#include "KbdInteractive.h"
#include "KnownHosts.h"
#include "TestSshd.h"
#include "MainWindow.h"
#include "Peers.h"
#include "PortForward.h"
#include "RemoteFileModel.h"
#include "SshDialogs.h"
#include "SshPane.h"
#include "SshSession.h"
#include "TerminalTabs.h"
#include "TerminalWidget.h"
#include "TransferEngine.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QDesktopServices>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QSpinBox>
#include <QTableView>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTreeView>
#include <QScopeGuard>

#include <csignal>

#include <memory>

using namespace skydeck;
using skydeck::test::peerValue;
using skydeck::gui::AccountTreeModel;
using skydeck::gui::MainWindow;

namespace {

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

QString screenText(TerminalWidget *w)
{
    QString s;
    for (int r = 0; r < w->rows(); ++r)
        s += w->emulation().screenLineText(r) + QLatin1Char('\n');
    return s;
}

quint16 freePort()
{
    QTcpServer s;
    s.listen(QHostAddress::LocalHost, 0);
    return s.serverPort();
}

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
    while (sock.state() == QAbstractSocket::ConnectedState && sock.waitForReadyRead(10000))
        answer += sock.readAll();
    answer += sock.readAll();
    return answer;
}

// python3 -m http.server on loopback, serving `dir`.
struct HttpServer {
    QProcess process;
    quint16 port = 0;
    bool start(const QString &dir)
    {
        port = freePort();
        process.setProgram(QStringLiteral("/usr/bin/python3"));
        process.setArguments({QStringLiteral("-m"), QStringLiteral("http.server"), QString::number(port),
                              QStringLiteral("--bind"), QStringLiteral("127.0.0.1"), QStringLiteral("--directory"), dir});
        process.start();
        if (!process.waitForStarted())
            return false;
        return QTest::qWaitFor([this] {
            QTcpSocket probe;
            probe.connectToHost(QHostAddress::LocalHost, port);
            return probe.waitForConnected(200);
        }, 10000);
    }
    ~HttpServer()
    {
        process.kill();
        process.waitForFinished();
    }
};

// Catches what the app asks the desktop to open.
class UrlCatcher : public QObject
{
    Q_OBJECT
public:
    QList<QUrl> urls;
public Q_SLOTS:
    void open(const QUrl &url) { urls << url; }
};

} // namespace

class TestSshPane : public QObject
{
    Q_OBJECT
    QString m_host, m_port, m_user, m_key, m_password, m_hostKeyPub;
    std::unique_ptr<QTemporaryDir> m_home;

    // A fresh $HOME with ~/.ssh/config: "peer" (key), "peerpw" (no usable key: password);
    // known_hosts lists the peer's key when `knownKey`.
    void newHome(bool knownKey)
    {
        m_home = std::make_unique<QTemporaryDir>();
        QVERIFY(m_home->isValid());
        qputenv("HOME", m_home->path().toUtf8());
        QDir(m_home->path()).mkpath(QStringLiteral(".ssh"));
        QFile cfg(m_home->filePath(QStringLiteral(".ssh/config")));
        QVERIFY(cfg.open(QIODevice::WriteOnly));
        cfg.write(QStringLiteral("Host peer\n  HostName %1\n  Port %2\n  User %3\n  IdentityFile %4\n  IdentitiesOnly yes\n\n"
                                 "Host peerpw\n  HostName %1\n  Port %2\n  User %3\n  IdentityFile ~/.ssh/none\n  IdentitiesOnly yes\n")
                      .arg(m_host, m_port, m_user, m_key)
                      .toUtf8());
        cfg.close();
        if (knownKey) {
            QFile kh(m_home->filePath(QStringLiteral(".ssh/known_hosts")));
            QVERIFY(kh.open(QIODevice::WriteOnly));
            const QList<QByteArray> f = readFile(m_hostKeyPub).simplified().split(' ');
            kh.write(ssh::KnownHosts::hostEntryName(m_host, m_port.toInt()).toUtf8() + ' ' + f.value(0) + ' ' + f.value(1) + '\n');
        }
    }

    // Clicks the host's row in the tree, as a user does; returns the pane that opened.
    static ui::SshPane *clickHost(MainWindow &w, const QString &target)
    {
        const QModelIndex idx = w.accountModel()->sshHostIndex(target);
        if (!idx.isValid())
            return nullptr;
        w.accountTree()->scrollTo(idx);
        const QRect r = w.accountTree()->visualRect(idx);
        QTest::mouseClick(w.accountTree()->viewport(), Qt::LeftButton, {}, r.center());
        return w.sshPane(target);
    }

    static void typeLine(TerminalWidget *t, const QString &line)
    {
        QTest::keyClicks(t, line);
        QTest::keyClick(t, Qt::Key_Return);
    }

private Q_SLOTS:
    void initTestCase()
    {
        SKYDECK_REQUIRE_PEER(m_port, "SKYDECK_TEST_SSH_PORT");
        m_host = peerValue("SKYDECK_TEST_SSH_HOST");
        m_user = peerValue("SKYDECK_TEST_SSH_USER");
        m_key = peerValue("SKYDECK_TEST_SSH_KEY");
        m_password = peerValue("SKYDECK_TEST_SSH_PASSWORD");
        m_hostKeyPub = peerValue("SKYDECK_TEST_SSH_HOST_KEY_PUB");
        qunsetenv("SSH_AUTH_SOCK");  // only what the config names
    }

    void init() { QSettings().clear(); }

    // Unknown host key → dialog with the fingerprint → Accept → shell; a typed command's output.
    void hostKeyDialogThenTerminal()
    {
        newHome(false);
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        new QAbstractItemModelTester(w.accountModel(), QAbstractItemModelTester::FailureReportingMode::QtTest, &w);
        w.show();
        QVERIFY(QTest::qWaitForWindowExposed(&w));
        QVERIFY(w.accountModel()->sshHostIndex(QStringLiteral("peer")).isValid());
        QVERIFY(w.accountModel()->sshHostIndex(QStringLiteral("peerpw")).isValid());

        ui::SshPane *pane = clickHost(w, QStringLiteral("peer"));
        QVERIFY(pane);
        ui::HostKeyDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = pane->findChild<ui::HostKeyDialog *>()) != nullptr, 20000);
        const QString expected = ssh::HostKey::fromOpenSshPublicKey(readFile(m_hostKeyPub)).fingerprint();
        QVERIFY(expected.startsWith(QLatin1String("SHA256:")));
        QVERIFY2(dlg->findChild<QLabel *>(QStringLiteral("fingerprint"))->text().contains(expected),
                 qPrintable(dlg->findChild<QLabel *>(QStringLiteral("fingerprint"))->text()));
        QTest::mouseClick(dlg->acceptButton(), Qt::LeftButton);

        TerminalWidget *term = pane->tabs()->currentTerminal();
        QVERIFY(term);
        QTRY_VERIFY_WITH_TIMEOUT(pane->session()->isReady(), 20000);
        QTRY_VERIFY_WITH_TIMEOUT(term->transport()->isOpen(), 20000);
        typeLine(term, QStringLiteral("echo hello-$((6*7))"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenText(term).contains(QLatin1String("\nhello-42\n")), qPrintable(screenText(term)), 15000);
        // The SFTP browser beside the terminal is on the same session, in the remote home: a file
        // the shell made shows after a refresh, and a file uploaded through it (the transfer
        // engine) is what the shell reads back.
        FileBrowser *files = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((files = pane->findChild<FileBrowser *>()) != nullptr, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!files->directory().isEmpty(), 15000);
        typeLine(term, QStringLiteral("touch sftp-marker-$$ && echo made-$((1+1))"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenText(term).contains(QLatin1String("\nmade-2\n")), qPrintable(screenText(term)), 15000);
        files->refresh();
        const auto listed = [files](const QString &prefix) {
            for (int i = 0; i < files->model()->rowCount(); ++i)
                if (files->model()->entry(i).name.startsWith(prefix))
                    return true;
            return false;
        };
        QTRY_VERIFY_WITH_TIMEOUT(listed(QStringLiteral("sftp-marker-")), 15000);
        const QString upload = QDir(m_home->path()).filePath(QStringLiteral("from-skydeck.txt"));
        {
            QFile f(upload);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("uploaded-through-the-engine\n");
        }
        files->uploadLocal({upload});
        QTRY_VERIFY_WITH_TIMEOUT(!engine.transfers().isEmpty() && engine.isIdle(), 20000);
        for (const TransferStatus &st : engine.transfers())
            QCOMPARE(st.state, TransferState::Done);
        typeLine(term, QStringLiteral("cat from-skydeck.txt; rm -f from-skydeck.txt sftp-marker-*"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenText(term).contains(QLatin1String("\nuploaded-through-the-engine\n")),
                                  qPrintable(screenText(term)), 15000);

        // The accepted key is remembered (hashed) in Skydeck's store: no question next time.
        QVERIFY(readFile(ssh::KnownHosts::defaultAppStore()).contains(" ssh-ed25519 "));

        // Activating the host again focuses the same pane; "New shell tab" adds a second shell.
        QCOMPARE(clickHost(w, QStringLiteral("peer")), pane);
        pane->newShellAction()->trigger();
        QCOMPARE(pane->tabs()->count(), 2);
        TerminalWidget *second = pane->tabs()->currentTerminal();
        QVERIFY(second != term);
        QTRY_VERIFY_WITH_TIMEOUT(second->transport()->isOpen(), 15000);
        typeLine(second, QStringLiteral("echo second-$((2+3))"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenText(second).contains(QLatin1String("\nsecond-5\n")), qPrintable(screenText(second)), 15000);
    }

    // Declining the key: a clear refusal in the tab, nothing remembered.
    void hostKeyDeclined()
    {
        newHome(false);
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peer"));
        ui::HostKeyDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = pane->findChild<ui::HostKeyDialog *>()) != nullptr, 20000);
        QTest::mouseClick(dlg->cancelButton(), Qt::LeftButton);
        auto *bar = pane->tabs()->findChild<QWidget *>(QStringLiteral("terminalClosedBar"));
        QVERIFY(bar);
        QTRY_VERIFY_WITH_TIMEOUT(bar->isVisible(), 15000);
        const QString text = pane->statusLabel()->text();
        QVERIFY2(text.contains(QLatin1String("not accepted")), qPrintable(text));
        QVERIFY(!readFile(ssh::KnownHosts::defaultAppStore()).contains(" ssh-ed25519 "));
    }

    // A changed host key: the red refusal names the file and line; no way to connect from it.
    void changedHostKeyRefused()
    {
        newHome(false);
        const QList<QByteArray> other = readFile(peerValue("SKYDECK_TEST_SSH_OTHER_HOST_KEY_PUB")).simplified().split(' ');
        const QString kh = m_home->filePath(QStringLiteral(".ssh/known_hosts"));
        {
            QFile f(kh);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# comment\n" + ssh::KnownHosts::hostEntryName(m_host, m_port.toInt()).toUtf8() + ' ' + other.value(0) + ' '
                    + other.value(1) + '\n');
        }
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peer"));
        ui::HostKeyRefusalDialog *refusal = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((refusal = pane->findChild<ui::HostKeyRefusalDialog *>()) != nullptr, 20000);
        const QString text = refusal->findChild<QLabel *>(QStringLiteral("refusalText"))->text();
        QVERIFY2(text.contains(kh) && text.contains(QLatin1String("line 2")), qPrintable(text));
        QVERIFY(text.contains(QLatin1String("#c62828")));  // red
        const QList<QPushButton *> buttons = refusal->findChildren<QPushButton *>();
        QCOMPARE(buttons.size(), 1);  // Close, nothing else
        QVERIFY(pane->findChild<ui::HostKeyDialog *>() == nullptr);
        QVERIFY(!pane->session()->isReady());
    }

    // A host known with a key of another type (here an ECDSA key; the peer shows its ed25519 key)
    // is a changed host, as for OpenSSH 9.2: the red refusal naming the file and line, never the
    // "new host key" question that would let the key be accepted (issue 11.5).
    void otherKeyTypeRefusedAsChanged()
    {
        newHome(false);
        const QString ecdsa = skydeck::test::TestSshd::makeHostKey(m_home->path(), QStringLiteral("ecdsa"));
        QVERIFY(!ecdsa.isEmpty());
        const QList<QByteArray> known = readFile(ecdsa + QStringLiteral(".pub")).simplified().split(' ');
        const QString kh = m_home->filePath(QStringLiteral(".ssh/known_hosts"));
        {
            QFile f(kh);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("# comment\n" + ssh::KnownHosts::hostEntryName(m_host, m_port.toInt()).toUtf8() + ' ' + known.value(0) + ' '
                    + known.value(1) + '\n');
        }
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peer"));
        ui::HostKeyRefusalDialog *refusal = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((refusal = pane->findChild<ui::HostKeyRefusalDialog *>()) != nullptr
                                     || pane->findChild<ui::HostKeyDialog *>() != nullptr,
                                 20000);
        QVERIFY2(pane->findChild<ui::HostKeyDialog *>() == nullptr, "asked about a new key");
        QVERIFY(refusal);
        QVERIFY2(refusal->windowTitle().contains(QLatin1String("changed")), qPrintable(refusal->windowTitle()));
        const QString text = refusal->findChild<QLabel *>(QStringLiteral("refusalText"))->text();
        QVERIFY2(text.contains(kh + QStringLiteral(" line 2")) && text.contains(QLatin1String("ecdsa-sha2-nistp256"))
                     && text.contains(QLatin1String("HAS CHANGED")),
                 qPrintable(text));
        QVERIFY(!pane->session()->isReady());
        QVERIFY(!readFile(ssh::KnownHosts::defaultAppStore()).contains(" ssh-ed25519 "));
    }

    // keyboard-interactive through PAM ("Password: ") on an sshd offering nothing else: the pane
    // asks with its password dialog while the session's worker waits, and the answer logs in.
    // StrictHostKeyChecking accept-new from the config takes the new port's key without a question.
    void keyboardInteractivePasswordInThePane()
    {
        newHome(false);
        QTemporaryDir dir;
        const int port = skydeck::test::TestSshd::freePort();
        skydeck::test::TestSshd sshd;
        QVERIFY2(sshd.start(dir.path(), port, {{"UsePAM", "yes"}, {"KbdInteractiveAuthentication", "yes"},
                                               {"PasswordAuthentication", "no"}}),
                 sshd.log().constData());
        {
            QFile cfg(m_home->filePath(QStringLiteral(".ssh/config")));
            QVERIFY(cfg.open(QIODevice::Append));
            cfg.write(QStringLiteral("\nHost peerkbd\n  HostName %1\n  Port %2\n  User %3\n  IdentityFile ~/.ssh/none\n"
                                     "  IdentitiesOnly yes\n  StrictHostKeyChecking accept-new\n")
                          .arg(m_host)
                          .arg(port)
                          .arg(m_user)
                          .toUtf8());
        }
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peerkbd"));
        QVERIFY(pane);
        ui::SecretDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = pane->findChild<ui::SecretDialog *>()) != nullptr && dlg->isVisible(), 20000);
        QVERIFY(pane->findChild<ui::HostKeyDialog *>() == nullptr);
        QCOMPARE(dlg->kind(), ui::SecretDialog::Kind::Password);
        QTest::keyClicks(dlg->secretEdit(), m_password);
        QTest::keyClick(dlg->secretEdit(), Qt::Key_Return);
        QTRY_VERIFY_WITH_TIMEOUT(pane->session()->isReady(), 20000);
        QTRY_VERIFY2(sshd.log().contains("Accepted keyboard-interactive"), sshd.log().constData());
    }

    // Issue 12: the peer's RSA key (the peer's sshd keeps OpenSSH 9.2's default algorithms, which
    // refuse ssh-rsa) gives a shell; a key the server refuses ends, once the password dialog is
    // cancelled, with a status naming the key and why, never "cancelled"; the long reason wraps
    // in the status and in the tab (unwrapped, the tab's label widened the window to its length).
    void rsaKeyAndRefusalInThePane()
    {
        newHome(true);
        const QString stranger = m_home->filePath(QStringLiteral(".ssh/id_stranger"));
        QProcess keygen;
        keygen.start(QStringLiteral("ssh-keygen"), {QStringLiteral("-q"), QStringLiteral("-t"), QStringLiteral("rsa"), QStringLiteral("-b"),
                                                    QStringLiteral("3072"), QStringLiteral("-N"), QString(), QStringLiteral("-f"), stranger});
        QVERIFY(keygen.waitForFinished(120000) && keygen.exitCode() == 0);
        {
            QFile cfg(m_home->filePath(QStringLiteral(".ssh/config")));
            QVERIFY(cfg.open(QIODevice::Append));
            for (const auto &[alias, key] : {std::pair{QStringLiteral("peerrsa"), peerValue("SKYDECK_TEST_SSH_KEY_RSA")},
                                             std::pair{QStringLiteral("peerstranger"), stranger}})
                cfg.write(QStringLiteral("\nHost %1\n  HostName %2\n  Port %3\n  User %4\n  IdentityFile %5\n  IdentitiesOnly yes\n")
                              .arg(alias, m_host, m_port, m_user, key)
                              .toUtf8());
        }
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peerrsa"));
        QVERIFY(pane);
        QTRY_VERIFY_WITH_TIMEOUT(pane->session()->isReady(), 30000);
        QVERIFY2(pane->session()->authenticatedWith().startsWith(QLatin1String("publickey rsa-sha2-512 with ")),
                 qPrintable(pane->session()->authenticatedWith()));
        QVERIFY(pane->findChild<ui::SecretDialog *>() == nullptr);

        ui::SshPane *refused = w.openSshHost(QStringLiteral("peerstranger"));
        QVERIFY(refused);
        ui::SecretDialog *dlg = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((dlg = refused->findChild<ui::SecretDialog *>()) != nullptr && dlg->isVisible(), 30000);
        QCOMPARE(dlg->kind(), ui::SecretDialog::Kind::Password);
        dlg->reject();
        auto *bar = refused->tabs()->findChild<QWidget *>(QStringLiteral("terminalClosedBar"));
        QTRY_VERIFY_WITH_TIMEOUT(bar && bar->isVisible(), 30000);
        const QString status = refused->statusLabel()->text();
        qInfo("status: %s", qPrintable(status));
        QVERIFY2(status.contains(QLatin1String("Permission denied (the server offers publickey,password)")), qPrintable(status));
        QVERIFY2(status.contains(QStringLiteral("%1 (RSA 3072 SHA256:").arg(stranger.mid(m_home->path().size() + 1).prepend(QStringLiteral("~/")))),
                 qPrintable(status));
        QVERIFY2(status.contains(QLatin1String("not accepted by the server (offered as rsa-sha2-512, rsa-sha2-256 or ssh-rsa)")),
                 qPrintable(status));
        QVERIFY2(status.contains(QLatin1String("password: not given")), qPrintable(status));
        QVERIFY2(!status.contains(QLatin1String("ancel")), qPrintable(status));
        auto *reason = bar->findChild<QLabel *>();
        QVERIFY(reason->text().contains(QLatin1String("not accepted by the server")));
        QVERIFY(reason->wordWrap() && refused->statusLabel()->wordWrap());
        // Wrapped: the labels ask for far less than the message's width (unwrapped, over 2000 px).
        QVERIFY2(reason->minimumSizeHint().width() < 600, qPrintable(QString::number(reason->minimumSizeHint().width())));
        QVERIFY(refused->statusLabel()->minimumSizeHint().width() < 600);
    }

    // The dialog for prompts Skydeck does not answer (a code, several prompts): the server's text
    // as plain text, printable; hidden fields unless the server allows echo; one answer each.
    void keyboardInteractiveDialog()
    {
        ssh::KbdIntQuestion q;
        q.name = QStringLiteral("<b>Duo</b>\x1b]0;x\x07");
        q.instruction = QStringLiteral("Enter the code\nfrom your phone");
        q.prompts = {ssh::KbdIntPrompt{QStringLiteral("Verification code: "), false},
                     ssh::KbdIntPrompt{QStringLiteral("Device name: "), true}};
        ui::KbdIntDialog dlg(QStringLiteral("box"), q);
        QCOMPARE(dlg.fields().size(), 2);
        QCOMPARE(dlg.fields()[0]->echoMode(), QLineEdit::Password);
        QCOMPARE(dlg.fields()[1]->echoMode(), QLineEdit::Normal);
        auto *name = dlg.findChild<QLabel *>(QStringLiteral("name"));
        QVERIFY(name);
        QCOMPARE(name->textFormat(), Qt::PlainText);
        QCOMPARE(name->text(), QStringLiteral("<b>Duo</b>]0;x"));
        QCOMPARE(dlg.findChild<QLabel *>(QStringLiteral("instruction"))->text(), QStringLiteral("Enter the code from your phone"));
        QTest::keyClicks(dlg.fields()[0], QStringLiteral("123456"));
        QTest::keyClicks(dlg.fields()[1], QStringLiteral("phone"));
        QCOMPARE(dlg.answers(), (QStringList{QStringLiteral("123456"), QStringLiteral("phone")}));
    }

    // A wrong password (three times, as typed) fails with a clear message in the pane; Reconnect
    // in the same tab asks again, and the right password gives a shell in that tab.
    void wrongPasswordThenReconnect()
    {
        newHome(true);
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = clickHost(w, QStringLiteral("peerpw"));
        QVERIFY(pane);
        int asked = 0;
        QString answer = QStringLiteral("not-the-password");
        // Answers every password dialog that appears, like a user typing.
        QTimer typist;
        connect(&typist, &QTimer::timeout, pane, [&] {
            auto *dlg = pane->findChild<ui::SecretDialog *>();
            if (!dlg || !dlg->isVisible() || dlg->property("answered").toBool())
                return;
            dlg->setProperty("answered", true);
            QCOMPARE(dlg->kind(), ui::SecretDialog::Kind::Password);
            QVERIFY(dlg->rememberBox()->isHidden());  // no keychain in this window
            ++asked;
            QTest::keyClicks(dlg->secretEdit(), answer);
            QTest::keyClick(dlg->secretEdit(), Qt::Key_Return);
        });
        typist.start(50);
        auto *bar = pane->tabs()->findChild<QWidget *>(QStringLiteral("terminalClosedBar"));
        QTRY_VERIFY_WITH_TIMEOUT(bar && bar->isVisible(), 30000);
        QCOMPARE(asked, 3);
        const QString status = pane->statusLabel()->text();
        const QString barText = bar->findChild<QLabel *>()->text();
        qInfo("status: %s | tab: %s", qPrintable(status), qPrintable(barText));
        QVERIFY2(status.contains(QLatin1String("uthentication")) || status.contains(QLatin1String("password")), qPrintable(status));
        QVERIFY(!barText.isEmpty());
        QVERIFY(!status.contains(answer) && !barText.contains(answer));

        answer = m_password;
        asked = 0;
        auto *reconnect = bar->findChild<QPushButton *>(QStringLiteral("terminalReconnect"));
        QVERIFY(reconnect && reconnect->isVisible());
        TerminalWidget *term = pane->tabs()->currentTerminal();
        QTest::mouseClick(reconnect, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(term->transport()->isOpen(), 20000);
        QCOMPARE(asked, 1);
        QCOMPARE(pane->tabs()->count(), 1);
        typeLine(term, QStringLiteral("echo back-$((40+2))"));
        QTRY_VERIFY2_WITH_TIMEOUT(screenText(term).contains(QLatin1String("\nback-42\n")), qPrintable(screenText(term)), 15000);
    }

    // A forward added through the Forwards table reaches an HTTP server; removing it closes the port.
    void forwardFromTableReachesHttpServer()
    {
        newHome(true);
        QTemporaryDir www;
        QFile marker(www.filePath(QStringLiteral("marker.txt")));
        QVERIFY(marker.open(QIODevice::WriteOnly));
        marker.write("through-the-forward\n");
        marker.close();
        HttpServer http;
        QVERIFY(http.start(www.path()));

        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = clickHost(w, QStringLiteral("peer"));
        QVERIFY(pane);
        QTRY_VERIFY_WITH_TIMEOUT(pane->session()->isReady(), 20000);
        new QAbstractItemModelTester(pane->forwards()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest, pane);

        pane->forwards()->addForwardAction()->trigger();
        ui::AddForwardDialog *dlg = nullptr;
        QTRY_VERIFY((dlg = pane->findChild<ui::AddForwardDialog *>()) != nullptr);
        dlg->remoteHostEdit()->setText(QStringLiteral("127.0.0.1"));
        dlg->remotePortBox()->setValue(http.port);
        dlg->accept();
        ui::ForwardTableModel *model = pane->forwards()->model();
        QCOMPARE(model->rowCount(), 1);
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ui::ForwardTableModel::StateColumn).data().toString(), QStringLiteral("Listening"), 10000);
        QCOMPARE(model->index(0, ui::ForwardTableModel::RemoteColumn).data().toString(), QStringLiteral("127.0.0.1:%1").arg(http.port));
        const QString local = model->index(0, ui::ForwardTableModel::LocalColumn).data().toString();
        const quint16 localPort = quint16(local.section(QLatin1Char(':'), -1).toUInt());
        QVERIFY2(localPort != 0 && localPort != http.port, qPrintable(local));

        const QByteArray answer = httpGet(localPort, "/marker.txt");
        QVERIFY2(answer.startsWith("HTTP/1.0 200") && answer.endsWith("through-the-forward\n"), answer.constData());
        QTRY_COMPARE_WITH_TIMEOUT(model->index(0, ui::ForwardTableModel::ConnectionsColumn).data().toString(),
                                  QStringLiteral("0 open / 1 total"), 10000);

        pane->forwards()->view()->selectRow(0);
        QVERIFY(pane->forwards()->removeForwardAction()->isEnabled());
        pane->forwards()->removeForwardAction()->trigger();
        QCOMPARE(model->rowCount(), 0);
        QTRY_VERIFY_WITH_TIMEOUT(httpGet(localPort, "/marker.txt").isEmpty(), 10000);
    }

    // Open Jupyter on a host with Debian's classic Notebook and no JupyterLab (the host):
    // none running → the question names the Notebook → Start → the browser is asked to open a URL
    // whose token the server accepts through the forward (and whose absence it refuses); a second
    // Open reuses the server and the forward without asking.
    void openJupyterStartsTheNotebookAndOpens()
    {
        if (!QFileInfo::exists(QStringLiteral("/usr/bin/jupyter-notebook")))
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("Debian's jupyter-notebook is not installed (scripts/setup.sh installs it)"));
        newHome(true);
        // The server's runtime files go to a folder of this test's (never a server of another).
        QTemporaryDir work;
        QVERIFY(QFile::setPermissions(work.path(), QFileDevice::Permissions(0x7777)));
        const QString runtime = work.filePath(QStringLiteral("runtime"));
        const auto stopServers = qScopeGuard([&] {
            for (const QString &f : QDir(runtime).entryList({QStringLiteral("nbserver-*.json")}, QDir::Files))
                ::kill(pid_t(f.section(QLatin1Char('-'), 1).section(QLatin1Char('.'), 0, 0).toInt()), SIGTERM);
            // Waits even after a failure (QTRY_* gives up at once then): the server removes its file as it ends.
            if (!QTest::qWaitFor([&] { return QDir(runtime).entryList({QStringLiteral("nbserver-*.json")}, QDir::Files).isEmpty(); }, 15000))
                qWarning("a Notebook server the test started did not stop on SIGTERM");
        });
        UrlCatcher browser;
        QDesktopServices::setUrlHandler(QStringLiteral("http"), &browser, "open");
        const auto unsetHandler = qScopeGuard([] { QDesktopServices::unsetUrlHandler(QStringLiteral("http")); });

        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peer"));
        QTRY_VERIFY_WITH_TIMEOUT(pane->session()->isReady(), 20000);
        // Enabled once the first shell is open (not merely once the session is ready).
        QTRY_VERIFY_WITH_TIMEOUT(pane->openJupyterAction()->isEnabled(), 15000);
        QVERIFY(pane->tabs()->currentTerminal()->transport()->isOpen());
        ui::JupyterHostOptions options;
        options.environment.insert(QStringLiteral("JUPYTER_RUNTIME_DIR"), runtime);
        pane->jupyter()->setOptions(options);
        pane->openJupyterAction()->trigger();

        QMessageBox *question = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((question = pane->findChild<QMessageBox *>(QStringLiteral("startJupyterQuestion"))) != nullptr, 60000);
        QVERIFY2(question->text().contains(QLatin1String("Start Jupyter Notebook (/usr/bin/jupyter-notebook)")), qPrintable(question->text()));
        QCOMPARE(question->button(QMessageBox::Yes)->text(), QStringLiteral("Start Jupyter Notebook"));
        QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(browser.urls.size(), 1, 90000);

        const QUrl url = browser.urls.first();
        QCOMPARE(url.host(), QStringLiteral("127.0.0.1"));
        const QString token = url.query().section(QLatin1Char('='), 1);
        QVERIFY2(url.query().startsWith(QLatin1String("token=")) && token.size() == 48, qPrintable(url.toString()));
        QCOMPARE(pane->forwards()->model()->rowCount(), 1);
        QVERIFY(pane->forwards()->model()->index(0, ui::ForwardTableModel::RemoteColumn).data().toString().startsWith(QLatin1String("127.0.0.1:")));
        QVERIFY(!pane->statusLabel()->text().contains(token));  // the token is not shown
        const quint16 local = quint16(url.port());
        const QByteArray withToken = httpGet(local, "/api/status", "Authorization: token " + token.toLatin1());
        QVERIFY2(withToken.startsWith("HTTP/1.1 200"), withToken.constData());
        QVERIFY(httpGet(local, "/api/status").startsWith("HTTP/1.1 403"));
        // What the browser gets for the URL: logged in, sent on to the Notebook's file tree.
        const QByteArray page = httpGet(local, url.toEncoded(QUrl::RemoveScheme | QUrl::RemoveAuthority));
        QVERIFY2(page.startsWith("HTTP/1.1 302") && page.contains(QByteArray("/tree?token=" + token.toLatin1())), page.left(300).constData());

        // A second Open Jupyter reuses the running server and the listening forward.
        pane->openJupyterAction()->trigger();
        QTRY_COMPARE_WITH_TIMEOUT(browser.urls.size(), 2, 60000);
        QCOMPARE(browser.urls.at(1), url);
        QCOMPARE(pane->forwards()->model()->rowCount(), 1);
        QVERIFY(pane->findChild<QMessageBox *>(QStringLiteral("startJupyterQuestion")) == nullptr);
    }

    // A Jupyter that cannot start says why in the status line at once (the log line, from
    // Debian's real `jupyter` asked for `lab` by a `jupyter-lab` that hands over to it), not after a
    // 45 s wait.
    void openJupyterShowsWhyItDidNotStart()
    {
        if (!QFileInfo::exists(QStringLiteral("/usr/bin/jupyter")))
            SKYDECK_SKIP_OR_FAIL(QStringLiteral("Debian's jupyter (jupyter-core) is not installed (scripts/setup.sh installs it)"));
        newHome(true);
        QTemporaryDir bin;
        QVERIFY(QFile::setPermissions(bin.path(), QFileDevice::Permissions(0x7755)));
        {
            QFile f(bin.filePath(QStringLiteral("jupyter-lab")));
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("#!/bin/sh\nPATH=/usr/bin:/bin exec /usr/bin/jupyter lab \"$@\"\n");
            f.close();
            QVERIFY(f.setPermissions(QFileDevice::Permissions(0x7755)));
        }
        AccountRegistry registry;
        TransferEngine engine(&registry);
        MainWindow w(&registry, &engine, nullptr);
        w.show();
        ui::SshPane *pane = w.openSshHost(QStringLiteral("peer"));
        QTRY_VERIFY_WITH_TIMEOUT(pane->openJupyterAction()->isEnabled(), 20000);
        ui::JupyterHostOptions options;
        options.extraDirs = {bin.path()};
        options.systemSearch = false;
        pane->jupyter()->setOptions(options);
        pane->openJupyterAction()->trigger();
        QMessageBox *question = nullptr;
        QTRY_VERIFY_WITH_TIMEOUT((question = pane->findChild<QMessageBox *>(QStringLiteral("startJupyterQuestion"))) != nullptr, 30000);
        QElapsedTimer t;
        t.start();
        QTest::mouseClick(question->button(QMessageBox::Yes), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(pane->statusLabel()->text().contains(QLatin1String("Jupyter command `jupyter-lab` not found.")), 10000);
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        QVERIFY2(pane->statusLabel()->text().contains(QLatin1String("JupyterLab did not start on peer")), qPrintable(pane->statusLabel()->text()));
        QVERIFY(pane->statusLabel()->styleSheet().contains(QLatin1String("#c62828")));
    }
};

SKYDECK_GUI_TEST_MAIN(TestSshPane)
#include "tst_sshpane.moc"
