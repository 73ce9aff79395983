#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace skydeck {

// A configuration or credentials file read whole, but never more than maxBytes: a file that is
// larger (or a device like /dev/zero named by mistake or by an Include) is not read at all and
// answers nullopt, like a missing or unreadable one. 4 MiB is far beyond any real ~/.aws/config,
// gcloud or Azure CLI file.
std::optional<QByteArray> readSmallFile(const QString &path, qint64 maxBytes = 4LL << 20);

} // namespace skydeck
