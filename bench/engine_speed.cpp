// Speed and code size of the generated int8 code on QEMU's Cortex-M4 and Cortex-M7: every shipped
// arch (configs/archs/*.json) and a few seeded random sub-nets of the mcunet and resnet spaces,
// exported with random weights, run bit-exact against the reference interpreter, and reported as
// instructions per inference (QEMU -icount shift=0, the plain build `tinynas verify` runs, not
// the profiled one), instructions per MAC and .text of model.c + kernels (as
// docs/results/engine.md measures it: each .c but weights.c compiled -O2 for the core alone).
//
//   build/bench/engine_speed [--random N] [--seed S] [--inputs K] [--csv FILE] [--work DIR]
//
// An arch whose arena or weights exceed a board's budget (SRAM / Flash less the board's reserve,
// the search's rule) is skipped on that board with the reason. Exit 2 when arm-none-eabi-gcc,
// arm-none-eabi-size or qemu-system-arm is missing, 1 when any model fails to build, run or
// match the reference.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/host_verify.h"
#include "engine/quant_model_io.h"
#include "firmware/firmware_error.h"
#include "firmware/hil.h"
#include "firmware/qemu_target.h"
#include "firmware/section_sizes.h"
#include "firmware/tools.h"
#include "memory_model/board.h"
#include "nas/arch.h"
#include "nas/arch_cost.h"
#include "nas/random.h"
#include "nas/sampling.h"
#include "pipeline/export.h"

namespace {

namespace fs = std::filesystem;
using namespace tinynas;

struct Options {
  int random = 3;  // random sub-nets per space
  uint64_t seed = 1;
  int inputs = 3;
  std::string csv;
  std::string work;
  std::string config_dir = TINYNAS_BENCH_CONFIG_DIR;
};

// One board's result for one model; skip is the reason when it did not run there.
struct TargetRow {
  std::string skip;
  double instructions = 0;  // mean over the inputs
  int64_t text = 0;         // model.c + kernels
};

struct Row {
  std::string name;
  std::string summary;
  int64_t macs = 0;
  int64_t arena = 0;
  int64_t flash = 0;
  std::vector<TargetRow> targets;  // qemu-m4, qemu-m7
};

const std::vector<std::string> kTargets = {"qemu-m4", "qemu-m7"};

[[noreturn]] void usage(const char* why, int code = 2) {
  std::fprintf(code == 0 ? stdout : stderr,
               "%s\nusage: engine_speed [--random N] [--seed S] [--inputs K] [--csv FILE] "
               "[--work DIR] [--config-dir DIR]\n",
               why);
  std::exit(code);
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "-h" || a == "--help")
      usage("engine_speed: instructions per inference and .text on QEMU M4 and M7", 0);
    if (i + 1 >= argc) usage(("missing value after " + a).c_str());
    const std::string v = argv[++i];
    if (a == "--random")
      o.random = std::max(0, std::atoi(v.c_str()));
    else if (a == "--seed")
      o.seed = std::strtoull(v.c_str(), nullptr, 10);
    else if (a == "--inputs")
      o.inputs = std::max(1, std::atoi(v.c_str()));
    else if (a == "--csv")
      o.csv = v;
    else if (a == "--work")
      o.work = v;
    else if (a == "--config-dir")
      o.config_dir = v;
    else
      usage(("unknown option " + a).c_str());
  }
  return o;
}

// Why arch does not fit board, or "" when it does.
std::string misfit(const nas::ArchCost& cost, const memory::Board& board) {
  if (cost.sram_bytes > board.model_sram_budget())
    return "arena " + std::to_string(cost.sram_bytes) + " B > " +
           std::to_string(board.model_sram_budget()) + " B";
  if (cost.flash_bytes > board.model_flash_budget())
    return "weights " + std::to_string(cost.flash_bytes) + " B > " +
           std::to_string(board.model_flash_budget()) + " B";
  return "";
}

// .text of every generated .c but weights.c, compiled alone for the core: the code the model
// ships, without the harness and libc the linked firmware adds.
int64_t model_text_bytes(const std::string& dir, const std::string& core, const std::string& obj) {
  const firmware::ArmTools tools;
  util::ProcessOptions opts;
  opts.timeout_s = tools.compile_timeout_s;
  int64_t text = 0;
  std::vector<fs::path> sources;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".c" && e.path().filename() != "weights.c")
      sources.push_back(e.path());
  std::sort(sources.begin(), sources.end());
  for (const fs::path& src : sources) {
    std::vector<std::string> cmd = {tools.gcc};
    for (const std::string& f : firmware::cpu_flags(core)) cmd.push_back(f);
    for (const char* f : {"-std=c99", "-O2", "-c"}) cmd.push_back(f);
    cmd.insert(cmd.end(), {"-I" + dir, src.string(), "-o", obj});
    const util::ProcessResult cc = firmware::run_tool(cmd, opts);
    if (cc.exit_code != 0 || cc.timed_out)
      throw std::runtime_error("compiling " + src.string() + " failed:\n" + cc.err);
    const util::ProcessResult sz = firmware::run_tool({tools.size, "-A", obj}, opts);
    if (sz.exit_code != 0 || sz.timed_out)
      throw std::runtime_error("arm-none-eabi-size failed on " + src.string());
    for (const auto& [name, bytes] : firmware::parse_section_sizes(sz.out).sections)
      if (name.rfind(".text", 0) == 0) text += bytes;
  }
  return text;
}

