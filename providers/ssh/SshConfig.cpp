#include "SshConfig.h"

#include "SshLogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHostInfo>
#include <QRegularExpression>

#include <pwd.h>
#include <unistd.h>

namespace skydeck::ssh {

namespace {

constexpr int kMaxIncludeDepth = 16;
// Files read through Include in one config: the depth alone does not bound them (two files that
// each "Include *" would read 2^16 files). Real configs include a handful.
constexpr int kMaxIncludedFiles = 256;

QString localUserName()
{
    if (const passwd *pw = ::getpwuid(::getuid()); pw && pw->pw_name)
        return QString::fromLocal8Bit(pw->pw_name);
    return qEnvironmentVariable("USER");
}

QString expandTilde(const QString &path, const QString &home)
{
    if (path == QLatin1String("~"))
        return home;
    if (path.startsWith(QLatin1String("~/")))
        return home + path.mid(1);
    return path;
}

bool hasWildcard(const QString &s)
{
    return s.contains(QLatin1Char('*')) || s.contains(QLatin1Char('?')) || s.contains(QLatin1Char('['));
}

// OpenSSH's match_pattern(): '*' any run, '?' one character. Case-insensitive like host matching.
bool wildcardMatch(QStringView pattern, QStringView text)
{
    qsizetype p = 0, t = 0, starP = -1, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && (pattern[p] == QLatin1Char('?')
                                   || pattern[p].toLower() == text[t].toLower())) {
            ++p;
            ++t;
        } else if (p < pattern.size() && pattern[p] == QLatin1Char('*')) {
            starP = p++;
            starT = t;
        } else if (starP >= 0) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == QLatin1Char('*'))
        ++p;
    return p == pattern.size();
}

} // namespace

JumpHop JumpHop::parse(const QString &text, bool *ok)
{
    JumpHop hop;
    QString s = text.trimmed();
    if (s.startsWith(QLatin1String("ssh://")))
        s = s.mid(6);
    if (s.endsWith(QLatin1Char('/')))
        s.chop(1);
    const qsizetype at = s.lastIndexOf(QLatin1Char('@'));
    if (at >= 0) {
        hop.user = s.left(at);
        s = s.mid(at + 1);
    }
    bool good = !s.isEmpty();
    if (s.startsWith(QLatin1Char('['))) {  // [v6addr]:port
        const qsizetype close = s.indexOf(QLatin1Char(']'));
        good = close > 1;
        const QString rest = s.mid(close + 1);
        hop.host = s.mid(1, close - 1);
        if (rest.startsWith(QLatin1Char(':')))
            hop.port = rest.mid(1).toInt(&good);
    } else if (s.count(QLatin1Char(':')) == 1) {
        const qsizetype colon = s.indexOf(QLatin1Char(':'));
        hop.host = s.left(colon);
        hop.port = s.mid(colon + 1).toInt(&good);
    } else {
        hop.host = s;
    }
    good = good && !hop.host.isEmpty() && hop.port >= 0 && hop.port < 65536;
    if (ok)
        *ok = good;
    return hop;
}

QString JumpHop::toString() const
{
    QString s = user.isEmpty() ? host : user + QLatin1Char('@') + host;
    if (port)
        s += QLatin1Char(':') + QString::number(port);
    return s;
}

QString SshHostConfig::displayName() const
{
    QString s = user.isEmpty() ? hostName : user + QLatin1Char('@') + hostName;
    if (port != 22)
        s += QLatin1Char(':') + QString::number(port);
    return s;
}

QStringList splitConfigWords(const QString &line)
{
    QStringList words;
    QString cur;
    bool inQuote = false, have = false;
    for (qsizetype i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (c == QLatin1Char('"')) {
            inQuote = !inQuote;
            have = true;
        } else if (!inQuote && (c.isSpace() || (c == QLatin1Char('=') && words.isEmpty()))) {
            if (have)
                words << cur;
            cur.clear();
            have = false;
        } else {
            cur += c;
            have = true;
        }
    }
    if (have)
        words << cur;
    // "Keyword = value" and "Keyword =value": one '=' may separate the keyword from its value.
    if (words.size() >= 2 && words[1] == QLatin1String("="))
        words.removeAt(1);
    else if (words.size() >= 2 && words[1].startsWith(QLatin1Char('=')))
        words[1].remove(0, 1);
    return words;
}

SshConfig::SshConfig() = default;
SshConfig::~SshConfig() = default;
SshConfig::SshConfig(const SshConfig &) = default;
SshConfig &SshConfig::operator=(const SshConfig &) = default;

