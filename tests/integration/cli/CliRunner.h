#pragma once

// Runs the built `skydeck` binary with a clean, private environment and collects what it said.
#include <QElapsedTimer>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSignalSpy>
#include <QStringList>
#include <QtTest>

namespace skydeck::test {

struct CliRun {
    int code = -1;
    QString out;
    QString err;
    qint64 ms = 0;
    bool finished = false;

    QStringList outLines() const { return out.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QStringList errLines() const { return err.split(QLatin1Char('\n'), Qt::SkipEmptyParts); }
    QString describe() const
    {
        return QStringLiteral("exit %1 after %2 ms\nstdout: %3\nstderr: %4").arg(code).arg(ms).arg(out.left(2000), err);
    }
};

class CliRunner
{
public:
    // `home` becomes HOME; AWS variables from the test's own environment are dropped.
    explicit CliRunner(const QString &home)
    {
        const QProcessEnvironment sys = QProcessEnvironment::systemEnvironment();
        for (const QString &k : sys.keys())
            if (!k.startsWith(QLatin1String("AWS_")))
                m_env.insert(k, sys.value(k));
        m_env.insert(QStringLiteral("HOME"), home);
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), home + QStringLiteral("/.config"));
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), home + QStringLiteral("/.local/share"));
        m_env.remove(QStringLiteral("QT_LOGGING_RULES"));
    }

    void set(const QString &name, const QString &value) { m_env.insert(name, value); }
    void unset(const QString &name) { m_env.remove(name); }
    void setWorkingDirectory(const QString &dir) { m_cwd = dir; }
    QProcessEnvironment environment() const { return m_env; }

    CliRun run(const QStringList &args, int timeoutMs = 120000) const
    {
        return runProgram(QStringLiteral(SKYDECK_BINARY), args, timeoutMs);
    }

    // The same run with this thread's event loop turning while it waits, for a server that lives
    // in the test (a HostileS3) and must answer the binary.
    CliRun runAsync(const QStringList &args, int timeoutMs = 120000) const
    {
        QProcess p;
        p.setProcessEnvironment(m_env);
        if (!m_cwd.isEmpty())
            p.setWorkingDirectory(m_cwd);
        QSignalSpy finished(&p, &QProcess::finished);
        QElapsedTimer t;
        t.start();
        p.start(QStringLiteral(SKYDECK_BINARY), args);
        CliRun r;
        if (!p.waitForStarted(10000))
            return r;
        r.finished = finished.wait(timeoutMs);
        if (!r.finished) {
            p.kill();
            p.waitForFinished(5000);
        }
        r.ms = t.elapsed();
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

    CliRun runProgram(const QString &program, const QStringList &args, int timeoutMs = 120000) const
    {
        QProcess p;
        p.setProcessEnvironment(m_env);
        if (!m_cwd.isEmpty())
            p.setWorkingDirectory(m_cwd);
        QElapsedTimer t;
        t.start();
        p.start(program, args);
        CliRun r;
        if (!p.waitForStarted(10000))
            return r;
        r.finished = p.waitForFinished(timeoutMs);
        if (!r.finished) {
            p.kill();
            p.waitForFinished(5000);
        }
        r.ms = t.elapsed();
        r.code = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
        r.out = QString::fromUtf8(p.readAllStandardOutput());
        r.err = QString::fromUtf8(p.readAllStandardError());
        return r;
    }

private:
    QProcessEnvironment m_env;
    QString m_cwd;
};

} // namespace skydeck::test
