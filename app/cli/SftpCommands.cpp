#include "SftpCommands.h"

#include "DisplayText.h"
#include "ExitCode.h"
#include "SftpClient.h"
#include "SftpStorage.h"
#include "SshSession.h"
#include "TerminalPrompt.h"
#include "TransferEngine.h"

#include <QDir>
#include <QFileInfo>

namespace skydeck::cli {

namespace {

QString permissionText(const RemoteEntry &e)
{
    QString s;
    s += e.type == RemoteEntry::Type::Directory ? QLatin1Char('d') : e.type == RemoteEntry::Type::Symlink ? QLatin1Char('l') : QLatin1Char('-');
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s += (e.permissions & (0400u >> i)) ? QLatin1Char(rwx[i]) : QLatin1Char('-');
    return s;
}

// A remote name as the terminal may show it (also when --raw: an SFTP name is not a key a script
// copies back; the listing's own format is ours).
QString printable(const QString &name)
{
    return displayText(name);
}

} // namespace

std::optional<CloudUrl> sftpOperand(const QStringList &args)
{
    for (const QString &a : args) {
        Result<CloudUrl> u = CloudUrl::parse(a);
        if (u.ok() && u->scheme() == CloudUrl::Scheme::Sftp)
            return u.value();
    }
    return std::nullopt;
}

SftpConnection::SftpConnection(const CloudUrl &url, bool acceptNewHostKey, QObject *parent)
    : QObject(parent), m_url(url), m_accept(acceptNewHostKey)
{
}

SftpConnection::~SftpConnection()
{
    m_client.reset();
    m_session.reset();
}

void SftpConnection::start()
{
    const ssh::SshConfig config = ssh::SshConfig::load();
    ssh::SshHostConfig host = config.resolve(m_url.host());
    if (!m_url.user().isEmpty())
        host.user = m_url.user();
    if (m_url.port() > 0)
        host.port = m_url.port();
    m_session = std::make_unique<ssh::SshSession>(host);
    m_session->setSshConfig(config);
    m_session->setAcceptNewHostKey(m_accept);
    connect(m_session.get(), &ssh::SshSession::hostKeyQuestion, this, [this](const ssh::HostKeyCheck &check) {
        Q_UNUSED(check);
        m_session->answerHostKey(false);
    });
    // Passwords and keyboard-interactive prompts are asked on the terminal, as ssh asks them; with
    // no terminal they are declined and the error says what was asked.
    connect(m_session.get(), &ssh::SshSession::passwordNeeded, this, [this](const QString &prompt) {
        const std::optional<QString> password = TerminalPrompt::ask(ssh::KbdIntQuestion::printable(prompt) + QLatin1Char(' '), true);
        if (!password || password->isEmpty())
            m_unanswered = ssh::KbdIntQuestion::printable(prompt);
        m_session->answerPassword(password.value_or(QString()));
    });
    connect(m_session.get(), &ssh::SshSession::keyboardInteractiveQuestion, this, [this](const ssh::KbdIntQuestion &q) {
        m_session->answerKeyboardInteractive(askOnTerminal(q));
    });
    // A key's passphrase too, as ssh asks it (only for a key the server takes); with no terminal
    // the key is skipped and the error says so.
    connect(m_session.get(), &ssh::SshSession::passphraseNeeded, this, [this](const QString &keyFile) {
        const std::optional<QString> passphrase =
            TerminalPrompt::ask(QStringLiteral("Enter passphrase for key '%1': ").arg(displayText(keyFile)), true);
        if (!passphrase || passphrase->isEmpty())
            m_unanswered = QStringLiteral("the passphrase of %1").arg(displayText(keyFile));
        m_session->answerPassphrase(passphrase.value_or(QString()));
    });
    connect(m_session.get(), &ssh::SshSession::failed, this, [this](const Error &e) {
        // Only a new key can be accepted from here. A changed key's message names the line to remove
        // once the new key is verified; a revoked key has nothing to offer. A failed login's message
        // says what was tried; what could not be asked here is added.
        Error out = e;
        if (e.code() == QLatin1String("HostKeyUnknown"))
            out = Error(e.category(), e.message() + QStringLiteral(" (run again with --accept-new-host-key to trust it)"), e.code());
        else if (!m_unanswered.isEmpty() && !TerminalPrompt::available())
            out = Error(e.category(),
                        e.message() + QStringLiteral("; there is no terminal to ask on: run skydeck on a terminal to answer, "
                                                     "or log in with a key or the agent"),
                        e.code());
        Q_EMIT failed(out.setContext(QStringLiteral("sftp://") + m_session->host().displayName()));
    });
    connect(m_session.get(), &ssh::SshSession::ready, this, [this] {
        m_client = std::make_shared<ssh::SftpClient>(m_session.get());
        whenDone(m_client->homeDirectory(), this, [this](Result<QString> home) {
            if (!home.ok())
                return Q_EMIT failed(home.error());
            m_home = home.value();
            Q_EMIT ready();
        });
    });
    m_session->connectToHost();
}

QStringList SftpConnection::askOnTerminal(const ssh::KbdIntQuestion &q)
{
    using ssh::KbdIntQuestion;
    if (!TerminalPrompt::available()) {
        m_unanswered = q.summary();
        return {};
    }
    for (const QString &text : {q.name, q.instruction}) {
        if (!KbdIntQuestion::printable(text).isEmpty())
            TerminalPrompt::say(KbdIntQuestion::printable(text, 400));
    }
    QStringList answers;
    for (const ssh::KbdIntPrompt &p : q.prompts) {
        const std::optional<QString> a = TerminalPrompt::ask(KbdIntQuestion::printable(p.text) + QLatin1Char(' '), !p.echo);
        if (!a) {
            m_unanswered = q.summary();
            return {};
        }
        answers << *a;
    }
    return answers;
}

SftpListCommand::SftpListCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts,
                                 const QString &accountId, std::shared_ptr<ssh::SftpClient> client, QString home,
                                 QObject *parent)
    : Command(invocation, output, accounts, accountId, parent), m_client(std::move(client)), m_home(std::move(home))
{
}

