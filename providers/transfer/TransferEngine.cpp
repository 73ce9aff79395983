#include "TransferEnginePrivate.h"

#include <limits>

#include <QStandardPaths>

namespace skydeck {

void TransferEngine::Private::takeSlot(const JobPtr &job)
{
    ++job->slots;
    ++inFlight;
}

void TransferEngine::Private::releaseSlot(const JobPtr &job)
{
    if (job->slots > 0) {
        --job->slots;
        --inFlight;
    }
    schedule();
}

void TransferEngine::Private::schedule()
{
    if (pumpQueued)
        return;
    pumpQueued = true;
    QTimer::singleShot(0, q, [this] { pump(); });
}

bool TransferEngine::Private::wantsSlot(const Job &j) const
{
    if (j.st.state != TransferState::Running)
        return false;
    if (j.phase == Phase::Parts)
        return !j.pending.isEmpty();
    return !j.phaseBusy && (j.phase == Phase::Create || j.phase == Phase::Head || j.phase == Phase::Complete);
}

void TransferEngine::Private::pump()
{
    pumpQueued = false;
    // A snapshot: signals emitted below may reach slots that clear finished rows.
    const QList<JobPtr> all = jobs.values();
    int active = 0;
    for (const JobPtr &j : all)
        if (j->st.state == TransferState::Running || j->st.state == TransferState::Verifying)
            ++active;
    const int maxActive = std::max(2, concurrency * 2);
    int queued = 0;
    for (const JobPtr &j : all) {
        if (j->st.state != TransferState::Queued)
            continue;
        if (active < maxActive && !j->savingJournal) {
            start(j);
            ++active;
        } else {
            ++queued;
        }
    }
    // Folder downloads list their next page only when the queue runs low: a listing of millions
    // of keys (or a server that never stops paging) is never held in memory at once.
    if (queued < kRefillBelow) {
        const auto pending = expansions;
        for (const auto &x : pending)
            if (!x->fetching)
                fetchPage(x);
    }
    for (const JobPtr &j : all) {
        while (inFlight < concurrency && wantsSlot(*j))
            launch(j);
        if (inFlight >= concurrency)
            break;
    }
    if (!ticker.isActive() && active > 0)
        ticker.start();
    checkIdle();
}

void TransferEngine::Private::checkIdle()
{
    if (!q->isIdle()) {
        idleSignalled = false;
        return;
    }
    if (ticker.isActive()) {
        ticker.stop();
        tick();
    }
    if (!idleSignalled) {
        idleSignalled = true;
        Q_EMIT q->idle();
    }
}

void TransferEngine::Private::changed(const JobPtr &job)
{
    Q_EMIT q->transferChanged(job->st);
}

void TransferEngine::Private::start(const JobPtr &job)
{
    job->st.state = TransferState::Running;
    job->st.started = QDateTime::currentDateTimeUtc();
    job->lastSampleMs = clock.elapsed();
    job->lastBytes = 0;
    changed(job);
    if (job->isUpload()) {
        job->phase = Phase::Stat;
        job->phaseBusy = true;
        const QString path = job->st.spec.localPath;
        onPool<Result<qint64>>(job, [path] { return fileops::statFile(path); },
                               [this, job](Result<qint64> r) { onStat(job, std::move(r)); });
    } else {
        // Two transfers never write one file: the later one fails, nothing is deleted.
        const QString target = job->st.spec.localPath;
        if (const JobPtr other = writing.value(target); other && other != job && !other->st.isFinished()) {
            job->phase = Phase::Over;
            finishJob(job, TransferState::Failed,
                      Error(Error::Category::Conflict,
                            QStringLiteral("another transfer (%1) is writing the same local file %2")
                                .arg(contextFor(other->st.spec), QDir::toNativeSeparators(target)),
                            QStringLiteral("LocalNameConflict"))
                          .setContext(contextFor(job->st.spec)));
            return;
        }
        writing.insert(target, job);
        job->phase = Phase::Head;
        job->partPath = TransferEngine::workingPathFor(job->st.spec);
        if (job->st.spec.knownSize >= 0 && !job->st.spec.knownEtag.isEmpty()) {
            ObjectHead head;
            head.size = job->st.spec.knownSize;
            head.etag = job->st.spec.knownEtag;
            job->phaseBusy = true;
            onHead(job, head);
        }
    }
}

void TransferEngine::Private::planParts(const JobPtr &job, qint64 size)
{
    Picked p = pickLane(job->st.spec.accountId);
    const qint64 minPart = p.client ? p.client->minPartSize() : 5LL * 1024 * 1024;
    const int maxParts = p.client ? p.client->maxParts() : 10000;
    job->plan = PartPlanner::plan(size, partSize, minPart, maxParts);
    job->parts.clear();
    // An empty upload is still one (empty) PUT.
    const int count = std::max(job->plan.partCount, job->isUpload() ? 1 : 0);
    job->parts.resize(count);
    job->pending.clear();
    for (int i = 0; i < count; ++i)
        job->pending.append(i);
    job->st.bytesTotal = size;
    job->st.partsTotal = count;
    job->st.partsDone = 0;
    job->bytesFinished = 0;
}

void TransferEngine::Private::onStat(const JobPtr &job, Result<qint64> r)
{
    job->phaseBusy = false;
    if (!r.ok())
        return fail(job, r.error());
    planParts(job, r.value());
    if (job->plan.multipart)
        return resumeOrCreate(job);
    job->phase = Phase::Parts;
    changed(job);
    schedule();
}

void TransferEngine::Private::launch(const JobPtr &job)
{
    takeSlot(job);
    const TransferSpec spec = job->st.spec;
    switch (job->phase) {
    case Phase::Create: {
        job->phaseBusy = true;
        PutOptions options = spec.options;
        options.partSize = job->plan.partSize;
        call<QString>(
            job,
            [spec, options](StorageClient *c, const CancelToken &t, Callback<QString> done) {
                c->createMultipartUpload(spec.bucket, spec.key, options, t, std::move(done));
            },
            [this, job](Result<QString> r) {
                job->phaseBusy = false;
                releaseSlot(job);
                if (!r.ok())
                    return fail(job, r.error());
                job->uploadId = r.value();
                job->phase = Phase::Parts;
                // The journal names the upload id before any part is sent: a crash from here on
                // leaves an upload the next start resumes instead of one that bills unseen.
                transfer::UploadJournal journal;
                journal.accountId = job->st.spec.accountId;
                journal.bucket = job->st.spec.bucket;
                journal.key = job->st.spec.key;
                journal.localPath = job->st.spec.localPath;
                journal.uploadId = job->uploadId;
                journal.fileSize = job->plan.size;
                journal.fileMtimeMs = job->fileMtimeMs;
                journal.partSize = job->plan.partSize;
                const QString path = job->uploadJournal;
                onPool<bool>(nullptr, [path, journal] { transfer::writeUploadJournal(path, journal); return true; },
                             [](bool) {});
            });
        return;
    }
    case Phase::Head:
        job->phaseBusy = true;
        call<ObjectHead>(
            job,
            [spec](StorageClient *c, const CancelToken &t, Callback<ObjectHead> done) {
                c->headObject(spec.bucket, spec.key, t, std::move(done));
            },
            [this, job](Result<ObjectHead> r) {
                releaseSlot(job);
                if (!r.ok()) {
                    job->phaseBusy = false;
                    return fail(job, r.error());
                }
                onHead(job, r.value());
            });
        return;
    case Phase::Parts: {
        const int index = job->pending.takeFirst();
        if (job->isUpload())
            uploadPart(job, index);
        else
            downloadPart(job, index);
        return;
    }
    case Phase::Complete:
        job->phaseBusy = true;
        complete(job);
        return;
    default:
        releaseSlot(job);
        return;
    }
}

Error TransferEngine::Private::integrityError(const QString &message)
{
    return Error(Error::Category::Integrity, message, QStringLiteral("ChecksumMismatch")).setRetryable(true);
}

void TransferEngine::Private::partDone(const JobPtr &job, int index)
{
    transfer::Part &p = job->parts[index];
    p.done = true;
    job->bytesFinished += job->plan.partCount ? job->plan.length(index) : 0;
    p.progress->store(0);
    ++job->st.partsDone;
}

void TransferEngine::Private::partFailed(const JobPtr &job, int index, const Error &error)
{
    transfer::Part &p = job->parts[index];
    p.progress->store(0);
    if (!error.isRetryable() || ++p.attempts >= partAttempts || error.category() == Error::Category::Cancelled)
        return fail(job, error);
    ++partRetries;
    const int delay = 200 * (1 << std::min(p.attempts, 6));
    qCInfo(lcTransfer).noquote() << "part" << index + 1 << "of" << objectContext(job->st.spec) << "failed ("
                                 << error.toString() << "), trying again in" << delay << "ms";
    const quint64 gen = job->gen;
    QTimer::singleShot(delay, q, [this, job, gen, index] {
        if (job->gen != gen || job->st.state != TransferState::Running)
            return;
        job->pending.prepend(index);
        schedule();
    });
}

// Stops a job's requests and aborts its multipart upload. A download's .part file (and its
// journal) stays for a later resume when keepPart, and is removed otherwise.
void TransferEngine::Private::stop(const JobPtr &job, bool keepPart)
{
    ++job->gen;
    const auto cancellers = job->cancellers;
    job->cancellers.clear();
    for (const auto &c : cancellers)
        c();
    inFlight -= job->slots;
    job->slots = 0;
    job->phaseBusy = false;
    job->pending.clear();
    job->phase = Phase::Over;
    if (job->isUpload() && keepPart && !job->uploadId.isEmpty()) {
        // A retryable failure or the engine going away (a quit, like a crash): the service keeps
        // the parts and the journal names them; retry() or the next start resumes.
        qCInfo(lcTransfer).noquote() << "keeping the multipart upload of" << objectContext(job->st.spec) << "to resume";
        job->uploadId.clear();
    } else if (!job->uploadId.isEmpty()) {
        const TransferSpec spec = job->st.spec;
        const QString uploadId = job->uploadId;
        job->uploadId.clear();
        if (!job->uploadJournal.isEmpty()) {
            const QString journal = job->uploadJournal;
            onPool<bool>(nullptr, [journal] { transfer::removeUploadJournal(journal); return true; }, [](bool) {});
        }
        callDetached<Done>(
            spec.accountId,
            [spec, uploadId](StorageClient *c, const CancelToken &t, Callback<Done> done) {
                c->abortMultipartUpload(spec.bucket, spec.key, uploadId, t, std::move(done));
            },
            [spec](Result<Done> r) {
                if (!r.ok())
                    qCWarning(lcTransfer).noquote() << "could not abort the multipart upload of" << objectContext(spec)
                                                    << r.error().toString();
            });
    }
    job->hash.reset();
    job->hashing = false;
    job->checkpointing = false;
    // A download that finished no part has nothing to resume from: its working file goes.
    if (!job->isUpload() && keepPart && job->journalDone.isEmpty())
        keepPart = false;
    if (!job->isUpload() && !job->partPath.isEmpty() && !keepPart) {
        const QString partPath = job->partPath;
        onPool<bool>(nullptr, [partPath] { fileops::discardPartFile(partPath); return true; }, [](bool) {});
    } else if (keepPart) {
        saveJournal(job);
    }
}

void TransferEngine::Private::finishJob(const JobPtr &job, TransferState state, const Error &error)
{
    if (!job->isUpload()) {
        const auto it = writing.constFind(job->st.spec.localPath);
        if (it != writing.cend() && it.value() == job)
            writing.erase(it);
    }
    job->st.state = state;
    job->st.error = error;
    job->st.finished = QDateTime::currentDateTimeUtc();
    job->st.bytesPerSecond = 0;
    changed(job);
    forgetIfFinished(job);
    schedule();
}

void TransferEngine::Private::forgetIfFinished(const JobPtr &job)
{
    if (keepFinished || !job->st.isFinished())
        return;
    if (jobs.remove(job->st.id) > 0)
        Q_EMIT q->transferRemoved(job->st.id);
}

void TransferEngine::Private::fail(const JobPtr &job, Error error)
{
    if (job->st.isFinished())
        return;
    // What was downloaded stays for a retry unless it is suspect or unwanted. A multipart upload
    // stays (for retry() or the next start) only when trying again may help: a refusal (access
    // denied, a bad request) aborts it, so no parts bill for an upload that cannot finish.
    const Error::Category c = error.category();
    const bool keepPart = job->isUpload()
        ? error.isRetryable() && c != Error::Category::Cancelled
        : c != Error::Category::Cancelled && c != Error::Category::Integrity && c != Error::Category::Local
            && c != Error::Category::Conflict && c != Error::Category::InvalidInput;
    stop(job, keepPart);
    if (error.context().isEmpty())
        error.setContext(contextFor(job->st.spec));
    const bool cancelled = error.category() == Error::Category::Cancelled;
    qCInfo(lcTransfer).noquote() << (job->isUpload() ? "upload" : "download") << objectContext(job->st.spec)
                                 << (cancelled ? "cancelled" : "failed:") << (cancelled ? QString() : error.toString());
    finishJob(job, cancelled ? TransferState::Cancelled : TransferState::Failed, error);
}

void TransferEngine::Private::succeed(const JobPtr &job)
{
    ++job->gen;
    job->phase = Phase::Over;
    job->partPath.clear();
    job->st.bytesDone = job->st.bytesTotal;
    finishJob(job, TransferState::Done, Error());
}

void TransferEngine::Private::tick()
{
    const qint64 now = clock.elapsed();
    qint64 done = 0;
    qint64 total = 0;
    double speed = 0;
    const QList<JobPtr> all = jobs.values();
    for (const JobPtr &j : all) {
        if (j->st.state == TransferState::Running || j->st.state == TransferState::Verifying) {
            qint64 bytes = j->bytesFinished;
            for (const transfer::Part &p : std::as_const(j->parts))
                if (!p.done)
                    bytes += p.progress->load();
            if (j->st.bytesTotal >= 0)
                bytes = std::min(bytes, j->st.bytesTotal);
            const double dt = std::max<qint64>(now - j->lastSampleMs, 1) / 1000.0;
            const double instant = double(bytes - j->lastBytes) / dt;
            const double alpha = 1.0 - std::exp(-dt / kSpeedWindowS);
            const double smoothed = j->st.bytesPerSecond + alpha * (std::max(0.0, instant) - j->st.bytesPerSecond);
            const bool moved = bytes != j->st.bytesDone || std::abs(smoothed - j->st.bytesPerSecond) > 1;
            j->st.bytesDone = bytes;
            j->st.bytesPerSecond = smoothed;
            j->lastBytes = bytes;
            j->lastSampleMs = now;
            if (moved)
                changed(j);
            speed += smoothed;
        }
        if (j->st.state != TransferState::Failed && j->st.state != TransferState::Cancelled && j->st.bytesTotal >= 0) {
            // Saturating: sizes are what servers declared, and may be absurd.
            done = std::min(done, std::numeric_limits<qint64>::max() - j->st.bytesDone) + j->st.bytesDone;
            total = std::min(total, std::numeric_limits<qint64>::max() - j->st.bytesTotal) + j->st.bytesTotal;
        }
    }
    totalSpeed = speed;
    Q_EMIT q->totalsChanged(done, total, speed);
}

quint64 TransferEngine::Private::add(const TransferSpec &spec, const Error &refused)
{
    auto job = std::make_shared<Job>();
    job->st.id = nextId++;
    job->st.spec = spec;
    job->refused = refused;
    jobs.insert(job->st.id, job);
    if (refused.isError()) {
        job->st.state = TransferState::Failed;
        job->st.error = refused;
        job->st.finished = QDateTime::currentDateTimeUtc();
    } else if (!accounts->account(spec.accountId)) {
        job->st.state = TransferState::Failed;
        job->st.error = Error(Error::Category::InvalidInput, QStringLiteral("unknown account %1").arg(spec.accountId));
        job->refused = job->st.error;
    }
    Q_EMIT q->transferAdded(job->st);
    if (!job->st.isFinished())
        idleSignalled = false;
    forgetIfFinished(job);
    schedule();
    return job->st.id;
}

void TransferEngine::Private::fetchPage(const std::shared_ptr<transfer::Expansion> &x)
{
    if (x->over)
        return;
    x->fetching = true;
    x->walk->next([this, x](Result<PrefixWalk::Page> r) {
        if (x->over)
            return;  // cancelled meanwhile
        if (!r.ok()) {
            Q_EMIT q->expansionFailed(r.error());
            return finishExpansion(x);
        }
        // Mapping looks at the disk (symlinks): on the pool.
        struct Mapped {
            QString key;
            Result<MappedPath> path;
            qint64 size = -1;
            QString etag;
        };
        const QList<ObjectEntry> entries = r->objects;
        const bool last = r->last;
        onPool<QList<Mapped>>(
            nullptr,
            [entries, base = x->base, localDir = x->localDir] {
                QList<Mapped> out;
                out.reserve(entries.size());
                for (const ObjectEntry &e : entries) {
                    const QString rel = LocalPath::relativeKey(e.key, base);
                    if (rel.isEmpty())
                        continue;  // the folder marker of the prefix itself (PrefixWalk passes no other)
                    Mapped m{e.key, LocalPath::map(localDir, rel), e.size, e.etag};
                    if (m.path.ok() && m.path->isDirectory)
                        (void)fileops::makeFolder(m.path->path);
                    out.append(m);
                }
                return out;
            },
            [this, x, last](QList<Mapped> mapped) {
                if (x->over)
                    return;
                for (const Mapped &m : mapped) {
                    TransferSpec s;
                    s.kind = TransferKind::Download;
                    s.accountId = x->accountId;
                    s.bucket = x->bucket;
                    s.key = m.key;
                    if (!m.path.ok()) {
                        qCWarning(lcTransfer).noquote() << m.path.error().toString();
                        add(s, Error(m.path.error()).setContext(contextFor(s)));
                        continue;
                    }
                    if (m.path->isDirectory)
                        continue;
                    s.localPath = m.path->path;
                    // A server listing one key twice, or two keys that name one local file: the
                    // second is refused, never written over the first.
                    const size_t h = qHash(s.localPath, size_t(0x51ed));
                    if (x->targets.contains(h)) {
                        add(s, Error(Error::Category::Conflict,
                                     QStringLiteral("another object of this listing already maps to the local file %1")
                                         .arg(QDir::toNativeSeparators(s.localPath)),
                                     QStringLiteral("LocalNameConflict"))
                                   .setContext(contextFor(s)));
                        continue;
                    }
                    x->targets.insert(h);
                    s.knownSize = m.size;
                    s.knownEtag = m.etag;
                    add(s);
                }
                x->fetching = false;
                if (last)
                    return finishExpansion(x);
                schedule();  // pump() asks for the next page when the queue runs low
            });
    });
}

void TransferEngine::Private::finishExpansion(const std::shared_ptr<transfer::Expansion> &x, bool cancelled)
{
    if (x->over)
        return;
    x->over = true;
    x->fetching = false;
    if (cancelled) {
        std::erase(expansions, x);
        --expanding;
        schedule();
        return;
    }
    if (const Error outside = x->walk->outsideError(); outside.isError()) {
        qCWarning(lcTransfer).noquote() << outside.toString();
        Q_EMIT q->expansionFailed(outside);
    }
    std::erase(expansions, x);
    --expanding;
    schedule();
}

TransferEngine::TransferEngine(AccountRegistry *accounts, QObject *parent) : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->accounts = accounts;
    d->pool.setMaxThreadCount(std::max(2, std::min(QThread::idealThreadCount(), 4)));
    d->pool.setObjectName(QStringLiteral("transfer-io"));
    d->uploadJournalFolder = QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation)
        + QStringLiteral("/upload-journals");
    d->ticker.setInterval(kTickMs);
    d->clock.start();
    connect(&d->ticker, &QTimer::timeout, this, [this] { d->tick(); });
    qRegisterMetaType<skydeck::TransferStatus>();
    qRegisterMetaType<skydeck::Error>();
}

