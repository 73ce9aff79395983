#pragma once

#include <QMap>
#include <QMetaType>
#include <QString>

namespace skydeck {

// One set of credentials at one provider, as discovered (environment, ~/.aws, ...) or added in the
// UI. Settings are not secret and may be saved; secrets live in memory only (loaded from the
// keychain or the user's own credential files) and are never written to settings or logs.
struct Account {
    QString id;           // stable and unique: "aws:profile:work", "sandbox:s3"
    QString provider;     // "aws", "gcp", "azure", "ssh", "docker"
    QString displayName;  // "AWS · work", "Sandbox S3 (local, not a cloud account)"
    QString source;       // where it was found: "environment", "~/.aws/credentials", "added in Skydeck"
    bool sandbox = false;
    QMap<QString, QString> settings;  // e.g. region, endpoint, addressingStyle, accessKeyId, profile
    QMap<QString, QString> secrets;   // e.g. secretAccessKey, sessionToken; memory only

    QString setting(const QString &key, const QString &fallback = {}) const { return settings.value(key, fallback); }
    QString secret(const QString &key) const { return secrets.value(key); }
    // The user allowed plain http:// to a host that is not loopback (HttpClient refuses it otherwise).
    bool allowsInsecureHttp() const { return setting(QStringLiteral("allowInsecureHttp")) == QLatin1String("true"); }
};

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::Account)
