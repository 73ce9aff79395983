#include "JupyterHost.h"

#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSet>

namespace skydeck::ui {

namespace {

// Single-quotes a word for a POSIX shell.
QString shellQuote(const QString &word)
{
    QString q = word;
    q.replace(QLatin1Char('\''), QLatin1String("'\\''"));
    return QLatin1Char('\'') + q + QLatin1Char('\'');
}

bool isShellName(const QString &name)
{
    static const QRegularExpression re(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    return re.match(name).hasMatch();
}

QString exports(const JupyterHostOptions &options)
{
    QString s;
    for (auto it = options.environment.cbegin(); it != options.environment.cend(); ++it) {
        if (!isShellName(it.key()))
            continue;  // never pasted into the script unquoted
        s += it.key() + QLatin1Char('=') + shellQuote(it.value()) + QStringLiteral("; export ") + it.key() + QLatin1Char('\n');
    }
    return s;
}

// The detection script (POSIX sh, no bashisms). Folders are kept one per line in $dirs; a folder
// whose name holds a newline, or a relative one, is never searched.
const char *const kDetectHead = R"SH(nl='
'
dirs=
add() {
  case $1 in /*) ;; *) return 0;; esac
  case $1 in *"$nl"*) return 0;; esac
  [ -d "$1" ] || return 0
  case "$nl$dirs" in *"$nl$1$nl"*) return 0;; esac
  dirs=$dirs$1$nl
}
addpath() {
  set -f; oifs=$IFS; IFS=:
  set -- $1
  IFS=$oifs; set +f
  for d do add "$d"; done
}
to=
command -v timeout >/dev/null 2>&1 && to='timeout 15'
echo 'skydeck-jupyter 1'
echo "uid $(id -u)"
echo "home $HOME"
)SH";

const char *const kDetectSearch = R"SH(addpath "$PATH"
lsh=
case ${SHELL##*/} in bash|zsh) lsh=$SHELL;; esac
[ -z "$lsh" ] && command -v bash >/dev/null 2>&1 && lsh=bash
if [ -n "$lsh" ]; then
  lp=$($to "$lsh" -lc 'printf "\n@skydeck-path=%s\n" "$PATH"' </dev/null 2>/dev/null | sed -n 's/^@skydeck-path=//p' | tail -n 1)
  if [ -n "$lp" ]; then echo "loginpath $lp"; addpath "$lp"; fi
fi
add "$HOME/.local/bin"
for c in "$HOME/miniconda3" "$HOME/anaconda3" "$HOME/miniforge3" "$HOME/mambaforge" "$HOME/micromamba" \
         "$HOME/conda" /opt/conda /opt/miniconda3 /opt/anaconda3 /opt/miniforge3 /usr/local/anaconda3 /usr/local/miniconda3; do
  add "$c/bin"
  for e in "$c"/envs/*; do add "$e/bin"; done
done
conda=
[ -n "${CONDA_EXE:-}" ] && [ -x "$CONDA_EXE" ] && conda=$CONDA_EXE
while IFS= read -r d; do
  [ -z "$conda" ] && [ -n "$d" ] && [ -x "$d/conda" ] && conda=$d/conda
done <<EOF
$dirs
EOF
if [ -n "$conda" ]; then
  echo "conda $conda"
  envs=$($to "$conda" env list </dev/null 2>/dev/null)
  while IFS= read -r line; do
    case $line in ''|'#'*) continue;; */*) ;; *) continue;; esac
    # "NAME [*] PREFIX" or "PREFIX": names hold no '/' (nor spaces), a prefix may hold spaces.
    p=/${line#*/}
    echo "condaenv $p"; add "$p/bin"
  done <<EOF
$envs
EOF
fi
)SH";

const char *const kDetectScan = R"SH(while IFS= read -r d; do
  [ -n "$d" ] || continue
  echo "dir $d"
  for k in lab notebook server; do
    [ -f "$d/jupyter-$k" ] && [ -x "$d/jupyter-$k" ] && echo "prog $k $d/jupyter-$k"
  done
  p=${d%/*}
  case $p in /usr) e=/etc/jupyter;; '') e=/etc/jupyter;; *) e=$p/etc/jupyter;; esac
  for f in "$e"/jupyter_server_config.d/*.json; do
    [ -f "$f" ] || continue
    f=${f##*/}
    echo "ext ${f%.json} $d"
  done
