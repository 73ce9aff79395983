#pragma once

#include "Result.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QStringList>

namespace skydeck::pricing {

// A comma-separated file as RFC 4180 writes it (and as Python's csv module, which wrote the price
// catalogs, does): fields separated by commas, a field in double quotes may hold commas, line
// breaks and doubled quotes (""), records end with LF or CRLF. Tolerant of what such files carry:
// a UTF-8 byte order mark, a missing last line break, blank lines (skipped), a quote inside an
// unquoted field (kept as a character). Refused, with the line: an unterminated quoted field,
// text after a closing quote other than a comma or a line break, a record whose field count is not
// the header's, more than kMaxRecords records or kMaxFieldBytes in one field.
struct CsvRecord {
    QStringList fields;
    int line = 0;  // the line the record starts on (the header is line 1)
};

struct CsvTable {
    QStringList header;
    QList<CsvRecord> records;

    // The index of a header column (exact name), -1 when absent.
    int column(const QString &name) const { return int(header.indexOf(name)); }
};

constexpr int kMaxRecords = 200000;
constexpr int kMaxFieldBytes = 64 * 1024;

// Parses a whole file. An empty file is an error (no header).
Result<CsvTable> parseCsv(const QByteArray &data);

} // namespace skydeck::pricing
