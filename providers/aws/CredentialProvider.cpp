#include "CredentialProvider.h"

#include "AwsLogging.h"
#include "CredentialProviders.h"

#include <QHash>
#include <QMutex>
#include <QPointer>
#include <QRegularExpression>
#include <QTimeZone>

#include <atomic>

namespace skydeck::aws {

namespace {

std::atomic<qint64> s_refreshMarginMs{CredentialProvider::kDefaultRefreshMarginMs};
std::atomic<quint64> s_nextId{1};

QMutex s_promptLock;
MfaPrompt &promptSlot()
{
    static MfaPrompt prompt;
    return prompt;
}

// Signing with credentials a few seconds from their end risks their expiring on the way: they
// stop being used this long before (ten seconds, less for short-lived ones).
constexpr qint64 kExpirySkewMs = 10000;

} // namespace

// The process-wide cache: credentials by what they are for, and the fetches under way (one per
// key; other providers wait for it, on their own threads).
struct SharedCache {
    QMutex lock;
    QHash<QString, CredentialProvider::Entry> entries;
    QHash<QString, QList<std::pair<quint64, CredentialProvider *>>> flights;

    static SharedCache &get()
    {
        static SharedCache cache;
        return cache;
    }
};

struct CredentialProvider::Waiter {
    Callback<Credentials> done;
    QMetaObject::Connection cancelConnection;
};

void setMfaPrompt(MfaPrompt prompt)
{
    QMutexLocker lock(&s_promptLock);
    promptSlot() = std::move(prompt);
}

MfaPrompt mfaPrompt()
{
    QMutexLocker lock(&s_promptLock);
    return promptSlot();
}

CredentialProvider::CredentialProvider(QObject *parent) : QObject(parent), m_id(s_nextId++) {}

CredentialProvider::~CredentialProvider()
{
    m_life.cancel();
    {
        SharedCache &cache = SharedCache::get();
        QMutexLocker lock(&cache.lock);
        if (!m_key.isEmpty()) {
            auto it = cache.flights.find(m_key);
            if (it != cache.flights.end()) {
                if (m_leading) {
                    // The others waited for this fetch: one of them fetches instead.
                    for (const auto &[id, p] : std::as_const(it.value()))
                        QMetaObject::invokeMethod(
                            p, [p] { p->onFlightLanded(Error::cancelled(), {}, true); }, Qt::QueuedConnection);
                    cache.flights.erase(it);
                } else {
                    it->removeIf([this](const auto &w) { return w.first == m_id; });
                }
            }
        }
    }
    auto waiters = std::move(m_waiters);
    for (const auto &w : waiters) {
        QObject::disconnect(w->cancelConnection);
        w->done(Error::cancelled());
    }
}

void CredentialProvider::setRefreshMarginMs(qint64 ms)
{
    s_refreshMarginMs = std::max<qint64>(0, ms);
}

qint64 CredentialProvider::refreshMarginMs()
{
    return s_refreshMarginMs.load();
}

void CredentialProvider::clearSharedCache()
{
    SharedCache &cache = SharedCache::get();
    QMutexLocker lock(&cache.lock);
    cache.entries.clear();
}

QDateTime CredentialProvider::refreshTime(const Credentials &c, const QDateTime &obtained)
{
    if (!c.expires())
        return {};
    const qint64 lifetime = std::max<qint64>(0, obtained.msecsTo(c.expiration));
    return c.expiration.addMSecs(-std::min(refreshMarginMs(), lifetime / 2));
}

bool CredentialProvider::usable(const QDateTime &now) const
{
    if (m_entry.creds.isEmpty())
        return false;
    if (!m_entry.creds.expires())
        return true;
    const qint64 margin = m_entry.refreshAt.isValid() ? m_entry.refreshAt.msecsTo(m_entry.creds.expiration) : 0;
    return now.msecsTo(m_entry.creds.expiration) > std::min(kExpirySkewMs, margin / 2);
}

bool CredentialProvider::fresh(const QDateTime &now) const
{
    return usable(now) && (!m_entry.refreshAt.isValid() || now < m_entry.refreshAt);
}

const QString &CredentialProvider::key()
{
    if (!m_keyKnown) {
        m_key = sharedKey();
        m_keyKnown = true;
    }
    return m_key;
}

void CredentialProvider::credentials(const CancelToken &token, Callback<Credentials> done)
{
    if (token.isCanceled()) {
        done(Error::cancelled());
        return;
    }
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (fresh(now)) {
        done(m_entry.creds);
        return;
    }
    if (usable(now)) {
        done(m_entry.creds);  // still valid: the refresh runs under the caller
        startRefresh();
        return;
    }
    auto waiter = std::make_shared<Waiter>();
    waiter->done = std::move(done);
    m_waiters.push_back(waiter);
    std::weak_ptr<Waiter> weak = waiter;
    waiter->cancelConnection = token.onCancel(this, [this, weak] {
        auto w = weak.lock();
        if (!w)
            return;
        m_waiters.remove(w);
        w->done(Error::cancelled());
    });
    startRefresh();
}

Credentials CredentialProvider::current()
{
    if (!m_entry.creds.isEmpty() && !fresh(QDateTime::currentDateTimeUtc()))
        startRefresh();
    return m_entry.creds;
}

void CredentialProvider::invalidate(const Credentials &refused)
{
    if (refused.isEmpty())
        return;
    if (m_entry.creds.sameAs(refused)) {
        qCInfo(lcAwsCredentials).noquote() << describe() << ": refused as expired; fetching new credentials";
        m_entry = Entry();
    }
    if (key().isEmpty())
        return;
    SharedCache &cache = SharedCache::get();
    QMutexLocker lock(&cache.lock);
    auto it = cache.entries.find(m_key);
    if (it != cache.entries.end() && it->creds.sameAs(refused))
        cache.entries.erase(it);
}

void CredentialProvider::startRefresh()
{
    if (m_refreshing)
        return;
    m_refreshing = true;
    if (!key().isEmpty()) {
        SharedCache &cache = SharedCache::get();
        QMutexLocker lock(&cache.lock);
        const auto cached = cache.entries.constFind(m_key);
        const QDateTime now = QDateTime::currentDateTimeUtc();
        if (cached != cache.entries.cend() && !cached->creds.sameAs(m_entry.creds)
            && (!cached->refreshAt.isValid() || now < cached->refreshAt)) {
            const Entry entry = cached.value();
            lock.unlock();
            finishRefresh(entry.creds, entry.refreshAt);  // another client of the account fetched them
            return;
        }
        auto flight = cache.flights.find(m_key);
        if (flight != cache.flights.end()) {
            flight->append({m_id, this});  // another client is fetching them: wait for it
            return;
        }
        cache.flights.insert(m_key, {});
        m_leading = true;
    }
    ++m_fetches;
    qCDebug(lcAwsCredentials).noquote() << "fetching credentials:" << describe();
    QPointer<CredentialProvider> self(this);
    fetch(m_life, [self](Result<Credentials> r) {
        if (self)
            self->onFetched(std::move(r));
    });
}

void CredentialProvider::onFetched(Result<Credentials> result)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (result.ok() && result->expires() && result->expiration <= now)
        result = Error(Error::Category::Auth,
                       QStringLiteral("%1 gave credentials that expired at %2 (is the clock right?)")
                           .arg(describe(), result->expiration.toString(Qt::ISODate)),
                       QStringLiteral("ExpiredCredentials"));
    const QDateTime refreshAt = result.ok() ? refreshTime(result.value(), now) : QDateTime();
    if (m_leading) {
        SharedCache &cache = SharedCache::get();
        QMutexLocker lock(&cache.lock);
        if (result.ok())
            cache.entries.insert(m_key, Entry{result.value(), refreshAt});
        const auto waiting = cache.flights.take(m_key);
        for (const auto &[id, p] : waiting)
            QMetaObject::invokeMethod(
                p, [p, result, refreshAt] { p->onFlightLanded(result, refreshAt, false); }, Qt::QueuedConnection);
        m_leading = false;
    }
    finishRefresh(result, refreshAt);
}

