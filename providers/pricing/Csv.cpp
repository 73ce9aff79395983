#include "Csv.h"

namespace skydeck::pricing {

namespace {

Error csvError(int line, const QString &why)
{
    return Error(Error::Category::InvalidInput, QStringLiteral("line %1: %2").arg(line).arg(why),
                 QStringLiteral("MalformedCsv"));
}

} // namespace

Result<CsvTable> parseCsv(const QByteArray &data)
{
    qsizetype i = data.startsWith("\xEF\xBB\xBF") ? 3 : 0;
    const qsizetype n = data.size();
    CsvTable table;
    int line = 1;
    bool haveHeader = false;
    while (i < n) {
        CsvRecord record;
        record.line = line;
        QByteArray field;
        bool endOfRecord = false;
        bool blank = true;  // nothing but a line break so far
        while (!endOfRecord) {
            field.clear();
            bool quoted = false;
            if (i < n && data.at(i) == '"') {
                quoted = true;
                blank = false;
                ++i;
                for (;;) {
                    if (i >= n)
                        return csvError(record.line, QStringLiteral("a quoted field is not closed"));
                    const char c = data.at(i);
                    if (c == '"') {
                        if (i + 1 < n && data.at(i + 1) == '"') {  // "" is one quote
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        ++i;
                        break;
                    }
                    if (c == '\n')
                        ++line;
                    field.append(c);
                    ++i;
                    if (field.size() > kMaxFieldBytes)
                        return csvError(record.line, QStringLiteral("a field longer than %1 bytes").arg(kMaxFieldBytes));
                }
            } else {
                while (i < n && data.at(i) != ',' && data.at(i) != '\n' && data.at(i) != '\r') {
                    field.append(data.at(i));
                    ++i;
                    if (field.size() > kMaxFieldBytes)
                        return csvError(record.line, QStringLiteral("a field longer than %1 bytes").arg(kMaxFieldBytes));
                }
                if (!field.isEmpty())
                    blank = false;
            }
            record.fields.append(QString::fromUtf8(field));
            if (i >= n) {
                endOfRecord = true;
            } else if (data.at(i) == ',') {
                blank = false;
                ++i;
            } else if (data.at(i) == '\n' || data.at(i) == '\r') {
                if (data.at(i) == '\r' && i + 1 < n && data.at(i + 1) == '\n')
                    ++i;
                ++i;
                ++line;
                endOfRecord = true;
            } else if (quoted) {
                return csvError(record.line, QStringLiteral("text after a closing quote"));
            }
        }
        if (blank)
            continue;  // an empty line
        if (!haveHeader) {
            table.header = record.fields;
            haveHeader = true;
            continue;
        }
        if (record.fields.size() != table.header.size())
            return csvError(record.line, QStringLiteral("%1 fields where the header has %2")
                                             .arg(record.fields.size())
                                             .arg(table.header.size()));
        if (table.records.size() >= kMaxRecords)
            return csvError(record.line, QStringLiteral("more than %1 records").arg(kMaxRecords));
        table.records.append(std::move(record));
    }
    if (!haveHeader)
        return csvError(1, QStringLiteral("no header line"));
    return table;
}

} // namespace skydeck::pricing
