// Where the time of a LibTorch computation goes: LibTorch's own profiler (the legacy, CPU-only
// one, which Debian's build has) records every operator call, and the calls' self time (their
// time less that of the operators they called) is summed per operator name. Benchmarks only.
//
//   OpProfile profile = profile_ops([&] { train_step(); });
//   print_profile(profile, "training step", 12);
#pragma once

#include <torch/csrc/autograd/profiler_legacy.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

struct OpTime {
  std::string name;
  double self_ms = 0;
  int64_t calls = 0;
};

struct OpProfile {
  std::vector<OpTime> ops;  // by self time, largest first
  double total_ms = 0;      // sum of the self times: everything the operators did
};

inline OpProfile profile_ops(const std::function<void()>& work) {
  namespace profiler = torch::autograd::profiler;
  profiler::enableProfilerLegacy(
      torch::profiler::impl::ProfilerConfig(torch::profiler::impl::ProfilerState::CPU));
  work();
  const profiler::thread_event_lists threads = profiler::disableProfilerLegacy();
  std::map<std::string, OpTime> by_name;
  for (const auto& events : threads) {
    struct Open {
      const profiler::LegacyEvent* push;
      double children_us;
    };
    std::vector<Open> stack;
    for (const profiler::LegacyEvent& e : events) {
      if (e.kind() == profiler::EventKind::PushRange) {
        stack.push_back({&e, 0});
      } else if (e.kind() == profiler::EventKind::PopRange && !stack.empty()) {
        const Open open = stack.back();
        stack.pop_back();
        const double us = open.push->cpuElapsedUs(e);
        OpTime& t = by_name[open.push->name()];
        t.name = open.push->name();
        t.self_ms += (us - open.children_us) / 1000;
        ++t.calls;
        if (!stack.empty()) stack.back().children_us += us;
      }
    }
  }
  OpProfile out;
  for (auto& [name, t] : by_name) {
    out.total_ms += t.self_ms;
    out.ops.push_back(t);
  }
  std::sort(out.ops.begin(), out.ops.end(),
            [](const OpTime& a, const OpTime& b) { return a.self_ms > b.self_ms; });
  return out;
}

inline void print_profile(const OpProfile& p, const std::string& title, size_t rows) {
  std::printf("%s: %.1f ms in operators\n", title.c_str(), p.total_ms);
  std::printf("  %-44s %10s %7s %7s\n", "operator", "self ms", "share", "calls");
  for (size_t i = 0; i < p.ops.size() && i < rows; ++i)
    std::printf("  %-44s %10.1f %6.1f%% %7lld\n", p.ops[i].name.c_str(), p.ops[i].self_ms,
                100 * p.ops[i].self_ms / p.total_ms, static_cast<long long>(p.ops[i].calls));
}
