#pragma once

#include "Command.h"

#include "CloudUrl.h"

#include <memory>

namespace skydeck::cli {

// skydeck rm s3://bucket/key       deletes one object (exit 3 when there is none)
// skydeck rm -r s3://bucket/prefix deletes every object under prefix/ in batches of 1000 and says
//                                  how many; failures are counted and the first one is shown.
//                                  Only keys under the prefix are ever deleted: a key the server
//                                  lists outside it is refused and reported (exit 1).
class RemoveCommand : public Command
{
    Q_OBJECT
public:
    using Command::Command;
    void start() override;

protected:
    // Deletes every object under prefix, page by page (at most 1000 keys per request), through a
    // PrefixWalk. `then` runs once all are gone; a listing error, a failed key or a key listed
    // outside the prefix ends the command instead (after what could be deleted was).
    void deleteAll(const QString &bucket, const QString &prefix, std::function<void(qint64 deleted)> then);

private:
    void removeOne();
    void nextPage();
    void deleteBatch(QStringList keys, bool last);
    void finishAll();

    CloudUrl m_url;
    QString m_bucket;
    std::unique_ptr<PrefixWalk> m_walk;
    qint64 m_deleted = 0;
    qint64 m_failedCount = 0;
    DeleteFailure m_firstFailure;
    std::function<void(qint64)> m_then;
};

} // namespace skydeck::cli
