#include "Command.h"

#include "CliLogging.h"
#include "ExitCode.h"

#include "Logging.h"

#include <QTimer>

namespace skydeck::cli {

Command::Command(const Invocation &invocation, Output &output, AccountRegistry &accounts, const QString &accountId,
                 QObject *parent)
    : QObject(parent), m_inv(invocation), m_out(output), m_accounts(accounts), m_accountId(accountId)
{
    if (const Account *a = accounts.account(accountId))
        m_account = *a;
    m_worker = accounts.worker(accountId);
    m_storage = accounts.storage(accountId);
    Q_ASSERT(m_worker && m_storage);
}

Command::~Command() = default;

void Command::interrupt()
{
    fail(ExitInterrupted, QStringLiteral("interrupted"));
}

void Command::succeed()
{
    finish(ExitOk);
}

void Command::fail(const Error &error)
{
    if (m_finished)
        return;
    QString line = error.toString();
    // "Connection refused" alone does not say where: name the endpoint (never a secret).
    const QString endpoint = m_account.setting(QStringLiteral("endpoint"));
    if (error.category() == Error::Category::Network && !endpoint.isEmpty())
        line += QStringLiteral(" [endpoint %1]").arg(redactSecrets(endpoint));
    m_out.error(line);
    finish(exitCodeFor(error));
}

void Command::fail(int exitCode, const QString &line)
{
    if (m_finished)
        return;
    m_out.error(line);
    finish(exitCode);
}

void Command::finish(int code)
{
    if (m_finished)
        return;
    m_finished = true;
    m_out.clearProgress();
    m_out.flush();
    qCDebug(lcCli) << m_inv.command << "finished with" << code;
    // Queued, so a command finishing inside start() still reaches a connected event loop.
    QTimer::singleShot(0, this, [this, code] { Q_EMIT finished(code); });
}

} // namespace skydeck::cli
