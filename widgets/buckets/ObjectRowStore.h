#pragma once

#include "StorageTypes.h"

#include <QByteArrayView>
#include <QHash>
#include <QString>
#include <QStringList>

#include <vector>

namespace skydeck::ui {

// Compact storage for a listing: one 32-byte record per row plus the names (relative to the listed
// prefix, UTF-8) packed in one arena, and storage classes interned in a small table. 1,000,000 rows
// with 20-byte names take about 56 MB.
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

    quint32 count() const { return quint32(m_rows.size()); }
    const Row &row(quint32 id) const { return m_rows[id]; }
    QByteArrayView name(quint32 id) const
    {
        const Row &r = m_rows[id];
        return QByteArrayView(m_names.data() + r.nameOffset, qsizetype(r.nameLength));
    }
    QString nameString(quint32 id) const { return QString::fromUtf8(name(id)); }
    const QString &storageClassName(quint16 index) const { return m_classes.at(index); }

    // Bytes held (records, names, tables): what the model costs in memory.
    size_t memoryUsage() const;

private:
    quint16 internClass(const QString &cls);

    std::vector<Row> m_rows;
    std::vector<char> m_names;
    QStringList m_classes{QString()};  // index 0: none (prefixes)
    QHash<QString, quint16> m_classIndex;
};

} // namespace skydeck::ui
