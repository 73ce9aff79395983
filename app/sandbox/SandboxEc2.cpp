#include "SandboxEc2.h"

#include "SandboxLogging.h"

#include <QDate>
#include <QDir>
#include <QFile>
#include <QHostAddress>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QPointer>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTimer>
#include <QUrlQuery>

#include <csignal>
#include <functional>
#include <sys/prctl.h>

namespace skydeck {

namespace {
constexpr int kStartTimeoutMs = 30000;
constexpr int kRetryMs = 100;
const QString kImage = QStringLiteral("ami-12c6146b");  // one of moto's stock images
const QString kRegion = QStringLiteral("us-east-1");

struct DemoInstance {
    const char *type;
    const char *name;
    bool stopped;
};
constexpr DemoInstance kDemo[] = {
    {"g5.xlarge", "train-a10g", false},
    {"g4dn.xlarge", "notebook-t4", true},
    {"p3.2xlarge", "experiments-v100", false},
};
} // namespace

struct SandboxEc2::Private {
    SandboxEc2 *q = nullptr;
    QString dir;
    QStringList pythons;  // still to try
    QProcess *probe = nullptr;
    QProcess *process = nullptr;
    QTimer *timeout = nullptr;
    QNetworkAccessManager *net = nullptr;
    QPointer<QNetworkReply> reply;
    int port = 0;
    std::size_t step = 0;  // the demo instance being launched; then the stops
    QStringList toStop;
    Account account;
    bool starting = false;

    QString logPath() const { return QDir(dir).filePath(QStringLiteral("moto.log")); }
    QString endpoint() const { return QStringLiteral("http://127.0.0.1:%1").arg(port); }

    static void end(QProcess *&slot)
    {
        QProcess *p = slot;
        slot = nullptr;
        if (!p)
            return;
        p->disconnect();
        if (p->state() != QProcess::NotRunning) {
            p->terminate();
            if (!p->waitForFinished(2000)) {
                p->kill();
                p->waitForFinished(1000);
            }
        }
        p->deleteLater();  // may be inside one of its own signals
    }

    void kill()
    {
        if (timeout)
            timeout->stop();
        if (reply) {
            reply->disconnect();
            reply->abort();
            reply->deleteLater();
        }
        end(probe);
        end(process);
        account = Account();
    }

    void fail(const QString &why)
    {
        if (!starting)
            return;
        starting = false;
        kill();
        qCWarning(lcSandbox).noquote() << "sandbox EC2:" << why;
        Q_EMIT q->unavailable(why);
    }

