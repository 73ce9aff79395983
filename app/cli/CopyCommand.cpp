#include "CopyCommand.h"

#include "ExitCode.h"
#include "TransferEngine.h"

#include <QDir>
#include <QFileInfo>

namespace skydeck::cli {

namespace {

constexpr int kServerCopyConcurrency = 8;

QString locationText(const TransferStatus &s)
{
    return CloudUrl::s3(s.spec.bucket, s.spec.key).toString();
}

QString withSlash(const QString &prefix)
{
    if (prefix.isEmpty() || prefix.endsWith(QLatin1Char('/')))
        return prefix;
    return prefix + QLatin1Char('/');
}

} // namespace

CopyCommand::CopyCommand(const Invocation &invocation, Output &output, AccountRegistry &accounts,
                         const QString &accountId, QObject *parent)
    : Command(invocation, output, accounts, accountId, parent)
{
}

CopyCommand::~CopyCommand() = default;

void CopyCommand::start()
{
    Result<CloudUrl> src = CloudUrl::parse(inv().args.value(0));
    if (!src.ok())
        return fail(src.error());
    Result<CloudUrl> dst = CloudUrl::parse(inv().args.value(1));
    if (!dst.ok())
        return fail(dst.error());
    m_src = src.value();
    m_dst = dst.value();
    for (const CloudUrl *u : {&m_src, &m_dst}) {
        if (!u->isLocal() && u->scheme() != CloudUrl::Scheme::S3)
            return fail(ExitUsage, QStringLiteral("%1: cp does not support %2:// locations yet").arg(u->toString(), u->schemeName()));
        if (u->scheme() == CloudUrl::Scheme::S3 && !u->hasBucket())
            return fail(ExitUsage, QStringLiteral("cp needs a bucket: s3://bucket/key, not s3://"));
    }
    if (m_src.isLocal() && m_dst.isLocal())
        return fail(ExitUsage, QStringLiteral("cp copies to or from s3://; for two local paths use cp(1)"));
    if (m_src.isLocal())
        return startUpload();
    if (m_dst.isLocal())
        return startDownload();
    startServerCopy();
}

void CopyCommand::interrupt()
{
    if (m_engine)
        m_engine->cancelAll();
    Command::interrupt();
}

void CopyCommand::watchEngine()
{
    m_engine = new TransferEngine(&accounts(), this);
    m_engine->setKeepFinished(false);  // memory stays bounded by what is under way, not by the file count
    connect(m_engine, &TransferEngine::transferRemoved, this, [this](quint64 id) { m_reported.remove(id); });
    connect(m_engine, &TransferEngine::transferAdded, this, [this](const TransferStatus &s) {
        ++m_total;
        if (s.isFinished())
            onTransferChanged(s);
    });
    connect(m_engine, &TransferEngine::transferChanged, this, &CopyCommand::onTransferChanged);
    connect(m_engine, &TransferEngine::expansionFailed, this, [this](const Error &e) { recordFailure(e); });
    connect(m_engine, &TransferEngine::totalsChanged, this, [this](qint64 done, qint64 total, double bps) {
        QString line = QStringLiteral("%1").arg(Output::humanSize(done));
        if (total > 0)
            line += QStringLiteral(" / %1 (%2%)").arg(Output::humanSize(total)).arg(100.0 * double(done) / double(total), 0, 'f', 0);
        if (bps > 0)
            line += QStringLiteral("  %1/s").arg(Output::humanSize(static_cast<qint64>(bps)));
        if (m_total > 1)
            line += QStringLiteral("  %1/%2 files").arg(m_done + m_failed).arg(m_total);
        out().progress(line);
    });
    connect(m_engine, &TransferEngine::idle, this, &CopyCommand::onEngineIdle);
}

void CopyCommand::recordFailure(const Error &error)
{
    ++m_failed;
    if (!m_firstError.isError())
        m_firstError = error;
}

void CopyCommand::onTransferChanged(const TransferStatus &s)
{
    if (!s.isFinished() || m_reported.value(s.id))
        return;
    m_reported.insert(s.id, true);
    if (s.state == TransferState::Done) {
        ++m_done;
        out().clearProgress();
        if (s.spec.kind == TransferKind::Upload)
            out().line(QStringLiteral("upload: %1 to %2").arg(QDir::toNativeSeparators(s.spec.localPath), locationText(s)));
        else
            out().line(QStringLiteral("download: %1 to %2").arg(locationText(s), QDir::toNativeSeparators(s.spec.localPath)));
        return;
    }
    Error e = s.error.isError() ? s.error : Error::cancelled();
    if (e.context().isEmpty())
        e.setContext(locationText(s));
    recordFailure(e);
}

void CopyCommand::onEngineIdle()
{
    if (isFinished())
        return;
    if (m_failed > 0)
        return finishWithFailures();
    if (m_total == 0 && m_src.scheme() == CloudUrl::Scheme::S3 && !m_src.key().isEmpty())
        return fail(ExitNotFound, CloudUrl::s3(m_src.bucket(), withSlash(m_src.key())).toString()
                                      + QStringLiteral(": no objects under this prefix"));
    succeed();
}

void CopyCommand::finishWithFailures()
{
    const Error e = m_firstError;
    // A refused object key is the data's fault, not the command line's: not a usage error.
    const int code = e.category() == Error::Category::InvalidInput ? int(ExitFailure) : exitCodeFor(e);
    const int attempted = std::max(m_total, m_failed);
    if (m_failed > 1 || attempted > 1)
        return fail(code, QStringLiteral("%1 of %2 transfers failed; first: %3").arg(m_failed).arg(attempted).arg(e.toString()));
    fail(code, e.toString());
}

void CopyCommand::startUpload()
{
    const QString path = m_src.absoluteLocalPath();
    const QFileInfo fi(path);
    if (!fi.exists())
        return fail(ExitNotFound, m_src.localPath() + QStringLiteral(": no such file or directory"));
    if (!fi.isReadable())
        return fail(ExitAuth, m_src.localPath() + QStringLiteral(": permission denied"));
    watchEngine();
    if (fi.isDir()) {
        if (!inv().recursive)
            return fail(ExitUsage, m_src.localPath() + QStringLiteral(" is a directory; use cp -r"));
        m_engine->uploadFolder(accountId(), path, m_dst.bucket(), withSlash(m_dst.key()));
        return;
    }
    TransferSpec spec;
    spec.kind = TransferKind::Upload;
    spec.accountId = accountId();
    spec.bucket = m_dst.bucket();
    spec.key = m_dst.isPrefix() ? m_dst.key() + fi.fileName() : m_dst.key();
    spec.localPath = path;
    m_engine->enqueue(spec);
}

void CopyCommand::startDownload()
{
    const QString target = m_dst.absoluteLocalPath();
    const QFileInfo fi(target);
    if (inv().recursive) {
        if (fi.exists() && !fi.isDir())
            return fail(ExitUsage, m_dst.localPath() + QStringLiteral(" exists and is not a directory"));
        if (!QDir().mkpath(target))
            return fail(ExitFailure, m_dst.localPath() + QStringLiteral(": cannot create the directory"));
        watchEngine();
        m_engine->downloadPrefix(accountId(), m_src.bucket(), withSlash(m_src.key()), target);
        return;
    }
    if (m_src.isPrefix())
        return fail(ExitUsage, m_src.toString() + QStringLiteral(" is a prefix; use cp -r"));
    QString localPath = target;
    if (fi.isDir() || m_dst.isPrefix()) {
        const QString name = m_src.fileName();
        if (name == QLatin1String(".") || name == QLatin1String("..") || name.contains(QChar(0)))
            return fail(ExitUsage, m_src.toString() + QStringLiteral(": the key's name cannot be a file name; give one"));
        localPath = QDir(target).filePath(name);
    }
    const QFileInfo parent(QFileInfo(localPath).absolutePath());
    if (!parent.isDir())
        return fail(ExitNotFound, QDir::toNativeSeparators(parent.filePath()) + QStringLiteral(": no such directory"));
    watchEngine();
    TransferSpec spec;
    spec.kind = TransferKind::Download;
    spec.accountId = accountId();
    spec.bucket = m_src.bucket();
    spec.key = m_src.key();
    spec.localPath = localPath;
    m_engine->enqueue(spec);
}

void CopyCommand::startServerCopy()
{
    if (!inv().recursive) {
        if (m_src.isPrefix())
            return fail(ExitUsage, m_src.toString() + QStringLiteral(" is a prefix; use cp -r"));
        const QString srcBucket = m_src.bucket();
        const QString srcKey = m_src.key();
        const QString dstBucket = m_dst.bucket();
        const QString dstKey = m_dst.isPrefix() ? m_dst.key() + m_src.fileName() : m_dst.key();
        call<PutResult>(
            [=](StorageClient *c, const CancelToken &t, Callback<PutResult> done) {
                c->copyObject(srcBucket, srcKey, dstBucket, dstKey, t, std::move(done));
            },
            [this, dstBucket, dstKey](Result<PutResult> r) {
                if (!r.ok())
                    return fail(Error(r.error()).setContext(m_src.toString()));
                out().line(QStringLiteral("copy: %1 to %2").arg(m_src.toString(), CloudUrl::s3(dstBucket, dstKey).toString()));
                succeed();
            });
        return;
    }
    m_srcPrefix = withSlash(m_src.key());
    m_dstPrefix = withSlash(m_dst.key());
    if (m_src.bucket() == m_dst.bucket() && m_dstPrefix.startsWith(m_srcPrefix))
        return fail(ExitUsage, QStringLiteral("cannot copy %1 into itself (%2)").arg(m_src.toString(), m_dst.toString()));
    m_walk = std::make_unique<PrefixWalk>(lister(), m_src.bucket(), m_srcPrefix,
                                          CloudUrl::s3(m_src.bucket(), m_srcPrefix).toString());
    copyPage();
}

void CopyCommand::copyPage()
{
    m_listing = true;
    m_walk->next([this](Result<PrefixWalk::Page> page) {
        m_listing = false;
        if (!page.ok())
            return fail(page.error());
        for (const ObjectEntry &e : page->objects)
            m_pendingKeys.append(e.key);
        m_listingDone = page->last;
        pumpCopies();
    });
}

void CopyCommand::pumpCopies()
{
    if (isFinished())
        return;
    while (m_inFlight < kServerCopyConcurrency && !m_pendingKeys.isEmpty()) {
        const QString srcKey = m_pendingKeys.takeFirst();
        const QString dstKey = m_dstPrefix + srcKey.mid(m_srcPrefix.size());
        const QString srcBucket = m_src.bucket();
        const QString dstBucket = m_dst.bucket();
        ++m_inFlight;
        ++m_total;
        call<PutResult>(
            [=](StorageClient *c, const CancelToken &t, Callback<PutResult> done) {
                c->copyObject(srcBucket, srcKey, dstBucket, dstKey, t, std::move(done));
            },
            [this, srcBucket, srcKey, dstBucket, dstKey](Result<PutResult> r) {
                --m_inFlight;
                const QString from = CloudUrl::s3(srcBucket, srcKey).toString();
                if (r.ok()) {
                    ++m_done;
                    out().clearProgress();
                    out().line(QStringLiteral("copy: %1 to %2").arg(from, CloudUrl::s3(dstBucket, dstKey).toString()));
                    out().progress(QStringLiteral("copied %1 objects...").arg(m_done));
                } else {
                    recordFailure(Error(r.error()).setContext(from));
                }
                pumpCopies();
            });
    }
    if (!m_listingDone && !m_listing && m_pendingKeys.size() < 1000)
        return copyPage();
    if (m_listingDone && m_pendingKeys.isEmpty() && m_inFlight == 0) {
        if (const Error outside = m_walk->outsideError(); outside.isError())
            recordFailure(outside);
        if (m_failed > 0)
            return finishWithFailures();
        if (m_total == 0 && !m_srcPrefix.isEmpty())
            return fail(ExitNotFound, CloudUrl::s3(m_src.bucket(), m_srcPrefix).toString()
                                          + QStringLiteral(": no objects under this prefix"));
        succeed();
    }
}

} // namespace skydeck::cli
