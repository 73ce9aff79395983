// The readers under the price catalog: CSV as Python's csv module writes it (quoted fields with
// commas, doubled quotes, CRLF, a byte order mark, blank lines) with its refusals, and Python
// literals (AWS's GpuInfo) read without evaluating anything, refusing names, calls, sets, deep
// nesting and trailing text.
#include "Csv.h"
#include "PythonLiteral.h"
#include "TestMain.h"

using namespace skydeck;
using namespace skydeck::pricing;

class TestPriceReaders : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void csvQuotedFields()
    {
        const QByteArray data = "\xEF\xBB\xBF" "a,b,c\r\n"
                                "1,\"V1,V2\",x\r\n"
                                "\n"
                                "2,\"say \"\"hi\"\"\",\"two\nlines\"\n"
                                "3,,\"{'Gpus': [{'Name': 'T4', 'Count': 1}]}\"";  // no final line break
        const Result<CsvTable> t = parseCsv(data);
        QVERIFY2(t.ok(), qPrintable(t.error().message()));
        QCOMPARE(t->header, (QStringList{"a", "b", "c"}));
        QCOMPARE(t->records.size(), 3);
        QCOMPARE(t->records[0].fields, (QStringList{"1", "V1,V2", "x"}));
        QCOMPARE(t->records[0].line, 2);
        QCOMPARE(t->records[1].fields, (QStringList{"2", "say \"hi\"", "two\nlines"}));
        QCOMPARE(t->records[1].line, 4);
        QCOMPARE(t->records[2].fields.at(2), QStringLiteral("{'Gpus': [{'Name': 'T4', 'Count': 1}]}"));
        QCOMPARE(t->records[2].line, 6);  // the quoted line break counted
        QCOMPARE(t->column(QStringLiteral("c")), 2);
        QCOMPARE(t->column(QStringLiteral("z")), -1);
        // A quote inside an unquoted field is a character.
        QCOMPARE(parseCsv("a\nx\"y\n")->records.first().fields.first(), QStringLiteral("x\"y"));
    }

    void csvRefusals_data()
    {
        QTest::addColumn<QByteArray>("data");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("empty") << QByteArray() << "no header";
        QTest::newRow("unterminated") << QByteArray("a,b\n1,\"open\n") << "line 2: a quoted field is not closed";
        QTest::newRow("after quote") << QByteArray("a,b\n\"x\"y,2\n") << "text after a closing quote";
        QTest::newRow("too few") << QByteArray("a,b,c\n1,2\n") << "line 2: 2 fields where the header has 3";
        QTest::newRow("too many") << QByteArray("a\n1,2\n") << "2 fields";
        QTest::newRow("huge field") << (QByteArray("a\n\"") + QByteArray(kMaxFieldBytes + 10, 'x') + "\"\n") << "longer than";
    }
    void csvRefusals()
    {
        QFETCH(QByteArray, data);
        QFETCH(QString, mentions);
        const Result<CsvTable> t = parseCsv(data);
        QVERIFY(!t.ok());
        QVERIFY2(t.error().message().contains(mentions), qPrintable(t.error().message()));
    }

    void pythonLiteralReadsGpuInfo()
    {
        const QString aws = QStringLiteral("{'Gpus': [{'Name': 'A100', 'Manufacturer': 'NVIDIA', 'Count': 8, "
                                           "'MemoryInfo': {'SizeInMiB': 40960}}], 'TotalGpuMemoryInMiB': 327680}");
        const Result<QVariant> v = parsePythonLiteral(aws);
        QVERIFY2(v.ok(), qPrintable(v.error().message()));
        const QVariantMap gpu = v->toMap().value(QStringLiteral("Gpus")).toList().first().toMap();
        QCOMPARE(gpu.value(QStringLiteral("Name")).toString(), QStringLiteral("A100"));
        QCOMPARE(gpu.value(QStringLiteral("Count")).typeId(), int(QMetaType::LongLong));
        QCOMPARE(gpu.value(QStringLiteral("Count")).toLongLong(), 8);
        QCOMPARE(gpu.value(QStringLiteral("MemoryInfo")).toMap().value(QStringLiteral("SizeInMiB")).toLongLong(), 40960);
        QCOMPARE(v->toMap().value(QStringLiteral("TotalGpuMemoryInMiB")).toLongLong(), 327680);

        const Result<QVariant> other = parsePythonLiteral(
            QStringLiteral(R"( {"a": (1, 2.5, -3e2,), 'b': [True, False, None], 'c': 'it\'s "x"\n', 'd': {}} )"));
        QVERIFY2(other.ok(), qPrintable(other.error().message()));
        const QVariantMap m = other->toMap();
        QCOMPARE(m.value(QStringLiteral("a")).toList(), (QVariantList{qint64(1), 2.5, -300.0}));
        QCOMPARE(m.value(QStringLiteral("b")).toList().at(0), QVariant(true));
        QVERIFY(m.value(QStringLiteral("b")).toList().at(2).isNull());
        QCOMPARE(m.value(QStringLiteral("c")).toString(), QStringLiteral("it's \"x\"\n"));
        QVERIFY(m.value(QStringLiteral("d")).toMap().isEmpty());
    }

    void pythonLiteralRefusals_data()
    {
        QTest::addColumn<QString>("text");
        QTest::newRow("call") << "{'Gpus': __import__('os').system('id')}";
        QTest::newRow("name") << "{'Gpus': gpus}";
        QTest::newRow("operator") << "{'Count': 1 + 1}";
        QTest::newRow("set") << "{'a', 'b'}";
        QTest::newRow("int key") << "{1: 'a'}";
        QTest::newRow("trailing") << "{'a': 1} x";
        QTest::newRow("two values") << "{'a': 1}{'b': 2}";
        QTest::newRow("open") << "{'a': [1, 2}";
        QTest::newRow("unclosed string") << "{'a': 'b}";
        QTest::newRow("bytes") << "{'a': b'x'}";
        QTest::newRow("hex escape") << "{'a': '\\x41'}";
        QTest::newRow("deep") << QString(kMaxLiteralDepth + 2, QLatin1Char('[')) + QString(kMaxLiteralDepth + 2, QLatin1Char(']'));
        QTest::newRow("very deep") << QString(100000, QLatin1Char('['));
        QTest::newRow("TrueX") << "TrueX";
        QTest::newRow("empty") << "";
    }
    void pythonLiteralRefusals()
    {
        QFETCH(QString, text);
        const Result<QVariant> v = parsePythonLiteral(text);
        QVERIFY2(!v.ok(), qPrintable(text.left(80)));
        QCOMPARE(v.error().code(), QStringLiteral("MalformedLiteral"));
    }
};

SKYDECK_TEST_MAIN(TestPriceReaders)
#include "tst_pricereaders.moc"