    // Tries the next python for `import moto.server`; the first that has it runs the server.
    void probeNext()
    {
        if (pythons.isEmpty())
            return fail(SandboxEc2::tr("moto is not installed for python3 (pip install 'moto[server]'); no sandbox EC2"));
        const QString python = pythons.takeFirst();
        probe = new QProcess(q);
        probe->setProcessChannelMode(QProcess::MergedChannels);
        QObject::connect(probe, &QProcess::finished, q, [this, python](int code, QProcess::ExitStatus status) {
            end(probe);
            if (status == QProcess::NormalExit && code == 0)
                runServer(python);
            else
                probeNext();
        });
        QObject::connect(probe, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart) {
                end(probe);
                probeNext();
            }
        });
        probe->start(python, {QStringLiteral("-c"), QStringLiteral("import moto.server")});
    }

    void runServer(const QString &python)
    {
        QTcpServer probePort;  // a free loopback port for moto (it cannot report one it picked)
        if (!probePort.listen(QHostAddress::LocalHost, 0))
            return fail(SandboxEc2::tr("no free loopback port for the sandbox's EC2"));
        port = probePort.serverPort();
        probePort.close();
        process = new QProcess(q);
        process->setProcessChannelMode(QProcess::MergedChannels);
        process->setStandardOutputFile(logPath());
        process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
        QObject::connect(process, &QProcess::errorOccurred, q, [this](QProcess::ProcessError e) {
            if (e == QProcess::FailedToStart)
                fail(SandboxEc2::tr("could not run python3 for the sandbox's EC2"));
        });
        QObject::connect(process, &QProcess::finished, q, [this](int code) {
            if (starting)
                return fail(SandboxEc2::tr("moto's server exited (%1, see %2)").arg(code).arg(logPath()));
            qCWarning(lcSandbox) << "sandbox EC2 (moto) exited with" << code;
            account = Account();
        });
        process->start(python, {QStringLiteral("-m"), QStringLiteral("moto.server"), QStringLiteral("-H"),
                                QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(port)});
        step = 0;
        toStop.clear();
        QTimer::singleShot(kRetryMs, q, [this] { seed(); });
    }

    // One EC2 Query request; `then` gets the body of a 200 answer.
    void query(const QList<std::pair<QString, QString>> &params, std::function<void(const QByteArray &)> then)
    {
        QUrlQuery form;
        form.addQueryItem(QStringLiteral("Version"), QStringLiteral("2016-11-15"));
        for (const auto &[k, v] : params)
            form.addQueryItem(k, v);
        QNetworkRequest req(QUrl(endpoint() + QLatin1Char('/')));
        req.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/x-www-form-urlencoded"));
        // moto routes by the credential scope's service (without it the request is S3's) and checks no
        // signature; the app's own Ec2Client signs for real.
        req.setRawHeader("Authorization", QStringLiteral("AWS4-HMAC-SHA256 Credential=testing/%1/%2/ec2/aws4_request, "
                                                         "SignedHeaders=host, Signature=0")
                                              .arg(QDate::currentDate().toString(QStringLiteral("yyyyMMdd")), kRegion)
                                              .toLatin1());
        reply = net->post(req, form.toString(QUrl::FullyEncoded).toUtf8());
        QObject::connect(reply, &QNetworkReply::finished, q, [this, r = reply.data(), params, then] {
            r->deleteLater();
            if (!starting)
                return;
            if (r->error() == QNetworkReply::ConnectionRefusedError) {  // not listening yet
                QTimer::singleShot(kRetryMs, q, [this, params, then] {
                    if (starting)
                        query(params, then);
                });
                return;
            }
            const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
            const QByteArray body = r->readAll();
            if (status != 200)
                return fail(SandboxEc2::tr("moto refused a demo request (%1): %2")
                                .arg(status)
                                .arg(QString::fromUtf8(body.left(300))));
            then(body);
        });
    }

    void seed()
    {
        if (!starting)
            return;
        if (step < std::size(kDemo)) {
            const DemoInstance &demo = kDemo[step];
            query({{QStringLiteral("Action"), QStringLiteral("RunInstances")},
                   {QStringLiteral("ImageId"), kImage},
                   {QStringLiteral("InstanceType"), QString::fromLatin1(demo.type)},
                   {QStringLiteral("MinCount"), QStringLiteral("1")},
                   {QStringLiteral("MaxCount"), QStringLiteral("1")},
                   {QStringLiteral("TagSpecification.1.ResourceType"), QStringLiteral("instance")},
                   {QStringLiteral("TagSpecification.1.Tag.1.Key"), QStringLiteral("Name")},
                   {QStringLiteral("TagSpecification.1.Tag.1.Value"), QString::fromLatin1(demo.name)}},
                  [this, stopped = demo.stopped](const QByteArray &body) {
                      static const QRegularExpression id(QStringLiteral("<instanceId>(i-[0-9a-f]+)</instanceId>"));
                      const QRegularExpressionMatch m = id.match(QString::fromUtf8(body));
                      if (!m.hasMatch())
                          return fail(SandboxEc2::tr("moto launched no demo instance"));
                      if (stopped)
                          toStop.append(m.captured(1));
                      ++step;
                      seed();
                  });
            return;
        }
        if (!toStop.isEmpty()) {
            QList<std::pair<QString, QString>> params{{QStringLiteral("Action"), QStringLiteral("StopInstances")}};
            for (int i = 0; i < toStop.size(); ++i)
                params.append({QStringLiteral("InstanceId.%1").arg(i + 1), toStop.at(i)});
            toStop.clear();
            query(params, [this](const QByteArray &) { seed(); });
            return;
        }
        ready();
    }

    void ready()
    {
        Account a;
        a.id = QStringLiteral("sandbox:ec2");
        a.provider = QStringLiteral("aws");
        a.displayName = SandboxEc2::tr("Sandbox EC2 (local moto, not a cloud account)");
        a.source = QStringLiteral("Skydeck sandbox: moto at ") + endpoint();
        a.sandbox = true;
        a.settings.insert(QStringLiteral("ec2Endpoint"), endpoint());  // no S3 endpoint: VMs only
        a.settings.insert(QStringLiteral("region"), kRegion);
        a.settings.insert(QStringLiteral("regionPinned"), QStringLiteral("true"));
        a.settings.insert(QStringLiteral("accessKeyId"), QStringLiteral("testing"));
        a.secrets.insert(QStringLiteral("secretAccessKey"), QStringLiteral("testing"));
        account = a;
        starting = false;
        timeout->stop();
        qCInfo(lcSandbox) << "sandbox EC2 (moto) on port" << port;
        Q_EMIT q->started(account);
    }
};

SandboxEc2::SandboxEc2(const QString &directory, QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->dir = directory;
    d->net = new QNetworkAccessManager(this);
    d->timeout = new QTimer(this);
    d->timeout->setSingleShot(true);
    connect(d->timeout, &QTimer::timeout, this, [this] { d->fail(tr("the sandbox's EC2 (moto) did not start")); });
}

SandboxEc2::~SandboxEc2()
{
    d->kill();
}

bool SandboxEc2::isRunning() const
{
    return d->process && d->process->state() == QProcess::Running && !d->account.id.isEmpty();
}

qint64 SandboxEc2::processId() const
{
    return d->process ? d->process->processId() : 0;
}

Account SandboxEc2::account() const
{
    return d->account;
}

void SandboxEc2::start()
{
    if (isRunning()) {
        const Account a = d->account;
        QTimer::singleShot(0, this, [this, a] { Q_EMIT started(a); });
        return;
    }
    if (d->starting)
        return;
    d->kill();
    d->starting = true;
    auto failLater = [this](const QString &why) { QTimer::singleShot(0, this, [this, why] { d->fail(why); }); };
    if (!QDir().mkpath(d->dir)
        || !QFile::setPermissions(d->dir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner))
        return failLater(tr("cannot create the private directory %1").arg(d->dir));
    d->pythons.clear();
    for (const QString &p : {QStandardPaths::findExecutable(QStringLiteral("python3")), QStringLiteral("/usr/bin/python3")})
        if (!p.isEmpty() && QFile::exists(p) && !d->pythons.contains(p))
            d->pythons.append(p);
    if (d->pythons.isEmpty())
        return failLater(tr("the sandbox's EC2 needs python3 with moto"));
    d->timeout->start(kStartTimeoutMs);
    QTimer::singleShot(0, this, [this] {
        if (d->starting)
            d->probeNext();
    });
}

void SandboxEc2::stop()
{
    d->starting = false;
    d->kill();
}

} // namespace skydeck