void CredentialProvider::onFlightLanded(const Result<Credentials> &result, const QDateTime &refreshAt, bool leaderGone)
{
    if (leaderGone) {
        m_refreshing = false;
        if (!m_waiters.empty() || !m_entry.creds.isEmpty())
            startRefresh();
        return;
    }
    finishRefresh(result, refreshAt);
}

void CredentialProvider::finishRefresh(const Result<Credentials> &result, const QDateTime &refreshAt)
{
    m_refreshing = false;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    Result<Credentials> answer = result;
    if (result.ok()) {
        m_entry = Entry{result.value(), refreshAt};
        qCDebug(lcAwsCredentials).noquote() << "credentials from" << describe()
                                         << (result->expires() ? QStringLiteral("valid until ") + result->expiration.toString(Qt::ISODate)
                                                               : QStringLiteral("that do not expire"));
    } else {
        qCWarning(lcAwsCredentials).noquote() << "no credentials from" << describe() << ":" << result.error().toString();
        if (usable(now))
            answer = m_entry.creds;  // the old ones still work for a while; the next call tries again
    }
    auto waiters = std::move(m_waiters);
    m_waiters.clear();
    for (const auto &w : waiters) {
        QObject::disconnect(w->cancelConnection);
        w->done(answer);
    }
}

QDateTime parseAwsTime(const QString &text)
{
    QString s = text.trimmed();
    if (s.isEmpty())
        return {};
    // The AWS CLI's JSON cache writes datetimes with strftime('%Y-%m-%dT%H:%M:%S%Z'): "...UTC".
    if (s.endsWith(QLatin1String("UTC")))
        s = s.chopped(3) + QLatin1Char('Z');
    // ISO 8601 with up to nanoseconds: Qt reads milliseconds.
    static const QRegularExpression fraction(QStringLiteral("(\\.\\d{3})\\d+"));
    s.replace(fraction, QStringLiteral("\\1"));
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid())
        return {};
    if (t.timeSpec() == Qt::LocalTime)  // no zone given: AWS means UTC
        t.setTimeZone(QTimeZone::utc());
    return t.toUTC();
}

bool isExpiredCredentialsCode(const QString &code)
{
    return code == QLatin1String("ExpiredToken") || code == QLatin1String("ExpiredTokenException")
        || code == QLatin1String("RequestExpired") || code == QLatin1String("TokenRefreshRequired");
}

} // namespace skydeck::aws
