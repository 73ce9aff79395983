// The "Incomplete uploads" dialog against moto's S3: unfinished multipart uploads listed with
// their parts and sizes (ListMultipartUploads, ListParts), Abort on the selection and on all,
// each after a confirmation that Cancel refuses.
#include "AccountRegistry.h"
#include "AwsProvider.h"
#include "IncompleteUploadsDialog.h"
#include "Md5.h"
#include "Peers.h"
#include "ProviderWorker.h"
#include "StorageClient.h"

#include "GuiTestMain.h"

#include <QAbstractButton>
#include <QApplication>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTableWidget>
#include <QTimer>

using namespace skydeck;
using skydeck::ui::IncompleteUploadsDialog;

class TestIncompleteUploads : public QObject
{
    Q_OBJECT
    std::unique_ptr<AccountRegistry> m_registry;
    const QString m_account = QStringLiteral("moto-s3");
    QString m_bucket;

    template <typename T>
    Result<T> call(std::function<void(StorageClient *, const CancelToken &, Callback<T>)> op)
    {
        StorageClient *c = m_registry->storage(m_account);
        return waitFor(m_registry->worker(m_account)->run<T>([c, op](const CancelToken &t, Callback<T> d) { op(c, t, std::move(d)); }));
    }
    int serverUploads()
    {
        const QString b = m_bucket;
        auto r = call<MultipartUploadPage>([b](StorageClient *c, const CancelToken &t, Callback<MultipartUploadPage> d) {
            c->listMultipartUploads(b, QString(), QString(), QString(), t, std::move(d));
        });
        return r.ok() ? int(r->uploads.size()) : -1;
    }
    // Answers the next confirmation box with `button` once it shows.
    void answerConfirmation(QMessageBox::StandardButton button, bool *answered)
    {
        auto *poll = new QTimer(this);
        connect(poll, &QTimer::timeout, this, [poll, button, answered] {
            auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
            if (!box || box->objectName() != QLatin1String("abortConfirmation"))
                return;
            QCOMPARE(box->textFormat(), Qt::PlainText);
            *answered = true;
            poll->deleteLater();
            box->button(button)->click();
        });
        poll->start(20);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QString endpoint;
        SKYDECK_REQUIRE_PEER(endpoint, "SKYDECK_TEST_EC2_ENDPOINT");  // moto serves S3 too
        aws::registerProviders();
        m_registry = std::make_unique<AccountRegistry>();
        Account a;
        a.id = m_account;
        a.provider = QStringLiteral("aws");
        a.settings = {{QStringLiteral("endpoint"), endpoint},
                      {QStringLiteral("addressingStyle"), QStringLiteral("path")},
                      {QStringLiteral("accessKeyId"), QStringLiteral("testing")}};
        a.secrets = {{QStringLiteral("secretAccessKey"), QStringLiteral("testing")}};
        m_registry->addAccount(a);
        m_bucket = QStringLiteral("incomplete-%1").arg(QRandomGenerator::global()->generate() % 1000000);
        const QString b = m_bucket;
        QVERIFY(call<Done>([b](StorageClient *c, const CancelToken &t, Callback<Done> d) { c->createBucket(b, QString(), t, d); }).ok());
        // Three unfinished uploads: 2 parts of 64 KiB, 1 part of 100 bytes, none.
        const QList<QList<int>> parts{{65536, 65536}, {100}, {}};
        for (int i = 0; i < parts.size(); ++i) {
            const QString key = QStringLiteral("runs/ckpt-%1.bin").arg(i);
            auto id = call<QString>([b, key](StorageClient *c, const CancelToken &t, Callback<QString> d) {
                c->createMultipartUpload(b, key, PutOptions{}, t, d);
            });
            QVERIFY2(id.ok(), qPrintable(id.error().toString()));
            for (int p = 0; p < parts[i].size(); ++p) {
                const QByteArray data(parts[i][p], char('a' + p));
                const QString uploadId = id.value();
                auto up = call<UploadedPart>([b, key, uploadId, p, data](StorageClient *c, const CancelToken &t, Callback<UploadedPart> d) {
                    c->uploadPart(b, key, uploadId, p + 1, data, Md5::of(data), ProgressFn(), t, d);
                });
                QVERIFY2(up.ok(), qPrintable(up.error().toString()));
            }
        }
        QCOMPARE(serverUploads(), 3);
    }

    void listsSizesAndAborts()
    {
        IncompleteUploadsDialog dialog(m_registry->worker(m_account), m_registry->storage(m_account), QStringLiteral("s3"), m_bucket);
        QSignalSpy sized(&dialog, &IncompleteUploadsDialog::sizesKnown);
        dialog.show();
        QVERIFY(sized.wait(30000));
        QCOMPARE(sized.first().first().toLongLong(), qint64(65536 * 2 + 100));
        QTableWidget *t = dialog.table();
        QCOMPARE(t->rowCount(), 3);
        QCOMPARE(t->item(0, IncompleteUploadsDialog::KeyColumn)->text(), QStringLiteral("runs/ckpt-0.bin"));
        QCOMPARE(t->item(0, IncompleteUploadsDialog::PartsColumn)->text(), QStringLiteral("2"));
        QCOMPARE(t->item(2, IncompleteUploadsDialog::PartsColumn)->text(), QStringLiteral("0"));

        // Cancel in the confirmation aborts nothing.
        t->selectRow(1);
        bool answered = false;
        answerConfirmation(QMessageBox::Cancel, &answered);
        dialog.abortButton()->click();
        QTRY_VERIFY(answered);
        QCOMPARE(serverUploads(), 3);

        // Yes aborts the selected one; the list is read again.
        QSignalSpy done(&dialog, &IncompleteUploadsDialog::abortsDone);
        QSignalSpy loaded(&dialog, &IncompleteUploadsDialog::loaded);
        answered = false;
        answerConfirmation(QMessageBox::Yes, &answered);
        dialog.abortButton()->click();
        QTRY_VERIFY(answered);
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().at(0).toInt(), 1);
        QCOMPARE(done.first().at(1).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(loaded.size(), 1, 30000);
        QCOMPARE(t->rowCount(), 2);
        QCOMPARE(serverUploads(), 2);

        // Abort all.
        done.clear();
        answered = false;
        answerConfirmation(QMessageBox::Yes, &answered);
        dialog.abortAllButton()->click();
        QTRY_VERIFY(answered);
        QVERIFY(done.wait(30000));
        QCOMPARE(done.first().at(0).toInt(), 2);
        QCOMPARE(serverUploads(), 0);
        QTRY_COMPARE(t->rowCount(), 0);
    }
};

SKYDECK_GUI_TEST_MAIN(TestIncompleteUploads)
#include "tst_incompleteuploads.moc"
