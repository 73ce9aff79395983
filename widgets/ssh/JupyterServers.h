#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QUrl>

namespace skydeck::ui {

// One running Jupyter server as `jupyter server list --json` (or `jupyter notebook list --json`,
// or their plain-text form) describes it.
struct JupyterServer {
    QString url;       // as the server printed it: "http://localhost:8888/"
    QString hostname;  // "localhost", "0.0.0.0", "" ...
    int port = 0;
    QString token;     // may be empty (password login or no auth)
    QString baseUrl = QStringLiteral("/");
    QString rootDir;   // root_dir (server) or notebook_dir (notebook)
    QString socket;    // "sock": a unix-socket server, which has no TCP port to forward
    bool secure = false;
    qint64 pid = 0;

    // Where a direct-tcpip channel from the server side should connect: a wildcard bind address
    // becomes 127.0.0.1, anything else is kept ("localhost", an interface address).
    QString forwardHost() const;
    // What to open in the browser once localPort forwards to the server.
    QUrl browserUrl(quint16 localPort) const;
};

// Parses the output of the list commands: one JSON object per line (--json of jupyter_server and
// notebook), a JSON array (--jsonlist)
// or the plain-text form ("http://host:port/base/?token=T :: /root/dir"). Lines that are neither
// (banners, warnings) are skipped; unix-socket servers and entries without a port are dropped;
// duplicates (the same server from two commands) are listed once.
QList<JupyterServer> parseJupyterServerList(const QByteArray &output);

} // namespace skydeck::ui
