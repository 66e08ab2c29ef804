#include "cli/run_context.h"

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "cli/latency_limit.h"
#include "nas/arch_cost.h"
#include "nas/sampling.h"
#include "util/byte_size.h"

namespace tinynas::cli {
namespace fs = std::filesystem;

RunContext make_run_context(const Settings& settings, const std::string& config_dir, bool quiet) {
  RunContext c;
  c.settings = settings;
  c.config_dir = config_dir;
  c.quiet = quiet;
  c.space = nas::load_space(settings.space, config_dir);
  c.board = memory::load_board(settings.board, config_dir);
  if (settings.sram_bytes) c.board.sram_bytes = *settings.sram_bytes;
  if (settings.flash_bytes) c.board.flash_bytes = *settings.flash_bytes;
  c.constraints = nas::Constraints::for_board(c.board);
  if (c.constraints.sram_budget() <= 0)
    throw std::invalid_argument(
        "--sram " + util::format_byte_size(c.board.sram_bytes) +
        " leaves nothing for the model: board '" + c.board.name + "' reserves " +
        util::format_byte_size(c.board.reserved_sram_bytes) + " of SRAM for stack and runtime");
  if (c.constraints.flash_budget() <= 0)
    throw std::invalid_argument(
        "--flash " + util::format_byte_size(c.board.flash_bytes) +
        " leaves nothing for the model: board '" + c.board.name + "' reserves " +
        util::format_byte_size(c.board.reserved_flash_bytes) + " of Flash for code and runtime");
  if (!settings.latency.empty()) {
    const LatencyLimit limit = parse_latency_limit(settings.latency);
    c.constraints.latency_model =
        load_board_latency_model(c.board, settings.latency_model, config_dir);
    // The margin keeps the winner under the limit when it is measured: the search pushes every
    // sub-net to the limit, where the model's error decides which side it lands.
    c.constraints.latency_limit = latency_limit_cycles(limit, c.board) /
                                  cycles_per_unit(c.constraints.latency_model->measure()) *
                                  (1 - settings.latency_margin);
  } else if (!settings.latency_model.empty()) {
    throw std::invalid_argument("--latency-model is used only with --latency");
  }
  return c;
}

std::string prepare_output_dir(const std::string& requested) {
  std::string dir = requested;
  if (dir.empty()) {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &local);
    dir = std::string("runs/") + stamp;
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw std::invalid_argument("--out '" + dir +
                                "' cannot be created: " + (ec ? ec.message() : "not a directory"));
  const fs::path probe = fs::path(dir) / ".tinynas-write-test";
  {
    std::ofstream out(probe);
    if (!out || !(out << "ok")) throw std::invalid_argument("--out '" + dir + "' is not writable");
  }
  fs::remove(probe, ec);
  return dir;
}

void require_feasible(const RunContext& c) {
  const nas::Arch smallest =
      nas::smallest_arch(c.space, c.space.resolutions.front(), c.space.width_mults.front());
  nas::CostModel model(c.space, c.constraints.latency_model.get());
  const nas::ArchCost cost = model.evaluate(smallest);
  if (c.constraints.fits(cost)) return;
  std::string needs = "SRAM " + util::format_byte_size(cost.sram_bytes) + " + " +
                      util::format_byte_size(c.constraints.reserved_sram_bytes) + " reserved = " +
                      util::format_byte_size(cost.sram_bytes + c.constraints.reserved_sram_bytes) +
                      " and Flash " + util::format_byte_size(cost.flash_bytes) + " + " +
                      util::format_byte_size(c.constraints.reserved_flash_bytes) + " reserved = " +
                      util::format_byte_size(cost.flash_bytes + c.constraints.reserved_flash_bytes);
  if (c.constraints.latency_limit > 0) {
    char latency[96];
    std::snprintf(latency, sizeof latency, ", and %.2fM %s (%.1f ms at %s's clock) predicted",
                  cost.latency / 1e6, c.constraints.measure().c_str(),
                  latency_ms(cost.latency, c.constraints.measure(), c.board), c.board.name.c_str());
    needs += latency;
  }
  throw std::invalid_argument("no sub-net of space '" + c.space.name + "' can meet " +
                              c.constraints.describe() + ": even the smallest one (" +
                              smallest.summary() + ") needs " + needs);
}

}  // namespace tinynas::cli
