// Ec2Client against moto's server on loopback (scripts/peers.sh ec2), and through
// tests/servers/faultproxy for what moto does not do itself: RequestLimitExceeded throttling and
// IncorrectInstanceState on a terminated instance. Every test works in a region of its own so runs
// against the same moto do not see each other's instances. moto checks no signature: the signing
// is checked against botocore in tests/unit/aws/tst_ec2_unit.
#include "Ec2Client.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "TestMain.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QScopeGuard>
#include <QSet>
#include <QTemporaryDir>

#include <memory>

using namespace skydeck;
using namespace skydeck::aws;

namespace {
// One of moto's stock images, present in every region it serves.
const QString kImage = QStringLiteral("ami-12c6146b");

QString sourceDir()
{
    return qEnvironmentVariable("SKYDECK_SOURCE_DIR", QStringLiteral(SKYDECK_SOURCE_DIR_FALLBACK));
}
} // namespace

class TestEc2 : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void scopes();
    void launchDescribesTheInstance();
    void launchSpot();
    void launchUnknownImageIsNotFound();
    void paginationOverMoreThanMaxResults();
    void everyActionAndItsStates();
    void unknownInstanceIsNotFound();
    void incorrectInstanceStateIsConflict();
    void requestLimitExceededIsRetried();
    void requestLimitExceededToTheEnd();
    void signaturesCheckedByMoto();

private:
    Ec2Client *makeClient(const QString &region, bool pinned, const QString &endpoint = {}, int pageSize = 1000,
                          const Credentials &credentials = {});
    template <typename T, typename F>
    Result<T> call(Ec2Client *c, F f)
    {
        return waitFor(m_worker->run<T>([c, f](const CancelToken &t, Callback<T> done) { f(c, t, std::move(done)); }));
    }
    Result<Instance> launch(Ec2Client *c, const LaunchRequest &r);
    Result<Instance> get(Ec2Client *c, const Instance &in);
    Status act(Ec2Client *c, const Instance &in, InstanceAction a);
    // Polls getInstance until the state is stable (not transitional); the last answer.
    Result<Instance> settle(Ec2Client *c, const Instance &in);
    // Starts the fault proxy in front of moto; returns its endpoint, or empty.
    QString startProxy(QProcess &proxy, const QStringList &args);

    QString m_endpoint;
    std::unique_ptr<ProviderWorker> m_worker;
    QTemporaryDir m_tmp;
};

Ec2Client *TestEc2::makeClient(const QString &region, bool pinned, const QString &endpoint, int pageSize,
                               const Credentials &credentials)
{
    Ec2Config cfg;
    cfg.endpoint = QUrl(endpoint.isEmpty() ? m_endpoint : endpoint);
    cfg.region = region;
    cfg.regionPinned = pinned;
    cfg.pageSize = pageSize;
    cfg.accountId = QStringLiteral("aws:test");
    cfg.credentials.accessKeyId = skydeck::test::peerValue("SKYDECK_TEST_EC2_ACCESS_KEY");
    cfg.credentials.secretAccessKey = skydeck::test::peerValue("SKYDECK_TEST_EC2_SECRET_KEY");
    if (!credentials.accessKeyId.isEmpty())
        cfg.credentials = credentials;
    QObject *ctx = m_worker->context();
    return m_worker->create<Ec2Client>([cfg, ctx] { return new Ec2Client(cfg, ctx); });
}

Result<Instance> TestEc2::launch(Ec2Client *c, const LaunchRequest &r)
{
    return call<Instance>(c, [r](Ec2Client *e, const CancelToken &tok, Callback<Instance> d) { e->launch(r, tok, d); });
}

Result<Instance> TestEc2::get(Ec2Client *c, const Instance &in)
{
    return call<Instance>(c, [in](Ec2Client *e, const CancelToken &tok, Callback<Instance> d) { e->getInstance(in, tok, d); });
}

Status TestEc2::act(Ec2Client *c, const Instance &in, InstanceAction a)
{
    return call<Done>(c, [in, a](Ec2Client *e, const CancelToken &tok, Callback<Done> d) { e->act(in, a, tok, d); });
}

