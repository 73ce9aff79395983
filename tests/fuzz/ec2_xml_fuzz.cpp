// EC2's Query API answers (providers/aws/Ec2Xml.h) and its error documents (Ec2Errors.h): every
// reader runs on every input. Properties: every instance a listing or launch gives back has an id
// and the state its provider word maps to; a launch answer is never empty; GPU counts are never
// negative; an error document has a code and ec2Error() reports it.
#include "FuzzSupport.h"

#include "Ec2Errors.h"
#include "Ec2Xml.h"

using namespace skydeck;
using namespace skydeck::aws;
using skydeck::fuzz::bytes;

namespace {

void checkInstances(const QList<Instance> &instances)
{
    for (const Instance &in : instances) {
        FUZZ_CHECK(!in.id.isEmpty());
        FUZZ_CHECK(in.resource == in.id);
        FUZZ_CHECK(in.state == Ec2Xml::mapState(in.providerState));
        FUZZ_CHECK(in.name == in.tags.value(QStringLiteral("Name")));
    }
}

void checkErrorDocument(const QByteArray &body)
{
    Ec2ErrorDocument doc;
    const bool isError = parseEc2Error(body, &doc);
    FUZZ_CHECK(!isError || !doc.code.isEmpty());
    for (const int status : {400, 403, 503}) {
        HttpResponse response;
        response.status = status;
        response.body = body;
        const Error e = ec2Error(response, QStringLiteral("fuzz"));
        FUZZ_CHECK(e.isError());
        if (isError)
            FUZZ_CHECK(e.code() == doc.code);
        (void)isRetryableEc2Response(response);
    }
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

    if (const Result<InstancePage> page = Ec2Xml::parseDescribeInstances(body); page.ok())
        checkInstances(page.value().instances);
    if (const Result<QList<Instance>> run = Ec2Xml::parseRunInstances(body); run.ok()) {
        FUZZ_CHECK(!run.value().isEmpty());
        checkInstances(run.value());
    }
    bool found = false;
    if (const Result<QString> root = Ec2Xml::parseImageRootDevice(body, &found); root.ok())
        FUZZ_CHECK(found || root.value().isEmpty());
    if (const Result<QStringList> regions = Ec2Xml::parseDescribeRegions(body); regions.ok())
        for (const QString &r : regions.value())
            FUZZ_CHECK(!r.isEmpty());
    QString next;
    if (const Result<QHash<QString, GpuInfo>> types = Ec2Xml::parseDescribeInstanceTypes(body, &next); types.ok())
        for (const GpuInfo &g : types.value())
            FUZZ_CHECK(g.count >= 0);
    checkErrorDocument(body);
    return 0;
}