TransferEngine::~TransferEngine()
{
    for (const JobPtr &j : std::as_const(d->jobs))
        if (!j->st.isFinished())
            d->stop(j, true);  // like a crash: downloads resume from their journal next time
    d->pool.waitForDone();
}

void TransferEngine::setConcurrency(int parallelRequests)
{
    d->concurrency = std::clamp(parallelRequests, 1, 64);
    d->schedule();
}

int TransferEngine::concurrency() const
{
    return d->concurrency;
}

void TransferEngine::setMinPartSize(qint64 bytes)
{
    d->partSize = std::max<qint64>(bytes, 1);
}

void TransferEngine::setKeepFinished(bool keep)
{
    d->keepFinished = keep;
}

void TransferEngine::setCheckpointInterval(int ms)
{
    d->checkpointMs = std::max(0, ms);
}

void TransferEngine::setUploadJournalFolder(const QString &folder)
{
    d->uploadJournalFolder = folder;
}

void TransferEngine::setPartAttempts(int attempts)
{
    d->partAttempts = std::max(1, attempts);
}

quint64 TransferEngine::partRetries() const
{
    return d->partRetries;
}

QString TransferEngine::workingPathFor(const TransferSpec &spec)
{
    return LocalPath::workingPath(spec.localPath,
                                  spec.accountId + QChar(0) + spec.bucket + QChar(0) + spec.key);
}

