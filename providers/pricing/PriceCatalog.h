#pragma once

#include "ComputeTypes.h"

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <optional>

namespace skydeck {

// Where a provider's prices come from, as resources/prices/SOURCE.md says: the file shipped, the
// public catalog it was copied from (SkyPilot's skypilot-catalog), the path and commit there, and
// how many data rows it has. The commit's date is not known: every figure is a list-price
// snapshot of unknown date.
struct PriceSource {
    QString file;        // "gcp.csv" (resources/prices/, compiled in as :/prices/gcp.csv)
    QString repository;  // "https://github.com/skypilot-org/skypilot-catalog"
    QString path;        // "catalogs/v7/gcp/vms.csv"
    QString commit;      // 40 hex digits
    int rows = -1;       // data rows, as SOURCE.md counts them

    bool isKnown() const { return !commit.isEmpty(); }
    // "skypilot-org/skypilot-catalog catalogs/v7/gcp/vms.csv at commit 6f65ab58724c…"
    QString describe() const;
};

// One data row of a catalog file, as written there.
struct PriceRow {
    QString type;        // InstanceType; empty for a Compute Engine accelerator-only row
    QString region;
    QString zone;        // AvailabilityZone (AWS, Google), empty for Azure
    GpuInfo gpu;         // AcceleratorName × AcceleratorCount; count 0 without
    qint64 gpuMemoryMiB = 0;  // per GPU, when GpuInfo says
    double vcpus = 0;
    double memoryGiB = 0;
    QString onDemandText;  // Price, verbatim ("" when the source has none)
    QString spotText;      // SpotPrice, verbatim
    std::optional<double> onDemand;
    std::optional<double> spot;
    int line = 0;        // line in the file (the header is line 1)

    bool isAccelerator() const { return type.isEmpty(); }
};

// A price per hour and what it was made of: one row, or (Compute Engine A2/A3/G2 and N1 with GPUs)
// the machine's row plus the GPU-only row of the same GPU and count, from one file.
struct PriceQuote {
    QString provider;
    QString type;
    QString region;
    bool spot = false;
    double perHour = 0;
    QString perHourText;   // the row's own text, or the sum written with the rows' decimals
    GpuInfo gpu;           // the GPUs priced in (built-in or attached); count 0 without
    QList<PriceRow> rows;  // machine row first
    PriceSource source;

    // "0.14679 (g2-standard-4, gcp.csv line 21) + 0.56004 (L4 ×1, gcp.csv line 66)"
    QString breakdown() const;
    // Several lines for a tool tip: the price, its rows and lines, the file, repository and commit,
    // and "list price snapshot, date unknown".
    QString sourceText() const;
};

// The shipped price catalogs: resources/prices/aws.csv, gcp.csv and azure.csv, rows copied verbatim
// from SkyPilot's public catalog, read at run time as they are (each cloud's own column order, AWS's
// GpuInfo a Python dict read without evaluating it), with SOURCE.md naming each file's origin and
// commit. A type or region the files lack has no price: nothing is guessed or computed beyond adding
// a Compute Engine machine's row to the GPU-only row of the same GPU and count
// (g2-standard-4 in us-central1 = 0.14679 + L4 ×1 0.56004).
//
// Immutable once loaded: one shared instance (shipped()) is safe to read from any thread.
class PriceCatalog
{
public:
    struct Machine {
        QString type;
        double vcpus = 0;
        double memoryGiB = 0;
        GpuInfo gpu;              // from the row, or a Compute Engine type's built-in GPUs
        qint64 gpuMemoryMiB = 0;  // per GPU, when the source says
    };

    // The catalog compiled into the binary (:/prices/). Rows or files that cannot be read are left
    // out and named in problems() (and the log): no price rather than a wrong one.
    static const PriceCatalog &shipped();
    // From SOURCE.md and the CSV files' contents by file name ("aws.csv", "gcp.csv", "azure.csv").
    static PriceCatalog fromFiles(const QByteArray &sourceMarkdown, const QMap<QString, QByteArray> &files);

    // The price per hour of one instance (spot or on-demand) in a region or zone (reduced to its
    // region), with its rows and source; nullopt when the catalog lacks any part of it, and then
    // *missing says what, e.g. "no price in the catalog for g5.xlarge in ap-southeast-1".
    // `accelerators` are a Compute Engine N1 machine's attached GPUs (type id "nvidia-tesla-t4",
    // its URL, or the model "T4"); they are ignored for types with built-in GPUs and elsewhere.
    std::optional<PriceQuote> quote(const QString &provider, const QString &regionOrZone, const QString &machineType,
                                    bool spot, const GpuInfo &accelerators = {}, QString *missing = nullptr) const;
    std::optional<double> price(const QString &provider, const QString &regionOrZone, const QString &machineType,
                                bool spot, const GpuInfo &accelerators = {}) const;

    // The GPUs a machine type carries by the catalog (AcceleratorName × AcceleratorCount, or a
    // Compute Engine A2/A3/G2 type's built-in ones); count 0 when none or unknown. Azure types match
    // with or without "Standard_", any case; Compute Engine types may be given as URLs.
    GpuInfo gpu(const QString &provider, const QString &machineType) const;
    // The type's row in that region (or zone), else its first row; line 0 when the type is unknown.
    PriceRow machineRow(const QString &provider, const QString &machineType, const QString &regionOrZone = {}) const;
    // The catalog's name of a Compute Engine accelerator ("nvidia-tesla-t4", a URL to it, "T4" or
    // "A100 40GB" -> "T4", "A100"); empty when unknown.
    static QString gceAcceleratorName(const QString &acceleratorTypeOrModel);
    // The accelerator type id of a catalog name ("T4" -> "nvidia-tesla-t4"); empty when unknown.
    static QString gceAcceleratorType(const QString &catalogName);
    // A Compute Engine machine type's built-in GPUs, by Google's machine-type names (A2, A3, G2).
    static GpuInfo gceBuiltInGpus(const QString &machineType);

    QList<Machine> machines(const QString &provider) const;  // each type once, in file order
    // Compute Engine: the accelerator type ids with GPU-only rows that attach to N1 machines.
    QStringList acceleratorTypes(const QString &provider) const;
    QStringList regions(const QString &provider) const;      // regions with rows, file order
    QList<PriceRow> rows(const QString &provider) const;     // every row read, file order
    QStringList providers() const { return m_providers.keys(); }
    PriceSource source(const QString &provider) const { return m_providers.value(provider).source; }
    QStringList problems() const { return m_problems; }
    bool isEmpty() const { return m_providers.isEmpty(); }

    // "us-central1-a" → "us-central1", "us-east-1a" → "us-east-1", "East US" → "eastus".
    static QString regionOf(const QString &provider, const QString &regionOrZone);
    // The file of a provider's rows ("aws" -> "aws.csv") and back.
    static QString fileOf(const QString &provider);

private:
    struct Provider {
        PriceSource source;
        QList<PriceRow> rows;
        QHash<QString, int> byTypeRegion;         // normalised type + '|' + region -> index in rows
        QHash<QString, int> firstByType;          // normalised type -> first row
        QHash<QString, int> acceleratorByKey;     // lower name + '|' + count + '|' + region -> index
        QStringList regionOrder;
    };
    static QString normalise(const QString &provider, const QString &machineType);
    static void readFile(const QString &provider, const QByteArray &data, Provider &into, QStringList &problems);

    QMap<QString, Provider> m_providers;
    QStringList m_problems;
};

} // namespace skydeck
