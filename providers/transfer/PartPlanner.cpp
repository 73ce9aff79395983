#include "PartPlanner.h"

#include <algorithm>

namespace skydeck {

PartPlan PartPlanner::plan(qint64 size, qint64 preferred, qint64 minPart, int maxParts)
{
    constexpr qint64 mib = 1024 * 1024;
    PartPlan p;
    p.size = std::max<qint64>(size, 0);
    maxParts = std::max(maxParts, 1);
    qint64 partSize = std::max({preferred, minPart, qint64(1)});
    if ((p.size + partSize - 1) / partSize > maxParts) {
        const qint64 needed = (p.size + maxParts - 1) / maxParts;
        partSize = (needed + mib - 1) / mib * mib;
    }
    p.partSize = partSize;
    p.partCount = p.size == 0 ? 0 : int((p.size + partSize - 1) / partSize);
    p.multipart = p.partCount > 1;
    return p;
}

} // namespace skydeck
