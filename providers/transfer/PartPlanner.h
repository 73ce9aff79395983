#pragma once

#include <QtGlobal>

namespace skydeck {

// How an object is cut into parts for multipart uploads and ranged downloads: parts of
// `partSize` bytes (the last one shorter), starting at the preferred size (8 MiB by default, never
// below the provider's minimum) and growing in whole MiB so the count stays within maxParts.
struct PartPlan {
    qint64 size = 0;
    qint64 partSize = 0;
    int partCount = 0;   // 0 for an empty object
    bool multipart = false;  // more than one part: uploads use a multipart upload

    qint64 offset(int index) const { return qint64(index) * partSize; }
    qint64 length(int index) const { return qMin(partSize, size - offset(index)); }
};

class PartPlanner
{
public:
    static constexpr qint64 kDefaultPartSize = 8LL * 1024 * 1024;

    // preferred: the engine's part size; minPart/maxParts: the provider's limits.
    static PartPlan plan(qint64 size, qint64 preferred = kDefaultPartSize, qint64 minPart = 5LL * 1024 * 1024,
                         int maxParts = 10000);
};

} // namespace skydeck