done <<EOF
$dirs
EOF
)SH";

// Running servers: the runtime files of the user's servers whose process is alive. Where
// jupyter_core puts them: $JUPYTER_RUNTIME_DIR alone when set, else $XDG_DATA_HOME/jupyter/runtime
// (~/.local/share), with JUPYTER_PLATFORM_DIRS=1 $XDG_RUNTIME_DIR/jupyter, on macOS
// ~/Library/Jupyter/runtime.
const char *const kDetectRunning = R"SH(if [ -n "${JUPYTER_RUNTIME_DIR:-}" ]; then
  rts=$JUPYTER_RUNTIME_DIR
else
  rts="${XDG_DATA_HOME:-$HOME/.local/share}/jupyter/runtime$nl$HOME/Library/Jupyter/runtime$nl/run/user/$(id -u)/jupyter"
  [ -n "${XDG_RUNTIME_DIR:-}" ] && rts="$rts$nl$XDG_RUNTIME_DIR/jupyter"
fi
n=0
while IFS= read -r r; do
  [ -n "$r" ] && [ -d "$r" ] || continue
  for f in "$r"/jpserver-*.json "$r"/nbserver-*.json; do
    [ -f "$f" ] || continue
    pid=${f##*/}; pid=${pid#*server-}; pid=${pid%.json}
    case $pid in ''|*[!0-9]*) continue;; esac
    kill -0 "$pid" 2>/dev/null || continue
    n=$((n + 1)); [ "$n" -le 32 ] || break
    echo "running $f"
    head -c 65536 "$f"
    echo
    echo '@end-running'
  done
done <<EOF
$rts
EOF
echo '@end'
exit 0
)SH";

QString restOf(const QByteArray &line, int prefixLength)
{
    return QString::fromUtf8(line.mid(prefixLength));
}

} // namespace

QString jupyterKindName(JupyterKind kind)
{
    switch (kind) {
    case JupyterKind::Lab:
        return QStringLiteral("JupyterLab");
    case JupyterKind::ServerWithLab:
        return QStringLiteral("JupyterLab (on Jupyter Server)");
    case JupyterKind::Notebook:
        return QStringLiteral("Jupyter Notebook");
    case JupyterKind::Server:
        return QStringLiteral("Jupyter Server");
    }
    return {};
}

std::optional<JupyterProgram> JupyterDetection::best() const
{
    for (JupyterKind k : {JupyterKind::Lab, JupyterKind::ServerWithLab, JupyterKind::Notebook})
        for (const JupyterProgram &p : programs)
            if (p.kind == k)
                return p;
    return std::nullopt;
}

bool JupyterDetection::hasBareServer() const
{
    for (const JupyterProgram &p : programs)
        if (p.kind == JupyterKind::Server)
            return true;
    return false;
}

QString jupyterDetectScript(const JupyterHostOptions &options, bool serversOnly)
{
    QString s = QStringLiteral("# skydeck: what Jupyter this host has (Open Jupyter)\n") + exports(options)
                + QString::fromLatin1(kDetectHead);
    if (!serversOnly) {
        for (const QString &d : options.extraDirs)
            s += QStringLiteral("add ") + shellQuote(d) + QLatin1Char('\n');
        if (options.systemSearch)
            s += QString::fromLatin1(kDetectSearch);
        s += QString::fromLatin1(kDetectScan);
    }
    return s + QString::fromLatin1(kDetectRunning);
}

