#pragma once

#include "ComputeTypes.h"

#include <QByteArray>
#include <QDate>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

namespace skydeck {

// The shipped price catalog (resources/prices/compute.json, compiled in as :/prices/compute.json):
// list prices in USD per hour, on-demand and spot, for the common GPU and CPU machine types in the
// common regions of AWS, Google Cloud and Azure, with the date they hold for and each provider's
// public source. Also what each machine type carries (GPU count × model, vCPUs, memory) and the
// Compute Engine accelerator types, priced per GPU.
//
// Immutable once loaded: one shared instance (shipped()) is safe to read from any thread.
class PriceCatalog
{
public:
    struct Machine {
        QString type;       // as the provider spells it: g5.xlarge, a2-highgpu-1g, Standard_NC6s_v3
        int vcpus = 0;
        double memoryGb = 0;
        GpuInfo gpu;
    };

    // The catalog compiled into the binary. An unreadable resource gives an empty catalog (and a
    // warning in the log): no prices rather than a crash.
    static const PriceCatalog &shipped();
    // Parses a catalog document; nullopt (and *error) when it is not one.
    static std::optional<PriceCatalog> fromJson(const QByteArray &json, QString *error = nullptr);

    // $/hour of one instance: the machine type's price in the region (spot or on-demand), plus, on
    // Compute Engine machine types without built-in GPUs, accelerators.count × the accelerator's
    // per-GPU price (accelerators.model: the type id "nvidia-tesla-t4" or its model "T4").
    // nullopt when the catalog has no price for it (unknown type, region, or accelerator).
    // The region may be given as a zone (us-central1-a, us-east-1a): it is reduced to its region.
    std::optional<double> price(const QString &provider, const QString &region, const QString &machineType,
                                bool spot, const GpuInfo &accelerators = {}) const;

    // The GPUs a machine type carries (count 0 when none or unknown). Azure types match with or
    // without the "Standard_" prefix, any case.
    GpuInfo gpu(const QString &provider, const QString &machineType) const;
    // The GPU model of a Compute Engine accelerator type ("nvidia-tesla-t4" → "T4"); empty if unknown.
    QString acceleratorModel(const QString &provider, const QString &acceleratorType) const;

    QList<Machine> machines(const QString &provider) const;   // in catalog order
    QStringList acceleratorTypes(const QString &provider) const;
    QStringList regions(const QString &provider) const;       // regions with prices, catalog order

    QDate asOf() const { return m_asOf; }
    QString note() const { return m_note; }
    QString source(const QString &provider) const { return m_providers.value(provider).source; }
    bool isEmpty() const { return m_providers.isEmpty(); }

    // "us-central1-a" → "us-central1", "us-east-1a" → "us-east-1"; a region stays as it is.
    static QString regionOf(const QString &provider, const QString &regionOrZone);

private:
    struct RegionPrices {
        QHash<QString, double> onDemand;  // lower-cased type → $/h
        QHash<QString, double> spot;
    };
    struct Provider {
        QString source;
        QList<Machine> machines;
        QHash<QString, int> machineIndex;          // normalised type → index in machines
        QHash<QString, QString> accelerators;      // lower-cased accelerator type → GPU model
        QStringList acceleratorOrder;
        QHash<QString, RegionPrices> regions;      // region → prices
        QStringList regionOrder;
    };
    static QString normalise(const QString &provider, const QString &machineType);
    std::optional<double> lookup(const Provider &p, const QString &region, const QString &key, bool spot) const;

    QDate m_asOf;
    QString m_note;
    QHash<QString, Provider> m_providers;
};

} // namespace skydeck
