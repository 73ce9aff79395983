// The engine's clients per account: the registry's own plus extra ones on engine-owned workers,
// so parallel requests are not capped by one QNetworkAccessManager's six connections per host.
#include "TransferEnginePrivate.h"

namespace skydeck {

TransferEngine::Private::Picked TransferEngine::Private::pickLane(const QString &accountId)
{
    Picked p;
    const Account *acc = accounts->account(accountId);
    if (!acc)
        return p;
    auto &al = lanes[accountId];
    if (!al || !sameAccount(al->account, *acc)) {
        al = std::make_shared<AccountLanes>();
        al->account = *acc;
    }
    const int wantExtra = std::max(0, (concurrency + kConnectionsPerClient - 1) / kConnectionsPerClient - 1);
    while (!al->extraFailed && int(al->extra.size()) < wantExtra) {
        auto lane = std::make_unique<Lane>();
        lane->owned = std::make_unique<ProviderWorker>(
            QStringLiteral("transfer:%1:%2").arg(accountId).arg(al->extra.size() + 1));
        lane->client = accounts->createStorage(accountId, lane->owned.get());
        if (!lane->client) {
            al->extraFailed = true;
            break;
        }
        al->extra.push_back(std::move(lane));
    }
    Lane *best = &al->primary;
    for (int i = 0; i < int(al->extra.size()) && i < wantExtra; ++i)
        if (al->extra[size_t(i)]->inFlight < best->inFlight)
            best = al->extra[size_t(i)].get();
    if (best == &al->primary) {
        p.worker = accounts->worker(accountId);
        p.client = accounts->storage(accountId);
    } else {
        p.worker = best->owned.get();
        p.client = best->client;
    }
    if (!p.worker || !p.client)
        return {};
    p.holder = al;
    p.lane = best;
    return p;
}

// "s3://bucket/key" for messages (the client's scheme; control characters escaped).
QString TransferEngine::Private::contextFor(const TransferSpec &spec)
{
    const Picked p = pickLane(spec.accountId);
    const QString scheme = p.client ? p.client->scheme() : QString();
    return scheme.isEmpty() ? objectContext(spec) : scheme + QStringLiteral("://") + objectContext(spec);
}

} // namespace skydeck
