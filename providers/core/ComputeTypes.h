#pragma once

#include <QDateTime>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QString>

#include <algorithm>

namespace skydeck {

// An instance's state, mapped from each provider's own words (kept in Instance::providerState):
// EC2 pending/running/stopping/stopped/shutting-down/terminated; Compute Engine PROVISIONING,
// STAGING, RUNNING, STOPPING, SUSPENDING, SUSPENDED, TERMINATED (= stopped), REPAIRING; Azure
// PowerState/starting|running|stopping|stopped|deallocating|deallocated.
enum class InstanceState {
    Unknown,
    Pending,       // being created or started (EC2 pending, GCE PROVISIONING/STAGING, Azure starting)
    Running,
    Stopping,      // EC2 stopping, GCE STOPPING/SUSPENDING, Azure stopping/deallocating
    Stopped,       // EC2 stopped, GCE TERMINATED/SUSPENDED, Azure deallocated
    StoppedBilled, // Azure "stopped" without deallocation: the VM still bills
    Rebooting,     // a reboot was asked and the provider shows no state for it
    Terminating,   // EC2 shutting-down, being deleted
    Terminated,    // EC2 terminated (still listed for a while), gone
};

// True for states that change on their own (the model polls until a stable one).
inline bool isTransitional(InstanceState s)
{
    return s == InstanceState::Pending || s == InstanceState::Stopping || s == InstanceState::Rebooting
        || s == InstanceState::Terminating;
}

// GPUs of an instance: from its type (EC2 p4d.24xlarge, GCE a2-highgpu-1g, Azure NC-series, by the
// price catalog) or from the accelerators attached to it (GCE guestAccelerators).
struct GpuInfo {
    int count = 0;
    QString model;  // "A100 40GB", "T4", "V100"; empty when count is 0

    // Adds a count a provider reported: a negative one is ignored and the total stops at kMaxCount,
    // so a server's 2147483647 twice neither overflows nor shows a negative number of GPUs.
    static constexpr int kMaxCount = 1024;
    void addCount(qint64 n)
    {
        if (n > 0)
            count = int(std::min<qint64>(qint64(count) + n, kMaxCount));
    }
};

// One virtual machine at one provider. Implicitly shared strings: cheap to copy into models.
struct Instance {
    QString provider;      // "aws", "gcp", "azure"
    QString accountId;     // Account::id
    QString region;        // us-east-1, europe-west4, westeurope
    QString zone;          // us-east-1a, europe-west4-a; Azure: the zone number or empty
    QString id;            // the provider's id: i-0abc..., GCE numeric id, Azure vmId
    QString name;          // Name tag (EC2), instance name (GCE), VM name (Azure)
    // What actions address: EC2 the instance id; GCE "projects/P/zones/Z/instances/NAME"; Azure the
    // ARM resource id "/subscriptions/S/resourceGroups/G/providers/Microsoft.Compute/virtualMachines/N".
    QString resource;
    InstanceState state = InstanceState::Unknown;
    QString providerState; // the provider's own word, shown in tooltips
    QString machineType;   // p3.2xlarge, a2-highgpu-1g, Standard_NC6s_v3
    GpuInfo gpu;
    QString publicIp;
    QString privateIp;
    QDateTime launched;    // UTC; when it last started (uptime counts from here while running)
    bool spot = false;     // spot / preemptible / Azure Spot priority
    QString image;         // AMI id, source image, image reference
    QString keyName;       // EC2 key pair name
    QString sshUser;       // the image's default user when the provider tells it (else empty)
    QMap<QString, QString> tags;  // tags / labels

    // A stable key across refreshes (account + resource).
    QString key() const { return accountId + QLatin1Char('|') + resource; }
};

// A page of one scope's instances (a region for EC2; Compute Engine and Azure list a whole project
// or subscription in one paged call and use the scope "*").
struct InstancePage {
    QList<Instance> instances;
    QString nextPageToken;  // empty when this was the last page
};

enum class InstanceAction { Start, Stop, Reboot, Terminate };

// A new instance from the launch form or `skydeck vm launch` (launch::* in LaunchOptions.h has the
// conventions both use).
struct LaunchRequest {
    QString name;
    QString region;        // Azure: the location (eastus)
    QString zone;          // GCE: required; EC2: optional (subnet/AZ chosen by the provider if empty);
                           // Azure: an availability zone number, optional
    QString machineType;
    QString image;         // AMI id; GCE image URL/family ("projects/deeplearning-platform-release/global/images/family/common-cu121");
                           // Azure: publisher:offer:sku:version or an image resource id
    int diskGb = 100;
    bool spot = false;     // EC2 spot, GCE Spot provisioning, Azure priority Spot (evicted by deallocation, maxPrice -1)
    QString keyName;       // EC2 key pair
    QString sshUser;       // GCE: the user of sshPublicKey in metadata "ssh-keys"; Azure: adminUsername
    QString sshPublicKey;  // GCE, Azure (required there): "ssh-ed25519 AAAA... comment"
    QString sshFrom;       // Azure: the address prefix SSH is allowed from in the VM's network security
                           // group ("203.0.113.7/32"); empty: no SSH rule (Azure's defaults deny it)
    GpuInfo accelerators;  // GCE N1 + accelerators (model is the accelerator type, e.g. nvidia-tesla-t4)
};

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::Instance)
Q_DECLARE_METATYPE(skydeck::InstanceAction)
