#pragma once

#include <QMetaType>
#include <QString>

namespace skydeck {

// Every failure a provider reports. The category drives the UI (an auth error offers to edit the
// account, a throttled one says "retrying") and the CLI's exit code; code and message are the
// provider's own words (e.g. "NoSuchKey", "The specified key does not exist.").
class Error
{
public:
    enum class Category {
        None,          // not an error (a default-constructed Error)
        Auth,          // bad or expired credentials, signature mismatch
        Permission,    // authenticated but not allowed
        NotFound,
        Conflict,      // already exists, not empty, wrong state
        Throttled,     // 429, SlowDown, RequestLimitExceeded
        Network,       // connection refused/reset, DNS, TLS, timeout
        InvalidInput,  // bad argument, hostile key, malformed URL
        Server,        // 5xx, malformed response
        Cancelled,     // the user or the caller cancelled
        Integrity,     // checksum mismatch, truncated body
        Local,         // local file system: cannot read/write/rename
    };

    Error() = default;
    Error(Category category, QString message, QString code = {}, int httpStatus = 0);

    static Error cancelled();

    Category category() const { return m_category; }
    QString code() const { return m_code; }
    QString message() const { return m_message; }
    int httpStatus() const { return m_httpStatus; }
    bool isError() const { return m_category != Category::None; }

    // Whether trying the same request again may succeed (throttling, 5xx, network).
    bool isRetryable() const;
    Error &setRetryable(bool retryable);

    // Context for the user: "s3://bucket/key" or "listing prefix data/". Shown before the message.
    QString context() const { return m_context; }
    Error &setContext(const QString &context);

    // One line for the status bar and the CLI: "context: message (code)". Secrets redacted.
    QString toString() const;

    static QString categoryName(Category c);

private:
    Category m_category = Category::None;
    QString m_message;
    QString m_code;
    QString m_context;
    int m_httpStatus = 0;
    int m_retryable = -1; // -1: derive from the category
};

} // namespace skydeck

Q_DECLARE_METATYPE(skydeck::Error)