SshConfig SshConfig::load(const QString &homeDir)
{
    const QString home = homeDir.isEmpty() ? QDir::homePath() : homeDir;
    return loadFile(home + QStringLiteral("/.ssh/config"), home);
}

SshConfig SshConfig::loadFile(const QString &path, const QString &homeDir)
{
    SshConfig c;
    c.m_home = homeDir.isEmpty() ? QDir::homePath() : homeDir;
    c.parseFile(path, {}, false, 0);
    return c;
}

SshConfig SshConfig::fromText(const QString &text, const QString &homeDir)
{
    SshConfig c;
    c.m_home = homeDir.isEmpty() ? QDir::homePath() : homeDir;
    c.parseText(text, QStringLiteral("<text>"), {}, false, 0);
    return c;
}

void SshConfig::parseFile(const QString &path, const QList<QStringList> &outer, bool outerNever, int depth)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        if (depth > 0)
            m_notes << QStringLiteral("%1: cannot read included file").arg(path);
        return;
    }
    parseText(QString::fromUtf8(f.readAll()), path, outer, outerNever, depth);
}

void SshConfig::parseText(const QString &text, const QString &fileName, const QList<QStringList> &outer,
                          bool outerNever, int depth)
{
    // Lines before the first Host/Match belong to the enclosing block (every host at top level).
    m_blocks.push_back(Block{outer, outerNever, {}});
    const QStringList lines = text.split(QLatin1Char('\n'));
    for (int n = 0; n < lines.size(); ++n) {
        const QString line = lines[n].trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')))
            continue;
        QStringList words = splitConfigWords(line);
        if (words.isEmpty())
            continue;
        const QString keyword = words.takeFirst().toLower();
        const QString where = QStringLiteral("%1:%2").arg(fileName).arg(n + 1);
        if (keyword == QLatin1String("host")) {
            QList<QStringList> cond = outer;
            cond << words;
            m_blocks.push_back(Block{cond, outerNever, {}});
            for (const QString &w : std::as_const(words)) {
                if (!w.startsWith(QLatin1Char('!')) && !hasWildcard(w) && !m_hosts.contains(w))
                    m_hosts << w;
            }
        } else if (keyword == QLatin1String("match")) {
            m_notes << QStringLiteral("%1: Match blocks are not evaluated; their settings are ignored").arg(where);
            qCInfo(lcSshConfig) << where << "Match is not supported; the block is ignored";
            m_blocks.push_back(Block{outer, true, {}});
        } else if (keyword == QLatin1String("include")) {
            const Block current = m_blocks.back();
            if (depth >= kMaxIncludeDepth) {
                m_notes << QStringLiteral("%1: Include nested too deeply").arg(where);
                continue;
            }
            for (const QString &arg : std::as_const(words)) {
                QString path = expandTilde(arg, m_home);
                if (QFileInfo(path).isRelative())
                    path = m_home + QStringLiteral("/.ssh/") + path;
                const QFileInfo fi(path);
                QStringList files;
                if (hasWildcard(fi.fileName())) {
                    const QDir dir = fi.dir();
                    for (const QString &name : dir.entryList({fi.fileName()}, QDir::Files, QDir::Name))
                        files << dir.filePath(name);
                } else if (fi.exists()) {
                    files << path;
                }
                for (const QString &file : std::as_const(files)) {
                    if (m_includedFiles >= kMaxIncludedFiles) {
                        m_notes << QStringLiteral("%1: Include skipped: more than %2 files included")
                                       .arg(where)
                                       .arg(kMaxIncludedFiles);
                        break;
                    }
                    ++m_includedFiles;
                    parseFile(file, current.conditions, current.never, depth + 1);
                }
            }
            // The rest of this block keeps the block's own condition.
            m_blocks.push_back(Block{current.conditions, current.never, {}});
        } else {
            m_blocks.back().lines.push_back(Line{keyword, words, where});
        }
    }
}

bool SshConfig::matchPattern(const QString &pattern, const QString &host)
{
    return wildcardMatch(pattern, host);
}

bool SshConfig::matchPatternList(const QStringList &patterns, const QString &host)
{
    bool matched = false;
    for (const QString &p : patterns) {
        if (p.startsWith(QLatin1Char('!'))) {
            if (wildcardMatch(QStringView(p).mid(1), host))
                return false;  // a negated match vetoes the whole list
        } else if (wildcardMatch(p, host)) {
            matched = true;
        }
    }
    return matched;
}