Result<Instance> TestEc2::settle(Ec2Client *c, const Instance &in)
{
    Result<Instance> last = get(c, in);
    QElapsedTimer timer;
    timer.start();
    int delay = 50;
    while (last.ok() && isTransitional(last->state) && timer.elapsed() < 20000) {
        QTest::qSleep(delay);  // the worker thread does the waiting's work; nothing to pump here
        delay = std::min(delay * 2, 1000);
        last = get(c, in);
    }
    return last;
}

QString TestEc2::startProxy(QProcess &proxy, const QStringList &args)
{
    proxy.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    proxy.start(QStringLiteral("/usr/bin/python3"),
                QStringList{sourceDir() + QStringLiteral("/tests/servers/faultproxy/faultproxy.py"),
                            QStringLiteral("--upstream"), m_endpoint, QStringLiteral("--error-doc"), QStringLiteral("ec2"),
                            QStringLiteral("--upload-resets"), QStringLiteral("0"), QStringLiteral("--download-resets"),
                            QStringLiteral("0")}
                    + args);
    if (!proxy.waitForStarted())
        return {};
    QElapsedTimer t;
    t.start();
    while (!proxy.canReadLine() && t.elapsed() < 15000)
        proxy.waitForReadyRead(200);
    const QByteArray line = proxy.readLine().trimmed();
    if (!line.startsWith("PORT "))
        return {};
    return QStringLiteral("http://127.0.0.1:") + QString::fromLatin1(line.mid(5));
}

void TestEc2::initTestCase()
{
    SKYDECK_REQUIRE_PEER(m_endpoint, "SKYDECK_TEST_EC2_ENDPOINT");
    QVERIFY(m_tmp.isValid());
    m_worker = std::make_unique<ProviderWorker>(QStringLiteral("ec2-test"));
}

void TestEc2::cleanupTestCase()
{
    m_worker.reset();
}

void TestEc2::scopes()
{
    Ec2Client *all = makeClient(QStringLiteral("us-east-1"), false);
    const Result<QStringList> regions =
        call<QStringList>(all, [](Ec2Client *e, const CancelToken &tok, Callback<QStringList> d) { e->listScopes(tok, d); });
    QVERIFY2(regions.ok(), qPrintable(regions.error().toString()));
    QVERIFY(regions->contains(QStringLiteral("us-east-1")));
    QVERIFY(regions->contains(QStringLiteral("eu-west-3")));
    QVERIFY2(regions->size() >= 10, qPrintable(regions->join(u' ')));
    // moto marks the opt-in regions (ap-east-1, me-south-1, ...) not-opted-in: EC2 lists no such region
    // unless asked for all, and they hold nothing of the account's.
    QVERIFY(!regions->contains(QStringLiteral("ap-east-1")));
    QCOMPARE(all->requestCount(), quint64(1));

    Ec2Client *pinned = makeClient(QStringLiteral("eu-central-1"), true);
    const Result<QStringList> one =
        call<QStringList>(pinned, [](Ec2Client *e, const CancelToken &tok, Callback<QStringList> d) { e->listScopes(tok, d); });
    QVERIFY(one.ok());
    QCOMPARE(one.value(), QStringList{QStringLiteral("eu-central-1")});
    QCOMPARE(pinned->requestCount(), quint64(0));
}

