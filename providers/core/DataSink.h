#pragma once

#include "Result.h"

#include <QtGlobal>

namespace skydeck {

// Where a download's body goes as it arrives, instead of a buffer the size of the body: the HTTP
// layer and StorageClient::getObjectInto() call it on the client's thread, chunk by chunk.
//
// begin() comes before the first byte of every attempt: an attempt the HTTP layer retries starts
// the body over, so a sink must forget what it was given before. An error from begin() or write()
// ends the request with that error (the HTTP layer does not retry it).
class DataSink
{
public:
    virtual ~DataSink() = default;
    virtual Status begin() = 0;
    virtual Status write(const char *data, qint64 size) = 0;
};

} // namespace skydeck
