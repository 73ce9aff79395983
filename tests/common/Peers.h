#pragma once

// Where the loopback test peers are. scripts/peers.sh starts them and exports their addresses
// (SKYDECK_TEST_S3_ENDPOINT=http://127.0.0.1:PORT, ...). A test whose peer is missing skips on a
// laptop, and fails under CI=true: CI must never pass by skipping.

#include <QByteArray>
#include <QString>
#include <QtTest>

namespace skydeck::test {

inline bool runningInCi()
{
    const QByteArray ci = qgetenv("CI").toLower();
    return !ci.isEmpty() && ci != "0" && ci != "false";
}

inline QString peerValue(const char *var)
{
    return QString::fromLocal8Bit(qgetenv(var));
}

// The S3 peer a test runs against: s3rver, or moto's S3 (what LocalStack serves) when the test is
// registered a second time with SKYDECK_TEST_S3_FLAVOUR=moto (skydeck_add_s3_flavours in CMake).
inline bool s3PeerIsMoto()
{
    return qgetenv("SKYDECK_TEST_S3_FLAVOUR") == "moto";
}
inline QString s3PeerValue(const char *what)  // "ENDPOINT", "ACCESS_KEY", "SECRET_KEY"
{
    const QByteArray var = QByteArray(s3PeerIsMoto() ? "SKYDECK_TEST_MOTO_S3_" : "SKYDECK_TEST_S3_") + QByteArray(what);
    return peerValue(var.constData());
}

} // namespace skydeck::test

// Puts the peer's address in `out`, or skips (laptop) / fails (CI) the current test.
// A test that cannot run here (a tool or peer missing): skips on a laptop, fails under CI=true.
#define SKYDECK_SKIP_OR_FAIL(message)                                                                     \
    do {                                                                                                   \
        if (skydeck::test::runningInCi())                                                                  \
            QFAIL(qPrintable(QStringLiteral("missing under CI: %1").arg(message)));                        \
        QSKIP(qPrintable(QString(message)));                                                               \
    } while (false)

#define SKYDECK_REQUIRE_S3_PEER(out)                                                                       \
    SKYDECK_REQUIRE_PEER(out, skydeck::test::s3PeerIsMoto() ? "SKYDECK_TEST_MOTO_S3_ENDPOINT" : "SKYDECK_TEST_S3_ENDPOINT")

#define SKYDECK_REQUIRE_PEER(out, var)                                                                     \
    do {                                                                                                   \
        out = skydeck::test::peerValue(var);                                                               \
        if (out.isEmpty()) {                                                                               \
            if (skydeck::test::runningInCi())                                                              \
                QFAIL(qPrintable(QStringLiteral("peer missing under CI: %1 is not set (scripts/peers.sh)")  \
                                     .arg(QLatin1String(var))));                                           \
            QSKIP(qPrintable(QStringLiteral("peer not running: %1 (start scripts/peers.sh)")                \
                                 .arg(QLatin1String(var))));                                               \
        }                                                                                                  \
    } while (false)
