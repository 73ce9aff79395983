// Compute Engine's JSON (providers/gcp/GceJson.h) as GceClient reads it: an aggregatedList page
// (items.<scope>.instances[]), one Instance resource, an Operation and an error document; every
// reading runs on every input. Properties: an instance's state is what its status maps to, it has
// a GPU model exactly when it has GPUs and never a negative count, its region is a prefix of its
// zone; an error is always an error, with the document's reason when it names one.
#include "FuzzSupport.h"

#include "GceJson.h"

#include <QJsonArray>
#include <QJsonDocument>

using namespace skydeck;
using namespace skydeck::gcp;
using skydeck::fuzz::bytes;

namespace {

void checkInstance(const QJsonObject &o)
{
    const Instance in = instanceFromJson(o, QStringLiteral("gcp:fuzz"), QStringLiteral("fuzz-project"));
    FUZZ_CHECK(in.provider == QLatin1String("gcp"));
    FUZZ_CHECK(in.state == stateFromGce(in.providerState));
    FUZZ_CHECK(in.gpu.count >= 0);
    FUZZ_CHECK(in.gpu.count > 0 || in.gpu.model.isEmpty());
    FUZZ_CHECK(in.zone.startsWith(in.region));
    (void)machineTypeHasBuiltInGpus(in.machineType);
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray body = bytes(data, size);
    const QJsonObject o = QJsonDocument::fromJson(body).object();

    // GceClient::listInstances
    const QJsonObject items = o.value(QLatin1String("items")).toObject();
    for (auto it = items.begin(); it != items.end(); ++it)
        for (const QJsonValue &v : it.value().toObject().value(QLatin1String("instances")).toArray())
            checkInstance(v.toObject());
    // GceClient::fetchInstance
    checkInstance(o);
    // an operation's end
    (void)operationError(o);

    for (const int status : {400, 403, 404, 429, 503}) {
        const Error e = errorFromResponse(status, body);
        FUZZ_CHECK(e.isError());
        FUZZ_CHECK(e.httpStatus() == status);
        const QString reason = errorReason(body);
        if (!reason.isEmpty())
            FUZZ_CHECK(e.code() == reason);
    }
    return 0;
}
