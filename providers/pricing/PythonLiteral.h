#pragma once

#include "Result.h"

#include <QString>
#include <QVariant>

namespace skydeck::pricing {

// Reads the Python literals the price catalogs carry (SkyPilot writes AWS's GpuInfo with Python's
// repr(): {'Gpus': [{'Name': 'T4', 'Count': 1, 'MemoryInfo': {'SizeInMiB': 16384}}], ...}) without
// evaluating anything: a small parser of dicts with string keys, lists, tuples, strings in single
// or double quotes (with \\ \' \" \n \t escapes), integers, floats, True, False and None, into
// QVariantMap, QVariantList, QString, qint64, double, bool and a null QVariant. Anything else (a
// name, a call, an operator, a set, bytes, an f-string, nesting deeper than kMaxDepth, text after
// the value, more than kMaxLength characters) is refused with the position.
constexpr int kMaxLiteralDepth = 16;
constexpr int kMaxLiteralLength = 64 * 1024;

Result<QVariant> parsePythonLiteral(const QString &text);

} // namespace skydeck::pricing
