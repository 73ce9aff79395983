// JupyterHost: the detection script's output parser and ranking, the log classifier on what
// notebook 6.4 (Debian 12), jupyter_server 1.23 and 2.x, jupyter_core and Python really print, and
// the scripts themselves run by the local /bin/sh (dash on Debian: POSIX, no bashisms) in a
// made-up $HOME with a login profile, conda and runtime files.
#include "JupyterHost.h"
#include "TestMain.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>

#include <unistd.h>

using namespace skydeck::ui;
using State = JupyterLogVerdict::State;

#ifndef Q_MOC_RUN
namespace {
// Debian 12's jupyter-notebook 6.4.12 started with JUPYTER_TOKEN, --ip=127.0.0.1 (as captured).
const char *const kNotebook6 =
    "[I 21:03:30.806 NotebookApp] Writing notebook server cookie secret to /tmp/jt/rt/notebook_cookie_secret\n"
    "[I 21:03:31.937 NotebookApp] Serving notebooks from local directory: /home/skydecktest\n"
    "[I 21:03:31.937 NotebookApp] Jupyter Notebook 6.4.12 is running at:\n"
    "[I 21:03:31.937 NotebookApp] http://127.0.0.1:18888/?token=...\n"
    "[I 21:03:31.937 NotebookApp]  or http://127.0.0.1:18888/?token=...\n"
    "[I 21:03:31.937 NotebookApp] Use Control-C to stop this server and shut down all kernels (twice to skip confirmation).\n";
// jupyter_server 2.x under JupyterLab 4: the URLs in a [C] record's continuation lines.
const char *const kServer2 =
    "[I 2024-05-01 12:00:00.100 ServerApp] jupyterlab | extension was successfully loaded.\n"
    "[I 2024-05-01 12:00:00.200 ServerApp] Jupyter Server 2.14.2 is running at:\n"
    "[C 2024-05-01 12:00:00.300 ServerApp] \n"
    "\n"
    "    To access the server, open this file in a browser:\n"
    "        file:///home/a/.local/share/jupyter/runtime/jpserver-77-open.html\n"
    "    Or copy and paste one of these URLs:\n"
    "        http://localhost:8890/lab?token=...\n"
    "        http://127.0.0.1:8890/lab?token=...\n";
// What the issue saw: Debian's `jupyter` asked for `lab`.
const char *const kNoLab = "Jupyter command `jupyter-lab` not found.\n[skydeck] jupyter exited with status 1\n";
const char *const kTraceback =
    "Traceback (most recent call last):\n"
    "  File \"/opt/conda/bin/jupyter-lab\", line 5, in <module>\n"
    "    from jupyterlab.labapp import main\n"
    "ModuleNotFoundError: No module named 'jupyterlab'\n";
// A logged and survived traceback (an extension that failed to load) before the server is up.
const char *const kSurvivedTraceback =
    "[W 2024-05-01 12:00:00.050 ServerApp] A `_jupyter_server_extension_points` function was not found in broken_ext.\n"
    "    Traceback (most recent call last):\n"
    "      File \"/x/extension/manager.py\", line 1, in load\n"
    "    PermissionError: [Errno 13] Permission denied: '/srv/broken'\n"
    "Traceback (most recent call last):\n"
    "  File \"/x/manager.py\", line 1, in _load\n"
    "ImportError: cannot import name 'x'\n"
    "[I 2024-05-01 12:00:00.200 ServerApp] Jupyter Server 2.14.2 is running at:\n";
const char *const kRoot =
    "[C 12:00:00.000 NotebookApp] Running as root is not recommended. Use --allow-root to bypass.\n";
const char *const kBusy =
    "[I 12:00:00.000 NotebookApp] The port 8888 is already in use, trying another port.\n"
    "[C 12:00:00.100 NotebookApp] ERROR: the notebook server could not be started because no available port could be found.\n";
const char *const kBind =
    "Traceback (most recent call last):\n"
    "  File \"/usr/lib/python3/dist-packages/tornado/netutil.py\", line 1, in bind_sockets\n"
    "OSError: [Errno 98] Address already in use\n";

const char *const kDetection =
    "noise from a profile\n"
    "skydeck-jupyter 1\n"
    "uid 1001\n"
    "home /home/alice\n"
    "loginpath /opt/conda/bin:/usr/local/bin:/usr/bin:/bin\n"
    "conda /opt/conda/bin/conda\n"
    "condaenv /opt/conda\n"
    "condaenv /opt/conda/envs/torch env\n"
    "dir /usr/bin\n"
    "prog notebook /usr/bin/jupyter-notebook\n"
    "prog server /usr/bin/jupyter-server\n"
    "dir /home/alice/my tools/bin\n"
    "prog server /home/alice/my tools/bin/jupyter-server\n"
    "ext jupyterlab /home/alice/my tools/bin\n"
    "ext nbclassic /usr/bin\n"
    "dir /opt/conda/bin\n"
    "prog lab /opt/conda/bin/jupyter-lab\n"
    "prog weird /opt/conda/bin/jupyter-weird\n"
    "running /home/alice/.local/share/jupyter/runtime/nbserver-99.json\n"
    "{\n"
    "  \"base_url\": \"/\",\n"
    "  \"hostname\": \"127.0.0.1\",\n"
    "  \"notebook_dir\": \"/home/alice\",\n"
    "  \"password\": false,\n"
    "  \"pid\": 99,\n"
    "  \"port\": 8889,\n"
    "  \"secure\": false,\n"
    "  \"sock\": \"\",\n"
    "  \"token\": \"abc\",\n"
    "  \"url\": \"http://127.0.0.1:8889/\"\n"
    "}\n"
    "@end-running\n"
    "running /run/user/1001/jupyter/nbserver-99.json\n"
    "{\"base_url\": \"/\", \"hostname\": \"127.0.0.1\", \"pid\": 99, \"port\": 8889, \"sock\": \"\", \"token\": \"abc\", \"url\": \"http://127.0.0.1:8889/\"}\n"
    "@end-running\n"
    "running /x/jpserver-5.json\n"
    "{broken\n"
    "@end-running\n"
    "@end\n";
} // namespace
#endif