// Exports arch_path with random weights, then runs it on each board it fits.
Row measure(const std::string& name, const std::string& arch_path, const Options& o,
            const std::vector<memory::Board>& boards, const std::string& work, bool* failed) {
  const nas::ArchFile file = nas::load_arch_file(arch_path, "", o.config_dir);
  nas::CostModel model(file.space);
  const nas::ArchCost cost = model.evaluate(file.arch);
  Row row{name, file.arch.summary(), cost.macs, cost.sram_bytes, cost.flash_bytes, {}};
  const std::string dir = work + "/" + name;
  std::vector<std::string> misfits;
  for (const memory::Board& b : boards) misfits.push_back(misfit(cost, b));
  if (std::all_of(misfits.begin(), misfits.end(), [](const auto& m) { return !m.empty(); })) {
    for (size_t t = 0; t < kTargets.size(); ++t) {
      row.targets.push_back({misfits[t]});
      std::fprintf(stderr, "%s on %s: %s\n", name.c_str(), kTargets[t].c_str(), misfits[t].c_str());
    }
    return row;
  }
  pipeline::ExportOptions eo;
  eo.arch_path = arch_path;
  eo.config_dir = o.config_dir;
  eo.out = dir;
  eo.random_weights = true;
  eo.seed = o.seed;
  pipeline::Observer quiet;
  pipeline::export_model(eo, quiet);

  const engine::QuantModel q = engine::load_quant_model(dir + "/quant_model.json");
  const int64_t in_bytes = q.graph.tensor(q.graph.input()).bytes();
  const std::vector<int8_t> inputs = engine::random_int8_inputs(o.inputs, in_bytes, o.seed);
  const std::vector<int8_t> expected = engine::run_reference_batch(q, inputs, o.inputs);
  for (size_t t = 0; t < kTargets.size(); ++t) {
    TargetRow tr{misfits[t]};
    if (tr.skip.empty()) {
      try {
        firmware::FirmwareRequest req;
        req.model_dir = dir;
        req.work_dir = dir + "/firmware-" + kTargets[t];
        req.target = kTargets[t];
        req.board = boards[t];
        req.inputs = inputs;
        req.timeout_s = 60 + 5.0 * o.inputs;  // as `tinynas verify`: in2 takes ~0.4 s each
        const firmware::FirmwareResult fw = firmware::run_model_on_qemu(req);
        if (fw.outputs != expected) throw std::runtime_error("outputs differ from the reference");
        for (int64_t n : fw.instructions) tr.instructions += static_cast<double>(n);
        tr.instructions /= static_cast<double>(fw.instructions.size());
        tr.text = model_text_bytes(dir, fw.core, dir + "/text-" + kTargets[t] + ".o");
      } catch (const firmware::FirmwareError& e) {
        if (e.kind() == firmware::FirmwareFailure::kToolMissing) throw;
        tr.skip = std::string("FAILED: ") + e.what();
        *failed = true;
      } catch (const std::exception& e) {
        tr.skip = std::string("FAILED: ") + e.what();
        *failed = true;
      }
    }
    row.targets.push_back(tr);
    std::fprintf(stderr, "%s on %s: %s\n", name.c_str(), kTargets[t].c_str(),
                 tr.skip.empty() ? "done" : tr.skip.c_str());
  }
  return row;
}

// Draws sub-nets of space until `count` fit every board (at most 1000 draws), from the seed's
// stream for this space, so a seed gives the same sub-nets whatever --random is for the other.
std::vector<std::string> random_archs(const std::string& space_name, uint64_t stream, int count,
                                      const Options& o, const std::vector<memory::Board>& boards,
                                      const std::string& work) {
  const nas::SearchSpace space = nas::load_space(space_name, o.config_dir);
  nas::Rng rng = nas::Rng::for_stream(o.seed, stream);
  nas::CostModel model(space);
  std::vector<std::string> paths;
  for (int draw = 0; draw < 1000 && static_cast<int>(paths.size()) < count; ++draw) {
    nas::Arch arch =
        nas::sample_arch(space, rng.pick(space.resolutions), rng.pick(space.width_mults), rng);
    arch.space = space_name;
    const nas::ArchCost cost = model.evaluate(arch);
    if (std::any_of(boards.begin(), boards.end(),
                    [&](const auto& b) { return !misfit(cost, b).empty(); }))
      continue;
    const std::string path =
        work + "/" + space_name + "-random" + std::to_string(paths.size() + 1) + ".json";
    std::ofstream(path) << nas::arch_to_json(arch).dump(2) << "\n";
    paths.push_back(path);
  }
  return paths;
}

