#pragma once

#include "Command.h"

#include "CloudUrl.h"

namespace skydeck::cli {

// skydeck rm s3://bucket/key       deletes one object (exit 3 when there is none)
// skydeck rm -r s3://bucket/prefix deletes every object under prefix/ in batches of 1000 and says
//                                  how many; failures are counted and the first one is shown.
class RemoveCommand : public Command
{
    Q_OBJECT
public:
    using Command::Command;
    void start() override;

protected:
    // Deletes every object whose key starts with prefix, page by page (1000 keys per request).
    // `then` runs once all are gone; a listing error or any failed key ends the command instead.
    void deleteAll(const QString &bucket, const QString &prefix, std::function<void(qint64 deleted)> then);

private:
    void removeOne();
    void deletePage(const QString &continuation);

    CloudUrl m_url;
    QString m_bucket;
    QString m_prefix;
    qint64 m_deleted = 0;
    qint64 m_failedCount = 0;
    DeleteFailure m_firstFailure;
    std::function<void(qint64)> m_then;
};

} // namespace skydeck::cli
