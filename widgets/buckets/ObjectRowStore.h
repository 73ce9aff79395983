#pragma once

#include "StorageTypes.h"

#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

namespace skydeck::ui {

// Compact storage for a listing: one 32-byte record per row plus the names (relative to the listed
// prefix, UTF-8) packed in an arena, and storage classes interned in a small table. 1,000,000 rows
// with 20-byte names take about 56 MB. Records and names live in fixed-size chunks, so growing
// never copies what is already stored (a doubling vector would stall the UI thread for tens of ms
// when it moves 32 MB).
class ObjectRowStore
{
public:
    struct Row {
        quint32 nameOffset = 0;
        quint32 nameLength = 0;
        qint64 size = 0;
        qint64 modifiedMs = 0;  // UTC milliseconds since the epoch; 0 when unknown
        quint16 storageClass = 0;
        bool isPrefix = false;
    };

    void clear();
    // Appends an entry listed under `prefix`; returns its row id.
    quint32 append(const ObjectEntry &entry, const QString &prefix);

    quint32 count() const { return m_count; }
    const Row &row(quint32 id) const { return m_rows[id >> kRowShift][id & kRowMask]; }
    QByteArrayView name(quint32 id) const
    {
        const Row &r = row(id);
        return QByteArrayView(m_names[r.nameOffset >> kNameShift].get() + (r.nameOffset & kNameMask),
                              qsizetype(r.nameLength));
    }
    QString nameString(quint32 id) const { return QString::fromUtf8(name(id)); }
    const QString &storageClassName(quint16 index) const { return m_classes.at(index); }

    // Bytes held (records, names, tables): what the model costs in memory.
    size_t memoryUsage() const;

private:
    quint16 internClass(const QString &cls);

    static constexpr quint32 kRowShift = 16;   // 65,536 rows (2 MiB) per chunk
    static constexpr quint32 kRowMask = (1u << kRowShift) - 1;
    static constexpr quint32 kNameShift = 20;  // 1 MiB of names per chunk (an S3 key is ≤ 1,024 bytes)
    static constexpr quint32 kNameMask = (1u << kNameShift) - 1;

    std::vector<std::unique_ptr<Row[]>> m_rows;
    std::vector<std::unique_ptr<char[]>> m_names;
    quint32 m_count = 0;
    quint32 m_nameEnd = 0;  // global offset of the next free name byte
    QStringList m_classes{QString()};  // index 0: none (prefixes)
    QHash<QString, quint16> m_classIndex;
};

} // namespace skydeck::ui