std::string thousands(int64_t v) {
  std::string s = std::to_string(v);
  for (int i = static_cast<int>(s.size()) - 3; i > 0; i -= 3) s.insert(static_cast<size_t>(i), ",");
  return s;
}

void print_table(const std::vector<Row>& rows) {
  std::printf(
      "| model | MACs | arena | M4 instructions | per MAC | M7 instructions | per MAC | "
      ".text M4 | .text M7 |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %s | %s B |", r.name.c_str(), thousands(r.macs).c_str(),
                thousands(r.arena).c_str());
    for (const TargetRow& t : r.targets) {
      if (t.skip.empty())
        std::printf(" %.2f M | %.2f |", t.instructions / 1e6,
                    t.instructions / static_cast<double>(r.macs));
      else
        std::printf(" - | - |");
    }
    for (const TargetRow& t : r.targets)
      std::printf(t.skip.empty() ? " %s B |" : " - |", thousands(t.text).c_str());
    std::printf("\n");
  }
  std::printf("\n");
  for (const Row& r : rows) {
    std::printf("%s: %s\n", r.name.c_str(), r.summary.c_str());
    for (size_t t = 0; t < r.targets.size(); ++t)
      if (!r.targets[t].skip.empty())
        std::printf("  not on %s: %s\n", kTargets[t].c_str(), r.targets[t].skip.c_str());
  }
}

void write_csv(const std::string& path, const std::vector<Row>& rows) {
  std::ofstream f(path);
  f << "model,arch,macs,arena_bytes,weights_bytes,target,instructions,instructions_per_mac,"
       "text_bytes,skipped\n";
  for (const Row& r : rows)
    for (size_t t = 0; t < r.targets.size(); ++t) {
      const TargetRow& tr = r.targets[t];
      f << r.name << ",\"" << r.summary << "\"," << r.macs << "," << r.arena << "," << r.flash
        << "," << kTargets[t] << ",";
      if (tr.skip.empty())
        f << static_cast<int64_t>(tr.instructions) << ","
          << tr.instructions / static_cast<double>(r.macs) << "," << tr.text << ",\n";
      else
        f << ",,,\"" << tr.skip << "\"\n";
    }
  if (!f) throw std::runtime_error("cannot write " + path);
}

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);
  try {
    // Fail early and clearly: nothing below works without the cross tools and QEMU.
    const firmware::ArmTools tools;
    for (const std::string& tool : {tools.gcc, tools.size, tools.qemu})
      firmware::require_tool(tool);
    const bool temporary = o.work.empty();
    const std::string work =
        temporary
            ? (fs::temp_directory_path() / ("engine_speed-" + std::to_string(getpid()))).string()
            : o.work;
    fs::create_directories(work);
    std::vector<memory::Board> boards;
    for (const std::string& t : kTargets) boards.push_back(memory::load_board(t, o.config_dir));

    std::vector<std::pair<std::string, std::string>> models;  // name, arch path
    std::vector<fs::path> shipped;
    for (const auto& e : fs::directory_iterator(o.config_dir + "/archs"))
      if (e.path().extension() == ".json") shipped.push_back(e.path());
    std::sort(shipped.begin(), shipped.end());
    for (const fs::path& p : shipped) models.emplace_back(p.stem().string(), p.string());
    const char* spaces[] = {"mcunet", "resnet"};
    for (uint64_t s = 0; s < 2; ++s)
      for (const std::string& p : random_archs(spaces[s], s + 1, o.random, o, boards, work))
        models.emplace_back(fs::path(p).stem().string(), p);

    bool failed = false;
    std::vector<Row> rows;
    for (const auto& [name, path] : models)
      rows.push_back(measure(name, path, o, boards, work, &failed));
    print_table(rows);
    if (!o.csv.empty()) write_csv(o.csv, rows);
    if (failed)
      std::fprintf(stderr, "engine_speed: builds and logs kept in %s\n", work.c_str());
    else if (temporary)
      fs::remove_all(work);
    return failed ? 1 : 0;
  } catch (const firmware::FirmwareError& e) {
    std::fprintf(stderr, "engine_speed: %s\n", e.what());
    return e.kind() == firmware::FirmwareFailure::kToolMissing ? 2 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_speed: %s\n", e.what());
    return 1;
  }
}
