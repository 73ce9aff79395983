#include "Cli.h"

#include "AwsMfaPrompt.h"
#include "BucketCommands.h"
#include "CliAccount.h"
#include "CliLogging.h"
#include "CliOptions.h"
#include "CopyCommand.h"
#include "ExitCode.h"
#include "ListCommand.h"
#include "Output.h"
#include "PricesCommand.h"
#include "RemoveCommand.h"
#include "SftpCommands.h"
#include "SftpStorage.h"
#include "TerminalPrompt.h"
#include "VmAccounts.h"
#include "VmCommand.h"

#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "AzureProvider.h"
#include "GcpProvider.h"
#include "sandbox/Sandbox.h"

#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <functional>
#include <cstring>
#include <memory>
#include <unistd.h>

namespace skydeck::cli {

namespace {

int s_signalPipe[2] = {-1, -1};

void onSignal(int)
{
    const char c = 1;
    [[maybe_unused]] const ssize_t n = ::write(s_signalPipe[1], &c, 1);
}

// Ctrl-C interrupts the running command (which cancels its transfers) instead of killing the
// process halfway through a .part file, or with a sandbox still running.
std::unique_ptr<QSocketNotifier> watchInterrupts(QObject *context, std::function<void()> onInterrupt)
{
    if (::pipe(s_signalPipe) != 0)
        return {};
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    ::sigaction(SIGINT, &sa, nullptr);
    ::sigaction(SIGTERM, &sa, nullptr);
    TerminalPrompt::setInterruptFd(s_signalPipe[0]);  // Ctrl-C also ends a question on the terminal
    auto notifier = std::make_unique<QSocketNotifier>(s_signalPipe[0], QSocketNotifier::Read);
    QObject::connect(notifier.get(), &QSocketNotifier::activated, context, [onInterrupt = std::move(onInterrupt)] {
        char c = 0;
        [[maybe_unused]] const ssize_t n = ::read(s_signalPipe[0], &c, 1);
        onInterrupt();
    });
    return notifier;
}

std::unique_ptr<Command> makeCommand(const Invocation &inv, Output &out, AccountRegistry &accounts, const QString &id)
{
    if (inv.command == QLatin1String("ls"))
        return std::make_unique<ListCommand>(inv, out, accounts, id);
    if (inv.command == QLatin1String("cp"))
        return std::make_unique<CopyCommand>(inv, out, accounts, id);
    if (inv.command == QLatin1String("rm"))
        return std::make_unique<RemoveCommand>(inv, out, accounts, id);
    if (inv.command == QLatin1String("mb"))
        return std::make_unique<MakeBucketCommand>(inv, out, accounts, id);
    return std::make_unique<RemoveBucketCommand>(inv, out, accounts, id);
}

} // namespace

bool isCliInvocation(int argc, char **argv)
{
    // Options with a value that may come before the command.
    static const char *valued[] = {"--profile", "--endpoint-url", "--region", "--provider", "--type", "--zone", "--image",
                                   "--disk-gb", "--gpu", "--key", "--name", "--ssh-from"};
    for (int i = 1; i < argc; ++i) {
        const char *a = argv[i];
        if (std::strcmp(a, "--help") == 0 || std::strcmp(a, "-h") == 0 || std::strcmp(a, "--version") == 0
            || std::strcmp(a, "-V") == 0)
            return true;
        bool skipNext = false;
        for (const char *v : valued) {
            if (std::strcmp(a, v) == 0)
                skipNext = true;
            else if (std::strncmp(a, v, std::strlen(v)) == 0 && a[std::strlen(v)] == '=')
                return true;
        }
        if (skipNext) {
            ++i;
            continue;
        }
        // Flags of the command line; --sandbox belongs to both (alone, it opens the window).
        if (std::strcmp(a, "-r") == 0 || std::strcmp(a, "--recursive") == 0 || std::strcmp(a, "-q") == 0
            || std::strcmp(a, "--quiet") == 0 || std::strcmp(a, "--sandbox") == 0
            || std::strcmp(a, "--accept-new-host-key") == 0 || std::strcmp(a, "--json") == 0
            || std::strcmp(a, "--yes") == 0 || std::strcmp(a, "--no-wait") == 0 || std::strcmp(a, "--raw") == 0
            || std::strcmp(a, "--allow-insecure-http") == 0 || std::strcmp(a, "--spot") == 0)
            continue;
        // The first other argument decides: a word is a command (a typo is a usage error, not a
        // window), an option (--sandbox, Qt's -platform ...) belongs to the window.
        return a[0] != '-';
    }
    return false;
}

int run(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("skydeck"));
    QCoreApplication::setOrganizationName(QStringLiteral("skydeck"));
    QCoreApplication::setApplicationVersion(QStringLiteral(SKYDECK_VERSION));
    // The command line speaks through its exit code and one-line errors; library chatter (retries,
    // warnings) only with QT_LOGGING_RULES, which overrides this.
    QLoggingCategory::setFilterRules(QStringLiteral("skydeck.*.debug=false\nskydeck.*.info=false\nskydeck.*.warning=false"));

    Output out;
    Result<Invocation> parsed = parseArguments(QCoreApplication::arguments());
    if (!parsed.ok()) {
        out.error(parsed.error().message() + QStringLiteral(" (see skydeck --help)"));
        return ExitUsage;
    }
    const Invocation inv = parsed.value();
    if (inv.help) {
        out.text(usageText());
        return ExitOk;
    }
    if (inv.version) {
        out.line(QStringLiteral("skydeck %1 (Qt %2)").arg(QStringLiteral(SKYDECK_VERSION), QLatin1String(qVersion())));
        return ExitOk;
    }
    if (inv.quiet)
        out.setProgressEnabled(false);
    out.setRaw(inv.raw);

