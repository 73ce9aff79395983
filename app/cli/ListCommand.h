#pragma once

#include "Command.h"

#include "CloudUrl.h"

namespace skydeck::cli {

// skydeck ls [-r] [s3://bucket[/prefix]]: prints like `aws s3 ls`. Without a bucket: the buckets.
// With one: "PRE name/" for folders, then "date time size name" for objects; -r lists every key
// under the prefix (full keys). A prefix that matches nothing is "not found" (exit 3).
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
};

// The URL a command operates on, or a usage error naming what was expected.
Result<CloudUrl> parseS3Url(const QString &text, const QString &command);

} // namespace skydeck::cli
