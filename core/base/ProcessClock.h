#pragma once
// Milliseconds since this process started, for the timing lines a benchmark reads.
//
// On Linux the origin is the kernel's record of the process start (/proc/self/stat, field 22,
// against CLOCK_BOOTTIME), so the dynamic loading and static initialisation before main()
// count too; that record has the resolution of a clock tick (10 ms with the usual USER_HZ),
// rounded down, so times read up to one tick high. Elsewhere, or when /proc cannot be read,
// the origin is the first call of start(), which main() makes first thing.

namespace lookbook {

class ProcessClock {
public:
    // Fixes the fallback origin; call first thing in main(). Thread-safe; later calls do nothing.
    static void start();
    // Milliseconds since the process started. Thread-safe.
    static double elapsedMs();
};

} // namespace lookbook
