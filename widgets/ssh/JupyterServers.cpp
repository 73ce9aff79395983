#include "JupyterServers.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QUrlQuery>

namespace skydeck::ui {

namespace {

QString normalizedBase(QString base)
{
    if (!base.startsWith(QLatin1Char('/')))
        base.prepend(QLatin1Char('/'));
    if (!base.endsWith(QLatin1Char('/')))
        base.append(QLatin1Char('/'));
    return base;
}

bool fromJson(const QJsonObject &o, JupyterServer &out)
{
    out.url = o.value(QLatin1String("url")).toString();
    out.hostname = o.value(QLatin1String("hostname")).toString();
    out.port = o.value(QLatin1String("port")).toInt();
    out.token = o.value(QLatin1String("token")).toString();
    out.baseUrl = normalizedBase(o.value(QLatin1String("base_url")).toString(QStringLiteral("/")));
    out.rootDir = o.contains(QLatin1String("root_dir")) ? o.value(QLatin1String("root_dir")).toString()
                                                        : o.value(QLatin1String("notebook_dir")).toString();
    out.socket = o.value(QLatin1String("sock")).toString();
    out.secure = o.value(QLatin1String("secure")).toBool();
    out.pid = o.value(QLatin1String("pid")).toInteger();
    // Older servers leave some fields out; the URL has them.
    const QUrl u(out.url);
    if (out.port == 0 && u.isValid())
        out.port = u.port(0);
    if (out.hostname.isEmpty() && u.isValid())
        out.hostname = u.host();
    if (!o.contains(QLatin1String("secure")) && u.isValid())
        out.secure = u.scheme() == QLatin1String("https");
    return true;
}

// "http://localhost:8888/?token=abc :: /home/user" (the text form of both list commands).
bool fromText(const QByteArray &line, JupyterServer &out)
{
    const QString text = QString::fromUtf8(line);
    const qsizetype sep = text.indexOf(QLatin1String(" :: "));
    const QString urlText = (sep >= 0 ? text.left(sep) : text).trimmed();
    if (!urlText.startsWith(QLatin1String("http://")) && !urlText.startsWith(QLatin1String("https://")))
        return false;
    const QUrl u(urlText, QUrl::StrictMode);
    if (!u.isValid() || u.host().isEmpty())
        return false;
    out.hostname = u.host();
    out.port = u.port(u.scheme() == QLatin1String("https") ? 443 : 80);
    out.secure = u.scheme() == QLatin1String("https");
    out.token = QUrlQuery(u).queryItemValue(QStringLiteral("token"), QUrl::FullyDecoded);
    out.baseUrl = normalizedBase(u.path());
    QUrl bare = u;
    bare.setQuery(QString());
    out.url = bare.toString();
    if (sep >= 0)
        out.rootDir = text.mid(sep + 4).trimmed();
    return true;
}

} // namespace

QString JupyterServer::forwardHost() const
{
    static const QStringList wildcard = {QString(), QStringLiteral("0.0.0.0"), QStringLiteral("*"),
                                         QStringLiteral("::"), QStringLiteral("[::]")};
    return wildcard.contains(hostname) ? QStringLiteral("127.0.0.1") : hostname;
}

QUrl JupyterServer::browserUrl(quint16 localPort) const
{
    QUrl u;
    u.setScheme(secure ? QStringLiteral("https") : QStringLiteral("http"));
    u.setHost(QStringLiteral("127.0.0.1"));
    u.setPort(localPort);
    u.setPath(baseUrl);
    // Percent-encoded by hand: QUrlQuery leaves '+', which the server would read as a space.
    if (!token.isEmpty())
        u.setQuery(QStringLiteral("token=") + QString::fromLatin1(QUrl::toPercentEncoding(token)), QUrl::StrictMode);
    return u;
}

QList<JupyterServer> parseJupyterServerList(const QByteArray &output)
{
    QList<JupyterServer> servers;
    QSet<QString> seen;
    for (QByteArray line : output.split('\n')) {
        line = line.trimmed();
        if (line.isEmpty())
            continue;
        QList<JupyterServer> found;
        if (line.startsWith('{') || line.startsWith('[')) {
            // --json: one object per line; --jsonlist: one array.
            QJsonParseError err;
            const QJsonDocument doc = QJsonDocument::fromJson(line, &err);
            if (err.error != QJsonParseError::NoError)
                continue;
            const QJsonArray objects = doc.isArray() ? doc.array() : QJsonArray{doc.object()};
            for (const QJsonValue &v : objects) {
                JupyterServer s;
                if (v.isObject() && fromJson(v.toObject(), s))
                    found << s;
            }
        } else {
            JupyterServer s;
            if (fromText(line, s))
                found << s;
        }
        for (const JupyterServer &s : std::as_const(found)) {
            if (!s.socket.isEmpty() || s.port <= 0 || s.port > 65535)
                continue;
            const QString key = s.forwardHost() + QLatin1Char(':') + QString::number(s.port) + s.baseUrl;
            if (seen.contains(key))
                continue;
            seen.insert(key);
            servers.append(s);
        }
    }
    return servers;
}

} // namespace skydeck::ui
