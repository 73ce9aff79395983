#pragma once

#include <QByteArray>

// The i-th sample document (see gce_samples.cpp).
QByteArray gceSample(int i);
