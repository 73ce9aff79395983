// HTTP Retry-After (HttpClient::parseRetryAfterMs): seconds or an HTTP-date, from any server the
// HTTP layer talks to. Property: the answer is -1 (absent or unreadable) or a delay of 0 to 24
// hours; a plain number of seconds in range gives that many milliseconds.
#include "FuzzSupport.h"

#include "HttpClient.h"

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
    bool isInt = false;
    const int seconds = value.trimmed().toInt(&isInt);
    if (isInt && seconds >= 0 && seconds <= 24 * 3600)
        FUZZ_CHECK(ms == seconds * 1000);
    return 0;
}
