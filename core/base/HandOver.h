#pragma once
// Hands work from a worker thread to the thread an object lives on (the GUI thread, for the
// session and the widgets): post(fn) runs fn there, later, in the order posted. If the
// object is gone first, fn is dropped, never run.
//
// What QMetaObject::invokeMethod does, with one difference that matters to the
// ThreadSanitizer stage: the hand-over is stated to the sanitizer. Qt's event queue
// synchronises inside Qt's libraries, which the sanitizer does not see (Debian's Qt is not
// built for it), so through invokeMethod every result a task hands to the window would be
// reported as a race. Here the posted function is built before the hand-over is released
// and run after it is acquired, each event being its own sync object.
//
// A receiver owns one as a member: `HandOver m_handOver{this};` then, in a task,
// `m_handOver.post([this, result] { ... });`. Tasks started by runTask (ParallelBlocks.h)
// may read the member: the task's start is stated to the sanitizer too.

#include "ParallelBlocks.h"

#include <QCoreApplication>
#include <QEvent>
#include <QObject>

#include <utility>

namespace lookbook {

class HandOver : public QObject {
public:
    explicit HandOver(QObject *owner) : QObject(owner) {}

    template <typename Function>
    void post(Function function)
    {
        auto *event = new Posted<Function>(std::move(function));
        threadsan::release(event);
        QCoreApplication::postEvent(this, event);
    }

protected:
    bool event(QEvent *event) override
    {
        if (event->type() != kType) return QObject::event(event);
        static_cast<Call *>(event)->run();
        return true;
    }

private:
    static inline const QEvent::Type kType = QEvent::Type(QEvent::registerEventType());

    class Call : public QEvent {
    public:
        Call() : QEvent(kType) {}
        void run()
        {
            threadsan::acquire(this);
            invoke();
        }

    private:
        virtual void invoke() = 0;
    };

    template <typename Function>
    class Posted final : public Call {
    public:
        explicit Posted(Function function) : m_function(std::move(function)) {}
        // Before the function is destroyed, also when the event is dropped undelivered.
        ~Posted() override { threadsan::acquire(this); }

    private:
        void invoke() override { m_function(); }
        Function m_function;
    };
};

} // namespace lookbook
