#include "SmallFile.h"

#include "Logging.h"

#include <QFile>

namespace skydeck {

std::optional<QByteArray> readSmallFile(const QString &path, qint64 maxBytes)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return std::nullopt;
    // read() with a limit, not readAll(): the size a device or a pipe reports means nothing.
    QByteArray data = f.read(maxBytes + 1);
    if (data.size() > maxBytes) {
        qCWarning(lcCore).noquote() << "not reading" << path << ": larger than" << maxBytes << "bytes";
        return std::nullopt;
    }
    return data;
}

} // namespace skydeck
