#include "GcloudCredentialStore.h"

#include "GcpLogging.h"

#include <QAtomicInt>
#include <QFileInfo>
#include <QJsonDocument>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

namespace skydeck::gcp {

namespace {

constexpr const char *kDefaultUniverse = "googleapis.com";

// One QSQLITE connection under a name of its own, removed when this goes out of scope. Every
// QSqlDatabase and QSqlQuery made from it must be gone by then, so they live in an inner scope.
class ScopedConnection
{
public:
    ScopedConnection()
    {
        static QAtomicInt counter;
        m_name = QStringLiteral("skydeck.gcloud.credentials.%1").arg(counter.fetchAndAddRelaxed(1));
    }
    ~ScopedConnection() { QSqlDatabase::removeDatabase(m_name); }
    ScopedConnection(const ScopedConnection &) = delete;
    ScopedConnection &operator=(const ScopedConnection &) = delete;
    const QString &name() const { return m_name; }

private:
    QString m_name;
};

Error storeError(const QString &path, const QString &what)
{
    return Error(Error::Category::Local, QStringLiteral("cannot read gcloud's credentials (%1): %2").arg(path, what),
                 QStringLiteral("BadCredentialStore"));
}

} // namespace

Result<QJsonObject> readGcloudCredentials(const QString &dbPath, const QString &account, const QString &universeDomain)
{
    if (!QFileInfo(dbPath).isFile())
        return Error(Error::Category::Auth,
                     QStringLiteral("gcloud has no stored credentials (%1 does not exist): run gcloud auth login").arg(dbPath),
                     QStringLiteral("NoCredentials"));
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return storeError(dbPath, QStringLiteral("Qt's SQLite driver (QSQLITE) is not installed"));
    const QString key = universeDomain.isEmpty() || universeDomain == QLatin1String(kDefaultUniverse)
        ? account
        : account + QLatin1Char('#') + universeDomain;

    ScopedConnection connection;
    QByteArray value;
    bool found = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connection.name());
        db.setDatabaseName(dbPath);
        db.setConnectOptions(QStringLiteral("QSQLITE_OPEN_READONLY;QSQLITE_BUSY_TIMEOUT=2000"));
        if (!db.open())
            return storeError(dbPath, db.lastError().text());
        QSqlQuery q(db);
        q.setForwardOnly(true);
        if (!q.prepare(QStringLiteral("SELECT value FROM \"credentials\" WHERE account_id = ?"))) {
            const QString why = q.lastError().text();
            q.finish();
            db.close();
            return storeError(dbPath, why);
        }
        q.addBindValue(key);
        if (!q.exec()) {
            const QString why = q.lastError().text();
            db.close();
            return storeError(dbPath, why);
        }
        if (q.next()) {
            found = true;
            value = q.value(0).toByteArray();
        }
        q.finish();
        db.close();
    }
    if (!found)
        return Error(Error::Category::Auth,
                     QStringLiteral("gcloud has no credentials for %1 in %2: run gcloud auth login %1").arg(account, dbPath),
                     QStringLiteral("NoCredentialsForAccount"));
    QJsonParseError perr;
    const QJsonDocument doc = QJsonDocument::fromJson(value, &perr);
    if (!doc.isObject())
        return Error(Error::Category::InvalidInput,
                     QStringLiteral("gcloud's credentials for %1 in %2 are not a JSON object: %3")
                         .arg(account, dbPath, perr.errorString()),
                     QStringLiteral("BadCredentialStore"));
    qCDebug(lcGcp) << "read gcloud's credentials for" << account << "from" << dbPath;
    return doc.object();
}

} // namespace skydeck::gcp