void TestEc2::launchDescribesTheInstance()
{
    Ec2Client *c = makeClient(QStringLiteral("eu-west-3"), true);
    LaunchRequest r;
    r.name = QStringLiteral("train ü 1");
    r.machineType = QStringLiteral("g5.xlarge");
    r.image = kImage;
    r.diskGb = 200;
    r.keyName = QStringLiteral("skydeck-key");
    const Result<Instance> in = launch(c, r);
    QVERIFY2(in.ok(), qPrintable(in.error().toString()));
    QVERIFY(in->id.startsWith(QLatin1String("i-")));
    QCOMPARE(in->resource, in->id);
    QCOMPARE(in->provider, QStringLiteral("aws"));
    QCOMPARE(in->accountId, QStringLiteral("aws:test"));
    QCOMPARE(in->region, QStringLiteral("eu-west-3"));
    QVERIFY(in->zone.startsWith(QLatin1String("eu-west-3")));
    QCOMPARE(in->name, r.name);
    QCOMPARE(in->machineType, r.machineType);
    QCOMPARE(in->image, kImage);
    QCOMPARE(in->keyName, r.keyName);
    QVERIFY(!in->spot);
    QVERIFY(in->state == InstanceState::Pending || in->state == InstanceState::Running);
    QVERIFY(in->launched.isValid());
    QCOMPARE(in->launched.timeSpec(), Qt::UTC);
    // GPUs from DescribeInstanceTypes' GpuInfo.
    QCOMPARE(in->gpu.count, 1);
    QCOMPARE(in->gpu.model, QStringLiteral("A10G"));

    const Result<Instance> again = settle(c, in.value());
    QVERIFY2(again.ok(), qPrintable(again.error().toString()));
    QCOMPARE(again->state, InstanceState::Running);
    QCOMPARE(again->providerState, QStringLiteral("running"));
    QVERIFY(!again->privateIp.isEmpty());
    QVERIFY(!again->publicIp.isEmpty());
    QCOMPARE(again->name, r.name);
    QCOMPARE(again->tags.value(QStringLiteral("Name")), r.name);
    QCOMPARE(again->gpu.count, 1);
}

void TestEc2::launchSpot()
{
    Ec2Client *c = makeClient(QStringLiteral("eu-west-3"), true);
    LaunchRequest r;
    r.name = QStringLiteral("spot-a100");
    r.machineType = QStringLiteral("p4d.24xlarge");
    r.image = kImage;
    r.spot = true;
    const Result<Instance> in = launch(c, r);
    QVERIFY2(in.ok(), qPrintable(in.error().toString()));
    QVERIFY(in->spot);
    QCOMPARE(in->gpu.count, 8);
    QCOMPARE(in->gpu.model, QStringLiteral("A100 40GB"));
    const Result<Instance> again = get(c, in.value());
    QVERIFY(again.ok());
    QVERIFY(again->spot);
}

void TestEc2::launchUnknownImageIsNotFound()
{
    Ec2Client *c = makeClient(QStringLiteral("eu-west-3"), true);
    LaunchRequest r;
    r.machineType = QStringLiteral("g5.xlarge");
    r.image = QStringLiteral("ami-00000000");
    const Result<Instance> in = launch(c, r);
    QVERIFY(!in.ok());
    QCOMPARE(in.error().category(), Error::Category::NotFound);
    QCOMPARE(in.error().code(), QStringLiteral("InvalidAMIID.NotFound"));
}

void TestEc2::paginationOverMoreThanMaxResults()
{
    const QString region = QStringLiteral("ap-southeast-2");
    Ec2Client *c = makeClient(region, true, {}, 5);
    QSet<QString> launched;
    for (int i = 0; i < 12; ++i) {
        LaunchRequest r;
        r.name = QStringLiteral("page-%1").arg(i);
        r.machineType = i % 2 ? QStringLiteral("g5.xlarge") : QStringLiteral("t3.micro");
        r.image = kImage;
        const Result<Instance> in = launch(c, r);
        QVERIFY2(in.ok(), qPrintable(in.error().toString()));
        launched.insert(in->id);
    }
    const quint64 before = c->requestCount();
    QHash<QString, Instance> seen;
    QString token;
    int pages = 0;
    do {
        const Result<InstancePage> page = call<InstancePage>(c, [region, token](Ec2Client *e, const CancelToken &tok, Callback<InstancePage> d) {
            e->listInstances(region, token, tok, d);
        });
        QVERIFY2(page.ok(), qPrintable(page.error().toString()));
        QVERIFY(page->instances.size() <= 5);
        ++pages;
        for (const Instance &in : page->instances) {
            QVERIFY2(!seen.contains(in.id), qPrintable(in.id + QStringLiteral(" listed twice")));
            QCOMPARE(in.region, region);
            seen.insert(in.id, in);
        }
        token = page->nextPageToken;
        QVERIFY(pages < 100);
    } while (!token.isEmpty());
    QVERIFY2(pages >= 3, qPrintable(QString::number(pages)));
    for (const QString &id : launched) {
        QVERIFY2(seen.contains(id), qPrintable(id + QStringLiteral(" missing from the listing")));
        QCOMPARE(seen[id].gpu.count, seen[id].machineType == QLatin1String("g5.xlarge") ? 1 : 0);
    }
    // One DescribeInstances per page; the types were learnt at launch (no DescribeInstanceTypes now).
    QCOMPARE(c->requestCount() - before, quint64(pages));
}

