#include "AddedAccounts.h"

#include "AccountRegistry.h"
#include "CredentialStore.h"
#include "GcpConfig.h"
#include "GuiLogging.h"

#include <QDir>
#include <QProcessEnvironment>

#include <QRegularExpression>
#include <QSettings>

namespace skydeck::gui {

namespace {
const QString kGroup = QStringLiteral("accounts/added");

// The secret an added account of `provider` keeps in the keychain (none for a key file).
QString secretNameFor(const QString &provider)
{
    if (provider == QLatin1String("azure"))
        return QStringLiteral("clientSecret");
    if (provider == QLatin1String("gcp"))
        return {};
    return QStringLiteral("secretAccessKey");
}

QString groupFor(const QString &accountId)
{
    QString group = accountId;
    return group.replace(QLatin1Char(':'), QLatin1Char('_')).replace(QLatin1Char('/'), QLatin1Char('_'));
}
} // namespace

AddedAccounts::AddedAccounts(AccountRegistry *registry, CredentialStore *store, QObject *parent)
    : QObject(parent), m_registry(registry), m_store(store)
{
}

QString AddedAccounts::idForName(const QString &name, const QString &provider)
{
    QString slug = name.trimmed().toLower();
    slug.replace(QRegularExpression(QStringLiteral("[^a-z0-9._-]+")), QStringLiteral("-"));
    return provider + QStringLiteral(":added:") + slug;
}

void AddedAccounts::loadAll()
{
    QSettings s;
    s.beginGroup(kGroup);
    const QStringList ids = s.childGroups();
    for (const QString &group : ids) {
        s.beginGroup(group);
        Account a;
        a.id = s.value(QStringLiteral("id")).toString();
        a.provider = s.value(QStringLiteral("provider"), QStringLiteral("aws")).toString();  // older entries: S3
        a.displayName = s.value(QStringLiteral("displayName")).toString();
        a.source = addedSource();
        for (const QString &k : s.childKeys())
            if (k != QLatin1String("id") && k != QLatin1String("provider") && k != QLatin1String("displayName"))
                a.settings.insert(k, s.value(k).toString());
        s.endGroup();
        if (a.id.isEmpty())
            continue;
        const QString secretName = secretNameFor(a.provider);
        if (!m_store || secretName.isEmpty()) {
            registerResolved(a);
            continue;
        }
        m_store->read(a.id, secretName, this, [this, a, secretName](Result<QString> secret) mutable {
            if (secret.ok()) {
                a.secrets.insert(secretName, secret.value());
            } else {
                Error e = secret.error();
                e.setContext(tr("reading the secret of %1 from the keychain").arg(a.displayName));
                Q_EMIT errorOccurred(e);
            }
            registerResolved(a);
        });
    }
}

void AddedAccounts::registerResolved(Account account)
{
    if (!m_registry)
        return;
    const QString keyFile = account.setting(QStringLiteral("keyFile"));
    if (account.provider == QLatin1String("gcp") && !keyFile.isEmpty()) {
        // The key stays in the user's file (a few KB, read like the discovered accounts' files).
        Result<Account> r = gcp::accountFromCredentialsFile(keyFile, account.id, account.source,
                                                            QProcessEnvironment::systemEnvironment(), QDir::homePath());
        if (!r.ok()) {
            Error e = r.error();
            e.setContext(tr("reading the key file of %1").arg(account.displayName));
            Q_EMIT errorOccurred(e);
        } else {
            const QString name = account.displayName;
            account = r.value();
            account.displayName = name;
        }
    }
    m_registry->addAccount(account);
}

void AddedAccounts::add(const Account &account, const QString &secretName, const QString &secret)
{
    QSettings s;
    s.beginGroup(kGroup);
    s.beginGroup(groupFor(account.id));
    s.remove(QString());  // a replaced account keeps nothing of the old one's settings
    s.setValue(QStringLiteral("id"), account.id);
    s.setValue(QStringLiteral("provider"), account.provider);
    s.setValue(QStringLiteral("displayName"), account.displayName);
    for (auto it = account.settings.cbegin(); it != account.settings.cend(); ++it)
        s.setValue(it.key(), it.value());  // never a secret: those live in account.secrets
    s.endGroup();
    s.endGroup();

    Account withSecret = account;
    withSecret.secrets.clear();
    if (!secretName.isEmpty())
        withSecret.secrets.insert(secretName, secret);
    registerResolved(withSecret);
    if (!m_store || secretName.isEmpty())
        return;
    const QString name = account.displayName;
    m_store->write(account.id, secretName, secret, this, [this, name](Status st) {
        if (st.ok()) {
            Q_EMIT message(tr("Saved the secret of %1 in the keychain").arg(name));
        } else {
            Error e = st.error();
            e.setContext(tr("saving the secret of %1 in the keychain").arg(name));
            Q_EMIT errorOccurred(e);
        }
    });
}

void AddedAccounts::remove(const QString &accountId)
{
    QSettings s;
    s.beginGroup(kGroup);
    s.remove(groupFor(accountId));
    if (m_store)
        m_store->removeAccount(accountId, this, [](Status) {});
    if (m_registry)
        m_registry->removeAccount(accountId);
}

QString AddedAccounts::addedSource()
{
    return tr("added in Skydeck");
}

} // namespace skydeck::gui