QString TransferEngine::journalPathFor(const TransferSpec &spec)
{
    return LocalPath::journalPathFor(workingPathFor(spec));
}

quint64 TransferEngine::enqueue(const TransferSpec &spec)
{
    return d->add(spec);
}

void TransferEngine::uploadFolder(const QString &accountId, const QString &localDir, const QString &bucket,
                                  const QString &prefix)
{
    ++d->expanding;
    d->idleSignalled = false;
    QString base = prefix;
    if (!base.isEmpty() && !base.endsWith(QLatin1Char('/')))
        base += QLatin1Char('/');
    d->onPool<Result<QList<fileops::WalkedFile>>>(
        nullptr, [localDir] { return fileops::walkFolder(localDir); },
        [this, accountId, bucket, base](Result<QList<fileops::WalkedFile>> r) {
            --d->expanding;
            if (!r.ok()) {
                Q_EMIT expansionFailed(Error(r.error()).setContext(QStringLiteral("uploading folder")));
            } else {
                for (const fileops::WalkedFile &f : r.value()) {
                    TransferSpec s;
                    s.kind = TransferKind::Upload;
                    s.accountId = accountId;
                    s.bucket = bucket;
                    s.key = base + f.relativePath;
                    s.localPath = f.path;
                    d->add(s);
                }
            }
            d->schedule();
        });
}

