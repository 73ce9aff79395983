#pragma once

#include <QByteArrayView>
#include <QString>
#include <QStringList>

namespace skydeck::ssh {

// What a server says before encryption starts: its identification line and its first KEXINIT
// (RFC 4253 §4.2, §7.1), read from the bytes it sent. libssh2 1.10 reports a failed negotiation as
// "Unable to exchange encryption keys" only; this says what the server offered, so the message can
// say what did not match (a server whose only host key is RSA offers rsa-sha2-512/256, which
// libssh2 1.10 cannot verify).
struct ServerHello {
    QString banner;          // "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3", printable
    bool hasKexInit = false;
    QStringList kex;         // kex_algorithms
    QStringList hostKeys;    // server_host_key_algorithms
    QStringList ciphers;     // encryption_algorithms_server_to_client
    QStringList macs;        // mac_algorithms_server_to_client

    // Parses what arrived (possibly cut short: then hasKexInit is false). Bounded: lines of at
    // most 255 bytes, a packet of at most 35000 (RFC 4253 §6.1), name-lists of at most 64 names.
    static ServerHello parse(QByteArrayView bytes);
    // The OpenSSH version in the banner as major*100+minor (902 for 9.2), 0 when not OpenSSH.
    int openSshVersion() const;
};

} // namespace skydeck::ssh
