#pragma once

#include "RemoteFileSystem.h"

#include <QAbstractTableModel>
#include <QPointer>

#include <memory>

namespace skydeck {

// One remote directory as a table (name, size, modified, permissions), filled lazily: nothing is
// asked until the view calls fetchMore(); the listing runs on the session's worker and its rows
// are inserted in batches (kBatch per fetchMore) so a huge directory never blocks the UI.
// Directories sort first, then names. Symlinks show as links (lstat), never as their targets.
class RemoteFileModel : public QAbstractTableModel
{
    Q_OBJECT
public:
    enum Column { NameColumn, SizeColumn, ModifiedColumn, PermissionsColumn, ColumnCount };
    enum Role { PathRole = Qt::UserRole + 1, TypeRole, SizeRole };
    static constexpr int kBatch = 1000;

    explicit RemoteFileModel(std::shared_ptr<RemoteFileSystem> fs, QObject *parent = nullptr);
    ~RemoteFileModel() override;

    QString directory() const { return m_directory; }
    void setDirectory(const QString &path);  // clears; rows come with the next fetchMore()
    void refresh();
    bool isLoading() const { return m_requested && !m_loaded; }
    RemoteEntry entry(int row) const { return m_rows.value(row); }

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;
    Qt::ItemFlags flags(const QModelIndex &index) const override;

    static QString permissionText(const RemoteEntry &e);

Q_SIGNALS:
    void loaded(const QString &directory);
    void failed(const skydeck::Error &error);

private:
    std::shared_ptr<RemoteFileSystem> m_fs;
    QString m_directory;
    QList<RemoteEntry> m_rows;
    QList<RemoteEntry> m_pending;  // listed, not inserted yet
    bool m_requested = false;
    bool m_loaded = false;
    bool m_inserting = false;
    quint64 m_generation = 0;
};

} // namespace skydeck
