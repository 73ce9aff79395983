#include "CredentialStore.h"

#include <QSettings>
#include <QTimer>

#include <qt6keychain/keychain.h>

Q_LOGGING_CATEGORY(lcCredentials, "skydeck.credentials")

namespace skydeck {

struct CredentialStore::Op {
    enum class Kind { Read, Write, Remove };
    Kind kind = Kind::Read;
    QString key;
    QString secret;
    QPointer<QObject> context;
    bool hasContext = false;
    ReadCallback done;
    int attempt = 0;  // 0: first try, 1: the one retry
    bool answered = false;
};

namespace {

const char *kindName(int kind)
{
    switch (kind) {
    case 0: return "read";
    case 1: return "write";
    default: return "delete";
    }
}

// An answer from libsecret/KWallet that means no keychain service is reachable at all.
bool meansNoBackend(int code, const QString &errorString)
{
    if (code == QKeychain::NoBackendAvailable || code == QKeychain::NotImplemented)
        return true;
    const QString e = errorString.toLower();
    return e.contains(QLatin1String("org.freedesktop.secrets")) || e.contains(QLatin1String("serviceunknown"))
        || e.contains(QLatin1String("no such interface")) || e.contains(QLatin1String("dbus"))
        || e.contains(QLatin1String("d-bus")) || e.contains(QLatin1String("not provided by any .service"))
        || e.contains(QLatin1String("could not connect")) || e.contains(QLatin1String("cannot autolaunch"))
        // gnome-keyring without a login collection and nobody to prompt (a headless session)
        || e.contains(QLatin1String("object does not exist at path"));
}

} // namespace

CredentialStore::CredentialStore(QObject *parent)
    : CredentialStore(QStringLiteral("skydeck"), QStringLiteral("credentials"), parent)
{
}

CredentialStore::CredentialStore(const QString &service, const QString &settingsGroup, QObject *parent)
    : QObject(parent), m_service(service), m_settingsGroup(settingsGroup)
{
}

CredentialStore::~CredentialStore() = default;

QString CredentialStore::scopedKey(const QString &accountId, const QString &name)
{
    return QStringLiteral("skydeck:") + accountId + QLatin1Char(':') + name;
}

void CredentialStore::read(const QString &accountId, const QString &name, QObject *context, ReadCallback done)
{
    auto op = std::make_shared<Op>();
    op->kind = Op::Kind::Read;
    op->key = scopedKey(accountId, name);
    op->context = context;
    op->hasContext = context != nullptr;
    op->done = std::move(done);
    start(op);
}

void CredentialStore::write(const QString &accountId, const QString &name, const QString &secret, QObject *context,
                            StatusCallback done)
{
    auto op = std::make_shared<Op>();
    op->kind = Op::Kind::Write;
    op->key = scopedKey(accountId, name);
    op->secret = secret;
    op->context = context;
    op->hasContext = context != nullptr;
    op->done = [done = std::move(done)](Result<QString> r) { done(r.ok() ? Status(Done{}) : Status(r.error())); };
    start(op);
}

void CredentialStore::remove(const QString &accountId, const QString &name, QObject *context, StatusCallback done)
{
    auto op = std::make_shared<Op>();
    op->kind = Op::Kind::Remove;
    op->key = scopedKey(accountId, name);
    op->context = context;
    op->hasContext = context != nullptr;
    op->done = [done = std::move(done)](Result<QString> r) { done(r.ok() ? Status(Done{}) : Status(r.error())); };
    start(op);
}

void CredentialStore::removeAccount(const QString &accountId, QObject *context, StatusCallback done)
{
    const QStringList todo = names(accountId);
    if (todo.isEmpty()) {
        QPointer<QObject> ctx = context;
        const bool hasContext = context != nullptr;
        QTimer::singleShot(0, this, [ctx, hasContext, done = std::move(done)] {
            if (!hasContext || ctx)
                done(Status(Done{}));
        });
        return;
    }
    // One delete after the other; the first error is reported once all were tried.
    struct State {
        int remaining;
        Error firstError;
    };
    auto state = std::make_shared<State>(State{static_cast<int>(todo.size()), {}});
    auto shared = std::make_shared<StatusCallback>(std::move(done));
    for (const QString &n : todo) {
        remove(accountId, n, context, [state, shared](Status s) {
            if (!s.ok() && !state->firstError.isError())
                state->firstError = s.error();
            if (--state->remaining == 0)
                (*shared)(state->firstError.isError() ? Status(state->firstError) : Status(Done{}));
        });
    }
}

QStringList CredentialStore::storedKeys() const
{
    QSettings settings;
    QStringList keys = settings.value(m_settingsGroup + QStringLiteral("/keys")).toStringList();
    for (auto it = m_sessionSecrets.cbegin(); it != m_sessionSecrets.cend(); ++it)
        if (!keys.contains(it.key()))
            keys.append(it.key());
    return keys;
}

QStringList CredentialStore::names(const QString &accountId) const
{
    const QString prefix = scopedKey(accountId, {});
    QStringList out;
    for (const QString &k : storedKeys())
        if (k.startsWith(prefix))
            out.append(k.mid(prefix.size()));
    return out;
}

void CredentialStore::useSessionOnly(const QString &reason)
{
    if (m_sessionOnly)
        return;
    m_sessionOnly = true;
    qCWarning(lcCredentials).noquote() << "no keychain:" << reason << "- secrets are kept for this session only";
    Q_EMIT backendUnavailable(reason);
    Q_EMIT sessionOnlyChanged(true);
}

void CredentialStore::start(const std::shared_ptr<Op> &op)
{
    if (m_sessionOnly) {
        // Still asynchronous, like a keychain answer.
        QTimer::singleShot(0, this, [this, op] { runInMemory(op); });
        return;
    }
    startJob(op);
}

void CredentialStore::startJob(const std::shared_ptr<Op> &op)
{
    QKeychain::Job *job = nullptr;
    switch (op->kind) {
    case Op::Kind::Read:
        job = new QKeychain::ReadPasswordJob(m_service);
        break;
    case Op::Kind::Write: {
        auto *w = new QKeychain::WritePasswordJob(m_service);
        w->setTextData(op->secret);
        job = w;
        break;
    }
    case Op::Kind::Remove:
        job = new QKeychain::DeletePasswordJob(m_service);
        break;
    }
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(op->key);
    const int attempt = op->attempt;
    connect(job, &QKeychain::Job::finished, this, [this, op, attempt](QKeychain::Job *j) {
        QString data;
        if (auto *r = qobject_cast<QKeychain::ReadPasswordJob *>(j))
            data = r->textData();
        onJobResult(op, attempt, j->error(), j->errorString(), data);
    });
    if (op->kind != Op::Kind::Read && m_writeTimeoutMs > 0) {
        QTimer::singleShot(m_writeTimeoutMs, this, [this, op, attempt] {
            onJobResult(op, attempt, QKeychain::OtherError,
                        QStringLiteral("the keychain did not answer within %1 s").arg(m_writeTimeoutMs / 1000.0), {});
        });
    }
    qCDebug(lcCredentials) << kindName(static_cast<int>(op->kind)) << op->key << "attempt" << attempt + 1;
    job->start();
}

void CredentialStore::onJobResult(const std::shared_ptr<Op> &op, int attempt, int code, const QString &errorString,
                                  const QString &data)
{
    if (op->answered || attempt != op->attempt)
        return;  // a late answer from an attempt that already timed out
    const char *what = kindName(static_cast<int>(op->kind));
    switch (code) {
    case QKeychain::NoError:
        qCInfo(lcCredentials) << what << op->key << "ok";
        if (op->kind == Op::Kind::Write)
            remember(op->key);
        else if (op->kind == Op::Kind::Remove)
            forget(op->key);
        finish(op, op->kind == Op::Kind::Read ? data : QString());
        return;
    case QKeychain::EntryNotFound:
        if (op->kind == Op::Kind::Remove) {
            forget(op->key);
            finish(op, QString());
        } else {
            finish(op, Error(Error::Category::NotFound, QStringLiteral("no secret stored for ") + op->key));
        }
        return;
    case QKeychain::AccessDeniedByUser:
        qCWarning(lcCredentials) << what << op->key << "denied by the user";
        finish(op, Error(Error::Category::Permission, QStringLiteral("access to the keychain was denied")));
        return;
    default:
        break;
    }
    if (op->attempt == 0) {
        // The keyring may not be up yet (session start, locked collection): try once more.
        qCInfo(lcCredentials).noquote() << what << op->key << "failed:" << errorString << "(code" << code
                                        << ") - retrying once";
        op->attempt = 1;
        QTimer::singleShot(m_retryDelayMs, this, [this, op] {
            if (m_sessionOnly)
                runInMemory(op);
            else
                startJob(op);
        });
        return;
    }
    if (meansNoBackend(code, errorString)) {
        useSessionOnly(QStringLiteral("no keychain service is available (%1)").arg(errorString));
        runInMemory(op);
        return;
    }
    qCWarning(lcCredentials).noquote() << what << op->key << "failed:" << errorString;
    finish(op, Error(Error::Category::Local, QStringLiteral("keychain %1 failed: %2").arg(QLatin1String(what), errorString)));
}

void CredentialStore::runInMemory(const std::shared_ptr<Op> &op)
{
    switch (op->kind) {
    case Op::Kind::Read:
        if (m_sessionSecrets.contains(op->key))
            finish(op, m_sessionSecrets.value(op->key));
        else
            finish(op, Error(Error::Category::NotFound, QStringLiteral("no secret stored for ") + op->key));
        return;
    case Op::Kind::Write:
        m_sessionSecrets.insert(op->key, op->secret);  // not listed in settings: gone with the session
        qCInfo(lcCredentials) << "write" << op->key << "kept for this session only";
        finish(op, QString());
        return;
    case Op::Kind::Remove:
        m_sessionSecrets.remove(op->key);
        finish(op, QString());
        return;
    }
}

void CredentialStore::finish(const std::shared_ptr<Op> &op, Result<QString> result)
{
    if (op->answered)
        return;
    op->answered = true;
    op->secret.clear();
    if (op->hasContext && !op->context)
        return;  // the caller is gone
    auto done = std::move(op->done);
    done(std::move(result));
}

void CredentialStore::remember(const QString &key)
{
    QSettings settings;
    QStringList keys = settings.value(m_settingsGroup + QStringLiteral("/keys")).toStringList();
    if (!keys.contains(key)) {
        keys.append(key);
        settings.setValue(m_settingsGroup + QStringLiteral("/keys"), keys);
    }
}

void CredentialStore::forget(const QString &key)
{
    QSettings settings;
    QStringList keys = settings.value(m_settingsGroup + QStringLiteral("/keys")).toStringList();
    if (keys.removeAll(key) > 0)
        settings.setValue(m_settingsGroup + QStringLiteral("/keys"), keys);
}

} // namespace skydeck
