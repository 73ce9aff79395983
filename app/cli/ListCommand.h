#pragma once

#include "Command.h"

#include "CloudUrl.h"
#include "ListingGuard.h"

#include <optional>

namespace skydeck::cli {

// skydeck ls [-r] [s3://bucket[/prefix]]: prints like `aws s3 ls`. Without a bucket: the buckets.
// With one: "PRE name/" for folders, then "date time size name" for objects; -r lists every key
// under the prefix (full keys). A prefix that matches nothing is "not found" (exit 3). Paging obeys
// ListingGuard; keys (and folders) the server lists outside the prefix are not shown, and the
// command then ends with an error saying how many (exit 1).
class ListCommand : public Command
{
    Q_OBJECT
public:
    using Command::Command;
    void start() override;

private:
    void listBuckets();
    void listPage(const QString &continuation);
    QString sizeText(qint64 size) const;

    CloudUrl m_url;
    qint64 m_shown = 0;
    std::optional<ListingGuard> m_guard;
    qint64 m_outside = 0;
    QString m_firstOutside;
};

// The URL a command operates on, or a usage error naming what was expected.
Result<CloudUrl> parseS3Url(const QString &text, const QString &command);

} // namespace skydeck::cli