void SftpListCommand::start()
{
    const CloudUrl url = CloudUrl::parse(inv().args.value(0)).value();
    QString path = url.key();
    if (path.isEmpty() || path == QLatin1String("/~") || path.startsWith(QLatin1String("/~/")))
        path = m_home + path.mid(2);
    auto print = [this](const RemoteEntry &e, const QString &name) {
        out().line(permissionText(e) + QLatin1Char(' ') + QString::number(e.size).rightJustified(12, QLatin1Char(' '))
                   + QLatin1Char(' ') + Output::timestamp(e.modified) + QLatin1Char(' ') + printable(name));
    };
    whenDone(m_client->stat(path), this, [this, path, print](Result<RemoteEntry> st) {
        if (!st.ok())
            return fail(st.error());
        if (!st->isDirectory()) {
            print(st.value(), st->name);
            return succeed();
        }
        if (inv().recursive) {
            whenDone(m_client->walk(path), this, [this, path, print](Result<ssh::SftpClient::Tree> t) {
                if (!t.ok())
                    return fail(t.error());
                for (const RemoteEntry &e : t->files)
                    print(e, e.path.mid(path.size() + (path.endsWith(QLatin1Char('/')) ? 0 : 1)));
                succeed();
            });
            return;
        }
        whenDone(m_client->list(path), this, [this, print](Result<QList<RemoteEntry>> l) {
            if (!l.ok())
                return fail(l.error());
            QList<RemoteEntry> entries = l.value();
            std::sort(entries.begin(), entries.end(), [](const RemoteEntry &a, const RemoteEntry &b) { return a.name < b.name; });
            for (const RemoteEntry &e : entries)
                print(e, e.isDirectory() ? e.name + QLatin1Char('/') : e.name);
            succeed();
        });
    });
}

SftpCopyCommand::SftpCopyCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts,
                                 const QString &accountId, std::shared_ptr<ssh::SftpClient> client, QString home,
                                 QObject *parent)
    : Command(invocation, output, accounts, accountId, parent), m_client(std::move(client)), m_home(std::move(home))
{
}

SftpCopyCommand::~SftpCopyCommand() = default;

QString SftpCopyCommand::remotePath(const CloudUrl &url) const
{
    QString path = url.key();
    if (path.isEmpty() || path == QLatin1String("/~") || path.startsWith(QLatin1String("/~/")))
        path = m_home + path.mid(2);
    return path;
}

void SftpCopyCommand::start()
{
    Result<CloudUrl> src = CloudUrl::parse(inv().args.value(0));
    Result<CloudUrl> dst = CloudUrl::parse(inv().args.value(1));
    if (!src.ok())
        return fail(src.error());
    if (!dst.ok())
        return fail(dst.error());
    const bool srcRemote = src->scheme() == CloudUrl::Scheme::Sftp;
    const bool dstRemote = dst->scheme() == CloudUrl::Scheme::Sftp;
    if (srcRemote == dstRemote || (!srcRemote && !src->isLocal()) || (!dstRemote && !dst->isLocal()))
        return fail(ExitUsage, QStringLiteral("cp with sftp:// copies between a local path and one sftp:// location"));
    m_engine = new TransferEngine(&accounts(), this);
    m_engine->setKeepFinished(false);
    connect(m_engine, &TransferEngine::transferRemoved, this, [this](quint64 id) { m_reported.remove(id); });
    connect(m_engine, &TransferEngine::transferAdded, this, [this](const TransferStatus &s) {
        ++m_total;
        onChanged(s);
    });
    connect(m_engine, &TransferEngine::transferChanged, this, &SftpCopyCommand::onChanged);
    connect(m_engine, &TransferEngine::expansionFailed, this, [this](const Error &e) {
        ++m_failed;
        if (!m_firstError.isError())
            m_firstError = e;
    });
    connect(m_engine, &TransferEngine::totalsChanged, this, [this](qint64 done, qint64 total, double bps) {
        QString line = Output::humanSize(done);
        if (total > 0)
            line += QStringLiteral(" / %1").arg(Output::humanSize(total));
        if (bps > 0)
            line += QStringLiteral("  %1/s").arg(Output::humanSize(qint64(bps)));
        out().progress(line);
    });
    connect(m_engine, &TransferEngine::idle, this, &SftpCopyCommand::onIdle);
    if (srcRemote)
        download(src.value(), dst.value());
    else
        upload(src.value(), dst.value());
}

