#include "RemoteFileModel.h"

#include "DisplayText.h"

#include "ProviderWorker.h"

#include <QIcon>
#include <QLocale>

#include <algorithm>

namespace skydeck {

RemoteFileModel::RemoteFileModel(std::shared_ptr<RemoteFileSystem> fs, QObject *parent)
    : QAbstractTableModel(parent), m_fs(std::move(fs))
{
}

RemoteFileModel::~RemoteFileModel() = default;

void RemoteFileModel::setDirectory(const QString &path)
{
    beginResetModel();
    ++m_generation;
    m_directory = path;
    m_rows.clear();
    m_pending.clear();
    m_requested = false;
    m_loaded = false;
    endResetModel();
}

void RemoteFileModel::refresh()
{
    setDirectory(m_directory);
    fetchMore({});
}

int RemoteFileModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int RemoteFileModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QString RemoteFileModel::permissionText(const RemoteEntry &e)
{
    QString s;
    s += e.type == RemoteEntry::Type::Directory ? QLatin1Char('d') : e.type == RemoteEntry::Type::Symlink ? QLatin1Char('l') : QLatin1Char('-');
    static const char rwx[] = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s += (e.permissions & (0400u >> i)) ? QLatin1Char(rwx[i]) : QLatin1Char('-');
    return s;
}

QVariant RemoteFileModel::data(const QModelIndex &index, int role) const
{
    if (!index.isValid() || index.row() >= m_rows.size())
        return {};
    const RemoteEntry &e = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        switch (index.column()) {
        case NameColumn: {
            QString name = e.name;
            // Control characters (a newline is a legal file name) shown escaped, not obeyed.
            for (QChar &c : name)
                if (c.unicode() < 0x20 || c.unicode() == 0x7f)
                    c = QChar(0xfffd);
            return name;
        }
        case SizeColumn:
            return e.isDirectory() || e.size < 0 ? QVariant() : QVariant(QLocale().formattedDataSize(e.size));
        case ModifiedColumn:
            return e.modified.isValid() ? QVariant(QLocale().toString(e.modified.toLocalTime(), QLocale::ShortFormat)) : QVariant();
        case PermissionsColumn:
            return permissionText(e);
        }
        return {};
    case Qt::DecorationRole:
        if (index.column() != NameColumn)
            return {};
        return QIcon::fromTheme(e.isDirectory() ? QStringLiteral("folder")
                                : e.type == RemoteEntry::Type::Symlink ? QStringLiteral("emblem-symbolic-link")
                                                                       : QStringLiteral("text-x-generic"));
    case Qt::TextAlignmentRole:
        return index.column() == SizeColumn ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        return plainToolTip(e.path);
    case PathRole:
        return e.path;
    case TypeRole:
        return int(e.type);
    case SizeRole:
        return e.size;
    default:
        return {};
    }
}

QVariant RemoteFileModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return {};
    switch (section) {
    case NameColumn: return tr("Name");
    case SizeColumn: return tr("Size");
    case ModifiedColumn: return tr("Modified");
    case PermissionsColumn: return tr("Permissions");
    default: return {};
    }
}

bool RemoteFileModel::canFetchMore(const QModelIndex &parent) const
{
    if (parent.isValid() || m_directory.isEmpty())
        return false;
    return !m_requested || !m_pending.isEmpty();
}

void RemoteFileModel::fetchMore(const QModelIndex &parent)
{
    if (parent.isValid() || m_directory.isEmpty())
        return;
    if (m_inserting)
        return;  // a view or tester asking again from inside the insert notification
    if (!m_pending.isEmpty()) {
        const int n = int(std::min<qsizetype>(kBatch, m_pending.size()));
        const QList<RemoteEntry> batch = m_pending.mid(0, n);
        m_pending.remove(0, n);
        m_inserting = true;
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size()) + n - 1);
        m_rows.append(batch);
        endInsertRows();
        m_inserting = false;
        return;
    }
    if (m_requested)
        return;
    m_requested = true;  // before the asynchronous call: the view must not ask twice
    const quint64 gen = m_generation;
    const QString dir = m_directory;
    whenDone(m_fs->list(dir), this, [this, gen, dir](Result<QList<RemoteEntry>> r) {
        if (gen != m_generation)
            return;
        m_loaded = true;
        if (!r.ok()) {
            Q_EMIT failed(r.error());
            return;
        }
        QList<RemoteEntry> entries = r.value();
        std::sort(entries.begin(), entries.end(), [](const RemoteEntry &a, const RemoteEntry &b) {
            if (a.isDirectory() != b.isDirectory())
                return a.isDirectory();
            return QString::localeAwareCompare(a.name, b.name) < 0;
        });
        m_pending = entries;
        fetchMore({});
        Q_EMIT loaded(dir);
    });
}

Qt::ItemFlags RemoteFileModel::flags(const QModelIndex &index) const
{
    if (!index.isValid())
        return Qt::ItemIsDropEnabled;
    return Qt::ItemIsSelectable | Qt::ItemIsEnabled | Qt::ItemIsDragEnabled
        | (m_rows.at(index.row()).isDirectory() ? Qt::ItemIsDropEnabled : Qt::NoItemFlags);
}

} // namespace skydeck
