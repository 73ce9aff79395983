#include "AddedAccounts.h"

#include "AccountRegistry.h"
#include "CredentialStore.h"
#include "GuiLogging.h"

#include <QRegularExpression>
#include <QSettings>

namespace skydeck::gui {

namespace {
const QString kGroup = QStringLiteral("accounts/added");
const QString kSecret = QStringLiteral("secretAccessKey");
} // namespace

AddedAccounts::AddedAccounts(AccountRegistry *registry, CredentialStore *store, QObject *parent)
    : QObject(parent), m_registry(registry), m_store(store)
{
}

QString AddedAccounts::idForName(const QString &name)
{
    QString slug = name.trimmed().toLower();
    slug.replace(QRegularExpression(QStringLiteral("[^a-z0-9._-]+")), QStringLiteral("-"));
    return QStringLiteral("aws:added:") + slug;
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
        a.provider = QStringLiteral("aws");
        a.displayName = s.value(QStringLiteral("displayName")).toString();
        a.source = addedSource();
        for (const QString &k : {QStringLiteral("region"), QStringLiteral("endpoint"), QStringLiteral("addressingStyle"),
                                 QStringLiteral("accessKeyId")})
            if (s.contains(k))
                a.settings.insert(k, s.value(k).toString());
        s.endGroup();
        if (a.id.isEmpty())
            continue;
        if (!m_store) {
            m_registry->addAccount(a);
            continue;
        }
        m_store->read(a.id, kSecret, this, [this, a](Result<QString> secret) mutable {
            if (secret.ok()) {
                a.secrets.insert(kSecret, secret.value());
            } else {
                Error e = secret.error();
                e.setContext(tr("reading the secret of %1 from the keychain").arg(a.displayName));
                Q_EMIT errorOccurred(e);
            }
            if (m_registry)
                m_registry->addAccount(a);
        });
    }
}

void AddedAccounts::add(const Account &account, const QString &secretAccessKey)
{
    QSettings s;
    s.beginGroup(kGroup);
    QString group = account.id;
    group.replace(QLatin1Char(':'), QLatin1Char('_')).replace(QLatin1Char('/'), QLatin1Char('_'));
    s.beginGroup(group);
    s.setValue(QStringLiteral("id"), account.id);
    s.setValue(QStringLiteral("displayName"), account.displayName);
    for (auto it = account.settings.cbegin(); it != account.settings.cend(); ++it)
        s.setValue(it.key(), it.value());  // never a secret: those live in account.secrets
    s.endGroup();
    s.endGroup();

    Account withSecret = account;
    withSecret.secrets.insert(kSecret, secretAccessKey);
    m_registry->addAccount(withSecret);
    if (!m_store)
        return;
    const QString name = account.displayName;
    m_store->write(account.id, kSecret, secretAccessKey, this, [this, name](Status st) {
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
    QString group = accountId;
    group.replace(QLatin1Char(':'), QLatin1Char('_')).replace(QLatin1Char('/'), QLatin1Char('_'));
    s.remove(group);
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
