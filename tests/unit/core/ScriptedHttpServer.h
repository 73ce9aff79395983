#pragma once

// A tiny HTTP/1.1 server for HttpClient tests: each request is answered by the next step of a
// script (a status with headers and body, a reset mid-body, or silence). Loopback only.

#include <QElapsedTimer>
#include <QHostAddress>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

#include <functional>

namespace skydeck::test {

struct ScriptStep {
    enum class Kind { Respond, ResetMidBody, Hang, Endless, HeadersOnly };
    Kind kind = Kind::Respond;
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    static ScriptStep respond(int status, QByteArray body, QList<std::pair<QByteArray, QByteArray>> headers = {})
    {
        ScriptStep s;
        s.status = status;
        s.body = std::move(body);
        s.headers = std::move(headers);
        return s;
    }
    // Announces the whole body, sends half of it, then drops the connection.
    static ScriptStep resetMidBody(QByteArray body)
    {
        ScriptStep s = respond(200, std::move(body));
        s.kind = Kind::ResetMidBody;
        return s;
    }
    // A body without Content-Length that never ends (the connection is the framing): `body` is sent
    // over and over while the client reads. With announceLength, a Content-Length of that value is
    // declared (and not kept to).
    static ScriptStep endless(int status, QByteArray chunk, qint64 announceLength = -1)
    {
        ScriptStep s = respond(status, std::move(chunk));
        s.kind = Kind::Endless;
        if (announceLength >= 0)
            s.headers.append({"Content-Length", QByteArray::number(announceLength)});
        return s;
    }
    // The answer to a HEAD: headers only, with the Content-Length the object would have.
    static ScriptStep headersOnly(int status, qint64 declaredLength)
    {
        ScriptStep s = respond(status, {});
        s.kind = Kind::HeadersOnly;
        s.headers.append({"Content-Length", QByteArray::number(declaredLength)});
        return s;
    }
    static ScriptStep hang()
    {
        ScriptStep s;
        s.kind = Kind::Hang;
        return s;
    }
};

struct SeenRequest {
    QByteArray method;
    QByteArray path;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
    qint64 atMs = 0;  // since the server started
};

class ScriptedHttpServer : public QObject
{
public:
    explicit ScriptedHttpServer(QList<ScriptStep> script, QObject *parent = nullptr)
        : QObject(parent), m_script(std::move(script))
    {
        m_clock.start();
        QObject::connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                s->setParent(this);
                auto buffer = std::make_shared<QByteArray>();
                QObject::connect(s, &QTcpSocket::readyRead, this, [this, s, buffer] { onData(s, *buffer); });
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QUrl url(const QString &path = QStringLiteral("/obj")) const
    {
        return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.serverPort()).arg(path));
    }
    const QList<SeenRequest> &requests() const { return m_requests; }
    // What to do once the script is used up (default: answer 200 "done").
    void setFallback(ScriptStep step) { m_fallback = std::move(step); }

private:
    void onData(QTcpSocket *s, QByteArray &buffer)
    {
        buffer += s->readAll();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            const QList<QByteArray> lines = buffer.left(end).split('\n');
            SeenRequest req;
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            req.method = first.value(0);
            req.path = first.value(1);
            qint64 length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                const QByteArray name = line.left(colon).trimmed();
                const QByteArray value = line.mid(colon + 1).trimmed();
                req.headers.append({name, value});
                if (name.compare("content-length", Qt::CaseInsensitive) == 0)
                    length = value.toLongLong();
            }
            if (buffer.size() < end + 4 + length)
                return;
            req.body = buffer.mid(end + 4, length);
            buffer.remove(0, end + 4 + length);
            req.atMs = m_clock.elapsed();
            m_requests.append(req);
            answer(s, m_next < m_script.size() ? m_script[m_next++] : m_fallback);
        }
    }

    static void answer(QTcpSocket *s, const ScriptStep &step)
    {
        if (step.kind == ScriptStep::Kind::Hang)
            return;
        QByteArray head = "HTTP/1.1 " + QByteArray::number(step.status) + " Status\r\n";
        for (const auto &[k, v] : step.headers)
            head += k + ": " + v + "\r\n";
        if (step.kind == ScriptStep::Kind::Endless) {
            s->write(head + "Connection: close\r\n\r\n");
            // Keep about 1 MiB queued: refill whenever the client has taken some.
            const QByteArray chunk = step.body;
            auto refill = [s, chunk] {
                while (s->state() == QAbstractSocket::ConnectedState && s->bytesToWrite() < (1 << 20))
                    s->write(chunk);
            };
            QObject::connect(s, &QTcpSocket::bytesWritten, s, refill);
            refill();
            return;
        }
        if (step.kind == ScriptStep::Kind::HeadersOnly) {
            s->write(head + "\r\n");
            return;
        }
        head += "Content-Length: " + QByteArray::number(step.body.size()) + "\r\n\r\n";
        if (step.kind == ScriptStep::Kind::ResetMidBody) {
            s->write(head + step.body.left(step.body.size() / 2));
            s->flush();
            s->abort();
            return;
        }
        s->write(head + step.body);
    }

    QTcpServer m_server;
    QList<ScriptStep> m_script;
    ScriptStep m_fallback = ScriptStep::respond(200, "done");
    qsizetype m_next = 0;
    QList<SeenRequest> m_requests;
    QElapsedTimer m_clock;
};

} // namespace skydeck::test
