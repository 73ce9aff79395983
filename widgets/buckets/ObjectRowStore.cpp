#include "ObjectRowStore.h"

#include <cstring>

namespace skydeck::ui {

void ObjectRowStore::clear()
{
    m_rows.clear();
    m_names.clear();
    m_count = 0;
    m_nameEnd = 0;
    m_classes = QStringList{QString()};
    m_classIndex.clear();
}

quint16 ObjectRowStore::internClass(const QString &cls)
{
    if (cls.isEmpty())
        return 0;
    auto it = m_classIndex.constFind(cls);
    if (it != m_classIndex.constEnd())
        return it.value();
    if (m_classes.size() >= 0xffff)
        return 0;  // absurd number of distinct classes: show none rather than overflow
    const auto index = quint16(m_classes.size());
    m_classes.append(cls);
    m_classIndex.insert(cls, index);
    return index;
}

quint32 ObjectRowStore::append(const ObjectEntry &entry, const QString &prefix)
{
    const QStringView rel = entry.key.startsWith(prefix) ? QStringView(entry.key).mid(prefix.size())
                                                          : QStringView(entry.key);
    QByteArray utf8 = rel.toUtf8();
    if (utf8.size() > qsizetype(kNameMask))
        utf8.truncate(qsizetype(kNameMask));  // cannot happen with S3 (keys ≤ 1,024 bytes)
    const auto len = quint32(utf8.size());
    // A name never straddles two chunks.
    if (m_names.empty() || (m_nameEnd & kNameMask) + len > kNameMask + 1 || (m_nameEnd >> kNameShift) >= m_names.size()) {
        if (!m_names.empty() && (m_nameEnd & kNameMask) != 0)
            m_nameEnd = quint32(m_names.size()) << kNameShift;
        m_names.emplace_back(new char[kNameMask + 1]);
    }
    std::memcpy(m_names.back().get() + (m_nameEnd & kNameMask), utf8.constData(), len);

    if ((m_count & kRowMask) == 0)
        m_rows.emplace_back(new Row[kRowMask + 1]);
    Row &r = m_rows.back()[m_count & kRowMask];
    r.nameOffset = m_nameEnd;
    r.nameLength = len;
    r.size = entry.size;
    r.modifiedMs = entry.modified.isValid() ? entry.modified.toMSecsSinceEpoch() : 0;
    r.storageClass = internClass(entry.storageClass);
    r.isPrefix = entry.isPrefix;
    m_nameEnd += len;
    return m_count++;
}

size_t ObjectRowStore::memoryUsage() const
{
    size_t bytes = m_rows.size() * (kRowMask + 1) * sizeof(Row) + m_names.size() * (kNameMask + 1);
    for (const QString &c : m_classes)
        bytes += sizeof(QString) + size_t(c.capacity()) * 2;
    return bytes + size_t(m_classIndex.capacity()) * 32;
}

} // namespace skydeck::ui
