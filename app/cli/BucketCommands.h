#pragma once

#include "RemoveCommand.h"

namespace skydeck::cli {

// skydeck mb s3://bucket: creates the bucket in the account's region (--region overrides); the
// name must follow the rules for new buckets (exit 2 otherwise).
class MakeBucketCommand : public Command
{
    Q_OBJECT
public:
    using Command::Command;
    void start() override;
};

// skydeck rb [--force] s3://bucket: deletes an empty bucket; --force deletes its objects first.
class RemoveBucketCommand : public RemoveCommand
{
    Q_OBJECT
public:
    using RemoveCommand::RemoveCommand;
    void start() override;

private:
    void removeBucket(const QString &bucket);
};

} // namespace skydeck::cli
