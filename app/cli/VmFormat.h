#pragma once

#include "ComputeTypes.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace skydeck::cli {

// How `skydeck vm` shows instances: a table with aligned columns, or a JSON array.
namespace VmFormat {

QString stateName(InstanceState state);  // "running", "stopped-billed", ...
QString gpus(const GpuInfo &gpu);        // "8 x A100 40GB", "-" without GPUs
// "name (id)" or the id alone, for one-line messages.
QString label(const Instance &instance);
// Sorted by provider, account, region, zone, name, id.
void sort(QList<Instance> &instances);
QStringList table(const QList<Instance> &instances);
QByteArray json(const QList<Instance> &instances);

} // namespace VmFormat
} // namespace skydeck::cli
