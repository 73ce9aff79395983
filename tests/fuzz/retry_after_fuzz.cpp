// HTTP Retry-After (HttpClient::parseRetryAfterMs): seconds or an HTTP-date, from any server the
// HTTP layer talks to. Property: the answer is -1 (absent or unreadable) or a delay of 0 to 24
// hours; a number of seconds in plain digits gives that many milliseconds.
#include "FuzzSupport.h"

#include "HttpClient.h"

#include <algorithm>

using namespace skydeck;
using skydeck::fuzz::bytes;

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    skydeck::fuzz::quietLogging();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray value = bytes(data, size);
    const int ms = HttpClient::parseRetryAfterMs(value);
    FUZZ_CHECK(ms >= -1 && ms <= 24 * 3600 * 1000);
    // Plain digits (QByteArray::toInt alone would also take "0\0" and "+5"): that many seconds.
    const QByteArray digits = value.trimmed();
    if (!digits.isEmpty() && digits.size() <= 5
        && std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        const int seconds = digits.toInt();
        if (seconds <= 24 * 3600)
            FUZZ_CHECK(ms == seconds * 1000);
    }
    return 0;
}
