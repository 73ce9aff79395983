// TransferQueueModel fed by a real TransferEngine over an in-memory storage provider: rows follow
// transferAdded/Changed/Removed, progress/size/state/error columns, totals, retry and clear.
#include "../buckets/FakeStorageClient.h"

#include "AccountRegistry.h"
#include "TransferEngine.h"
#include "TransferPane.h"
#include "TransferQueueModel.h"

#include "GuiTestMain.h"

#include <QAbstractItemModelTester>
#include <QAction>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTreeView>

using namespace skydeck;
using skydeck::test::FakeStorageClient;
using skydeck::ui::TransferQueueModel;

class TestTransferQueueModel : public QObject
{
    Q_OBJECT
    std::unique_ptr<AccountRegistry> m_registry;
    std::unique_ptr<TransferEngine> m_engine;
    QTemporaryDir m_tmp;

    bool waitIdle()
    {
        if (m_engine->isIdle())
            return true;
        QSignalSpy idle(m_engine.get(), &TransferEngine::idle);
        return idle.wait(20000) || m_engine->isIdle();
    }
    QString writeFile(const QString &name, qint64 size)
    {
        const QString path = m_tmp.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            return {};
        f.write(QByteArray(size, 'x'));
        return path;
    }
    TransferSpec upload(const QString &path, const QString &key)
    {
        TransferSpec s;
        s.kind = TransferKind::Upload;
        s.accountId = QStringLiteral("fake:1");
        s.bucket = QStringLiteral("b");
        s.key = key;
        s.localPath = path;
        return s;
    }

private Q_SLOTS:
    void init()
    {
        AccountRegistry::registerStorageFactory(QStringLiteral("fake"), [](const Account &, QObject *parent) -> StorageClient * {
            return new FakeStorageClient(parent);
        });
        m_registry = std::make_unique<AccountRegistry>();
        Account a;
        a.id = QStringLiteral("fake:1");
        a.provider = QStringLiteral("fake");
        m_registry->addAccount(a);
        m_engine = std::make_unique<TransferEngine>(m_registry.get());
    }
    void cleanup()
    {
        m_engine.reset();
        m_registry.reset();
    }

    void followsTheEngine()
    {
        TransferQueueModel model;
        new QAbstractItemModelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest, &model);
        model.setEngine(m_engine.get());
        QSignalSpy totals(&model, &TransferQueueModel::totalsChanged);

        const QString a = writeFile(QStringLiteral("a.bin"), 1000);
        const QString b = writeFile(QStringLiteral("b.bin"), 0);
        const quint64 idA = m_engine->enqueue(upload(a, QStringLiteral("up/a.bin")));
        const quint64 idB = m_engine->enqueue(upload(b, QStringLiteral("up/b.bin")));
        const quint64 idMissing = m_engine->enqueue(upload(m_tmp.filePath(QStringLiteral("missing")), QStringLiteral("up/m")));
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.rowForId(idA), 0);
        QCOMPARE(model.rowForId(idMissing), 2);
        QVERIFY(model.index(0, TransferQueueModel::NameColumn).data().toString().contains(QStringLiteral("s3://b/up/a.bin")));
        QVERIFY(waitIdle());

        const QModelIndex rowA = model.index(model.rowForId(idA), 0);
        QCOMPARE(TransferState(rowA.data(TransferQueueModel::StateRole).toInt()), TransferState::Done);
        QCOMPARE(rowA.data(TransferQueueModel::ProgressRole).toInt(), 1000);
        QCOMPARE(rowA.siblingAtColumn(TransferQueueModel::ProgressColumn).data().toString(), QStringLiteral("100%"));
        QVERIFY(!rowA.siblingAtColumn(TransferQueueModel::SizeColumn).data().toString().isEmpty());
        QCOMPARE(TransferState(model.index(model.rowForId(idB), 0).data(TransferQueueModel::StateRole).toInt()),
                 TransferState::Done);

        const QModelIndex rowM = model.index(model.rowForId(idMissing), 0);
        QCOMPARE(TransferState(rowM.data(TransferQueueModel::StateRole).toInt()), TransferState::Failed);
        QVERIFY(!rowM.data(TransferQueueModel::ErrorRole).toString().isEmpty());
        QVERIFY(rowM.siblingAtColumn(TransferQueueModel::StateColumn).data().toString().startsWith(QStringLiteral("Failed")));
        QCOMPARE(model.activeCount(), 0);
        QCOMPARE(model.failedCount(), 1);
        QVERIFY(totals.size() > 0);

        // The file appears: retry succeeds and the row follows.
        writeFile(QStringLiteral("missing"), 10);
        m_engine->retry(idMissing);
        QVERIFY(waitIdle());
        QTRY_COMPARE(TransferState(model.index(model.rowForId(idMissing), 0).data(TransferQueueModel::StateRole).toInt()),
                     TransferState::Done);
        QCOMPARE(model.failedCount(), 0);

        m_engine->clearFinished();
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.rowForId(idA), -1);
    }

    void paneActionsFollowSelection()
    {
        ui::TransferPane pane(m_engine.get());
        new QAbstractItemModelTester(pane.model(), QAbstractItemModelTester::FailureReportingMode::QtTest, &pane);
        const quint64 id = m_engine->enqueue(upload(m_tmp.filePath(QStringLiteral("nope")), QStringLiteral("x")));
        m_engine->enqueue(upload(writeFile(QStringLiteral("ok.bin"), 4096), QStringLiteral("data/ok.bin")));
        QVERIFY(waitIdle());
        QCOMPARE(pane.model()->rowCount(), 2);
        if (qEnvironmentVariableIsSet("SKYDECK_SCREENSHOT_DIR")) {  // for looking at the pane by eye
            pane.resize(1200, 200);
            pane.show();
            QVERIFY(pane.grab().save(qEnvironmentVariable("SKYDECK_SCREENSHOT_DIR") + QStringLiteral("/transfers.png")));
        }
        QVERIFY(!pane.retryAction()->isEnabled());
        pane.view()->selectionModel()->select(pane.model()->index(0, 0),
                                              QItemSelectionModel::Select | QItemSelectionModel::Rows);
        pane.view()->setCurrentIndex(pane.model()->index(0, 0));
        QVERIFY(pane.retryAction()->isEnabled());   // failed: retry
        QVERIFY(!pane.cancelAction()->isEnabled()); // nothing running
        QCOMPARE(pane.containingFolder(), QFileInfo(m_tmp.filePath(QStringLiteral("nope"))).absolutePath());
        QVERIFY(pane.clearFinishedAction()->isEnabled());
        pane.clearFinishedAction()->trigger();
        QCOMPARE(pane.model()->rowCount(), 0);  // both finished: cleared
        QCOMPARE(pane.model()->rowForId(id), -1);
    }
};

SKYDECK_GUI_TEST_MAIN(TestTransferQueueModel)
#include "tst_transferqueuemodel.moc"
