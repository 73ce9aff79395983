#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

namespace skydeck::sandbox {

struct DemoObject {
    QString bucket;
    QString key;
    QByteArray data;
    QString contentType;
};

// The buckets and files a first sandbox start creates: small, real files a data scientist would
// recognise (CSV tables in dated folders, JSON lines, a notebook, a model config and checkpoint).
QStringList demoBuckets();
QList<DemoObject> demoObjects();

} // namespace skydeck::sandbox
