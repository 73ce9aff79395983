#include "DemoContent.h"

#include <QRandomGenerator>

#include <cstring>

namespace skydeck::sandbox {

namespace {

// A deterministic table: the same bytes on every machine.
QByteArray salesCsv(int quarter)
{
    QRandomGenerator rng(static_cast<quint32>(2024 * 10 + quarter));
    static const char *regions[] = {"north", "south", "east", "west"};
    static const char *products[] = {"widget", "gadget", "gizmo", "doohickey"};
    QByteArray csv = "date,region,product,units,unit_price,revenue\n";
    for (int day = 0; day < 90; ++day) {
        const int month = (quarter - 1) * 3 + 1 + day / 30;
        const int dom = day % 30 + 1;
        for (int r = 0; r < 4; ++r) {
            const int units = static_cast<int>(rng.bounded(5, 120));
            const int price = 5 + static_cast<int>(rng.bounded(0, 45));
            csv += QStringLiteral("2024-%1-%2,%3,%4,%5,%6.00,%7.00\n")
                       .arg(month, 2, 10, QLatin1Char('0'))
                       .arg(dom, 2, 10, QLatin1Char('0'))
                       .arg(QLatin1String(regions[r]), QLatin1String(products[rng.bounded(4)]))
                       .arg(units)
                       .arg(price)
                       .arg(units * price)
                       .toUtf8();
        }
    }
    return csv;
}

QByteArray weatherJsonl()
{
    QRandomGenerator rng(42);
    QByteArray out;
    static const char *stations[] = {"BER", "LIS", "OSL", "ROM"};
    for (int h = 0; h < 24 * 7; ++h) {
        for (const char *s : stations) {
            const double temp = 5.0 + 10.0 * rng.generateDouble();
            out += QStringLiteral(R"({"station":"%1","hour":%2,"temperature_c":%3,"humidity":%4})")
                       .arg(QLatin1String(s))
                       .arg(h)
                       .arg(temp, 0, 'f', 1)
                       .arg(rng.bounded(30, 95))
                       .toUtf8()
                + '\n';
        }
    }
    return out;
}

QByteArray irisCsv()
{
    return "sepal_length,sepal_width,petal_length,petal_width,species\n"
           "5.1,3.5,1.4,0.2,setosa\n4.9,3.0,1.4,0.2,setosa\n4.7,3.2,1.3,0.2,setosa\n"
           "4.6,3.1,1.5,0.2,setosa\n5.0,3.6,1.4,0.2,setosa\n7.0,3.2,4.7,1.4,versicolor\n"
           "6.4,3.2,4.5,1.5,versicolor\n6.9,3.1,4.9,1.5,versicolor\n5.5,2.3,4.0,1.3,versicolor\n"
           "6.5,2.8,4.6,1.5,versicolor\n6.3,3.3,6.0,2.5,virginica\n5.8,2.7,5.1,1.9,virginica\n"
           "7.1,3.0,5.9,2.1,virginica\n6.3,2.9,5.6,1.8,virginica\n6.5,3.0,5.8,2.2,virginica\n";
}

QByteArray checkpoint()
{
    // 256 KiB of float32 weights from a fixed seed: big enough to show a size, small to store.
    QRandomGenerator rng(7);
    QByteArray out(256 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i + 4 <= out.size(); i += 4) {
        const float w = static_cast<float>(rng.generateDouble() - 0.5) * 0.1f;
        std::memcpy(out.data() + i, &w, 4);
    }
    return out;
}

QByteArray notebook()
{
    return R"nb({
 "cells": [
  {"cell_type": "markdown", "metadata": {}, "source": ["# Quarterly sales\n", "Reads the demo CSVs from the sandbox bucket."]},
  {"cell_type": "code", "execution_count": null, "metadata": {}, "outputs": [],
   "source": ["import pandas as pd\n", "q1 = pd.read_csv('s3://demo-datasets/sales/2024/q1.csv')\n", "q1.groupby('region').revenue.sum()"]}
 ],
 "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
 "nbformat": 4,
 "nbformat_minor": 5
}
)nb";
}

} // namespace

QStringList demoBuckets()
{
    return {QStringLiteral("demo-datasets"), QStringLiteral("demo-models"), QStringLiteral("demo-notebooks")};
}

QList<DemoObject> demoObjects()
{
    const QString csv = QStringLiteral("text/csv");
    const QString json = QStringLiteral("application/json");
    const QString md = QStringLiteral("text/markdown");
    return {
        {QStringLiteral("demo-datasets"), QStringLiteral("README.md"),
         "# demo-datasets\n\nSample tables in the Skydeck sandbox (a local s3rver, not a cloud account).\n"
         "Drag files in and out, make folders, delete: nothing leaves this machine.\n",
         md},
        {QStringLiteral("demo-datasets"), QStringLiteral("iris/iris.csv"), irisCsv(), csv},
        // s3rver lists a folder only when an object sits directly in it: sales/ and resnet18/ get one.
        {QStringLiteral("demo-datasets"), QStringLiteral("sales/regions.csv"),
         "region,manager\nnorth,Ada\nsouth,Grace\neast,Linus\nwest,Barbara\n", csv},
        {QStringLiteral("demo-datasets"), QStringLiteral("sales/2024/q1.csv"), salesCsv(1), csv},
        {QStringLiteral("demo-datasets"), QStringLiteral("sales/2024/q2.csv"), salesCsv(2), csv},
        {QStringLiteral("demo-datasets"), QStringLiteral("weather/readings.jsonl"), weatherJsonl(),
         QStringLiteral("application/x-ndjson")},
        {QStringLiteral("demo-models"), QStringLiteral("resnet18/config.json"),
         R"({"architecture": "resnet18", "num_classes": 3, "input_size": [224, 224], "dtype": "float32"})"
         "\n",
         json},
        {QStringLiteral("demo-models"), QStringLiteral("resnet18/checkpoints/epoch-010.bin"), checkpoint(),
         QStringLiteral("application/octet-stream")},
        {QStringLiteral("demo-notebooks"), QStringLiteral("sales-analysis.ipynb"), notebook(),
         QStringLiteral("application/x-ipynb+json")},
    };
}

} // namespace skydeck::sandbox
