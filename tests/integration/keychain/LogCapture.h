#pragma once

// Collects every log message (all categories, debug included) while alive, so a test can check
// that a secret never reaches a log.
#include <QLoggingCategory>
#include <QMutex>
#include <QStringList>

namespace skydeck::test {

class LogCapture
{
public:
    LogCapture()
    {
        s_self = this;
        QLoggingCategory::setFilterRules(QStringLiteral("skydeck.*=true"));
        m_previous = qInstallMessageHandler(&LogCapture::handler);
    }
    ~LogCapture()
    {
        qInstallMessageHandler(m_previous);
        QLoggingCategory::setFilterRules(QString());
        s_self = nullptr;
    }
    QString all() const
    {
        QMutexLocker lock(&m_lock);
        return m_lines.join(QLatin1Char('\n'));
    }

private:
    static void handler(QtMsgType type, const QMessageLogContext &ctx, const QString &msg)
    {
        if (s_self) {
            QMutexLocker lock(&s_self->m_lock);
            s_self->m_lines.append(QString::fromLatin1(ctx.category ? ctx.category : "") + QLatin1Char(' ') + msg);
            if (s_self->m_previous)
                s_self->m_previous(type, ctx, msg);
        }
    }
    static inline LogCapture *s_self = nullptr;
    QtMessageHandler m_previous = nullptr;
    mutable QMutex m_lock;
    QStringList m_lines;
};

} // namespace skydeck::test
