// Helper of tst_sandbox: starts the sandbox, prints the pids of s3rver and sshd, then waits to be
// killed (SIGKILL, so no destructor runs) to show that neither outlives it.
#include "sandbox/Sandbox.h"
#include "sandbox/SandboxSsh.h"

#include <QCoreApplication>
#include <QStandardPaths>

#include <cstdio>

int main(int argc, char **argv)
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication app(argc, argv);
    app.setApplicationName(QStringLiteral("skydeck-test-child"));
    app.setOrganizationName(QStringLiteral("skydeck-test"));
    skydeck::Sandbox sandbox;
    QObject::connect(&sandbox, &skydeck::Sandbox::started, &app, [&sandbox] {
        std::printf("S3RVER_PID=%lld\n", static_cast<long long>(sandbox.s3rverProcessId()));
        std::fflush(stdout);
    });
    QObject::connect(&sandbox, &skydeck::Sandbox::failed, &app, [](const skydeck::Error &e) {
        std::fprintf(stderr, "sandbox_child: %s\n", qPrintable(e.toString()));
        QCoreApplication::exit(1);
    });
    QObject::connect(sandbox.ssh(), &skydeck::SandboxSsh::started, &app, [&sandbox] {
        std::printf("SSHD_PID=%lld\n", static_cast<long long>(sandbox.ssh()->processId()));
        std::fflush(stdout);
    });
    QObject::connect(sandbox.ssh(), &skydeck::SandboxSsh::unavailable, &app, [](const QString &why) {
        std::fprintf(stderr, "sandbox_child: no sshd: %s\n", qPrintable(why));
        std::printf("SSHD_NONE\n");
        std::fflush(stdout);
    });
    sandbox.start();
    return QCoreApplication::exec();
}
