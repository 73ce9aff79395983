#pragma once

// The SSH wire encoding (RFC 4251 §5: uint32, string, mpint, name-list) for the bytes Skydeck reads
// and writes itself: key files, agent messages, the server's KEXINIT. Every read is bounded by
// what is left; a read past the end (or a malformed value) makes the reader !ok() for good, and it
// then returns empty values, so a parser checks ok() once at the end.

#include <QByteArray>
#include <QByteArrayView>

#include <cstdint>

namespace skydeck::ssh::wire {

class Reader
{
public:
    Reader() = default;
    explicit Reader(QByteArrayView data) : m_data(data) {}

    bool ok() const { return m_ok; }
    bool atEnd() const { return m_pos >= m_data.size(); }
    qsizetype left() const { return m_ok ? m_data.size() - m_pos : 0; }
    // What has not been read yet.
    QByteArrayView rest() const { return m_ok ? m_data.sliced(m_pos) : QByteArrayView(); }

    uint8_t byte();
    uint32_t u32();
    // A string's bytes: a view into the data (valid as long as the data is).
    QByteArrayView string();
    // An mpint's magnitude without leading zero bytes; a negative mpint makes the reader fail.
    QByteArrayView mpint();
    bool skip(qsizetype n);
    // Fails the reader (a caller's own check did not hold).
    void fail() { m_ok = false; }

private:
    QByteArrayView take(qsizetype n);

    QByteArrayView m_data;
    qsizetype m_pos = 0;
    bool m_ok = true;
};

void putU32(QByteArray &out, uint32_t v);
void putString(QByteArray &out, QByteArrayView s);
// An mpint from a non-negative big-endian magnitude (leading zeros dropped, a 0x00 put before a
// top bit that is set).
void putMpint(QByteArray &out, QByteArrayView magnitude);
QByteArray string(QByteArrayView s);

// At most n bytes of v, copied (for a message).
inline QByteArray clip(QByteArrayView v, qsizetype n)
{
    return v.first(qMin(n, v.size())).toByteArray();
}

// The first string of a blob (a key's or a signature's type name); empty when there is none.
QByteArray firstString(QByteArrayView blob);

} // namespace skydeck::ssh::wire