void TransferEngine::downloadPrefix(const QString &accountId, const QString &bucket, const QString &prefix,
                                    const QString &localDir)
{
    ++d->expanding;
    d->idleSignalled = false;
    QString base = prefix;
    if (!base.isEmpty() && !base.endsWith(QLatin1Char('/')))
        base += QLatin1Char('/');
    auto x = std::make_shared<transfer::Expansion>();
    x->accountId = accountId;
    x->bucket = bucket;
    x->base = base;
    x->localDir = localDir;
    TransferSpec probe;
    probe.accountId = accountId;
    probe.bucket = bucket;
    probe.key = base;
    x->where = d->contextFor(probe);
    auto lister = [this, accountId](const ListRequest &req, std::function<void(Result<ListPage>)> cb) {
        d->callDetached<ListPage>(
            accountId,
            [req](StorageClient *c, const CancelToken &t, Callback<ListPage> answer) { c->listObjects(req, t, std::move(answer)); },
            std::move(cb));
    };
    x->walk = std::make_unique<PrefixWalk>(lister, bucket, base, x->where);
    d->expansions.push_back(x);
    d->fetchPage(x);
}

void TransferEngine::cancel(quint64 id)
{
    const JobPtr job = d->jobs.value(id);
    if (!job || job->st.isFinished())
        return;
    if (job->st.state == TransferState::Queued) {
        d->finishJob(job, TransferState::Cancelled, Error::cancelled());
        return;
    }
    d->fail(job, Error::cancelled());
}