namespace {

// %C: the hash OpenSSH 9.2 makes of %l%h%p%r (ssh_connection_hash: SHA-1, hex).
QString connectionHash(const SshHostConfig &c)
{
    const QString text = QHostInfo::localHostName() + c.hostName + QString::number(c.port) + c.user;
    return QString::fromLatin1(QCryptographicHash::hash(text.toUtf8(), QCryptographicHash::Sha1).toHex());
}

QString expandTokens(const QString &in, const SshHostConfig &c, const QString &home, const QString &localUser)
{
    QString out;
    for (qsizetype i = 0; i < in.size(); ++i) {
        if (in[i] != QLatin1Char('%') || i + 1 == in.size()) {
            out += in[i];
            continue;
        }
        const QChar t = in[++i];
        switch (t.toLatin1()) {
        case '%': out += QLatin1Char('%'); break;
        case 'd': out += home; break;
        case 'u': out += localUser; break;
        case 'h': out += c.hostName; break;
        case 'n': out += c.alias; break;
        case 'r': out += c.user; break;
        case 'p': out += QString::number(c.port); break;
        case 'l': out += QHostInfo::localHostName(); break;
        case 'L': out += QHostInfo::localHostName().section(QLatin1Char('.'), 0, 0); break;
        case 'C': out += connectionHash(c); break;
        case 'i': out += QString::number(::getuid()); break;
        case 'k': out += c.alias; break;  // HostKeyAlias is not supported: the name as given
        default:
            out += QLatin1Char('%');
            out += t;
            qCInfo(lcSshConfig) << "unsupported token" << QStringLiteral("%%%1").arg(t) << "left as is";
        }
    }
    return out;
}

// ${VAR} from the environment. False when a variable is not set (OpenSSH then ignores the setting).
bool expandEnvironment(QString *text)
{
    static const QRegularExpression var(QStringLiteral("\\$\\{([A-Za-z_][A-Za-z0-9_]*)\\}"));
    QString out;
    qsizetype at = 0;
    for (QRegularExpressionMatchIterator it = var.globalMatch(*text); it.hasNext();) {
        const QRegularExpressionMatch m = it.next();
        const QByteArray name = m.captured(1).toLocal8Bit();
        if (!qEnvironmentVariableIsSet(name.constData()))
            return false;
        out += QStringView(*text).mid(at, m.capturedStart() - at);
        out += qEnvironmentVariable(name.constData());
        at = m.capturedEnd();
    }
    out += QStringView(*text).mid(at);
    *text = out;
    return true;
}

std::optional<SshHostConfig::HostKeyPolicy> parseHostKeyPolicy(const QString &v)
{
    using P = SshHostConfig::HostKeyPolicy;
    const QString s = v.toLower();
    if (s == QLatin1String("yes") || s == QLatin1String("true"))
        return P::Yes;
    if (s == QLatin1String("ask"))
        return P::Ask;
    if (s == QLatin1String("accept-new"))
        return P::AcceptNew;
    if (s == QLatin1String("no") || s == QLatin1String("off") || s == QLatin1String("false"))
        return P::No;
    return std::nullopt;
}

bool isNone(const QStringList &args)
{
    return args.size() == 1 && args.first().compare(QLatin1String("none"), Qt::CaseInsensitive) == 0;
}

} // namespace

