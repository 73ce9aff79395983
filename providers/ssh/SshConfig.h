#pragma once

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>
#include <vector>

namespace skydeck::ssh {

// One hop of a ProxyJump list as written: [user@]host[:port] (or ssh://[user@]host[:port]).
struct JumpHop {
    QString user;  // empty: from the hop's own config
    QString host;  // an alias or a host name; resolved through the same config
    int port = 0;  // 0: from the hop's own config
    static JumpHop parse(const QString &text, bool *ok = nullptr);
    QString toString() const;
};

// What ssh would use to reach an alias, after ~/.ssh/config and OpenSSH's defaults.
struct SshHostConfig {
    QString alias;                // what the user typed ("gpu-box")
    QString hostName;             // what is dialled (HostName, %h expanded; else the alias)
    QString user;                 // User, else the local user name
    int port = 22;
    QStringList identityFiles;    // expanded absolute paths, in config order
    bool identityFilesFromConfig = false;  // false: OpenSSH's default ~/.ssh/id_* list
    bool identitiesOnly = false;
    QList<JumpHop> proxyJump;     // empty: direct
    int serverAliveInterval = 0;  // seconds; 0: no keepalives
    int serverAliveCountMax = 3;
    // StrictHostKeyChecking as OpenSSH 9.2 defines it (yes/true, ask, accept-new, no/off/false):
    // whether a host key not known yet is refused, asked about, or accepted (and remembered). A
    // changed or revoked key is refused in every mode: OpenSSH goes on after a changed key with
    // "no" (passwords and forwardings off); Skydeck does not (see SshConnection).
    enum class HostKeyPolicy { Ask, Yes, AcceptNew, No };
    HostKeyPolicy strictHostKeyChecking = HostKeyPolicy::Ask;
    // UserKnownHostsFile (~, %-tokens and ${VAR} expanded; "none": an empty list) and
    // GlobalKnownHostsFile (as written, as OpenSSH reads it). Unset: OpenSSH's defaults
    // (KnownHosts::defaultUserFiles() / defaultGlobalFiles()).
    std::optional<QStringList> userKnownHostsFiles;
    std::optional<QStringList> globalKnownHostsFiles;

    // Label for tabs and logs: "user@host:port" (port only when not 22). Never holds secrets.
    QString displayName() const;
};

// ~/.ssh/config as OpenSSH reads it: for each keyword the first value obtained wins (IdentityFile
// accumulates); Host patterns with *, ? and ! negation; Include (relative to ~/.ssh, globs) read in
// place; Match blocks are not evaluated (logged, and their lines never apply). Tokens in IdentityFile
// and UserKnownHostsFile: %% %C %d %h %i %k %L %l %n %p %r %u (ssh_config(5) TOKENS).
class SshConfig
{
public:
    SshConfig();
    ~SshConfig();
    SshConfig(const SshConfig &);
    SshConfig &operator=(const SshConfig &);

    // ~/.ssh/config of `homeDir` (default: the user's home). A missing file gives an empty config.
    static SshConfig load(const QString &homeDir = {});
    static SshConfig loadFile(const QString &path, const QString &homeDir = {});
    static SshConfig fromText(const QString &text, const QString &homeDir = {});

    // The settings for `alias` (a Host alias or any host name).
    SshHostConfig resolve(const QString &alias) const;
    // The settings for a ProxyJump hop: the hop's own config with its user/port overrides.
    SshHostConfig resolve(const JumpHop &hop) const;

    // Concrete Host aliases (no wildcards or negations), in file order, for the account tree.
    QStringList hosts() const;
    // Lines that were not understood or ignored (Match, bad Include), "file:line: note".
    QStringList notes() const { return m_notes; }

    // True when `host` matches the whitespace-separated OpenSSH pattern list (negations veto).
    static bool matchPatternList(const QStringList &patterns, const QString &host);
    static bool matchPattern(const QString &pattern, const QString &host);

    struct Line {
        QString keyword;  // lower-case
        QStringList args;
        QString where;    // "file:line"
    };
    struct Block {
        // Every pattern list must match (an Include inside a Host block nests its conditions).
        QList<QStringList> conditions;
        bool never = false;  // a Match block
        std::vector<Line> lines;
    };

private:
    void parseText(const QString &text, const QString &fileName, const QList<QStringList> &outer,
                   bool outerNever, int depth);
    void parseFile(const QString &path, const QList<QStringList> &outer, bool outerNever, int depth);

    QString m_home;
    std::vector<Block> m_blocks;
    QStringList m_hosts;
    QStringList m_notes;
    int m_includedFiles = 0;  // read through Include so far (bounded: see SshConfig.cpp)
};

// Splits a config line into words: whitespace-separated, "double quotes" group, `key=value` allowed.
QStringList splitConfigWords(const QString &line);

} // namespace skydeck::ssh
