#pragma once

// What the harnesses share: a property check that libFuzzer reports (a plain abort with the reason),
// quiet Qt logging, a private scratch directory for harnesses whose parser reads files, and the
// input cut into NUL-separated parts. Built into libFuzzer targets (clang, SKYDECK_FUZZ) and into
// the replay tests (any compiler, replay_main.cpp): no libFuzzer API in here.
#include <QByteArray>
#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <QTemporaryDir>

#include <cstdint>
#include <cstdio>
#include <cstdlib>

// A property that must hold for every input: abort (libFuzzer keeps the input as a crash) and say
// which one failed. Not assert(): it holds in release builds too.
#define FUZZ_CHECK(cond)                                                                                  \
    do {                                                                                                  \
        if (!(cond)) {                                                                                    \
            std::fprintf(stderr, "fuzz property failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);        \
            std::abort();                                                                                 \
        }                                                                                                 \
    } while (false)

namespace skydeck::fuzz {

inline QByteArray bytes(const uint8_t *data, size_t size)
{
    return QByteArray(reinterpret_cast<const char *>(data), qsizetype(size));
}

// The input's parts between NUL bytes (a harness whose parser takes several files or fields).
// At most `max` parts: the last one keeps any further NULs.
inline QList<QByteArray> parts(const QByteArray &input, int max)
{
    QList<QByteArray> out;
    qsizetype from = 0;
    while (out.size() < max - 1) {
        const qsizetype nul = input.indexOf('\0', from);
        if (nul < 0)
            break;
        out << input.mid(from, nul - from);
        from = nul + 1;
    }
    out << input.mid(from);
    while (out.size() < max)
        out << QByteArray();
    return out;
}

// Once per process: no log output (it slows fuzzing down and says nothing the checks do not).
inline void quietLogging()
{
    QLoggingCategory::setFilterRules(QStringLiteral("*=false"));
}

// A private directory for the whole run, removed at exit (a crashed run leaves it in TMPDIR).
inline QDir scratchDir()
{
    static QTemporaryDir dir(QDir::tempPath() + QStringLiteral("/skydeck-fuzz-XXXXXX"));
    if (!dir.isValid())
        std::abort();
    return QDir(dir.path());
}

// Writes `content` to `path` (parents created), replacing what was there.
inline void writeFile(const QString &path, const QByteArray &content)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(content) != content.size())
        std::abort();
}

} // namespace skydeck::fuzz