class TestJupyterHost : public QObject
{
    Q_OBJECT

    // Runs a script with the local /bin/sh as JupyterLauncher runs it on a host (`sh -s`).
    static QByteArray runSh(const QString &script, const QProcessEnvironment &env)
    {
        QProcess sh;
        sh.setProcessEnvironment(env);
        sh.start(QStringLiteral("/bin/sh"), {QStringLiteral("-s")});
        sh.write(script.toUtf8());
        sh.closeWriteChannel();
        if (!sh.waitForFinished(60000))
            return "timeout";
        return sh.readAllStandardOutput();
    }
    static bool writeFile(const QString &path, const QByteArray &data, bool executable = false)
    {
        QDir().mkpath(path.section(QLatin1Char('/'), 0, -2));
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return false;
        f.write(data);
        f.close();
        return !executable || f.setPermissions(f.permissions() | QFileDevice::ExeOwner | QFileDevice::ExeUser);
    }

private Q_SLOTS:
    void parsesDetection()
    {
        const JupyterDetection d = parseJupyterDetection(kDetection);
        QVERIFY(d.valid);
        QVERIFY(!d.root);
        QCOMPARE(d.home, QStringLiteral("/home/alice"));
        QCOMPARE(d.loginPath, QStringLiteral("/opt/conda/bin:/usr/local/bin:/usr/bin:/bin"));
        QCOMPARE(d.conda, QStringLiteral("/opt/conda/bin/conda"));
        QCOMPARE(d.condaEnvs, QStringList({QStringLiteral("/opt/conda"), QStringLiteral("/opt/conda/envs/torch env")}));
        QCOMPARE(d.searchedDirs.size(), 3);
        QCOMPARE(d.programs.size(), 4);  // the unknown kind is left out
        QCOMPARE(d.programs[0].kind, JupyterKind::Notebook);
        QCOMPARE(d.programs[0].binDir, QStringLiteral("/usr/bin"));
        QCOMPARE(d.programs[1].kind, JupyterKind::Server);  // nbclassic is no lab
        // Spaces in a folder; the jupyterlab extension makes the server a Lab.
        QCOMPARE(d.programs[2].kind, JupyterKind::ServerWithLab);
        QCOMPARE(d.programs[2].path, QStringLiteral("/home/alice/my tools/bin/jupyter-server"));
        QCOMPARE(d.programs[3].kind, JupyterKind::Lab);
        // Lab first, whatever the order found.
        QVERIFY(d.best().has_value());
        QCOMPARE(d.best()->path, QStringLiteral("/opt/conda/bin/jupyter-lab"));
        // The same server from two runtime folders once; a broken file is skipped.
        QCOMPARE(d.running.size(), 1);
        QCOMPARE(d.running[0].port, 8889);
        QCOMPARE(d.running[0].token, QStringLiteral("abc"));
        QCOMPARE(d.running[0].pid, 99);
        QCOMPARE(d.running[0].rootDir, QStringLiteral("/home/alice"));
    }

