#pragma once

#include "Result.h"

#include <QString>

namespace skydeck {

// A location the CLI and the UI can name: an object store URL or a local path.
//   s3://bucket/key         gs://bucket/key         az://account/container/blob
//   sftp://[user@]host[:port]/path                  /abs/path, rel/path, file:///abs/path
// Object keys are taken literally, as `aws s3` does: spaces, unicode and '%' are part of the key
// (no percent-decoding); only file:// URLs are percent-decoded. A key that is empty or ends with '/'
// names a prefix ("folder"); a local path ending with '/' names a directory.
class CloudUrl
{
public:
    enum class Scheme { Local, S3, Gcs, Azure, Sftp };

    CloudUrl() = default;

    // Parses text; a malformed URL, an unknown scheme or an invalid bucket name gives an
    // InvalidInput error that names the problem.
    static Result<CloudUrl> parse(const QString &text);

    static CloudUrl local(const QString &path);
    static CloudUrl s3(const QString &bucket, const QString &key = {});
    static CloudUrl gcs(const QString &bucket, const QString &key = {});
    static CloudUrl azure(const QString &account, const QString &container, const QString &blob = {});
    static CloudUrl sftp(const QString &host, const QString &path, const QString &user = {}, int port = -1);

    Scheme scheme() const { return m_scheme; }
    QString schemeName() const;  // "s3", "gs", "az", "sftp", "file"
    bool isLocal() const { return m_scheme == Scheme::Local; }
    bool isObjectStore() const { return m_scheme == Scheme::S3 || m_scheme == Scheme::Gcs || m_scheme == Scheme::Azure; }

    // Object stores: bucket (S3, GCS) or container (Azure); empty for "s3://" (all buckets).
    QString bucket() const { return m_bucket; }
    bool hasBucket() const { return !m_bucket.isEmpty(); }
    // Object key / blob name (no leading '/'); for SFTP the path (starts with '/').
    QString key() const { return m_key; }
    QString account() const { return m_account; }  // Azure storage account
    QString user() const { return m_user; }        // SFTP
    QString host() const { return m_host; }        // SFTP
    int port() const { return m_port; }            // SFTP; -1 when not given

    // Local: the path as given (file:// decoded), and made absolute against the current directory.
    QString localPath() const { return m_key; }
    QString absoluteLocalPath() const;

    // A prefix/folder/directory: no key, or a key or path ending in '/'.
    bool isPrefix() const;
    // The last path segment ("c.txt" for s3://b/a/c.txt, "a" for s3://b/a/); empty at the root.
    QString fileName() const;

    // The same location with `relative` ('/'-separated) appended below it, treated as a folder. Below
    // an sftp URL with no path (the login directory) is "/~/relative", as the CLI reads "/~".
    CloudUrl joined(const QString &relative) const;

    // Canonical text: "s3://bucket/key", "az://account/container/blob", "sftp://user@host:22/p",
    // or the local path. parse(toString()) gives back an equal CloudUrl.
    QString toString() const;

    bool operator==(const CloudUrl &other) const = default;

    enum class BucketRules {
        Lenient,  // names that exist in the wild (legacy S3 buckets with capitals or '_')
        Create,   // what a new bucket must satisfy
    };
    // An empty string when `name` is a valid bucket/container name for `scheme`, else the reason.
    static QString bucketNameProblem(Scheme scheme, const QString &name, BucketRules rules = BucketRules::Lenient);
    static QString azureAccountProblem(const QString &account);

private:
    Scheme m_scheme = Scheme::Local;
    QString m_account;
    QString m_bucket;
    QString m_key;
    QString m_user;
    QString m_host;
    int m_port = -1;
};

} // namespace skydeck