JupyterDetection parseJupyterDetection(const QByteArray &output)
{
    JupyterDetection d;
    // Extensions seen per folder, applied once every line is read.
    QMap<QString, QSet<QString>> extensions;
    QList<JupyterProgram> servers;
    QByteArray runningJson;
    bool inRunning = false;
    QSet<QString> seenServers;
    const QList<QByteArray> lines = output.split('\n');
    for (const QByteArray &line : lines) {
        if (inRunning) {
            if (line == "@end-running") {
                inRunning = false;
                for (const JupyterServer &s : parseJupyterServerList(runningJson.simplified())) {
                    const QString key = s.forwardHost() + QLatin1Char(':') + QString::number(s.port) + s.baseUrl;
                    if (!seenServers.contains(key)) {
                        seenServers.insert(key);
                        d.running.append(s);
                    }
                }
                runningJson.clear();
            } else if (runningJson.size() < 65536 + 1024) {
                runningJson += line + ' ';
            }
            continue;
        }
        if (line == "skydeck-jupyter 1") {
            d.valid = true;
        } else if (line.startsWith("uid ")) {
            d.root = line.mid(4).trimmed() == "0";
        } else if (line.startsWith("home ")) {
            d.home = restOf(line, 5);
        } else if (line.startsWith("loginpath ")) {
            d.loginPath = restOf(line, 10);
        } else if (line.startsWith("conda ")) {
            d.conda = restOf(line, 6);
        } else if (line.startsWith("condaenv ")) {
            d.condaEnvs << restOf(line, 9);
        } else if (line.startsWith("dir ")) {
            d.searchedDirs << restOf(line, 4);
        } else if (line.startsWith("prog ")) {
            const qsizetype sp = line.indexOf(' ', 5);
            if (sp < 0)
                continue;
            const QByteArray kind = line.mid(5, sp - 5);
            JupyterProgram p;
            p.path = restOf(line, int(sp + 1));
            p.binDir = p.path.section(QLatin1Char('/'), 0, -2);
            if (kind == "lab")
                p.kind = JupyterKind::Lab;
            else if (kind == "notebook")
                p.kind = JupyterKind::Notebook;
            else if (kind == "server")
                p.kind = JupyterKind::Server;
            else
                continue;
            d.programs << p;
        } else if (line.startsWith("ext ")) {
            const qsizetype sp = line.indexOf(' ', 4);
            if (sp > 4)
                extensions[restOf(line, int(sp + 1))].insert(QString::fromUtf8(line.mid(4, sp - 4)));
        } else if (line.startsWith("running ")) {
            inRunning = true;
            runningJson.clear();
        }
    }
    // A jupyter-server whose prefix enables jupyterlab serves Lab even without a jupyter-lab script.
    for (JupyterProgram &p : d.programs)
        if (p.kind == JupyterKind::Server && extensions.value(p.binDir).contains(QStringLiteral("jupyterlab")))
            p.kind = JupyterKind::ServerWithLab;
    return d;
}

QString jupyterStartScript(const JupyterProgram &program, const JupyterDetection &detection,
                           const JupyterHostOptions &options, const QString &token, int port)
{
    QString s = QStringLiteral("# skydeck: start Jupyter in the background (Open Jupyter)\n") + exports(options);
    // The token only ever travels in this script (standard input of `sh -s`) and the environment.
    s += QStringLiteral("JUPYTER_TOKEN=%1; export JUPYTER_TOKEN\n").arg(shellQuote(token));
    QString path = shellQuote(program.binDir);
    if (!detection.loginPath.isEmpty())
        path += QLatin1Char(':') + shellQuote(detection.loginPath);
    s += QStringLiteral("PATH=%1:$PATH; export PATH\n").arg(path);
    s += QStringLiteral("PYTHONUNBUFFERED=1; export PYTHONUNBUFFERED\n");
    QStringList args = {program.path, QStringLiteral("--no-browser"), QStringLiteral("--ip=127.0.0.1"),
                        QStringLiteral("--port=%1").arg(port), QStringLiteral("--port-retries=50")};
    if (program.kind == JupyterKind::ServerWithLab)
        args << QStringLiteral("--ServerApp.default_url=/lab");
    QString argv;
    for (const QString &a : std::as_const(args))
        argv += QLatin1Char(' ') + shellQuote(a);
    s += QStringLiteral("set --") + argv + QLatin1Char('\n');
    s += QStringLiteral(R"SH(cd "$HOME" || { echo "error cannot enter the home folder $HOME"; exit 1; }
[ "$(id -u)" = 0 ] && set -- "$@" --allow-root
d=$HOME/.skydeck
mkdir -p "$d" && chmod 700 "$d" || { echo "error cannot create $d"; exit 1; }
find "$d" -name 'jupyter-*.log' -mtime +30 -exec rm -f {} + 2>/dev/null
log=$d/jupyter-$(date +%Y%m%d-%H%M%S)-$$.log
( umask 077; : >"$log" ) || { echo "error cannot write $log"; exit 1; }
s=
command -v setsid >/dev/null 2>&1 && s=setsid
$s nohup sh -c '"$@"; echo "[skydeck] $1 exited with status $?"' skydeck-jupyter "$@" </dev/null >>"$log" 2>&1 &
echo "pid $!"
echo "log $log"
exit 0
)SH");
    return s;
}