void SftpCopyCommand::upload(const CloudUrl &src, const CloudUrl &dst)
{
    const QString local = src.absoluteLocalPath();
    const QFileInfo fi(local);
    if (!fi.exists())
        return fail(ExitNotFound, local + QStringLiteral(": no such file or directory"));
    QString target = remotePath(dst);
    const QString bucket = m_client->displayName();
    if (fi.isDir()) {
        if (!inv().recursive)
            return fail(ExitUsage, local + QStringLiteral(" is a directory (use -r)"));
        if (target.endsWith(QLatin1Char('/')))
            target += fi.fileName();
        m_engine->uploadFolder(accountId(), local, bucket, ssh::SftpStorage::keyForPath(target));
        return;
    }
    auto go = [this, local, bucket](const QString &path) {
        TransferSpec s;
        s.kind = TransferKind::Upload;
        s.accountId = accountId();
        s.bucket = bucket;
        s.key = ssh::SftpStorage::keyForPath(path);
        s.localPath = local;
        m_engine->enqueue(s);
    };
    if (target.endsWith(QLatin1Char('/')))
        return go(target + fi.fileName());
    // An existing remote directory receives the file under its own name.
    whenDone(m_client->stat(target), this, [go, target, fi](Result<RemoteEntry> st) {
        go(st.ok() && st->isDirectory() ? target + QLatin1Char('/') + fi.fileName() : target);
    });
}

void SftpCopyCommand::download(const CloudUrl &src, const CloudUrl &dst)
{
    const QString path = remotePath(src);
    const QString local = dst.absoluteLocalPath();
    const QString bucket = m_client->displayName();
    whenDone(m_client->stat(path), this, [this, path, local, bucket](Result<RemoteEntry> st) {
        if (!st.ok())
            return fail(st.error());
        const QFileInfo lfi(local);
        if (st->isDirectory()) {
            if (!inv().recursive)
                return fail(ExitUsage, path + QStringLiteral(" is a directory (use -r)"));
            const QString name = st->name.isEmpty() ? QStringLiteral("root") : st->name;
            const QString root = lfi.isDir() ? QDir(local).filePath(name) : local;
            // The directory's own name is mapped like any remote name (never trusted as a path).
            if (name.contains(QLatin1Char('/')) || name == QLatin1String("..") || name == QLatin1String("."))
                return fail(ExitFailure, QStringLiteral("refusing the remote name %1").arg(printable(name)));
            QDir().mkpath(root);
            m_engine->downloadPrefix(accountId(), bucket, ssh::SftpStorage::keyForPath(path), root);
            return;
        }
        if (st->type != RemoteEntry::Type::File)
            return fail(ExitFailure, path + QStringLiteral(": not a regular file (symlinks are not followed)"));
        TransferSpec s;
        s.kind = TransferKind::Download;
        s.accountId = accountId();
        s.bucket = bucket;
        s.key = ssh::SftpStorage::keyForPath(path);
        s.localPath = lfi.isDir() ? QDir(local).filePath(st->name) : local;
        s.knownSize = st->size;
        s.knownEtag = ssh::SftpClient::versionTag(st.value());
        m_engine->enqueue(s);
    });
}

void SftpCopyCommand::onChanged(const TransferStatus &s)
{
    if (!s.isFinished() || m_reported.value(s.id))
        return;
    m_reported.insert(s.id, true);
    const QString remote = QStringLiteral("sftp://%1/%2").arg(s.spec.bucket, s.spec.key);
    if (s.state == TransferState::Done) {
        out().clearProgress();
        if (s.spec.kind == TransferKind::Upload)
            out().line(QStringLiteral("upload: %1 to %2").arg(s.spec.localPath, printable(remote)));
        else
            out().line(QStringLiteral("download: %1 to %2").arg(printable(remote), s.spec.localPath));
        return;
    }
    ++m_failed;
    if (!m_firstError.isError())
        m_firstError = s.error.isError() ? s.error : Error::cancelled();
}

void SftpCopyCommand::onIdle()
{
    if (isFinished())
        return;
    if (m_failed > 0) {
        const int code = m_firstError.category() == Error::Category::InvalidInput ? int(ExitFailure) : exitCodeFor(m_firstError);
        if (m_total > 1)
            return fail(code, QStringLiteral("%1 of %2 transfers failed; first: %3").arg(m_failed).arg(m_total).arg(m_firstError.toString()));
        return fail(code, m_firstError.toString());
    }
    succeed();
}

void SftpCopyCommand::interrupt()
{
    if (m_engine)
        m_engine->cancelAll();
    Command::interrupt();
}

} // namespace skydeck::cli
