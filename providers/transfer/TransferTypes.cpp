#include "TransferTypes.h"

namespace skydeck {

QString transferStateName(TransferState state)
{
    switch (state) {
    case TransferState::Queued: return QStringLiteral("queued");
    case TransferState::Running: return QStringLiteral("running");
    case TransferState::Verifying: return QStringLiteral("verifying");
    case TransferState::Done: return QStringLiteral("done");
    case TransferState::Failed: return QStringLiteral("failed");
    case TransferState::Cancelled: return QStringLiteral("cancelled");
    }
    return {};
}

} // namespace skydeck
