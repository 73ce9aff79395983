#pragma once

#include "ComputeTypes.h"
#include "Error.h"
#include "Result.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace skydeck::gcp {

// Compute Engine JSON <-> Skydeck values. References:
// https://cloud.google.com/compute/docs/reference/rest/v1/instances (the Instance resource),
// https://cloud.google.com/compute/docs/reference/rest/v1/zoneOperations (Operation),
// https://cloud.google.com/compute/docs/reference/rest/v1#error-messages (error documents).

// PROVISIONING/STAGING -> Pending, RUNNING, STOPPING/SUSPENDING -> Stopping, TERMINATED/SUSPENDED ->
// Stopped, REPAIRING -> Pending, anything else Unknown.
InstanceState stateFromGce(const QString &status);

// nvidia-tesla-t4 -> "T4", nvidia-a100-80gb -> "A100 80GB", nvidia-l4 -> "L4"; unknown types are
// returned as given.
QString gpuModelFromAcceleratorType(const QString &acceleratorType);

// True for machine families whose GPUs come with the type (a2, a3, a4, g2): no guestAccelerators
// need to be asked for, and they cannot live-migrate.
bool machineTypeHasBuiltInGpus(const QString &machineType);

// The last path segment of a Compute Engine URL (".../zones/us-central1-a" -> "us-central1-a").
QString lastSegment(const QString &url);

// An Instance resource as Skydeck's Instance (provider "gcp", resource "projects/P/zones/Z/instances/N").
Instance instanceFromJson(const QJsonObject &o, const QString &accountId, const QString &project);

// Google's error document ({"error": {"code", "message", "errors": [{"reason", "domain"}]}}) or,
// failing that, the HTTP status, as an Error.
Error errorFromResponse(int httpStatus, const QByteArray &body);
// The first errors[].reason of an error document ("rateLimitExceeded"), or empty.
QString errorReason(const QByteArray &body);

// A DONE operation's error (error.errors[] with httpErrorStatusCode), or no error.
Error operationError(const QJsonObject &operation);

// The instances.insert body for a launch request in `project`. Fails on missing fields.
Result<QJsonObject> insertBody(const LaunchRequest &request);

// The image a launch request means: a URL or "projects/..." path as given; a bare name is a family
// of Google's Deep Learning VM images (projects/deeplearning-platform-release/global/images/family/NAME);
// empty is the default Deep Learning family.
QString resolveImage(const QString &image);
inline constexpr const char *kDefaultDeepLearningFamily = "common-cu121-debian-11-py310";

} // namespace skydeck::gcp
