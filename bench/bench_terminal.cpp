// Terminal benchmarks on a visible TerminalWidget (run under Xvfb by terminal_bench.sh):
//   bench_terminal throughput FILE [COLS ROWS]  `cat FILE` through a LocalPtyTransport; prints the
//                                               seconds until every byte is parsed and painted,
//                                               frames painted and the UI thread's worst stall.
//   bench_terminal latency [N]                  N keystrokes to `cat` on a local pty (the tty
//                                               echoes): time from the key event to the frame
//                                               that shows the echoed character.
//   bench_terminal latency-ssh [N]              the same over SSH (a ShellChannel to the sshd of
//                                               scripts/peers.sh's ssh peer: SKYDECK_TEST_SSH_*
//                                               in the environment), the remote tty echoing.
#include "KnownHosts.h"
#include "LatencyProbe.h"
#include "LocalPtyTransport.h"
#include "ShellChannel.h"
#include "SshSession.h"
#include "TerminalWidget.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>

using namespace skydeck;

namespace {
void sizeToGrid(TerminalWidget &w, int cols, int rows)
{
    const QSize cell = w.cellSize();
    w.resize(cols * cell.width() + w.verticalScrollBar()->sizeHint().width() + 1, rows * cell.height() + 1);
}

int throughput(const QString &file, int cols, int rows)
{
    TerminalWidget w;
    LocalPtyTransport pty;
    w.setTransport(&pty);
    sizeToGrid(w, cols, rows);
    w.show();
    bench::LatencyProbe probe;
    QElapsedTimer clock;
    bool closed = false;
    auto finishIfDone = [&] {
        if (!closed || w.pendingInput() > 0)
            return;
        w.viewport()->repaint(); // the last frame
        const double secs = double(clock.nsecsElapsed()) / 1e9;
        probe.stop();
        std::printf("throughput: %.3f s  frames %d  grid %dx%d  ui worst stall %.1f ms  p99 %.1f ms\n", secs,
                    w.framesPainted(), w.columns(), w.rows(), probe.worstMs(), probe.quantileMs(0.99));
        QCoreApplication::exit(0);
    };
    QObject::connect(&pty, &TerminalTransport::closed, &w, [&] {
        closed = true;
        finishIfDone();
    });
    QObject::connect(&w, &TerminalWidget::inputDrained, &w, finishIfDone);
    QTimer::singleShot(200, &w, [&] {
        clock.start();
        probe.start();
        if (!pty.start(QStringLiteral("cat"), {file}, w.columns(), w.rows())) {
            std::fprintf(stderr, "%s\n", qPrintable(pty.errorString()));
            QCoreApplication::exit(1);
        }
    });
    return QApplication::exec();
}

// The emulation alone (libvterm + our callbacks), no pty and no painting.
int parseOnly(const QString &file)
{
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return 1;
    const QByteArray all = f.readAll();
    TerminalEmulation e(24, 80);
    QElapsedTimer clock;
    clock.start();
    for (qsizetype pos = 0; pos < all.size(); pos += 64 * 1024) {
        e.feed(all.constData() + pos, std::min<qsizetype>(64 * 1024, all.size() - pos));
        e.takeDamage();
    }
    const double secs = double(clock.nsecsElapsed()) / 1e9;
    std::printf("parse only: %.3f s  %.1f MB/s\n", secs, double(all.size()) / 1e6 / secs);
    return 0;
}

// Types `count` keys into a terminal whose other end echoes them; `begin` starts the transport and
// calls its argument once the far end is ready for keys.
int measureEcho(TerminalTransport *transport, int count, const char *label,
                const std::function<bool(TerminalWidget &, std::function<void()>)> &begin)
{
    TerminalWidget w;
    w.setTransport(transport);
    sizeToGrid(w, 80, 24);
    w.show();
    w.activateWindow();
    w.setFocus();
    std::vector<double> samples;
    std::mt19937 rng(7);
    QElapsedTimer sinceKey;
    char32_t expected = 0;
    int typed = 0;
    std::function<void()> typeNext;
    typeNext = [&] {
        if (typed == count) {
            std::sort(samples.begin(), samples.end());
            auto q = [&](double f) { return samples[std::min(samples.size() - 1, size_t(f * double(samples.size())))]; };
            std::printf("%s: %d keystrokes  median %.2f ms  p95 %.2f ms  max %.2f ms\n", label, int(samples.size()),
                        q(0.5), q(0.95), samples.back());
            QCoreApplication::exit(0);
            return;
        }
        if (typed % 70 == 69) { // a new line now and then (cat prints it back), not measured
            QKeyEvent enter(QEvent::KeyPress, Qt::Key_Return, Qt::NoModifier, QStringLiteral("\r"));
            QCoreApplication::sendEvent(&w, &enter);
            ++typed;
            QTimer::singleShot(100, &w, typeNext);
            return;
        }
        expected = char32_t('a' + rng() % 26);
        QKeyEvent key(QEvent::KeyPress, Qt::Key_A + int(expected - 'a'), Qt::NoModifier,
                      QString(QChar(char16_t(expected))));
        ++typed;
        sinceKey.start();
        QCoreApplication::sendEvent(&w, &key);
    };
    QObject::connect(&w, &TerminalWidget::framePainted, &w, [&] {
        if (!expected || !sinceKey.isValid())
            return;
        const QPoint cur = w.emulation().cursor();
        if (cur.x() == 0 || w.emulation().cell(cur.y(), cur.x() - 1).ch != expected)
            return;
        samples.push_back(double(sinceKey.nsecsElapsed()) / 1e6);
        expected = 0;
        sinceKey.invalidate();
        QTimer::singleShot(25, &w, typeNext); // spaced like fast typing
    });
    if (!begin(w, [&] { QTimer::singleShot(300, &w, typeNext); }))
        return 1;
    return QApplication::exec();
}

int latency(int count)
{
    LocalPtyTransport pty;
    return measureEcho(&pty, count, "latency", [&](TerminalWidget &w, std::function<void()> ready) {
        if (!pty.start(QStringLiteral("cat"), {}, w.columns(), w.rows()))
            return false;
        ready();
        return true;
    });
}

int latencySsh(int count)
{
    const auto env = [](const char *name) { return qEnvironmentVariable(name); };
    if (env("SKYDECK_TEST_SSH_PORT").isEmpty()) {
        std::fprintf(stderr, "latency-ssh: start the ssh peer first (scripts/peers.sh start DIR ssh; source DIR/peers.env)\n");
        return 2;
    }
    ssh::SshHostConfig host;
    host.alias = QStringLiteral("peer");
    host.hostName = env("SKYDECK_TEST_SSH_HOST");
    host.port = env("SKYDECK_TEST_SSH_PORT").toInt();
    host.user = env("SKYDECK_TEST_SSH_USER");
    host.identityFiles = {env("SKYDECK_TEST_SSH_KEY")};
    // Trust exactly the peer's host key (a known_hosts of our own, removed at exit).
    QTemporaryDir dir;
    QFile pub(env("SKYDECK_TEST_SSH_HOST_KEY_PUB"));
    QFile kh(dir.filePath(QStringLiteral("known_hosts")));
    if (!pub.open(QIODevice::ReadOnly) || !kh.open(QIODevice::WriteOnly))
        return 2;
    const QList<QByteArray> fields = pub.readAll().simplified().split(' ');
    kh.write(ssh::KnownHosts::hostEntryName(host.hostName, host.port).toUtf8() + ' ' + fields.value(0) + ' '
             + fields.value(1) + '\n');
    kh.close();
    ssh::SshSession session(host);
    session.setKnownHosts(ssh::KnownHosts({kh.fileName()}, dir.filePath(QStringLiteral("app_known_hosts"))));
    session.setUseAgent(false);
    ssh::ShellChannel shell(&session);
    QObject::connect(&shell, &TerminalTransport::closed, &shell, [](const QString &why) {
        std::fprintf(stderr, "latency-ssh: %s\n", qPrintable(why));
        QCoreApplication::exit(1);
    });
    return measureEcho(&shell, count, "latency-ssh", [&](TerminalWidget &w, std::function<void()> ready) {
        QObject::connect(&shell, &TerminalTransport::opened, &w, [&shell, ready] {
            shell.write("exec cat\n");  // the remote tty echoes each key, cat repeats lines
            ready();
        }, Qt::SingleShotConnection);
        shell.open(w.columns(), w.rows());
        return true;
    });
}
} // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() >= 3 && args[1] == QLatin1String("throughput"))
        return throughput(args[2], args.size() > 3 ? args[3].toInt() : 80, args.size() > 4 ? args[4].toInt() : 24);
    if (args.size() >= 3 && args[1] == QLatin1String("parse"))
        return parseOnly(args[2]);
    if (args.size() >= 2 && args[1] == QLatin1String("latency"))
        return latency(args.size() > 2 ? args[2].toInt() : 200);
    if (args.size() >= 2 && args[1] == QLatin1String("latency-ssh"))
        return latencySsh(args.size() > 2 ? args[2].toInt() : 200);
    std::fprintf(stderr, "usage: bench_terminal throughput FILE [COLS ROWS] | parse FILE | latency [N] | latency-ssh [N]\n");
    return 2;
}