    void ranksWhatToStart()
    {
        JupyterDetection d = parseJupyterDetection("skydeck-jupyter 1\nuid 0\n"
                                                   "prog server /a/bin/jupyter-server\n"
                                                   "prog notebook /b/bin/jupyter-notebook\n"
                                                   "prog notebook /c/bin/jupyter-notebook\n");
        QVERIFY(d.root);
        QVERIFY(d.best().has_value());
        QCOMPARE(d.best()->path, QStringLiteral("/b/bin/jupyter-notebook"));  // the first of a kind
        d = parseJupyterDetection("skydeck-jupyter 1\nprog server /a/bin/jupyter-server\next jupyterlab /a/bin\n"
                                  "prog notebook /b/bin/jupyter-notebook\n");
        QVERIFY(d.best().has_value());
        QCOMPARE(d.best()->kind, JupyterKind::ServerWithLab);
        // A bare Jupyter Server has no page to work in: nothing to start.
        d = parseJupyterDetection("skydeck-jupyter 1\nprog server /a/bin/jupyter-server\n");
        QVERIFY(!d.best());
        QVERIFY(d.hasBareServer());
        d = parseJupyterDetection("skydeck-jupyter 1\n@end\n");
        QVERIFY(!d.best());
        QVERIFY(!d.hasBareServer());
        QVERIFY(!parseJupyterDetection("sh: 1: syntax error\n").valid);
    }

    void logReady()
    {
        JupyterLogVerdict v = classifyJupyterLog(kNotebook6, true);
        QCOMPARE(v.state, State::Ready);
        QCOMPARE(v.port, 18888);
        QCOMPARE(v.url.host(), QStringLiteral("127.0.0.1"));
        v = classifyJupyterLog(kServer2, true);
        QCOMPARE(v.state, State::Ready);  // the [C] record with the URLs is no failure
        QCOMPARE(v.port, 8890);
        QCOMPARE(v.url.path(), QStringLiteral("/lab"));
        // A survived traceback inside a [W] record, then the server comes up.
        v = classifyJupyterLog(QByteArray(kSurvivedTraceback) + "[I 2024-05-01 12:00:00.200 ServerApp] http://127.0.0.1:8891/lab?token=...\n", true);
        QCOMPARE(v.state, State::Ready);
        QCOMPARE(v.port, 8891);
        // The URL line, not yet complete.
        QCOMPARE(classifyJupyterLog("[I 21:03:31.937 NotebookApp] http://127.0.0.1:18888/?tok", true).state, State::Waiting);
    }

