#include "cli/profile_report.h"

#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "util/file_io.h"

namespace tinynas::cli {
namespace {

std::string format(const char* pattern, ...) __attribute__((format(printf, 1, 2)));

std::string format(const char* pattern, ...) {
  char text[512];
  va_list args;
  va_start(args, pattern);
  std::vsnprintf(text, sizeof text, pattern, args);
  va_end(args);
  return text;
}

}  // namespace

std::string layer_profile_text(const firmware::LayerProfile& p, double plain_inference) {
  std::string out = format(
      "per-layer profile (TINYNAS_PROFILE build, mean of %d inference%s; each layer exact to "
      "+-%lld instructions and includes one marker call of %.1f instructions)\n",
      p.inferences, p.inferences == 1 ? "" : "s", static_cast<long long>(p.instructions_per_tick),
      p.marker_instructions);
  const bool cycles = !p.cycle_model.empty();
  out += format("%4s  %-12s %-17s %6s %6s %11s %11s %13s %8s %7s%s\n", "#", "layer", "op", "kernel",
                "stride", "channels", "MACs", "instructions", "per MAC", "share",
                cycles ? "  est. cycles    CPI" : "");
  for (const firmware::LayerProfileRow& r : p.rows) {
    const std::string channels =
        std::to_string(r.in_channels) + "->" + std::to_string(r.out_channels);
    const std::string per_mac = r.macs > 0 ? format("%.2f", r.per_mac) : "-";
    const std::string estimate =
        cycles && r.estimated_cycles >= 0
            ? format(" %12.0f %6.2f", r.estimated_cycles,
                     r.instructions > 0 ? r.estimated_cycles / static_cast<double>(r.instructions)
                                        : 0.0)
            : "";
    out += format("%4d  %-12s %-17s %6d %6d %11s %11lld %13lld %8s %6.2f%%%s\n", r.index,
                  r.layer.c_str(), r.op.c_str(), r.kernel, r.stride, channels.c_str(),
                  static_cast<long long>(r.macs), static_cast<long long>(r.instructions),
                  per_mac.c_str(), 100.0 * r.share, estimate.c_str());
  }
  out += "by op kind:\n";
  out += format("  %-24s %6s %11s %13s %8s %7s\n", "kind", "layers", "MACs", "instructions",
                "per MAC", "share");
  for (const firmware::OpKindProfile& k : firmware::profile_by_op_kind(p)) {
    const std::string per_mac = k.macs > 0 ? format("%.2f", k.per_mac) : "-";
    out += format("  %-24s %6d %11lld %13lld %8s %6.2f%%\n", k.kind.c_str(), k.layers,
                  static_cast<long long>(k.macs), static_cast<long long>(k.instructions),
                  per_mac.c_str(), 100.0 * k.share);
  }
  out += format("layers: %lld instructions, %.2f per MAC; the profiled inference: %lld (%+lld)\n",
                static_cast<long long>(p.layer_sum),
                p.macs > 0 ? static_cast<double>(p.layer_sum) / static_cast<double>(p.macs) : 0.0,
                static_cast<long long>(p.whole_inference),
                static_cast<long long>(p.layer_sum - p.whole_inference));
  if (cycles)
    out += format(
        "estimated cycles (%s model, from Arm's timing tables; not validated on silicon): "
        "%.0f per profiled inference, CPI %.2f\n",
        p.cycle_model.c_str(), p.whole_inference_cycles,
        p.whole_inference > 0 ? p.whole_inference_cycles / static_cast<double>(p.whole_inference)
                              : 0.0);
  else if (!p.cycle_reason.empty())
    out += p.cycle_reason + "\n";
  if (plain_inference > 0) {
    const double markers = static_cast<double>(p.rows.size()) * p.marker_instructions;
    const double net = static_cast<double>(p.layer_sum) - markers;
    out += format(
        "without markers the inference takes %.0f; the layers less %zu markers (%.0f): %.0f "
        "(%+.0f, %+.3f %%)\n",
        plain_inference, p.rows.size(), markers, net, net - plain_inference,
        100.0 * (net - plain_inference) / plain_inference);
  }
  return out;
}

ProfileFiles write_layer_profile(const firmware::LayerProfile& p, const std::string& dir,
                                 const std::string& title) {
  ProfileFiles files;
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  files.csv_path = (std::filesystem::path(dir) / "profile.csv").string();
  try {
    util::write_file_atomically(files.csv_path, firmware::layer_profile_csv(p));
  } catch (const std::exception& e) {
    throw std::runtime_error("cannot write " + files.csv_path + ": " + e.what());
  }
  std::vector<LayerBar> bars;
  for (const firmware::LayerProfileRow& r : p.rows)
    bars.push_back({r.layer, static_cast<double>(r.instructions)});
  files.plot = plot_layer_profile(dir, bars, title);
  return files;
}

}  // namespace tinynas::cli
