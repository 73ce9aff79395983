// Helper of tst_sandbox: starts the sandbox, prints s3rver's pid, then waits to be killed (SIGKILL,
// so no destructor runs) to show that s3rver does not outlive it.
#include "sandbox/Sandbox.h"

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
    sandbox.start();
    return QCoreApplication::exec();
}