void TestEc2::everyActionAndItsStates()
{
    Ec2Client *c = makeClient(QStringLiteral("sa-east-1"), true);
    LaunchRequest r;
    r.name = QStringLiteral("actions");
    r.machineType = QStringLiteral("g5.xlarge");
    r.image = kImage;
    const Result<Instance> launched = launch(c, r);
    QVERIFY2(launched.ok(), qPrintable(launched.error().toString()));
    Result<Instance> in = settle(c, launched.value());
    QVERIFY(in.ok());
    QCOMPARE(in->state, InstanceState::Running);

    struct Step {
        InstanceAction action;
        InstanceState expected;
        const char *word;
    };
    const Step steps[] = {
        {InstanceAction::Stop, InstanceState::Stopped, "stopped"},
        {InstanceAction::Start, InstanceState::Running, "running"},
        {InstanceAction::Reboot, InstanceState::Running, "running"},
        {InstanceAction::Stop, InstanceState::Stopped, "stopped"},
        {InstanceAction::Terminate, InstanceState::Terminated, "terminated"},
    };
    for (const Step &s : steps) {
        const Status done = act(c, in.value(), s.action);
        QVERIFY2(done.ok(), qPrintable(Ec2Client::actionName(s.action) + QStringLiteral(": ") + done.error().toString()));
        in = settle(c, in.value());
        QVERIFY2(in.ok(), qPrintable(in.error().toString()));
        QCOMPARE(in->state, s.expected);
        QCOMPARE(in->providerState, QLatin1String(s.word));
    }
    // A terminated instance is still listed for a while, as on EC2.
    const Result<InstancePage> page = call<InstancePage>(c, [](Ec2Client *e, const CancelToken &tok, Callback<InstancePage> d) {
        e->listInstances(QStringLiteral("sa-east-1"), {}, tok, d);
    });
    QVERIFY(page.ok());
    bool listed = false;
    for (const Instance &i : page->instances)
        listed = listed || (i.id == in->id && i.state == InstanceState::Terminated);
    QVERIFY(listed);
}

void TestEc2::unknownInstanceIsNotFound()
{
    Ec2Client *c = makeClient(QStringLiteral("eu-west-3"), true);
    Instance ghost;
    ghost.id = ghost.resource = QStringLiteral("i-0123456789abcdef0");
    ghost.region = QStringLiteral("eu-west-3");
    const Result<Instance> got = get(c, ghost);
    QVERIFY(!got.ok());
    QCOMPARE(got.error().category(), Error::Category::NotFound);
    QCOMPARE(got.error().code(), QStringLiteral("InvalidInstanceID.NotFound"));
    QVERIFY(got.error().toString().contains(ghost.id));
    for (InstanceAction a : {InstanceAction::Start, InstanceAction::Stop, InstanceAction::Reboot, InstanceAction::Terminate}) {
        const Status s = act(c, ghost, a);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().category(), Error::Category::NotFound);
        QCOMPARE(s.error().code(), QStringLiteral("InvalidInstanceID.NotFound"));
        QCOMPARE(s.error().httpStatus(), 400);
    }
}

