#pragma once

// A scripted HTTP/1.1 server on loopback for the S3 client's wire tests: records every request and
// answers each with the next canned response (200 and an empty body when none is queued). Runs on
// the thread that creates it; the test spins that thread's event loop (QTRY_*).
#include <QByteArray>
#include <QHash>
#include <QList>
#include <QTcpServer>
#include <QTcpSocket>

#include <utility>

struct FakeRequest {
    QByteArray method;
    QByteArray target;  // as on the wire: path?query
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &[k, v] : headers)
            if (k.compare(name, Qt::CaseInsensitive) == 0)
                return v;
        return {};
    }
};

struct FakeResponse {
    int status = 200;
    QList<std::pair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

class FakeS3Server : public QObject
{
    Q_OBJECT
public:
    FakeS3Server()
    {
        connect(&m_server, &QTcpServer::newConnection, this, [this] {
            while (QTcpSocket *s = m_server.nextPendingConnection()) {
                connect(s, &QTcpSocket::readyRead, this, [this, s] { onData(s); });
                connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
            }
        });
        m_server.listen(QHostAddress::LocalHost, 0);
    }

    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_server.serverPort()); }
    void queue(FakeResponse r) { m_responses.append(std::move(r)); }
    QList<FakeRequest> requests;
    bool hold = false;  // record requests but never answer (cancellation tests)

private:
    void onData(QTcpSocket *s)
    {
        QByteArray &buf = m_buffers[s];
        buf += s->readAll();
        for (;;) {
            const qsizetype end = buf.indexOf("\r\n\r\n");
            if (end < 0)
                return;
            FakeRequest r;
            const QList<QByteArray> lines = buf.left(end).split('\n');
            const QList<QByteArray> first = lines.value(0).trimmed().split(' ');
            r.method = first.value(0);
            r.target = first.value(1);
            qint64 length = 0;
            for (qsizetype i = 1; i < lines.size(); ++i) {
                const QByteArray line = lines[i].trimmed();
                const qsizetype colon = line.indexOf(':');
                if (colon <= 0)
                    continue;
                r.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
                if (line.left(colon).trimmed().compare("content-length", Qt::CaseInsensitive) == 0)
                    length = line.mid(colon + 1).trimmed().toLongLong();
            }
            if (buf.size() < end + 4 + length)
                return;
            r.body = buf.mid(end + 4, length);
            buf.remove(0, end + 4 + length);
            requests.append(r);
            if (hold)
                continue;
            const FakeResponse resp = m_responses.isEmpty() ? FakeResponse{} : m_responses.takeFirst();
            QByteArray out = "HTTP/1.1 " + QByteArray::number(resp.status) + " X\r\n";
            for (const auto &[k, v] : resp.headers)
                out += k + ": " + v + "\r\n";
            if (r.method != "HEAD")
                out += "Content-Length: " + QByteArray::number(resp.body.size()) + "\r\n";
            else
                out += "Content-Length: 0\r\n";
            out += "\r\n";
            if (r.method != "HEAD")
                out += resp.body;
            s->write(out);
        }
    }

    QTcpServer m_server;
    QList<FakeResponse> m_responses;
    QHash<QTcpSocket *, QByteArray> m_buffers;
};
