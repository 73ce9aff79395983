#include "PartPlanner.h"

#include <algorithm>

namespace skydeck {

namespace {
// Ceiling division without the overflow of (a + b - 1) / b: a size may be near INT64_MAX when a
// server declares it.
qint64 ceilDiv(qint64 a, qint64 b)
{
    return a / b + (a % b != 0 ? 1 : 0);
}
} // namespace

PartPlan PartPlanner::plan(qint64 size, qint64 preferred, qint64 minPart, int maxParts)
{
    constexpr qint64 mib = 1024 * 1024;
    PartPlan p;
    p.size = std::max<qint64>(size, 0);
    maxParts = std::max(maxParts, 1);
    qint64 partSize = std::max({preferred, minPart, qint64(1)});
    if (ceilDiv(p.size, partSize) > maxParts) {
        const qint64 needed = ceilDiv(p.size, maxParts);
        partSize = ceilDiv(needed, mib) * mib;
    }
    p.partSize = partSize;
    p.partCount = p.size == 0 ? 0 : int(ceilDiv(p.size, partSize));
    p.multipart = p.partCount > 1;
    return p;
}

} // namespace skydeck
