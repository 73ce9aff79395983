#include "ServerHello.h"

#include "KbdInteractive.h"
#include "SshWire.h"

#include <QRegularExpression>

namespace skydeck::ssh {

namespace {

constexpr qsizetype kMaxLine = 255;
constexpr uint32_t kMaxPacket = 35000;
constexpr int kMaxNames = 64;
constexpr uint8_t kMsgKexInit = 20;

QStringList nameList(wire::Reader &r)
{
    const QByteArrayView list = r.string();
    QStringList out;
    if (!r.ok())
        return out;
    for (const QByteArray &name : list.toByteArray().split(',')) {
        if (name.isEmpty())
            continue;
        if (out.size() >= kMaxNames)
            break;
        out << KbdIntQuestion::printable(QString::fromLatin1(name.left(64)), 64);
    }
    return out;
}

} // namespace

ServerHello ServerHello::parse(QByteArrayView bytes)
{
    ServerHello hello;
    qsizetype pos = 0;
    // Lines until the one that starts with "SSH-" (RFC 4253 §4.2 lets a server send others first).
    for (;;) {
        const qsizetype eol = bytes.indexOf('\n', pos);
        if (eol < 0 || eol - pos > kMaxLine)
            return hello;
        QByteArrayView line = bytes.sliced(pos, eol - pos);
        if (line.endsWith('\r'))
            line.chop(1);
        pos = eol + 1;
        if (line.startsWith("SSH-")) {
            hello.banner = KbdIntQuestion::printable(QString::fromLatin1(line.toByteArray()), int(kMaxLine));
            break;
        }
    }
    wire::Reader packet(bytes.sliced(pos));
    const uint32_t length = packet.u32();
    const uint8_t padding = packet.byte();
    if (!packet.ok() || length > kMaxPacket || length < uint32_t(padding) + 2 || qsizetype(length) - 1 > packet.left())
        return hello;
    wire::Reader r(packet.rest().first(qsizetype(length) - 1 - padding));
    if (r.byte() != kMsgKexInit || !r.skip(16))  // type, cookie
        return hello;
    const QStringList kex = nameList(r);
    const QStringList hostKeys = nameList(r);
    nameList(r);  // ciphers client to server
    const QStringList ciphers = nameList(r);
    nameList(r);  // MACs client to server
    const QStringList macs = nameList(r);
    if (!r.ok())
        return hello;
    hello.hasKexInit = true;
    hello.kex = kex;
    hello.hostKeys = hostKeys;
    hello.ciphers = ciphers;
    hello.macs = macs;
    return hello;
}

int ServerHello::openSshVersion() const
{
    static const QRegularExpression re(QStringLiteral("^SSH-2\\.0-OpenSSH_(\\d+)\\.(\\d+)"));
    const QRegularExpressionMatch m = re.match(banner);
    return m.hasMatch() ? m.captured(1).toInt() * 100 + m.captured(2).toInt() : 0;
}

} // namespace skydeck::ssh