SshHostConfig SshConfig::resolve(const QString &alias) const
{
    SshHostConfig c;
    c.alias = alias;
    bool haveHostName = false, haveUser = false, havePort = false, haveJump = false, haveAlive = false,
         haveAliveMax = false, haveIdOnly = false, haveStrict = false;
    QStringList rawIdentities;
    std::optional<std::pair<QStringList, QString>> rawUserKnownHosts;  // the words, and where
    std::optional<QStringList> rawGlobalKnownHosts;
    for (const Block &b : m_blocks) {
        if (b.never)
            continue;
        bool applies = true;
        for (const QStringList &cond : b.conditions)
            applies = applies && matchPatternList(cond, alias);
        if (!applies)
            continue;
        for (const Line &l : b.lines) {
            if (l.args.isEmpty())
                continue;
            const QString &v = l.args.first();
            if (l.keyword == QLatin1String("hostname") && !haveHostName) {
                haveHostName = true;
                QString h = v;
                h.replace(QLatin1String("%%"), QStringLiteral("\x01"));
                h.replace(QLatin1String("%h"), alias);
                h.replace(QStringLiteral("\x01"), QStringLiteral("%"));
                c.hostName = h;
            } else if (l.keyword == QLatin1String("user") && !haveUser) {
                haveUser = true;
                c.user = v;
            } else if (l.keyword == QLatin1String("port") && !havePort) {
                bool ok = false;
                const int p = v.toInt(&ok);
                if (ok && p > 0 && p < 65536) {
                    havePort = true;
                    c.port = p;
                }
            } else if (l.keyword == QLatin1String("identityfile")) {
                rawIdentities << v;
            } else if (l.keyword == QLatin1String("identitiesonly") && !haveIdOnly) {
                haveIdOnly = true;
                c.identitiesOnly = v.compare(QLatin1String("yes"), Qt::CaseInsensitive) == 0;
            } else if (l.keyword == QLatin1String("proxyjump") && !haveJump) {
                haveJump = true;
                if (v.compare(QLatin1String("none"), Qt::CaseInsensitive) == 0)
                    continue;
                for (const QString &hopText : v.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
                    bool ok = false;
                    const JumpHop hop = JumpHop::parse(hopText, &ok);
                    if (ok)
                        c.proxyJump << hop;
                    else
                        qCWarning(lcSshConfig) << l.where << "bad ProxyJump hop" << hopText;
                }
            } else if (l.keyword == QLatin1String("serveraliveinterval") && !haveAlive) {
                haveAlive = true;
                c.serverAliveInterval = qMax(0, v.toInt());
            } else if (l.keyword == QLatin1String("serveralivecountmax") && !haveAliveMax) {
                haveAliveMax = true;
                c.serverAliveCountMax = qMax(0, v.toInt());
            } else if (l.keyword == QLatin1String("stricthostkeychecking") && !haveStrict) {
                if (const auto policy = parseHostKeyPolicy(v)) {
                    haveStrict = true;
                    c.strictHostKeyChecking = *policy;
                } else {
                    qCWarning(lcSshConfig) << l.where << "unknown StrictHostKeyChecking value" << v << "ignored (ask)";
                }
            } else if (l.keyword == QLatin1String("userknownhostsfile") && !rawUserKnownHosts) {
                rawUserKnownHosts = std::make_pair(l.args, l.where);
            } else if (l.keyword == QLatin1String("globalknownhostsfile") && !rawGlobalKnownHosts) {
                rawGlobalKnownHosts = l.args;
            }
        }
    }
    if (!haveHostName)
        c.hostName = alias;
    const QString localUser = localUserName();
    if (!haveUser)
        c.user = localUser;
    const QString home = m_home.isEmpty() ? QDir::homePath() : m_home;
    c.identityFilesFromConfig = !rawIdentities.isEmpty();
    if (rawIdentities.isEmpty()) {
        // OpenSSH's defaults, in the order we try them: ed25519, ECDSA, RSA.
        for (const char *name : {"id_ed25519", "id_ecdsa", "id_rsa"})
            rawIdentities << QStringLiteral("~/.ssh/") + QLatin1String(name);
    }
    for (const QString &raw : std::as_const(rawIdentities)) {
        QString path = expandTokens(expandTilde(raw, home), c, home, localUser);
        if (QFileInfo(path).isRelative())
            path = home + QLatin1Char('/') + path;
        if (!c.identityFiles.contains(path))
            c.identityFiles << path;
    }
    if (rawGlobalKnownHosts)
        c.globalKnownHostsFiles = isNone(*rawGlobalKnownHosts) ? QStringList() : *rawGlobalKnownHosts;
    if (rawUserKnownHosts) {
        const auto &[words, where] = *rawUserKnownHosts;
        QStringList files;
        bool ok = true;
        for (const QString &raw : isNone(words) ? QStringList() : words) {
            QString path = expandTilde(raw, home);
            ok = ok && expandEnvironment(&path);
            files << expandTokens(path, c, home, localUser);
        }
        if (ok)
            c.userKnownHostsFiles = files;
        else
            qCWarning(lcSshConfig) << where << "UserKnownHostsFile names an unset environment variable: ignored";
    }
    return c;
}

SshHostConfig SshConfig::resolve(const JumpHop &hop) const
{
    SshHostConfig c = resolve(hop.host);
    if (!hop.user.isEmpty())
        c.user = hop.user;
    if (hop.port)
        c.port = hop.port;
    return c;
}

QStringList SshConfig::hosts() const
{
    return m_hosts;
}

} // namespace skydeck::ssh