JupyterStarted parseJupyterStarted(const QByteArray &output)
{
    JupyterStarted st;
    for (const QByteArray &line : output.split('\n')) {
        if (line.startsWith("pid "))
            st.pid = line.mid(4).trimmed().toLongLong();
        else if (line.startsWith("log "))
            st.log = restOf(line, 4);
        else if (line.startsWith("error ") && st.error.isEmpty())
            st.error = restOf(line, 6);
    }
    if (st.error.isEmpty() && (st.pid <= 0 || st.log.isEmpty()))
        st.error = QStringLiteral("the start script printed no process id");
    return st;
}

QString jupyterFollowScript(qint64 pid, const QString &log, qint64 knownSize)
{
    return QStringLiteral("# skydeck: follow a starting Jupyter's log\nlog=%1; pid=%2; known=%3\n")
               .arg(shellQuote(log))
               .arg(pid)
               .arg(knownSize)
           + QStringLiteral(R"SH(i=0
while :; do
  if kill -0 "$pid" 2>/dev/null; then alive=1; else alive=0; fi
  size=$(wc -c <"$log" 2>/dev/null | tr -d ' ')
  [ -n "$size" ] || size=0
  if [ "$size" != "$known" ] || [ "$alive" = 0 ] || [ "$i" -ge 30 ]; then break; fi
  sleep 0.1 2>/dev/null || sleep 1
  i=$((i + 1))
done
echo "alive $alive"
echo "size $size"
echo '@log'
tail -c 262144 "$log" 2>/dev/null
exit 0
)SH");
}

JupyterFollow parseJupyterFollow(const QByteArray &output)
{
    JupyterFollow f;
    const qsizetype at = output.indexOf("\n@log\n");
    if (at < 0)
        return f;
    for (const QByteArray &line : output.left(at).split('\n')) {
        if (line.startsWith("alive "))
            f.alive = line.mid(6).trimmed() == "1";
        else if (line.startsWith("size "))
            f.size = line.mid(5).trimmed().toLongLong();
    }
    f.log = output.mid(at + 6);
    f.valid = true;
    return f;
}