void TestEc2::incorrectInstanceStateIsConflict()
{
    QProcess proxy;
    const QString stats = m_tmp.filePath(QStringLiteral("state.json"));
    const QString endpoint = startProxy(proxy, {QStringLiteral("--slowdowns"), QStringLiteral("0"), QStringLiteral("--ec2-state-rules"),
                                                QStringLiteral("--stats"), stats});
    const auto stop = qScopeGuard([&proxy] {
        proxy.kill();
        proxy.waitForFinished();
    });
    QVERIFY(!endpoint.isEmpty());
    Ec2Client *c = makeClient(QStringLiteral("eu-north-1"), true, endpoint);
    LaunchRequest r;
    r.machineType = QStringLiteral("t3.micro");
    r.image = kImage;
    const Result<Instance> in = launch(c, r);
    QVERIFY2(in.ok(), qPrintable(in.error().toString()));
    QVERIFY(act(c, in.value(), InstanceAction::Terminate).ok());
    QCOMPARE(settle(c, in.value())->state, InstanceState::Terminated);
    for (InstanceAction a : {InstanceAction::Start, InstanceAction::Stop, InstanceAction::Reboot}) {
        const Status s = act(c, in.value(), a);
        QVERIFY(!s.ok());
        QCOMPARE(s.error().category(), Error::Category::Conflict);
        QCOMPARE(s.error().code(), QStringLiteral("IncorrectInstanceState"));
        QVERIFY(s.error().message().contains(in->id));
    }
    QFile f(stats);
    QVERIFY(f.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(f.readAll()).object().value(QStringLiteral("incorrect_state")).toInt(), 3);
}

void TestEc2::requestLimitExceededIsRetried()
{
    QProcess proxy;
    const QString stats = m_tmp.filePath(QStringLiteral("throttle.json"));
    // The first three requests are answered 503 RequestLimitExceeded; the fourth reaches moto.
    const QString endpoint = startProxy(proxy, {QStringLiteral("--slowdowns"), QStringLiteral("3"), QStringLiteral("--window"),
                                                QStringLiteral("3"), QStringLiteral("--stats"), stats});
    const auto stop = qScopeGuard([&proxy] {
        proxy.kill();
        proxy.waitForFinished();
    });
    QVERIFY(!endpoint.isEmpty());
    Ec2Client *c = makeClient(QStringLiteral("us-west-1"), true, endpoint);
    QElapsedTimer t;
    t.start();
    const Result<InstancePage> page = call<InstancePage>(c, [](Ec2Client *e, const CancelToken &tok, Callback<InstancePage> d) {
        e->listInstances(QStringLiteral("us-west-1"), {}, tok, d);
    });
    QVERIFY2(page.ok(), qPrintable(page.error().toString()));
    QCOMPARE(c->requestCount(), quint64(1));
    QCOMPARE(c->http()->retryCount(), quint64(3));
    // Backed off: 100, 200, 400 ms (with jitter) before the fourth attempt.
    QVERIFY2(t.elapsed() >= 350, qPrintable(QString::number(t.elapsed())));
    QFile f(stats);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject s = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(s.value(QStringLiteral("slowdowns")).toInt(), 3);
    QCOMPARE(s.value(QStringLiteral("requests")).toInt(), 4);
}

void TestEc2::requestLimitExceededToTheEnd()
{
    QProcess proxy;
    const QString endpoint = startProxy(proxy, {QStringLiteral("--slowdowns"), QStringLiteral("5"), QStringLiteral("--window"),
                                                QStringLiteral("5")});
    const auto stop = qScopeGuard([&proxy] {
        proxy.kill();
        proxy.waitForFinished();
    });
    QVERIFY(!endpoint.isEmpty());
    Ec2Client *c = makeClient(QStringLiteral("us-west-1"), true, endpoint);
    RetryPolicy p = c->http()->retryPolicy();
    p.maxAttempts = 3;
    p.baseDelayMs = 20;
    m_worker->create<QObject>([c, p] {
        c->http()->setRetryPolicy(p);
        return nullptr;
    });
    Instance in;
    in.id = in.resource = QStringLiteral("i-0123456789abcdef0");
    in.region = QStringLiteral("us-west-1");
    const Status s = act(c, in, InstanceAction::Stop);
    QVERIFY(!s.ok());
    QCOMPARE(s.error().category(), Error::Category::Throttled);
    QCOMPARE(s.error().code(), QStringLiteral("RequestLimitExceeded"));
    QCOMPARE(s.error().httpStatus(), 503);
    QCOMPARE(c->http()->retryCount(), quint64(2));
}

