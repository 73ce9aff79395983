#pragma once

#include "Error.h"

#include <functional>
#include <optional>
#include <utility>

namespace skydeck {

// A value or an Error: what every provider call ends with.
template <typename T>
class Result
{
public:
    Result() : m_error(Error::Category::Server, QStringLiteral("No result")) {}
    Result(T value) : m_value(std::move(value)) {}            // NOLINT: implicit by design
    Result(Error error) : m_error(std::move(error)) {}         // NOLINT: implicit by design

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    const T &value() const { return *m_value; }
    T &value() { return *m_value; }
    T takeValue() { return std::move(*m_value); }
    const T *operator->() const { return &*m_value; }
    const Error &error() const { return m_error; }

private:
    std::optional<T> m_value;
    Error m_error;
};

// Result<void>
struct Done {};
using Status = Result<Done>;

// The completion callback every provider operation takes. Called exactly once, on the thread of the
// object that started the operation (the provider's worker thread), on every path.
template <typename T>
using Callback = std::function<void(Result<T>)>;

} // namespace skydeck