JupyterLogVerdict classifyJupyterLog(const QByteArray &log, bool alive)
{
    static const QRegularExpression tag(QStringLiteral(R"(^\[([DIWEC]) [^\]]*\] ?(.*)$)"));
    static const QRegularExpression url(
        QStringLiteral(R"((https?)://(127\.0\.0\.1|localhost|\[::1\]):(\d{1,5})(/[^\s?#]*)?(\?\S*)?)"));
    static const QRegularExpression skydeckExit(QStringLiteral(R"(^\[skydeck\] .* exited with status (\d+)$)"));
    static const QStringList fatal = {QStringLiteral("not found"), QStringLiteral("No such file or directory"),
                                      QStringLiteral("Address already in use"), QStringLiteral("Permission denied")};

    JupyterLogVerdict v;
    QStringList lines = QString::fromUtf8(log).split(QLatin1Char('\n'));
    // A last line without its newline may still be written (unless the process is gone).
    if (alive && !log.endsWith('\n') && !lines.isEmpty())
        lines.removeLast();

    const auto isException = [](const QString &l) {
        return !l.isEmpty() && !l.front().isSpace() && !l.startsWith(QLatin1String("Traceback "))
               && !l.startsWith(QLatin1String("During handling")) && !l.startsWith(QLatin1String("The above exception"));
    };
    QString firstFatal;       // a top-level line that ends the wait
    QString anyFatal;         // a pattern anywhere (inside Jupyter's records too)
    QString lastException;    // the last traceback's exception line
    QString exitStatus;
    bool pendingTraceback = false;   // a top-level traceback whose exception line is not there yet
    bool topLevelTraceback = false;  // the traceback being read is top-level
    bool inTraceback = false;
    char context = 0;  // the level of the Jupyter record the untagged lines continue, 0 for none
    for (const QString &raw : std::as_const(lines)) {
        const QString l = raw.trimmed().isEmpty() ? QString() : QString(raw).remove(QLatin1Char('\r'));
        if (l.isEmpty())
            continue;
        const QRegularExpressionMatch ex = skydeckExit.match(l);
        if (ex.hasMatch()) {
            exitStatus = ex.captured(1);
            continue;
        }
        v.lastLine = l.trimmed();
        if (v.state != JupyterLogVerdict::State::Ready) {
            const QRegularExpressionMatch u = url.match(l);
            if (u.hasMatch()) {
                v.url = QUrl(u.captured(0));
                v.port = u.captured(3).toInt();
            }
        }
        const QRegularExpressionMatch t = tag.match(l);
        QString text = l;
        bool topLevel;
        if (t.hasMatch()) {
            context = t.captured(1).at(0).toLatin1();
            text = t.captured(2).trimmed();
            topLevel = context == 'C';
            inTraceback = false;
            if (context == 'C' && !text.isEmpty() && firstFatal.isEmpty() && !url.match(text).hasMatch())
                firstFatal = text;
        } else {
            topLevel = context == 0 || context == 'C';
        }
        if (l.startsWith(QLatin1String("Traceback (most recent call last)"))) {
            inTraceback = true;
            topLevelTraceback = topLevel;
            if (topLevel)
                pendingTraceback = true;
            continue;
        }
        if (inTraceback && isException(l)) {
            lastException = l.trimmed();
            inTraceback = false;
            if (topLevelTraceback && pendingTraceback) {
                pendingTraceback = false;
                if (firstFatal.isEmpty())
                    firstFatal = lastException;
            }
            continue;
        }
        if (inTraceback)
            continue;
        for (const QString &f : fatal) {
            if (text.contains(f)) {
                if (anyFatal.isEmpty())
                    anyFatal = text;
                if (topLevel && !t.hasMatch() && firstFatal.isEmpty())
                    firstFatal = text;
                break;
            }
        }
    }

    // The wrapper's last words: the process is gone even if `kill -0` still sees it (a zombie
    // where nothing reaps orphans).
    if (!exitStatus.isEmpty())
        alive = false;
    if (alive && v.port > 0 && v.port <= 65535) {
        v.state = JupyterLogVerdict::State::Ready;
        v.reason.clear();
        return v;
    }
    v.url = QUrl();
    v.port = 0;
    if (alive) {
        if (!firstFatal.isEmpty()) {
            v.state = JupyterLogVerdict::State::Failed;
            v.reason = firstFatal;
        }
        return v;
    }
    v.state = JupyterLogVerdict::State::Failed;
    if (!firstFatal.isEmpty())
        v.reason = firstFatal;
    else if (!lastException.isEmpty())
        v.reason = lastException;
    else if (!anyFatal.isEmpty())
        v.reason = anyFatal;
    else if (!v.lastLine.isEmpty())
        v.reason = v.lastLine;
    if (!exitStatus.isEmpty())
        v.reason = v.reason.isEmpty() ? QStringLiteral("exited with status %1").arg(exitStatus)
                                      : QStringLiteral("%1 (exited with status %2)").arg(v.reason, exitStatus);
    else if (v.reason.isEmpty())
        v.reason = QStringLiteral("ended without a word in its log");
    return v;
}

QString newJupyterToken()
{
    QByteArray bytes(24, Qt::Uninitialized);
    QRandomGenerator::system()->generate(reinterpret_cast<quint32 *>(bytes.data()),
                                         reinterpret_cast<quint32 *>(bytes.data() + bytes.size()));
    return QString::fromLatin1(bytes.toHex());
}

} // namespace skydeck::ui
