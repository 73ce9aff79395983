// ~/.ssh/config (providers/ssh/SshConfig.h). The input is up to four files, NUL-separated: the
// config, then ~/.ssh/a, ~/.ssh/b and ~/.ssh/c for its Include lines to read, written into a
// private home for each input and loaded with SshConfig::load(home). An input whose Include could
// leave that home (an absolute path, "..", a ${VAR} or %token) is skipped: the harness reads no other
// file of the machine.
// Every concrete alias and a few other names are resolved, and every ProxyJump hop.
// Properties: a port is 1..65535; identity files are absolute paths; a hop parsed from a config
// has a host and a port 0..65535; the hop's resolution keeps its explicit user and port.
#include "FuzzSupport.h"

#include "SshConfig.h"

#include <QFileInfo>

using namespace skydeck::ssh;
using skydeck::fuzz::bytes;

namespace {

// Mirrors SshConfig's reading of a line (split at '\n', trimmed, splitConfigWords).
bool includesOnlyInside(const QByteArray &file)
{
    for (const QString &raw : QString::fromUtf8(file).split(QLatin1Char('\n'))) {
        QStringList words = splitConfigWords(raw.trimmed());
        if (words.isEmpty() || words.first().compare(QLatin1String("include"), Qt::CaseInsensitive) != 0)
            continue;
        for (const QString &arg : words.mid(1))
            if (arg.startsWith(QLatin1Char('/')) || arg.contains(QLatin1String("..")) || arg.contains(QLatin1Char('$'))
                || arg.contains(QLatin1Char('%')))
                return false;
    }
    return true;
}

void checkHost(const SshHostConfig &c)
{
    FUZZ_CHECK(c.port > 0 && c.port < 65536);
    FUZZ_CHECK(!c.identityFiles.isEmpty());
    for (const QString &f : c.identityFiles)
        FUZZ_CHECK(QFileInfo(f).isAbsolute());
    FUZZ_CHECK(c.serverAliveInterval >= 0 && c.serverAliveCountMax >= 0);
    (void)c.displayName();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QList<QByteArray> files = skydeck::fuzz::parts(bytes(data, size), 4);
    for (const QByteArray &f : files)
        if (!includesOnlyInside(f))
            return 0;
    const QDir home = skydeck::fuzz::scratchDir();
    const QString ssh = home.filePath(QStringLiteral(".ssh"));
    const char *const names[] = {"config", "a", "b", "c"};
    for (int i = 0; i < 4; ++i)
        skydeck::fuzz::writeFile(ssh + QLatin1Char('/') + QLatin1String(names[i]), files[i]);

    const SshConfig config = SshConfig::load(home.path());
    QStringList aliases = config.hosts().mid(0, 16);
    aliases << QStringLiteral("example.com") << QStringLiteral("gpu-box") << QStringLiteral("10.0.0.1");
    for (const QString &alias : std::as_const(aliases)) {
        const SshHostConfig c = config.resolve(alias);
        checkHost(c);
        FUZZ_CHECK(c.alias == alias);
        for (const JumpHop &hop : c.proxyJump.mid(0, 4)) {
            FUZZ_CHECK(!hop.host.isEmpty());
            FUZZ_CHECK(hop.port >= 0 && hop.port < 65536);
            const SshHostConfig h = config.resolve(hop);
            checkHost(h);
            if (!hop.user.isEmpty())
                FUZZ_CHECK(h.user == hop.user);
            if (hop.port)
                FUZZ_CHECK(h.port == hop.port);
        }
    }
    (void)config.notes();
    return 0;
}