    // prices: the shipped catalog, no account and no network.
    if (inv.command == QLatin1String("prices")) {
        const int code = runPrices(inv, out);
        out.flush();
        return code;
    }

    aws::registerProviders();
    installAwsMfaPrompt();  // a role with mfa_serial asks on the terminal, as the AWS CLI does
    // Declared before the registry: destroyed after it, so s3rver outlives the clients using it.
    std::unique_ptr<Sandbox> sandbox;
    AccountRegistry registry;
    std::unique_ptr<Command> command;
    std::unique_ptr<VmCommand> vm;
    const auto interrupts = watchInterrupts(&app, [&] {
        if (vm && !vm->isFinished())
            vm->interrupt();
        else if (command && !command->isFinished())
            command->interrupt();
        else if (!command)
            QCoreApplication::exit(ExitInterrupted);  // still starting (the sandbox): stop it on the way out
    });
    // Runs the command once the account is known (at once, or when the sandbox is up).
    auto launch = [&](const Account &account) {
        qCDebug(lcCli) << "account" << account.id << account.setting(QStringLiteral("endpoint"));
        registry.addAccount(account);
        if (!registry.storage(account.id)) {
            out.error(QStringLiteral("no storage client for provider ") + account.provider);
            QCoreApplication::exit(ExitFailure);
            return;
        }
        command = makeCommand(inv, out, registry, account.id);
        QObject::connect(command.get(), &Command::finished, &app, [](int code) { QCoreApplication::exit(code); });
        command->start();
    };

    // vm: every account with a compute client, whatever its provider.
    if (inv.command == QLatin1String("vm")) {
        if (inv.sandbox) {
            out.error(QStringLiteral("the sandbox has no VMs (vm works with AWS, Google Cloud and Azure accounts)"));
            return ExitUsage;
        }
        gcp::registerProviders();
        azure::registerProviders();
        for (const Account &a : computeAccounts(inv, QProcessEnvironment::systemEnvironment(), QDir::homePath()))
            registry.addAccount(a);
        vm = std::make_unique<VmCommand>(inv, out, registry);
        QObject::connect(vm.get(), &VmCommand::finished, &app, [](int code) { QCoreApplication::exit(code); });
        QTimer::singleShot(0, vm.get(), [&vm] { vm->start(); });
        const int code = QCoreApplication::exec();
        vm.reset();  // before the registry's workers go
        out.flush();
        return code;
    }

    // sftp:// on the command line: an SSH session first, then the command on its SFTP account.
    std::unique_ptr<SftpConnection> sftp;
    if (const std::optional<CloudUrl> remote = sftpOperand(inv.args)) {
        if (inv.command != QLatin1String("ls") && inv.command != QLatin1String("cp")) {
            out.error(QStringLiteral("%1 does not support sftp:// locations (ls and cp do)").arg(inv.command));
            return ExitUsage;
        }
        ssh::SftpStorage::registerProvider();
        sftp = std::make_unique<SftpConnection>(remote.value(), inv.acceptNewHostKey);
        QObject::connect(sftp.get(), &SftpConnection::failed, &app, [&](const Error &e) {
            out.error(e.toString());
            QCoreApplication::exit(exitCodeFor(e) == ExitUsage ? int(ExitFailure) : exitCodeFor(e));
        });
        QObject::connect(sftp.get(), &SftpConnection::ready, &app, [&] {
            const Account a = ssh::SftpStorage::accountFor(sftp->client()->displayName());
            ssh::SftpStorage::attach(a.id, sftp->client());
            registry.addAccount(a);
            if (inv.command == QLatin1String("ls"))
                command = std::make_unique<SftpListCommand>(inv, out, registry, a.id, sftp->client(), sftp->home());
            else
                command = std::make_unique<SftpCopyCommand>(inv, out, registry, a.id, sftp->client(), sftp->home());
            QObject::connect(command.get(), &Command::finished, &app, [](int code) { QCoreApplication::exit(code); });
            command->start();
        });
        sftp->start();
        const int code = QCoreApplication::exec();
        command.reset();
        if (sftp && sftp->client())
            ssh::SftpStorage::detach(ssh::SftpStorage::accountFor(sftp->client()->displayName()).id);
        sftp.reset();
        out.flush();
        return code;
    }

    if (inv.sandbox) {
        sandbox = std::make_unique<Sandbox>();
        QObject::connect(sandbox.get(), &Sandbox::started, &app, [&](const QList<Account> &accounts) {
            Account a = accounts.value(0);
            if (!inv.region.isEmpty())
                a.settings.insert(QStringLiteral("region"), inv.region);
            launch(a);
        });
        QObject::connect(sandbox.get(), &Sandbox::failed, &app, [&](const Error &e) {
            out.error(Error(e).setContext(QStringLiteral("sandbox")).toString());
            QCoreApplication::exit(exitCodeFor(e) == ExitUsage ? int(ExitFailure) : exitCodeFor(e));
        });
        sandbox->start();
    } else {
        Result<Account> account = resolveAccount(inv, QProcessEnvironment::systemEnvironment(), QDir::homePath());
        if (!account.ok()) {
            out.error(account.error().toString());
            return exitCodeFor(account.error());
        }
        QTimer::singleShot(0, &app, [&launch, a = account.value()] { launch(a); });
    }
    const int code = QCoreApplication::exec();
    command.reset();  // before the registry's workers and the sandbox go
    out.flush();
    return code;
}

} // namespace skydeck::cli
