#include "SshWire.h"

namespace skydeck::ssh::wire {

QByteArrayView Reader::take(qsizetype n)
{
    if (!m_ok || n < 0 || n > m_data.size() - m_pos) {
        m_ok = false;
        return {};
    }
    const QByteArrayView v = m_data.sliced(m_pos, n);
    m_pos += n;
    return v;
}

uint8_t Reader::byte()
{
    const QByteArrayView v = take(1);
    return v.isEmpty() ? 0 : uint8_t(v[0]);
}

uint32_t Reader::u32()
{
    const QByteArrayView v = take(4);
    if (v.size() != 4)
        return 0;
    return (uint32_t(uint8_t(v[0])) << 24) | (uint32_t(uint8_t(v[1])) << 16) | (uint32_t(uint8_t(v[2])) << 8)
        | uint32_t(uint8_t(v[3]));
}

QByteArrayView Reader::string()
{
    const uint32_t n = u32();
    if (!m_ok)
        return {};
    if (qint64(n) > qint64(m_data.size() - m_pos)) {
        m_ok = false;
        return {};
    }
    return take(qsizetype(n));
}

QByteArrayView Reader::mpint()
{
    QByteArrayView v = string();
    if (!m_ok)
        return {};
    if (!v.isEmpty() && (uint8_t(v[0]) & 0x80)) {
        m_ok = false;  // negative: no key or signature value is
        return {};
    }
    while (!v.isEmpty() && v[0] == 0)
        v = v.sliced(1);
    return v;
}

bool Reader::skip(qsizetype n)
{
    take(n);
    return m_ok;
}

void putU32(QByteArray &out, uint32_t v)
{
    const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
    out.append(b, 4);
}

void putString(QByteArray &out, QByteArrayView s)
{
    putU32(out, uint32_t(s.size()));
    out.append(s);
}

void putMpint(QByteArray &out, QByteArrayView magnitude)
{
    while (!magnitude.isEmpty() && magnitude[0] == 0)
        magnitude = magnitude.sliced(1);
    const bool pad = !magnitude.isEmpty() && (uint8_t(magnitude[0]) & 0x80);
    putU32(out, uint32_t(magnitude.size() + (pad ? 1 : 0)));
    if (pad)
        out.append('\0');
    out.append(magnitude);
}

QByteArray string(QByteArrayView s)
{
    QByteArray out;
    putString(out, s);
    return out;
}

QByteArray firstString(QByteArrayView blob)
{
    Reader r(blob);
    const QByteArrayView s = r.string();
    return r.ok() ? s.toByteArray() : QByteArray();
}

} // namespace skydeck::ssh::wire
