#include "ObjectRowStore.h"

namespace skydeck::ui {

void ObjectRowStore::clear()
{
    std::vector<Row>().swap(m_rows);
    std::vector<char>().swap(m_names);
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
    const QByteArray utf8 = rel.toUtf8();
    Row r;
    r.nameOffset = quint32(m_names.size());
    r.nameLength = quint32(utf8.size());
    r.size = entry.size;
    r.modifiedMs = entry.modified.isValid() ? entry.modified.toMSecsSinceEpoch() : 0;
    r.storageClass = internClass(entry.storageClass);
    r.isPrefix = entry.isPrefix;
    m_names.insert(m_names.end(), utf8.constData(), utf8.constData() + utf8.size());
    m_rows.push_back(r);
    return quint32(m_rows.size() - 1);
}

size_t ObjectRowStore::memoryUsage() const
{
    size_t bytes = m_rows.capacity() * sizeof(Row) + m_names.capacity();
    for (const QString &c : m_classes)
        bytes += sizeof(QString) + size_t(c.capacity()) * 2;
    return bytes + size_t(m_classIndex.capacity()) * 32;
}

} // namespace skydeck::ui