void TransferEngine::retry(quint64 id)
{
    const JobPtr job = d->jobs.value(id);
    if (!job || !job->st.isFinished() || job->st.state == TransferState::Done || job->refused.isError())
        return;
    ++job->gen;
    job->phase = Phase::Start;
    job->phaseBusy = false;
    job->parts.clear();
    job->pending.clear();
    job->bytesFinished = 0;
    job->uploadId.clear();
    job->journalDone.clear();
    job->journaled = 0;
    job->hash.reset();
    job->hashedParts = 0;
    job->hashing = false;
    job->checkpointing = false;
    job->st.state = TransferState::Queued;
    job->st.error = Error();
    job->st.bytesDone = 0;
    job->st.partsDone = 0;
    job->st.bytesPerSecond = 0;
    job->st.finished = QDateTime();
    d->idleSignalled = false;
    d->changed(job);
    d->schedule();
}

void TransferEngine::cancelAll()
{
    const auto listing = d->expansions;
    for (const auto &x : listing)
        d->finishExpansion(x, true);
    const QList<JobPtr> all = d->jobs.values();
    for (const JobPtr &j : all)
        if (!j->st.isFinished())
            cancel(j->st.id);
}

void TransferEngine::clearFinished()
{
    QList<quint64> gone;
    for (const JobPtr &j : std::as_const(d->jobs))
        if (j->st.isFinished())
            gone.append(j->st.id);
    for (quint64 id : gone) {
        d->jobs.remove(id);
        Q_EMIT transferRemoved(id);
    }
}

QList<TransferStatus> TransferEngine::transfers() const
{
    QList<TransferStatus> out;
    out.reserve(d->jobs.size());
    for (const JobPtr &j : std::as_const(d->jobs))
        out.append(j->st);
    return out;
}

TransferStatus TransferEngine::status(quint64 id) const
{
    const JobPtr j = d->jobs.value(id);
    return j ? j->st : TransferStatus();
}

bool TransferEngine::isIdle() const
{
    if (d->expanding > 0 || d->savingJournals > 0)
        return false;
    for (const JobPtr &j : std::as_const(d->jobs))
        if (!j->st.isFinished())
            return false;
    return true;
}

} // namespace skydeck
