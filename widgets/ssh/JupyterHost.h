#pragma once

#include "JupyterServers.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace skydeck::ui {

// What "Open Jupyter" finds on a host and how it starts one there, as shell scripts and parsers
// of what they print. Nothing here talks to the network: JupyterLauncher runs the scripts over an
// exec channel (`sh -s`, the script on standard input, so nothing of it is in `ps`).
//
// One detection script looks, in this order, in: the dirs asked for (extraDirs), the exec's PATH,
// a login shell's PATH (`$SHELL -lc`, bash or zsh, else bash: profiles put conda and pip's
// ~/.local/bin there), ~/.local/bin, the usual conda installs (~/miniconda3, ~/anaconda3,
// ~/miniforge3, ~/mambaforge, /opt/conda as on Deep Learning VM images, ...), their envs/*, and
// the environments `conda env list` names. In each folder: the executables jupyter-lab,
// jupyter-notebook, jupyter-server, jupyter (`jupyter SUB` runs jupyter-SUB found the same way),
// and the server extensions the folder's prefix enables (etc/jupyter/jupyter_server_config.d:
// jupyterlab, notebook, nbclassic, ...). It also lists the servers running as the user: the
// runtime files (jpserver-PID.json of jupyter_server, nbserver-PID.json of notebook 6) whose
// process is alive, which is what `jupyter server list` and `jupyter notebook list` read — each
// of those costs a Python start (1–3 s), the files cost nothing.

enum class JupyterKind {
    Lab,            // jupyter-lab
    ServerWithLab,  // jupyter-server whose prefix enables the jupyterlab extension (no jupyter-lab script)
    Notebook,       // jupyter-notebook: classic 6.x (Debian 12, older Deep Learning VMs) or 7.x
    Server,         // jupyter-server alone: a REST API with no page to work in; never started
};

QString jupyterKindName(JupyterKind kind);  // "JupyterLab", "Jupyter Notebook", ...

struct JupyterProgram {
    JupyterKind kind = JupyterKind::Server;
    QString path;    // the executable: /opt/conda/bin/jupyter-lab
    QString binDir;  // its folder, put first on the server's PATH (its kernels, conda's python)
};

struct JupyterHostOptions {
    QStringList extraDirs;     // searched first (absolute paths)
    bool systemSearch = true;  // also PATH, the login shell's PATH, ~/.local/bin and conda
    // Set (exported) before detecting and starting, e.g. JUPYTER_RUNTIME_DIR. Names must be shell
    // identifiers; values are quoted.
    QMap<QString, QString> environment;
};

struct JupyterDetection {
    bool valid = false;        // the script's header was seen
    bool root = false;         // uid 0: the server needs --allow-root
    QString home;
    QString loginPath;         // PATH of a login shell, when one answered
    QString conda;             // the conda executable found, if any
    QStringList condaEnvs;     // prefixes `conda env list` names
    QStringList searchedDirs;  // in search order
    QList<JupyterProgram> programs;  // every jupyter-* found, in search order (jupyter itself left out)
    QList<JupyterServer> running;    // alive servers of the user

    // The one to start: JupyterLab > Jupyter Server with the lab extension > Notebook; the first
    // folder wins between two of a kind. None when the host has no UI to start.
    std::optional<JupyterProgram> best() const;
    // A bare jupyter-server was found (said in the "nothing to start" message).
    bool hasBareServer() const;
};

// The detection script; with serversOnly it lists the running servers and nothing else (fast:
// used again once a started server is up, for the token and base URL it wrote).
QString jupyterDetectScript(const JupyterHostOptions &options, bool serversOnly = false);
JupyterDetection parseJupyterDetection(const QByteArray &output);

// Starts `program` in the background, detached (setsid, nohup, standard input /dev/null, cwd
// $HOME), on 127.0.0.1 from `port` on (--port-retries: Jupyter takes the next free one), with
// the token in JUPYTER_TOKEN (honoured by notebook 5.x/6.x, jupyter_server 1.x/2.x and so Lab
// 3/4 and Notebook 7; never on a command line, which `ps` shows to every user), output in a log
// of its own, ~/.skydeck/jupyter-DATE-TIME-PID.log (0600; two clients starting at once never
// share one; logs older than 30 days are removed). A wrapper shell appends
// "[skydeck] <program> exited with status N" to the log when the server ends. Prints
// "pid N" (the wrapper's, the session leader) and "log PATH".
QString jupyterStartScript(const JupyterProgram &program, const JupyterDetection &detection,
                           const JupyterHostOptions &options, const QString &token, int port);
struct JupyterStarted {
    qint64 pid = 0;
    QString log;
    QString error;  // the script's own failure ("error ..." lines), or why the output is unusable
};
JupyterStarted parseJupyterStarted(const QByteArray &output);

// Waits on the host (up to ~3 s, every 0.1 s) until the log's size is not `knownSize` or the
// process has ended, then prints "alive 0|1", "size N", "@log" and the log's last 256 KiB.
QString jupyterFollowScript(qint64 pid, const QString &log, qint64 knownSize);
struct JupyterFollow {
    bool valid = false;
    bool alive = false;
    qint64 size = 0;
    QByteArray log;
};
JupyterFollow parseJupyterFollow(const QByteArray &output);

// What a starting server's log says so far.
//  - Ready: a line with a loopback URL and a port ("http://127.0.0.1:8888/lab?token=...") while the
//    process lives (notebook 6 prints it in [I] lines, jupyter_server 2 in a [C] block).
//  - Failed, at once, on a line outside Jupyter's own [I]/[W]/[E]/[D] records (and their
//    continuation lines, where a logged, survived traceback goes) that says "Jupyter command
//    `jupyter-lab` not found", "command not found", "not found", "No such file or directory",
//    "Address already in use" or "Permission denied"; on a [C] (critical) record with text
//    ("Running as root is not recommended...", "could not be started because no available port");
//    on a top-level "Traceback" once its exception line is there (the reason is that line:
//    "ModuleNotFoundError: No module named 'jupyterlab'"); and whenever the process has ended (the
//    reason: the first of those, else the last traceback's exception line, else the last line).
//  - Waiting otherwise.
struct JupyterLogVerdict {
    enum class State { Waiting, Ready, Failed };
    State state = State::Waiting;
    QString reason;    // Failed: the line that says why (Jupyter's "[C hh:mm ...]" prefix removed)
    QUrl url;          // Ready: the URL as printed (Jupyter elides the token there: "?token=...")
    int port = 0;      // Ready
    QString lastLine;  // the last non-empty line, for a timeout's message
};
JupyterLogVerdict classifyJupyterLog(const QByteArray &log, bool alive);

// A token as Jupyter makes its own: 48 hex digits from the system's random source.
QString newJupyterToken();

} // namespace skydeck::ui
