#include "firmware/qemu_runner.h"

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "firmware/target/hil_protocol.h"
#include "firmware/timing_plugin.h"
#include "firmware/tools.h"

namespace tinynas::firmware {
namespace {

namespace fs = std::filesystem;

bool read_file(const fs::path& path, std::string& bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return true;
}

}  // namespace

std::vector<std::string> qemu_command(const QemuRun& run) {
  std::vector<std::string> argv = {run.qemu,
                                   "-M",
                                   run.machine,
                                   "-display",
                                   "none",
                                   "-monitor",
                                   "none",
                                   "-serial",
                                   "null",
                                   "-semihosting-config",
                                   "enable=on,target=native",
                                   "-icount",
                                   "shift=" + std::to_string(run.icount_shift),
                                   "-kernel",
                                   fs::absolute(run.elf).string()};
  if (!run.plugin.empty()) {
    argv.push_back("-plugin");
    argv.push_back(run.plugin);
  }
  return argv;
}

BenchOutcome run_qemu(const QemuRun& run) {
  if (run.machine.empty() || run.elf.empty() || run.run_dir.empty())
    throw std::invalid_argument("QEMU run: machine, ELF and run folder are required");
  if (!fs::exists(run.elf)) throw std::invalid_argument("firmware ELF '" + run.elf + "' not found");
  const fs::path dir(run.run_dir);
  fs::create_directories(dir);
  for (const char* stale : {TINYNAS_HIL_OUTPUTS_FILE, TINYNAS_HIL_STATS_FILE, kCycleReportFile})
    fs::remove(dir / stale);
  {
    std::ofstream in(dir / TINYNAS_HIL_INPUTS_FILE, std::ios::binary | std::ios::trunc);
    in.write(reinterpret_cast<const char*>(run.inputs.data()),
             static_cast<std::streamsize>(run.inputs.size()));
    if (!in) throw std::runtime_error("cannot write " + (dir / TINYNAS_HIL_INPUTS_FILE).string());
  }

  BenchOutcome outcome;
  outcome.command = qemu_command(run);
  outcome.timeout_s = run.timeout_s;
  util::ProcessOptions opts;
  opts.timeout_s = run.timeout_s;
  opts.working_dir = dir.string();
  const util::ProcessResult r = run_tool(outcome.command, opts);
  outcome.exit_code = r.exit_code;
  outcome.timed_out = r.timed_out;
  outcome.seconds = r.seconds;
  outcome.console = r.out + r.err;

  std::string bytes;
  outcome.has_outputs = read_file(dir / TINYNAS_HIL_OUTPUTS_FILE, bytes);
  outcome.outputs.assign(bytes.begin(), bytes.end());
  outcome.has_stats = read_file(dir / TINYNAS_HIL_STATS_FILE, outcome.stats_text);
  return outcome;
}

}  // namespace tinynas::firmware
