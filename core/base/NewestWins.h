#pragma once
// "Newest request wins", written once. Each new request of a kind (a catalog opened, a
// search asked for, a store or projection given to the search space) takes the next ticket,
// which makes every earlier ticket of that kind stale. Work carries its ticket to the worker
// and back and asks isCurrent() before it starts and before it delivers: stale work skips
// what it can and its result is dropped, never delivered after a newer one. Tickets may be
// checked on any thread. (Stopping work early, which the indexer and the tuning do at their
// next step, is their cancel flag: a ticket only says whether a result is still wanted.)

#include <QtGlobal>

#include <atomic>
#include <memory>
#include <utility>

namespace lookbook {

class NewestWins {
public:
    class Ticket {
    public:
        Ticket() = default; // never current
        bool isCurrent() const { return m_latest && m_latest->load() == m_number; }
        quint64 number() const { return m_number; }

    private:
        friend class NewestWins;
        Ticket(std::shared_ptr<const std::atomic<quint64>> latest, quint64 number)
            : m_latest(std::move(latest)), m_number(number)
        {
        }
        std::shared_ptr<const std::atomic<quint64>> m_latest;
        quint64 m_number = 0;
    };
    // A new request: every ticket taken before is stale from now on.
    Ticket next() { return Ticket(m_latest, ++*m_latest); }
    // The ticket of the newest request (stale as soon as next() is called).
    Ticket current() const { return Ticket(m_latest, m_latest->load()); }

private:
    std::shared_ptr<std::atomic<quint64>> m_latest = std::make_shared<std::atomic<quint64>>(0);
};

} // namespace lookbook
