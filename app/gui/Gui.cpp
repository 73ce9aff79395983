#include "Gui.h"

#include "AccountRegistry.h"
#include "SftpStorage.h"
#include "AddedAccounts.h"
#include "AwsMfaDialog.h"
#include "AwsConfig.h"
#include "AwsProvider.h"
#include "AzureConfig.h"
#include "AzureProvider.h"
#include "CredentialStore.h"
#include "DarkPalette.h"
#include "GcpConfig.h"
#include "GcpProvider.h"
#include "GuiLogging.h"
#include "MainWindow.h"
#include "SshHostList.h"
#include "TransferEngine.h"
#include "sandbox/Sandbox.h"
#include "sandbox/SandboxArm.h"
#include "sandbox/SandboxEc2.h"
#include "sandbox/SandboxGce.h"
#include "sandbox/SandboxSsh.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QMessageBox>
#include <QProcessEnvironment>
#include <QSettings>
#include <QStatusBar>
#include <QStyleFactory>
#include <QTimer>

#include <memory>

namespace skydeck::gui {

int run(int argc, char **argv)
{
    QApplication app(argc, argv);
    QApplication::setApplicationName(QStringLiteral("Skydeck"));
    QApplication::setOrganizationName(QStringLiteral("skydeck"));
    QApplication::setApplicationVersion(QStringLiteral(SKYDECK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("skydeck"));
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/skydeck.svg")));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Skydeck, a desktop cloud console"));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption sandboxOpt(QStringLiteral("sandbox"),
                                        QStringLiteral("Start the local sandbox (s3rver on loopback, demo buckets)."));
    const QCommandLineOption darkOpt(QStringLiteral("dark"), QStringLiteral("Use a dark palette."));
    const QCommandLineOption selfTestOpt(QStringLiteral("self-test"),
                                         QStringLiteral("Open the window and quit after half a second."));
    const QCommandLineOption sshOpt(QStringLiteral("ssh"),
                                    QStringLiteral("Open an SSH session to HOST (a ~/.ssh/config alias, user@host:port, "
                                                   "or sandbox:ssh for the sandbox's own sshd) at start."),
                                    QStringLiteral("HOST"));
    parser.addOptions({sandboxOpt, darkOpt, selfTestOpt, sshOpt});
    parser.process(app);

    if (parser.isSet(darkOpt) || qEnvironmentVariableIntValue("SKYDECK_DARK") == 1) {
        QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
        QApplication::setPalette(darkPalette());
    }

    aws::registerProviders();
    azure::registerProviders();
    gcp::registerProviders();
    ssh::SftpStorage::registerProvider();
    // Destroyed in reverse order: the window first, then the engine, the workers, the sandbox.
    Sandbox sandbox;
    AccountRegistry registry;
    CredentialStore store;
    TransferEngine engine(&registry);
    const QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
    QList<Account> discovered = aws::discoverAccounts(env, QDir::homePath());
    discovered += azure::discoverAccounts(env, QDir::homePath());
    discovered += gcp::discoverAccounts(env, QDir::homePath());
    for (const Account &a : discovered)
        registry.addAccount(a);

    MainWindow window(&registry, &engine, &store);
    installAwsMfaDialog(&window);  // a role with mfa_serial asks for its code over the window
    window.addedAccounts()->loadAll();
    const bool hasAdded = !QSettings().childGroups().isEmpty()
                          && [] {
                                 QSettings s;
                                 s.beginGroup(QStringLiteral("accounts/added"));
                                 return !s.childGroups().isEmpty();
                             }();

    if (parser.isSet(sandboxOpt) || (discovered.isEmpty() && !hasAdded)) {
        window.statusBar()->showMessage(QObject::tr("Starting the local sandbox (s3rver on loopback)…"));
        QObject::connect(&sandbox, &Sandbox::started, &window, [&](const QList<Account> &accounts) {
            for (const Account &a : accounts)
                registry.addAccount(a);
            window.statusBar()->showMessage(
                QObject::tr("Sandbox running: a local S3 on loopback with demo buckets (not a cloud account)"), 10000);
            qCInfo(lcUi) << "sandbox started with" << accounts.size() << "account(s)";
        });
        QObject::connect(&sandbox, &Sandbox::failed, &window, [&](const Error &e) {
            window.showError(e);
            QMessageBox::warning(&window, QObject::tr("Sandbox"),
                                 QObject::tr("The local sandbox could not start:\n%1").arg(e.toString()));
        });
        QObject::connect(sandbox.ssh(), &SandboxSsh::started, &window, [&](const ssh::SshHostConfig &host) {
            window.setSandboxSsh(host, sandbox.ssh()->knownHosts());
            if (parser.value(sshOpt) == SshHostList::sandboxTarget())
                window.openSshHost(SshHostList::sandboxTarget());
            window.statusBar()->showMessage(
                QObject::tr("Sandbox SSH running: an sshd on loopback for you, under SSH hosts (not a remote host)"), 10000);
        });
        QObject::connect(sandbox.ssh(), &SandboxSsh::unavailable, &window, [&](const QString &reason) {
            // Not an error of the user's: the S3 sandbox works without it. Say why, once.
            qCInfo(lcUi).noquote() << "sandbox ssh:" << reason;
            window.statusBar()->showMessage(QObject::tr("No sandbox SSH host: %1").arg(reason), 20000);
        });
        QObject::connect(sandbox.arm(), &SandboxArm::started, &window, [&](const Account &account) {
            registry.addAccount(account);  // its demo VMs show in the instances pane
            qCInfo(lcUi) << "sandbox Azure running";
        });
        QObject::connect(sandbox.arm(), &SandboxArm::unavailable, &window, [](const QString &reason) {
            qCInfo(lcUi).noquote() << "sandbox Azure:" << reason;  // the rest of the sandbox works without it
        });
        QObject::connect(sandbox.gce(), &SandboxGce::started, &window, [&](const Account &account) {
            registry.addAccount(account);  // its demo VMs show in the instances pane
            qCInfo(lcUi) << "sandbox Compute Engine running";
        });
        QObject::connect(sandbox.gce(), &SandboxGce::unavailable, &window, [](const QString &reason) {
            qCInfo(lcUi).noquote() << "sandbox Compute Engine:" << reason;
        });
        QObject::connect(sandbox.ec2(), &SandboxEc2::started, &window, [&](const Account &account) {
            registry.addAccount(account);  // its demo instances show in the instances pane
            qCInfo(lcUi) << "sandbox EC2 (moto) running";
        });
        QObject::connect(sandbox.ec2(), &SandboxEc2::unavailable, &window, [&](const QString &reason) {
            // The rest of the sandbox works without it; say why (no moto for python3, most likely).
            qCInfo(lcUi).noquote() << "sandbox EC2:" << reason;
            window.statusBar()->showMessage(QObject::tr("No sandbox EC2: %1").arg(reason), 20000);
        });
        sandbox.start();
    }

    window.show();
    // --ssh sandbox:ssh opens the sandbox's sshd once it listens (above).
    if (parser.isSet(sshOpt) && parser.value(sshOpt) != SshHostList::sandboxTarget())
        window.openSshHost(parser.value(sshOpt));
    if (parser.isSet(selfTestOpt))
        QTimer::singleShot(500, &window, [&window] { window.close(); });
    return app.exec();
}

} // namespace skydeck::gui
