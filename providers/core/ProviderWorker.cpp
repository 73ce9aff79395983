#include "ProviderWorker.h"

#include "Logging.h"

namespace skydeck {

ProviderWorker::ProviderWorker(const QString &name, QObject *parent)
    : QObject(parent), m_thread(new QThread), m_context(new QObject)
{
    setObjectName(name);
    m_thread->setObjectName(name);
    m_context->setObjectName(name + QStringLiteral(".context"));
    m_context->moveToThread(m_thread);
    m_thread->start();
    qCDebug(lcCore) << "worker started" << name;
}

ProviderWorker::~ProviderWorker()
{
    // Children of the context (clients, network managers) are destroyed on their own thread.
    QObject *ctx = m_context;
    QMetaObject::invokeMethod(ctx, [ctx] { delete ctx; }, Qt::BlockingQueuedConnection);
    m_thread->quit();
    m_thread->wait();
    delete m_thread;
    qCDebug(lcCore) << "worker stopped" << objectName();
}

} // namespace skydeck