// The second moto checks every signature (IAM enforced): what we sign is what AWS verifies.
void TestEc2::signaturesCheckedByMoto()
{
    QString endpoint;
    SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_EC2_AUTH_ENDPOINT");
    Credentials admin{skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_ACCESS_KEY"),
                      skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_SECRET_KEY"), {}};
    Credentials reader{skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_READER_ACCESS_KEY"),
                       skydeck::test::peerValue("SKYDECK_TEST_EC2_AUTH_READER_SECRET_KEY"), {}};
    QVERIFY(!admin.accessKeyId.isEmpty() && !reader.accessKeyId.isEmpty());

    Ec2Client *c = makeClient(QStringLiteral("eu-west-1"), false, endpoint, 1000, admin);
    const Result<QStringList> regions =
        call<QStringList>(c, [](Ec2Client *e, const CancelToken &tok, Callback<QStringList> d) { e->listScopes(tok, d); });
    QVERIFY2(regions.ok(), qPrintable(regions.error().toString()));
    LaunchRequest r;
    r.name = QStringLiteral("signed ü+=&/ name");  // the characters that break form and signature encoding
    r.machineType = QStringLiteral("g5.xlarge");
    r.image = kImage;
    r.region = QStringLiteral("eu-west-1");
    const Result<Instance> in = launch(c, r);
    QVERIFY2(in.ok(), qPrintable(in.error().toString()));
    QCOMPARE(in->name, r.name);
    QVERIFY2(act(c, in.value(), InstanceAction::Stop).ok(), "StopInstances signed by the admin");

    // A wrong secret: moto recomputes the signature and refuses it.
    Ec2Client *forged = makeClient(QStringLiteral("eu-west-1"), true, endpoint, 1000,
                                   Credentials{admin.accessKeyId, admin.secretAccessKey + QStringLiteral("x"), {}});
    const Result<InstancePage> page = call<InstancePage>(forged, [](Ec2Client *e, const CancelToken &tok, Callback<InstancePage> d) {
        e->listInstances(QStringLiteral("eu-west-1"), {}, tok, d);
    });
    QVERIFY(!page.ok());
    QCOMPARE(page.error().category(), Error::Category::Auth);
    QCOMPARE(page.error().code(), QStringLiteral("AuthFailure"));
    QVERIFY(!page.error().toString().contains(admin.secretAccessKey));

    // Allowed to describe, not to start: a permission error (EC2 says UnauthorizedOperation, moto's IAM
    // layer AccessDenied with 403).
    Ec2Client *ro = makeClient(QStringLiteral("eu-west-1"), true, endpoint, 1000, reader);
    const Result<Instance> seen = get(ro, in.value());
    QVERIFY2(seen.ok(), qPrintable(seen.error().toString()));
    QCOMPARE(seen->state, InstanceState::Stopped);
    const Status denied = act(ro, in.value(), InstanceAction::Start);
    QVERIFY(!denied.ok());
    QCOMPARE(denied.error().category(), Error::Category::Permission);
    QVERIFY2(denied.error().code() == QLatin1String("UnauthorizedOperation") || denied.error().code() == QLatin1String("AccessDenied"),
             qPrintable(denied.error().toString()));
    QVERIFY(denied.error().message().contains(QLatin1String("ec2:StartInstances")));
    QCOMPARE(get(ro, in.value())->state, InstanceState::Stopped);
}

SKYDECK_TEST_MAIN(TestEc2)
#include "tst_ec2.moc"
