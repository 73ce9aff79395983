#pragma once

#include "ComputeTypes.h"
#include "Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

namespace skydeck::aws {

// Parsers for EC2's Query API answers (Version 2016-11-15). Each checks the whole document (a
// malformed or truncated body is a Server error, never a partial result). Instances come back with
// the provider's fields filled (id, name, state, type, addresses, ...) but no provider, account or
// region: the client sets those.
namespace Ec2Xml {

// DescribeInstances: every instance of every reservation, and the nextToken (empty on the last page).
Result<InstancePage> parseDescribeInstances(const QByteArray &body);
// RunInstances: the instances it started.
Result<QList<Instance>> parseRunInstances(const QByteArray &body);
// DescribeImages for one image: its root device name (/dev/xvda, /dev/sda1; may be empty); *found
// says whether the answer listed an image at all.
Result<QString> parseImageRootDevice(const QByteArray &body, bool *found);
// DescribeRegions: the regions this account may use (opted-in or needing no opt-in).
Result<QStringList> parseDescribeRegions(const QByteArray &body);
// DescribeInstanceTypes: instance type -> GPUs (count 0 for types without GPUs); nextToken out.
Result<QHash<QString, GpuInfo>> parseDescribeInstanceTypes(const QByteArray &body, QString *nextToken = nullptr);

// pending/running/stopping/stopped/shutting-down/terminated -> InstanceState.
InstanceState mapState(const QString &ec2State);
// "A100" with 40960 MiB -> "A100 40GB" (AWS sells A100s of 40 and 80 GB); other models by name.
QString gpuModel(const QString &name, qint64 memoryMiB);

} // namespace Ec2Xml
} // namespace skydeck::aws
