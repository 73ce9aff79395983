// Static and invalid providers, the factory, and what the AWS CLI's cache needs.
#include "CredentialProviders.h"

#include "AwsLogging.h"
#include "SmallFile.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <algorithm>

namespace skydeck::aws {

void Mailbox::post(std::function<void()> fn)
{
    QMutexLocker lock(&m_lock);
    // Posting under the lock: close() cannot finish, nor the owner be destroyed, meanwhile; an
    // event posted to it before it goes is discarded with it.
    if (m_owner)
        QMetaObject::invokeMethod(m_owner, std::move(fn), Qt::QueuedConnection);
}

void Mailbox::close()
{
    QMutexLocker lock(&m_lock);
    m_owner = nullptr;
}

StaticCredentialProvider::StaticCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec)
{
}

QString StaticCredentialProvider::describe() const
{
    if (m_spec.origin == QLatin1String("environment"))
        return QStringLiteral("the keys in AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY");
    if (!m_spec.profile.isEmpty())
        return QStringLiteral("the static keys of profile %1").arg(m_spec.profile);
    return QStringLiteral("static keys");
}

void StaticCredentialProvider::fetch(const CancelToken &, Callback<Credentials> done)
{
    if (m_spec.accessKeyId.isEmpty() || m_spec.secretAccessKey.isEmpty()) {
        done(Error(Error::Category::Auth, QStringLiteral("no access key and secret key to sign with"),
                   QStringLiteral("NoCredentials")));
        return;
    }
    Credentials c;
    c.accessKeyId = m_spec.accessKeyId;
    c.secretAccessKey = m_spec.secretAccessKey;
    c.sessionToken = m_spec.sessionToken;
    done(c);
}

InvalidCredentialProvider::InvalidCredentialProvider(const CredentialSpec &spec, QObject *parent)
    : CredentialProvider(parent), m_spec(spec)
{
}

QString InvalidCredentialProvider::describe() const
{
    return m_spec.profile.isEmpty() ? QStringLiteral("the credential configuration")
                                    : QStringLiteral("profile %1").arg(m_spec.profile);
}

void InvalidCredentialProvider::fetch(const CancelToken &, Callback<Credentials> done)
{
    done(Error(Error::Category::Auth,
               (m_spec.profile.isEmpty() ? QString() : QStringLiteral("the AWS profile '%1' cannot be used: ").arg(m_spec.profile))
                   + m_spec.error,
               QStringLiteral("InvalidCredentialConfig")));
}

CredentialProvider *createClientCredentials(const std::optional<CredentialSpec> &source, const Credentials &keys,
                                            QObject *parent)
{
    if (source)
        return createCredentialProvider(*source, parent);
    if (keys.accessKeyId.isEmpty())
        return nullptr;
    CredentialSpec spec;
    spec.accessKeyId = keys.accessKeyId;
    spec.secretAccessKey = keys.secretAccessKey;
    spec.sessionToken = keys.sessionToken;
    return createCredentialProvider(spec, parent);
}

CredentialProvider *createCredentialProvider(const CredentialSpec &spec, QObject *parent)
{
    switch (spec.kind) {
    case CredentialSpec::Kind::Static:
        return new StaticCredentialProvider(spec, parent);
    case CredentialSpec::Kind::Process:
        return new ProcessCredentialProvider(spec, parent);
    case CredentialSpec::Kind::AssumeRole:
    case CredentialSpec::Kind::WebIdentity:
        return new StsCredentialProvider(spec, parent);
    case CredentialSpec::Kind::Sso:
        return new SsoCredentialProvider(spec, parent);
    case CredentialSpec::Kind::Imds:
        return new ImdsCredentialProvider(spec, parent);
    case CredentialSpec::Kind::Invalid:
        break;
    }
    return new InvalidCredentialProvider(spec, parent);
}

QByteArray pythonJsonDumps(const QList<std::pair<QString, QVariant>> &args, bool compact)
{
    auto quote = [](const QString &s) -> QByteArray {
        static const char hex[] = "0123456789abcdef";
        QByteArray out = "\"";
        for (const QChar ch : s) {
            const char16_t c = ch.unicode();
            switch (c) {
            case u'"': out += "\\\""; continue;
            case u'\\': out += "\\\\"; continue;
            case u'\n': out += "\\n"; continue;
            case u'\r': out += "\\r"; continue;
            case u'\t': out += "\\t"; continue;
            case u'\b': out += "\\b"; continue;
            case u'\f': out += "\\f"; continue;
            default: break;
            }
            if (c < 0x20 || c > 0x7e) {  // ensure_ascii: UTF-16 units as \uXXXX
                out += "\\u";
                out += hex[(c >> 12) & 0xF];
                out += hex[(c >> 8) & 0xF];
                out += hex[(c >> 4) & 0xF];
                out += hex[c & 0xF];
            } else {
                out += char(c);
            }
        }
        return out + '"';
    };
    QList<std::pair<QString, QVariant>> sorted = args;
    std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    QByteArray out = "{";
    for (const auto &[key, value] : sorted) {
        if (out.size() > 1)
            out += compact ? "," : ", ";
        out += quote(key) + (compact ? ":" : ": ");
        if (value.typeId() == QMetaType::Int || value.typeId() == QMetaType::LongLong)
            out += QByteArray::number(value.toLongLong());
        else
            out += quote(value.toString());
    }
    return out + '}';
}

std::optional<Credentials> readCliCache(const QString &file)
{
    if (file.isEmpty())
        return std::nullopt;
    const std::optional<QByteArray> text = readSmallFile(file, 1 << 20);
    if (!text)
        return std::nullopt;
    const QJsonObject c = QJsonDocument::fromJson(*text).object().value(QLatin1String("Credentials")).toObject();
    Credentials out;
    out.accessKeyId = c.value(QLatin1String("AccessKeyId")).toString();
    out.secretAccessKey = c.value(QLatin1String("SecretAccessKey")).toString();
    out.sessionToken = c.value(QLatin1String("SessionToken")).toString();
    out.expiration = parseAwsTime(c.value(QLatin1String("Expiration")).toString());
    if (out.accessKeyId.isEmpty() || out.secretAccessKey.isEmpty() || !out.expiration.isValid())
        return std::nullopt;
    if (QDateTime::currentDateTimeUtc().msecsTo(out.expiration) <= CredentialProvider::refreshMarginMs())
        return std::nullopt;  // the AWS CLI would fetch anew too
    return out;
}

} // namespace skydeck::aws
