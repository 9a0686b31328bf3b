#pragma once
// A value or the reason there is none. The core reports every failure the user can cause
// (missing model, unreadable image, damaged cache) as a sentence rather than an exception,
// so callers are forced to decide what to show.

#include <QString>

#include <optional>
#include <utility>

namespace lookbook {

template <typename T>
class Expected {
public:
    Expected(T value) : m_value(std::move(value)) {} // NOLINT(google-explicit-constructor)
    static Expected failure(QString why)
    {
        Expected e;
        e.m_error = std::move(why);
        return e;
    }

    bool ok() const { return m_value.has_value(); }
    explicit operator bool() const { return ok(); }
    T &value() { return *m_value; }
    const T &value() const { return *m_value; }
    T &operator*() { return *m_value; }
    const T &operator*() const { return *m_value; }
    T *operator->() { return &*m_value; }
    const T *operator->() const { return &*m_value; }
    const QString &error() const { return m_error; }

private:
    Expected() = default;
    std::optional<T> m_value;
    QString m_error;
};

// For operations that produce nothing but can fail.
struct Done {};
using Status = Expected<Done>;
inline Status success() { return Done{}; }

} // namespace lookbook