    void logFailsAtOnce()
    {
        // The log: the reason is that line, while the process is still alive too.
        JupyterLogVerdict v = classifyJupyterLog(kNoLab, false);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("Jupyter command `jupyter-lab` not found. (exited with status 1)"));
        v = classifyJupyterLog("Jupyter command `jupyter-lab` not found.\n", true);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("Jupyter command `jupyter-lab` not found."));
        // A traceback: its exception line, as soon as it is there.
        v = classifyJupyterLog(kTraceback, true);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("ModuleNotFoundError: No module named 'jupyterlab'"));
        QCOMPARE(classifyJupyterLog(QByteArray(kTraceback).left(60), true).state, State::Waiting);
        v = classifyJupyterLog(QByteArray(kTraceback) + "[skydeck] /opt/conda/bin/jupyter-lab exited with status 1\n", false);
        QCOMPARE(v.reason, QStringLiteral("ModuleNotFoundError: No module named 'jupyterlab' (exited with status 1)"));
        // Critical records.
        v = classifyJupyterLog(kRoot, true);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("Running as root is not recommended. Use --allow-root to bypass."));
        v = classifyJupyterLog(kBusy, true);
        QCOMPARE(v.state, State::Failed);
        QVERIFY(v.reason.startsWith(QLatin1String("ERROR: the notebook server could not be started")));
        v = classifyJupyterLog(kBind, true);
        QCOMPARE(v.reason, QStringLiteral("OSError: [Errno 98] Address already in use"));
        // The shell's words.
        v = classifyJupyterLog("sh: 1: /opt/conda/bin/jupyter-lab: Permission denied\n", true);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("sh: 1: /opt/conda/bin/jupyter-lab: Permission denied"));
        v = classifyJupyterLog("skydeck-jupyter: 1: exec: /x/jupyter-lab: not found\n", true);
        QCOMPARE(v.state, State::Failed);
        v = classifyJupyterLog("/usr/bin/env: 'python3.9': No such file or directory\n", true);
        QCOMPARE(v.reason, QStringLiteral("/usr/bin/env: 'python3.9': No such file or directory"));
    }

    void logWaitsOrEnds()
    {
        QCOMPARE(classifyJupyterLog(QByteArray(), true).state, State::Waiting);
        // "already in use, trying another port" is Jupyter finding a port, not a failure.
        JupyterLogVerdict v = classifyJupyterLog("[I 12:00:00.000 NotebookApp] The port 8888 is already in use, trying another port.\n", true);
        QCOMPARE(v.state, State::Waiting);
        QCOMPARE(v.lastLine, QStringLiteral("[I 12:00:00.000 NotebookApp] The port 8888 is already in use, trying another port."));
        // A survived traceback alone is no failure while the process lives...
        QCOMPARE(classifyJupyterLog(kSurvivedTraceback, true).state, State::Waiting);
        // ...but is the reason once it has ended.
        v = classifyJupyterLog(kSurvivedTraceback, false);
        QCOMPARE(v.state, State::Failed);
        QCOMPARE(v.reason, QStringLiteral("ImportError: cannot import name 'x'"));
        // Ended with no word: the last line, or the status.
        v = classifyJupyterLog("[I 12:00 ServerApp] loading\n[skydeck] x exited with status 0\n", false);
        QCOMPARE(v.reason, QStringLiteral("[I 12:00 ServerApp] loading (exited with status 0)"));
        QCOMPARE(classifyJupyterLog("[skydeck] x exited with status 9\n", false).reason, QStringLiteral("exited with status 9"));
        QCOMPARE(classifyJupyterLog(QByteArray(), false).reason, QStringLiteral("ended without a word in its log"));
        // A URL that ended with its process is no server.
        QCOMPARE(classifyJupyterLog(kNotebook6, false).state, State::Failed);
    }

    void followAndStartOutput()
    {
        JupyterFollow f = parseJupyterFollow("alive 1\nsize 42\n@log\nline one\nline two\n");
        QVERIFY(f.valid);
        QVERIFY(f.alive);
        QCOMPARE(f.size, 42);
        QCOMPARE(f.log, QByteArray("line one\nline two\n"));
        QVERIFY(!parseJupyterFollow("alive 1\n").valid);
        JupyterStarted s = parseJupyterStarted("pid 1234\nlog /home/a/.skydeck/jupyter.log\n");
        QVERIFY(s.error.isEmpty());
        QCOMPARE(s.pid, 1234);
        QCOMPARE(s.log, QStringLiteral("/home/a/.skydeck/jupyter.log"));
        QCOMPARE(parseJupyterStarted("error cannot create /x/.skydeck\n").error, QStringLiteral("cannot create /x/.skydeck"));
        QVERIFY(!parseJupyterStarted("").error.isEmpty());
        const QString t = newJupyterToken();
        QCOMPARE(t.size(), 48);
        QVERIFY(t != newJupyterToken());
    }

    // The detection script under /bin/sh in a made-up home: extra folder first, PATH, the login
    // shell's PATH (.profile), ~/.local/bin, a conda with an env it does not list and one it lists
    // (elsewhere, a space in its prefix), the jupyterlab extension of a prefix, running and stale
    // runtime files; quoting-hostile names.
    void detectionScriptRuns()
    {
        QTemporaryDir tmp;
        const QString home = tmp.filePath(QStringLiteral("home"));
        const QByteArray fake = "#!/bin/sh\nexit 0\n";
        const QString extra = tmp.filePath(QStringLiteral("it's \"extra\" $(touch pwned)/bin"));
        QVERIFY(writeFile(extra + QStringLiteral("/jupyter-notebook"), fake, true));
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("onpath/jupyter-server")), fake, true));
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("onpath/jupyter-lab")), "not executable"));
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("fromprofile/bin/jupyter-server")), fake, true));
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("fromprofile/etc/jupyter/jupyter_server_config.d/jupyterlab.json")), "{}"));
        QVERIFY(writeFile(home + QStringLiteral("/.profile"),
                          "echo a banner\nPATH=\"" + tmp.filePath(QStringLiteral("fromprofile/bin")).toUtf8() + ":$PATH\"\n"));
        QVERIFY(writeFile(home + QStringLiteral("/.local/bin/jupyter-notebook"), fake, true));
        const QString conda = home + QStringLiteral("/miniconda3");
        QVERIFY(writeFile(conda + QStringLiteral("/bin/conda"),
                          "#!/bin/sh\n[ \"$1 $2\" = 'env list' ] || exit 1\n"
                          "echo '# conda environments:'\necho '#'\necho 'base  *  " + conda.toUtf8() + "'\n"
                          "echo '" + tmp.filePath(QStringLiteral("elsewhere/my env")).toUtf8() + "'\n", true));
        QVERIFY(writeFile(conda + QStringLiteral("/envs/torch/bin/jupyter-lab"), fake, true));
        QVERIFY(writeFile(tmp.filePath(QStringLiteral("elsewhere/my env/bin/jupyter-lab")), fake, true));
        const QString runtime = tmp.filePath(QStringLiteral("runtime"));
        const QByteArray info = "{\n  \"base_url\": \"/\",\n  \"hostname\": \"127.0.0.1\",\n  \"port\": 8899,\n"
                                "  \"sock\": \"\",\n  \"token\": \"tk\",\n  \"url\": \"http://127.0.0.1:8899/\"\n}\n";
        QVERIFY(writeFile(runtime + QStringLiteral("/jpserver-%1.json").arg(getpid()), info));  // alive: this test
        QProcess gone;
        gone.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("exit 0")});
        QVERIFY(gone.waitForStarted());
        const qint64 gonePid = gone.processId();
        QVERIFY(gone.waitForFinished());
        QVERIFY(writeFile(runtime + QStringLiteral("/nbserver-%1.json").arg(gonePid), info));

        QProcessEnvironment env;
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("SHELL"), QStringLiteral("/bin/bash"));
        env.insert(QStringLiteral("PATH"), tmp.filePath(QStringLiteral("onpath")) + QStringLiteral(":/usr/bin:/bin"));
        JupyterHostOptions o;
        o.extraDirs = {extra, QStringLiteral("relative/bin")};
        o.environment.insert(QStringLiteral("JUPYTER_RUNTIME_DIR"), runtime);
        o.environment.insert(QStringLiteral("BAD NAME"), QStringLiteral("$(touch pwned2)"));
        const QByteArray out = runSh(jupyterDetectScript(o), env);
        const JupyterDetection d = parseJupyterDetection(out);
        QVERIFY2(d.valid, out.constData());
        QVERIFY(!QFile::exists(QDir::current().filePath(QStringLiteral("pwned"))));
        QVERIFY(!QFile::exists(QDir::current().filePath(QStringLiteral("pwned2"))));
        // What this machine has elsewhere (/usr/bin/jupyter-notebook, ...) is left out of the comparison.
        QStringList found;
        for (const JupyterProgram &p : d.programs)
            if (p.path.startsWith(tmp.path()))
                found << jupyterKindName(p.kind) + QLatin1Char(' ') + p.path;
        const QStringList expected = {
            QStringLiteral("Jupyter Notebook ") + extra + QStringLiteral("/jupyter-notebook"),
            QStringLiteral("Jupyter Server ") + tmp.filePath(QStringLiteral("onpath/jupyter-server")),
            QStringLiteral("JupyterLab (on Jupyter Server) ") + tmp.filePath(QStringLiteral("fromprofile/bin/jupyter-server")),
            QStringLiteral("Jupyter Notebook ") + home + QStringLiteral("/.local/bin/jupyter-notebook"),
            QStringLiteral("JupyterLab ") + conda + QStringLiteral("/envs/torch/bin/jupyter-lab"),
            QStringLiteral("JupyterLab ") + tmp.filePath(QStringLiteral("elsewhere/my env/bin/jupyter-lab")),
        };
        QCOMPARE(found, expected);
        QVERIFY(d.loginPath.startsWith(tmp.filePath(QStringLiteral("fromprofile/bin:"))));
        QCOMPARE(d.conda, conda + QStringLiteral("/bin/conda"));
        QCOMPARE(d.condaEnvs, QStringList({conda, tmp.filePath(QStringLiteral("elsewhere/my env"))}));
        QVERIFY(d.best().has_value());
        QCOMPARE(d.best()->path, conda + QStringLiteral("/envs/torch/bin/jupyter-lab"));  // Lab first
        QCOMPARE(d.running.size(), 1);  // the stale file's process is gone
        QCOMPARE(d.running[0].port, 8899);
        QCOMPARE(d.running[0].token, QStringLiteral("tk"));

        // Servers only; and nothing but an empty folder searched.
        const JupyterDetection running = parseJupyterDetection(runSh(jupyterDetectScript(o, true), env));
        QVERIFY(running.programs.isEmpty());
        QCOMPARE(running.running.size(), 1);
        JupyterHostOptions none;
        none.extraDirs = {tmp.filePath(QStringLiteral("empty"))};
        none.systemSearch = false;
        QVERIFY(QDir().mkpath(none.extraDirs.first()));
        const JupyterDetection nothing = parseJupyterDetection(runSh(jupyterDetectScript(none), env));
        QVERIFY(nothing.valid);
        QVERIFY(nothing.programs.isEmpty());
        QCOMPARE(nothing.searchedDirs, none.extraDirs);
    }

    // The start and follow scripts under /bin/sh: the program gets the token in its environment
    // (never in its arguments), the options, cwd $HOME; the log is 0600 under ~/.skydeck, the
    // previous one kept; the follow script returns when the log grows or the process ends.
    void startAndFollowScriptsRun()
    {
        QTemporaryDir tmp;
        const QString home = tmp.filePath(QStringLiteral("ho'me"));
        QVERIFY(QDir().mkpath(home));
        QVERIFY(writeFile(home + QStringLiteral("/.skydeck/jupyter-20200101-000000-1.log"), "old log\n"));
        QVERIFY(QProcess::execute(QStringLiteral("touch"), {QStringLiteral("-d"), QStringLiteral("40 days ago"),
                                                            home + QStringLiteral("/.skydeck/jupyter-20200101-000000-1.log")}) == 0);
        QVERIFY(writeFile(home + QStringLiteral("/.skydeck/jupyter-recent.log"), "recent log\n"));
        const QString rec = tmp.filePath(QStringLiteral("record"));
        JupyterProgram p;
        p.kind = JupyterKind::Notebook;
        p.binDir = tmp.filePath(QStringLiteral("b in"));
        p.path = p.binDir + QStringLiteral("/jupyter-notebook");
        QVERIFY(writeFile(p.path, "#!/bin/sh\n{ echo \"args: $*\"; echo \"token: $JUPYTER_TOKEN\"; pwd; command -v jupyter-notebook; } >\"$REC\"\n"
                                  "echo '[I 12:00:00.000 NotebookApp] http://127.0.0.1:8888/?token=...'\nsleep 1\necho bye >&2\nexit 3\n", true));
        JupyterHostOptions o;
        o.environment.insert(QStringLiteral("REC"), rec);
        JupyterDetection d;
        d.loginPath = QStringLiteral("/usr/bin:/bin");
        QProcessEnvironment env;
        env.insert(QStringLiteral("HOME"), home);
        env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
        const QString token = newJupyterToken();
        const QString script = jupyterStartScript(p, d, o, token, 8888);
        const JupyterStarted st = parseJupyterStarted(runSh(script, env));
        QVERIFY2(st.error.isEmpty(), qPrintable(st.error));
        QVERIFY2(QFileInfo(st.log).fileName().startsWith(QLatin1String("jupyter-")), qPrintable(st.log));
        QCOMPARE(QFileInfo(st.log).path(), home + QStringLiteral("/.skydeck"));
        QVERIFY(!(QFile(st.log).permissions() & (QFileDevice::ReadOther | QFileDevice::ReadGroup)));
        QVERIFY(!QFile::exists(home + QStringLiteral("/.skydeck/jupyter-20200101-000000-1.log")));  // pruned
        QVERIFY(QFile::exists(home + QStringLiteral("/.skydeck/jupyter-recent.log")));

        // Follow: first the URL line (the log grew), then the end with the wrapper's status line.
        JupyterFollow f = parseJupyterFollow(runSh(jupyterFollowScript(st.pid, st.log, 0), env));
        QVERIFY(f.valid);
        QTRY_VERIFY(QFile(rec).size() > 0);
        const QByteArray recorded = [&] { QFile r(rec); r.open(QIODevice::ReadOnly); return r.readAll(); }();
        // Root (uid 0) gets --allow-root, which Jupyter asks for.
        const QByteArray args = QByteArray("args: --no-browser --ip=127.0.0.1 --port=8888 --port-retries=50")
                                + (getuid() == 0 ? " --allow-root\n" : "\n");
        QVERIFY2(recorded.contains(args), recorded.constData());
        QVERIFY(recorded.contains(QByteArray("token: " + token.toLatin1() + "\n")));
        QVERIFY(recorded.contains(QByteArray(QFile::encodeName(home) + "\n")));          // cwd: $HOME
        QVERIFY(recorded.contains(QByteArray(QFile::encodeName(p.path) + "\n")));        // its folder first on PATH
        QVERIFY(!script.contains(QLatin1String("--NotebookApp.token")));
        QElapsedTimer t;
        t.start();
        // Until it ends (the wrapper's last line: where nothing reaps orphans, `kill -0` still
        // sees the zombie).
        for (int i = 0; i < 10 && f.alive && !f.log.contains("[skydeck]"); ++i)
            f = parseJupyterFollow(runSh(jupyterFollowScript(st.pid, st.log, f.size), env));
        QVERIFY2(t.elapsed() < 5000, qPrintable(QString::number(t.elapsed())));
        QCOMPARE(classifyJupyterLog(f.log, f.alive).state, State::Failed);
        QVERIFY2(f.log.endsWith(QByteArray("bye\n[skydeck] " + QFile::encodeName(p.path) + " exited with status 3\n")), f.log.constData());
        QCOMPARE(classifyJupyterLog(f.log, f.alive).reason, QStringLiteral("bye (exited with status 3)"));
    }
};

SKYDECK_TEST_MAIN(TestJupyterHost)
#include "tst_jupyterhost.moc"
