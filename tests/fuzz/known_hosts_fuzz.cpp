// known_hosts (providers/ssh/KnownHosts.h). The input is, NUL-separated: the host ("name" or
// "name port"), the server's key as an OpenSSH public key line ("type base64 [comment]",
// HostKey::fromOpenSshPublicKey), the user's known_hosts and the app's store; both files are
// written into a private directory and checked with KnownHosts::check() and knownKeyTypes().
// Properties:
//  - a key whose blob has no type is an Error, never a match;
//  - Match, Changed and Revoked name the file and line; Unknown and Error name none;
//  - once the key is written to the app's store for a plain host name (the line accept() writes, with
//    the hashed host field), checking it again is a Match or Revoked (a @revoked line in the user's
//    file wins), never Unknown or Changed.
#include "FuzzSupport.h"

#include "KnownHosts.h"

#include <QRegularExpression>

using namespace skydeck::ssh;
using skydeck::fuzz::bytes;

namespace {

bool plainHostName(const QString &host)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$"));
    return re.match(host).hasMatch();
}

bool plainKeyType(const QString &type)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z0-9@.+-]{1,64}$"));
    return re.match(type).hasMatch();
}

void checkShape(const HostKeyCheck &r)
{
    using S = HostKeyCheck::Status;
    if (r.status == S::Match || r.status == S::Changed || r.status == S::Revoked)
        FUZZ_CHECK(!r.file.isEmpty() && r.line > 0);
    else
        FUZZ_CHECK(r.file.isEmpty() && r.line == 0);
    FUZZ_CHECK(!r.message().isEmpty());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> in = skydeck::fuzz::parts(bytes(data, size), 4);
    const QStringList hostWords = QString::fromUtf8(in[0]).split(QLatin1Char(' '));
    const QString host = hostWords.value(0);
    const int port = hostWords.value(1).toInt();
    const HostKey key = HostKey::fromOpenSshPublicKey(in[1]);
    (void)key.fingerprint();

    const QDir dir = skydeck::fuzz::scratchDir();
    const QString userFile = dir.filePath(QStringLiteral("known_hosts"));
    const QString appStore = dir.filePath(QStringLiteral("app_known_hosts"));
    skydeck::fuzz::writeFile(userFile, in[2]);
    skydeck::fuzz::writeFile(appStore, in[3]);
    const KnownHosts known({userFile}, appStore);

    const HostKeyCheck r = known.check(host, port, key);
    checkShape(r);
    if (key.type().isEmpty())
        FUZZ_CHECK(r.status == HostKeyCheck::Status::Error);
    (void)known.knownKeyTypes(host, port);

    // Accepted into the store (hashed, as accept() writes it, with a fixed salt), then checked again.
    if (!plainHostName(host) || !plainKeyType(key.type()) || port < 0 || port > 65535)
        return 0;
    QByteArray store = in[3];
    if (!store.isEmpty() && !store.endsWith('\n'))
        store += '\n';
    const QString entry = KnownHosts::hostEntryName(host, port);
    store += (KnownHosts::hashedHostField(entry, QByteArrayLiteral("fuzz-salt-0123456789")) + QLatin1Char(' ')
              + key.type() + QLatin1Char(' ') + QString::fromLatin1(key.blob.toBase64()) + QLatin1Char('\n'))
                 .toUtf8();
    skydeck::fuzz::writeFile(appStore, store);
    const HostKeyCheck again = known.check(host, port, key);
    checkShape(again);
    FUZZ_CHECK(again.status == HostKeyCheck::Status::Match || again.status == HostKeyCheck::Status::Revoked);
    FUZZ_CHECK(known.knownKeyTypes(host, port).contains(key.type()));
    return 0;
}
