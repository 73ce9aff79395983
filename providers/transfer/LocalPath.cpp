#include "LocalPath.h"

#include "DisplayText.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>

namespace skydeck {

namespace {

Error refuse(const QString &key, const QString &why)
{
    return Error(Error::Category::InvalidInput,
                 QStringLiteral("refused object key \"%1\": %2").arg(LocalPath::displayKey(key), why),
                 QStringLiteral("UnsafeKey"));
}

bool isControl(QChar c)
{
    return c.unicode() < 0x20 || c.unicode() == 0x7f;
}

bool looksLikeDrive(const QString &segment)
{
    return segment.size() >= 2 && segment[1] == QLatin1Char(':') && segment[0].isLetter() && segment[0].unicode() < 128;
}

// CON, PRN, AUX, NUL, COM1-9, LPT1-9, alone or with an extension ("nul.txt"), in any case: on
// Windows they name devices, not files.
bool isWindowsDeviceName(const QString &segment)
{
    const QString base = segment.section(QLatin1Char('.'), 0, 0).trimmed().toUpper();
    static const QStringList fixed = {QStringLiteral("CON"), QStringLiteral("PRN"), QStringLiteral("AUX"),
                                      QStringLiteral("NUL"), QStringLiteral("CONIN$"), QStringLiteral("CONOUT$")};
    if (fixed.contains(base))
        return true;
    return base.size() == 4 && (base.startsWith(QLatin1String("COM")) || base.startsWith(QLatin1String("LPT")))
        && base[3] >= QLatin1Char('1') && base[3] <= QLatin1Char('9');
}

// True when `path` is root itself or below it (both clean, absolute).
bool isInside(const QString &root, const QString &path)
{
    if (path == root)
        return true;
    const QString withSlash = root.endsWith(QLatin1Char('/')) ? root : root + QLatin1Char('/');
    return path.startsWith(withSlash);
}

} // namespace

QString LocalPath::displayKey(const QString &key)
{
    QString out = displayText(key);
    if (out.size() > 120)
        out = out.left(60) + QStringLiteral("…") + out.right(40) + QStringLiteral(" (%1 characters)").arg(key.size());
    return out;
}

QString LocalPath::relativeKey(const QString &key, const QString &prefix)
{
    if (!key.startsWith(prefix))
        return QString();
    const QString rel = key.mid(prefix.size());
    return rel.isNull() ? QStringLiteral("") : rel;
}

QString LocalPath::workingPath(const QString &target, const QString &identity)
{
    const qsizetype slash = target.lastIndexOf(QLatin1Char('/'));
    const QString dir = target.left(slash + 1);
    QString name = target.mid(slash + 1);
    // Cut the visible part of the name to kWorkingNameMaxBytes on a character boundary.
    while (name.toUtf8().size() > kWorkingNameMaxBytes)
        name.chop(name.size() >= 2 && name.at(name.size() - 1).isLowSurrogate() ? 2 : 1);
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(identity.toUtf8());
    h.addData(QByteArrayView("\0", 1));
    h.addData(target.toUtf8());
    const QString id = QString::fromLatin1(h.result().toHex().left(16));
    return dir + QLatin1Char('.') + name + QStringLiteral(".skydeck-") + id + QStringLiteral(".part");
}

QString LocalPath::journalPathFor(const QString &workingPath)
{
    QString j = workingPath;
    if (j.endsWith(QLatin1String(".part")))
        j.chop(5);
    return j + QStringLiteral(".journal");
}

bool LocalPath::isWorkingFileName(const QString &name)
{
    // Ours (".<name>.skydeck-<16 hex>.part|.journal") and the SFTP store's remote temporaries
    // (".<name>.skydeck-<12 hex>.part"), whatever their case.
    static const QRegularExpression re(QStringLiteral(R"(^\.(.*\.)?skydeck-[0-9a-f]{8,64}\.(part|journal)$)"),
                                       QRegularExpression::CaseInsensitiveOption | QRegularExpression::DotMatchesEverythingOption);
    return name.startsWith(QLatin1Char('.')) && re.match(name).hasMatch();
}

Result<MappedPath> LocalPath::map(const QString &root, const QString &relativeKey)
{
    if (root.isEmpty())
        return Error(Error::Category::InvalidInput, QStringLiteral("no download folder given"));
    if (relativeKey.isEmpty())
        return refuse(relativeKey, QStringLiteral("the name is empty"));
    for (QChar c : relativeKey) {
        if (c.unicode() == 0)
            return refuse(relativeKey, QStringLiteral("it contains a NUL character"));
        if (isControl(c))
            return refuse(relativeKey, QStringLiteral("it contains a control character"));
        if (c == QLatin1Char('\\'))
            return refuse(relativeKey, QStringLiteral("it contains a backslash (a path separator on Windows)"));
    }
    if (relativeKey.startsWith(QLatin1Char('/')))
        return refuse(relativeKey, QStringLiteral("it is an absolute path"));

    MappedPath out;
    QString key = relativeKey;
    if (key.endsWith(QLatin1Char('/'))) {
        out.isDirectory = true;
        key.chop(1);
    }
    const QStringList segments = key.split(QLatin1Char('/'));
    for (qsizetype i = 0; i < segments.size(); ++i) {
        const QString &s = segments[i];
        if (s.isEmpty())
            return refuse(relativeKey, QStringLiteral("it has an empty path segment (\"//\")"));
        if (s == QLatin1String("."))
            return refuse(relativeKey, QStringLiteral("it has a \".\" segment"));
        if (s == QLatin1String(".."))
            return refuse(relativeKey, QStringLiteral("a \"..\" segment would leave the download folder"));
        if (i == 0 && looksLikeDrive(s))
            return refuse(relativeKey, QStringLiteral("it starts with a drive letter"));
        if (isWindowsDeviceName(s))
            return refuse(relativeKey, QStringLiteral("\"%1\" is a reserved device name on Windows").arg(displayKey(s)));
        const qsizetype bytes = s.toUtf8().size();
        if (bytes > kMaxComponentBytes)
            return refuse(relativeKey,
                          QStringLiteral("a name is %1 bytes long (the limit is %2)").arg(bytes).arg(kMaxComponentBytes));
        if (isWorkingFileName(s))
            return refuse(relativeKey, QStringLiteral("\"%1\" has the form of Skydeck's working files (downloads in progress)")
                                           .arg(displayKey(s)));
    }

    const QString cleanRoot = QDir::cleanPath(QFileInfo(root).absoluteFilePath());
    const QString path = cleanRoot + QLatin1Char('/') + key;
    if (QDir::cleanPath(path) != path)  // defence in depth: the checks above make this impossible
        return refuse(relativeKey, QStringLiteral("it does not map to a plain path"));
    const qsizetype pathBytes = QFile::encodeName(path).size() + (out.isDirectory ? 0 : kWorkingExtraBytes);
    if (pathBytes > kMaxPathBytes)
        return refuse(relativeKey, QStringLiteral("the local path would be %1 bytes long (the limit is %2)")
                                       .arg(pathBytes).arg(kMaxPathBytes));

    // Symlinks: every part of the path that already exists must resolve inside the real root.
    const QFileInfo rootInfo(cleanRoot);
    const QString realRoot = rootInfo.exists() ? rootInfo.canonicalFilePath() : cleanRoot;
    QString walk = cleanRoot;
    for (const QString &s : segments) {
        walk += QLatin1Char('/') + s;
        const QFileInfo fi(walk);
        if (fi.isSymLink() && !fi.exists())
            return refuse(relativeKey, QStringLiteral("\"%1\" is a dangling symbolic link").arg(displayKey(walk)));
        if (!fi.exists())
            break;
        if (!isInside(realRoot, fi.canonicalFilePath()))
            return refuse(relativeKey, QStringLiteral("\"%1\" leads outside the download folder through a symbolic link")
                                           .arg(displayKey(walk)));
    }
    out.path = path;
    return out;
}

} // namespace skydeck
