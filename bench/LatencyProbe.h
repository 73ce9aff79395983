#pragma once
// An event-loop latency probe for the benchmarks: a 1 ms precise timer on the UI thread whose late
// ticks are the stalls. Records every gap between ticks (wall clock) and the UI thread's own CPU
// time between ticks, so a stall our code causes can be told from time the scheduler gave other
// processes (a loaded 2-core machine adds that to the wall clock).

#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

#include <algorithm>
#include <ctime>
#include <vector>

namespace skydeck::bench {

inline qint64 threadCpuNs()
{
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return qint64(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

class LatencyProbe : public QObject
{
public:
    struct Gap {
        qint64 atNs;   // when the late tick came, since start()
        qint64 wallNs; // time since the previous tick
        qint64 cpuNs;  // the UI thread's own CPU time in that interval
    };

    LatencyProbe()
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(1);
        connect(&m_timer, &QTimer::timeout, this, [this] {
            const qint64 now = m_clock.nsecsElapsed();
            const qint64 cpu = threadCpuNs();
            if (m_last >= 0)
                m_gaps.push_back(Gap{now, now - m_last, cpu - m_lastCpu});
            m_last = now;
            m_lastCpu = cpu;
        });
    }
    void start()
    {
        m_gaps.clear();
        m_gaps.reserve(1 << 20);
        m_last = -1;
        m_clock.start();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }

    int ticks() const { return int(m_gaps.size()); }
    double worstMs() const { return double(maxOf(&Gap::wallNs)) / 1e6; }
    double worstCpuMs() const { return double(maxOf(&Gap::cpuNs)) / 1e6; }
    // The q-quantile (0..1) of the gaps, in ms.
    double quantileMs(double q, bool cpu = false) const
    {
        if (m_gaps.empty())
            return 0;
        std::vector<qint64> v;
        v.reserve(m_gaps.size());
        for (const Gap &g : m_gaps)
            v.push_back(cpu ? g.cpuNs : g.wallNs);
        const size_t i = std::min(v.size() - 1, size_t(q * double(v.size())));
        std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(i), v.end());
        return double(v[i]) / 1e6;
    }
    int over(qint64 ns, bool cpu = false) const
    {
        return int(std::count_if(m_gaps.begin(), m_gaps.end(),
                                 [&](const Gap &g) { return (cpu ? g.cpuNs : g.wallNs) > ns; }));
    }
    // The n longest gaps (by wall clock, or by the UI thread's own CPU time), longest first.
    std::vector<Gap> worst(size_t n, bool cpu = false) const
    {
        std::vector<Gap> v = m_gaps;
        n = std::min(n, v.size());
        std::partial_sort(v.begin(), v.begin() + std::ptrdiff_t(n), v.end(), [cpu](const Gap &a, const Gap &b) {
            return cpu ? a.cpuNs > b.cpuNs : a.wallNs > b.wallNs;
        });
        v.resize(n);
        return v;
    }

private:
    qint64 maxOf(qint64 Gap::*field) const
    {
        qint64 m = 0;
        for (const Gap &g : m_gaps)
            m = std::max(m, g.*field);
        return m;
    }

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last = -1;
    qint64 m_lastCpu = 0;
    std::vector<Gap> m_gaps;
};

} // namespace skydeck::bench
