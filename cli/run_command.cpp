// tinynas run: from a data set and a board's limits to a trained, quantised, verified int8 model
// in one budgeted, resumable command. The stages are the other commands, called in this process
// with the arguments the plan gives them (so each writes exactly what it writes on its own):
//
//   space -> supernet (train) -> predictor -> search -> finetune [-> scratch] [-> baselines] ->
//   export -> accuracy -> verify -> report
//
// The baselines are hand-designed networks (default: MLPerf Tiny's ResNet-8 and MobileNetV2 with
// CIFAR strides) scaled to the same limits, trained from scratch by the same code for as long as
// the winner's fine-tuning, then quantised, measured and verified like the winner, for the
// report's comparison.
//
// run.json (cli/run_record.h) records the settings, the measured training rate, each stage's
// plan and status; a re-run with --resume skips the finished stages and resumes the one that was
// running (train and finetune from their last checkpoint, the others from their start).
// The budget rules are pipeline/run_budget.h's (docs/run.md).
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/interrupt_exit.h"
#include "cli/options.h"
#include "cli/run_context.h"
#include "cli/run_record.h"
#include "cli/run_report.h"
#include "cli/supernet_args.h"
#include "nas/arch_cost.h"
#include "nas/sampling.h"
#include "nas/scale_to_fit.h"
#include "nas/search_space.h"
#include "nas/space_trim.h"
#include "pipeline/run_budget.h"
#include "supernet/api.h"
#include "util/duration.h"
#include "util/file_io.h"
#include "util/interrupt.h"
#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

// Calls a command as `tinynas ARGS...` would; a non-zero exit is an error naming the command.
void call(const std::function<int(int, char**)>& command, std::vector<std::string> args) {
  std::string line = "tinynas";
  for (const std::string& a : args) line += " " + a;
  spdlog::info("{}", line);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  // A command may set the log level (--quiet, -v) and print to a buffered stdout: the run's own
  // lines keep their level and come after the command's.
  const spdlog::level::level_enum level = spdlog::get_level();
  const int rc = command(static_cast<int>(args.size()), argv.data());
  spdlog::set_level(level);
  std::fflush(stdout);
  if (rc != 0) throw std::runtime_error("'" + line + "' exited with " + std::to_string(rc));
}

nlohmann::json read_json_file(const std::string& path) {
  const std::optional<std::string> text = util::read_file(path);
  if (!text) throw std::runtime_error("expected " + path + " to have been written");
  return nlohmann::json::parse(*text);
}

// The folder layout of a run.
struct RunPaths {
  std::string dir;
  std::string record() const { return dir + "/run.json"; }
  std::string experiment() const { return dir + "/experiment.json"; }
  std::string supernet() const { return dir + "/supernet"; }
  std::string checkpoint() const { return supernet() + "/supernet.pt"; }
  std::string predictor() const { return dir + "/predictor.json"; }
  std::string search() const { return dir + "/search"; }
  std::string arch() const { return search() + "/arch.json"; }
  std::string finetune() const { return dir + "/finetune"; }
  std::string scratch() const { return dir + "/scratch"; }
  std::string model() const { return dir + "/model"; }
  std::string cache() const { return dir + "/cache"; }
  std::string baseline(const std::string& name) const { return dir + "/baselines/" + name; }
};

// What an interrupted run leaves: run.json (written atomically after every stage) and the
// running stage's own checkpoint or samples, which --resume picks up.
std::string resume_hint(const RunPaths& paths) {
  return paths.record() +
         " records the finished stages and the running stage keeps its "
         "checkpoint or samples; tinynas run --resume --out " +
         paths.dir + " continues";
}

class Run {
 public:
  Run(RunRecord record, RunPaths paths, std::string config_dir, bool quiet)
      : record_(std::move(record)),
        paths_(std::move(paths)),
        config_dir_(std::move(config_dir)),
        quiet_(quiet) {
    apply_experiment_json(record_.settings, paths_.record(), settings_);
  }

  void run_all() {
    const auto run_start = Clock::now();
    const double spent_before = record_.spent_s();
    for (size_t i = 0; i < record_.stages.size(); ++i) {
      StageRecord& stage = record_.stages[i];
      if (stage.status == "done") continue;
      const bool resuming = stage.status == "running";
      if (!resuming && stage.name == "space") {
        std::vector<pipeline::StageShare> shares;
        for (const StageRecord& s : record_.stages) shares.push_back({s.name, s.share});
        stage.allowance_s = pipeline::stage_allowance(shares, i, record_.budget_s);
      }
      stage.status = "running";
      save();
      // The whole plan is made when the supernet stage starts (plan_stages); until then only the
      // space stage's allowance is known.
      if (stage.name == "supernet" && stage.plan.empty()) plan_stages(i);
      spdlog::info("run: stage {}/{} {}{}: planned {}; {} of {} spent", i + 1,
                   record_.stages.size(), stage.name, resuming ? " (resumed)" : "",
                   util::format_duration(stage.allowance_s),
                   util::format_duration(spent_before + seconds_since(run_start)),
                   util::format_duration(record_.budget_s));
      const auto start = Clock::now();
      run_stage(stage, resuming);
      stage.seconds += seconds_since(start);
      stage.status = "done";
      save();
      spdlog::info("run: {} done in {} (planned {})", stage.name,
                   util::format_duration(stage.seconds), util::format_duration(stage.allowance_s));
    }
  }

 private:
  void save() {
    record_.settings = settings_to_json(settings_);
    util::write_file_atomically(paths_.experiment(), record_.settings.dump(2) + "\n");
    save_run_record(paths_.record(), record_);
  }

  std::string exp() const { return paths_.experiment(); }
  std::string threads() const { return std::to_string(settings_.threads); }
  int64_t train_images() const { return record_.measured.at("train_images").get<int64_t>(); }
  int64_t held_out() const { return record_.measured.at("held_out_images").get<int64_t>(); }

  void run_stage(StageRecord& stage, bool resuming) {
    const std::string& n = stage.name;
    if (n == "space") return space(stage);
    if (n == "supernet") return supernet(stage, resuming);
    if (n == "predictor") return predictor(stage);
    if (n == "search") return search(stage);
    if (n == "finetune") return finetune(stage, "supernet", paths_.finetune());
    if (n == "scratch") return finetune(stage, "scratch", paths_.scratch());
    if (n == "baselines") return baselines(stage);
    if (n == "export") return export_model(stage);
    if (n == "accuracy") return accuracy(stage);
    if (n == "verify") return verify(stage);
    if (n == "report") return report(stage);
    throw std::logic_error("unknown run stage " + n);
  }

  // The (R, W) sub-space: the space optimiser's best for the limits. The supernet trains at its
  // width, at R and the space's resolutions within 4 pixels of it (elastic resolution, as OFA),
  // in the space cut to the options that sub-nets which fit use (nas/space_trim.h), written to
  // space/space.json for every later stage.
  void space(StageRecord& stage) {
    const std::string out = paths_.dir + "/space";
    call([](int c, char** v) { return search_command(c, v, SearchMode::kSpace); },
         {"space", "--config", exp(), "--out", out, "--config-dir", config_dir_, "--quiet"});
    const nlohmann::json chosen = read_json_file(out + "/result.json").at("space");
    const int r = chosen.at("resolution").get<int>();
    const double w = chosen.at("width_mult").get<double>();
    const RunContext context = make_run_context(settings_, config_dir_, true);
    std::vector<int> resolutions;
    for (int candidate : context.space.resolutions)
      if (std::abs(candidate - r) <= 4) resolutions.push_back(candidate);
    settings_.supernet.width_mult = w;
    settings_.train.resolutions = resolutions;
    stage.result = {{"resolution", r},
                    {"width_mult", w},
                    {"train_resolutions", resolutions},
                    {"p90_macs", chosen.at("p90_macs")}};
    if (settings_.space_trim.min_share <= 0) return;
    nas::SpaceTrimOptions trim_options = settings_.space_trim;
    trim_options.seed = settings_.seed;
    const nas::SpaceTrim trim =
        nas::trim_to_fit(context.space, resolutions, w, context.constraints, trim_options);
    const std::string trimmed = out + "/space.json";
    util::write_file_atomically(trimmed, nas::space_to_json(trim.space).dump(2) + "\n");
    settings_.space = trimmed;
    const double before = trim.fitting_fraction_before();
    stage.result["trim"] = {{"space", trimmed},
                            {"removed", trim.removed},
                            {"fitting_before", before},
                            {"fitting_after", trim.fitting_fraction_after}};
    spdlog::info(
        "run: supernet space cut to what fits: {} option(s) removed; {:.1f} % of its "
        "sub-nets fit (the whole space: {:.1f} %)",
        trim.removed.size(), 100 * trim.fitting_fraction_after, 100 * before);
    for (const std::string& line : trim.removed) spdlog::info("run:   removed {}", line);
  }

  // Training images per second of the job's network (the supernet's full network, or its one
  // sub-net), measured on a few steps of the real data (the first two, which allocate, not
  // counted).
  double measure_images_per_s(supernet::TrainJob job) {
    const int steps = 10;
    job.train.train_subset = std::min<int64_t>(train_images(), steps * job.train.batch_size);
    job.train.phases = {supernet::PhaseOptions{}};
    job.train.phases[0].warmup_epochs = 0;
    job.train.eval_each_epoch = false;
    job.train.checkpoint_minutes = 0;
    job.out_dir = paths_.dir + "/rate";
    job.cache_dir = paths_.cache();
    fs::remove_all(job.out_dir);
    fs::create_directories(job.out_dir);
    std::optional<Clock::time_point> t0;
    int64_t counted = 0;
    Clock::time_point last;
    supernet::TrainCallbacks callbacks;
    callbacks.on_step = [&](const supernet::StepInfo& s) {
      util::throw_if_interrupted();  // nothing to keep: the rate is measured again on a re-run
      if (s.global_step == 2) t0 = Clock::now();
      if (s.global_step > 2) {
        ++counted;
        last = Clock::now();
      }
    };
    supernet::train_supernet(job, callbacks);
    fs::remove_all(job.out_dir);
    if (!t0 || counted == 0)
      throw std::invalid_argument(
          "too few training images to measure the training rate: need at least " +
          std::to_string(4 * job.train.batch_size));
    return static_cast<double>(counted * job.train.batch_size) /
           std::chrono::duration<double>(last - *t0).count();
  }

  pipeline::TrainingRate measure_rate() {
    supernet::TrainJob job = train_job_for(settings_, config_dir_);
    pipeline::TrainingRate rate;
    rate.images_per_s = measure_images_per_s(job);
    const int r = *std::max_element(job.train.resolutions.begin(), job.train.resolutions.end());
    nas::CostModel cost(job.space);
    rate.full_macs = static_cast<double>(
        cost.evaluate(nas::largest_arch(job.space, r, settings_.supernet.width_mult)).macs);
    return rate;
  }

  // A network of `space` trained alone, without a teacher, as fine-tuning and the baselines
  // train.
  double arch_images_per_s(const nas::SearchSpace& space, const nas::Arch& arch) {
    supernet::TrainJob job = train_job_for(settings_, config_dir_);
    job.space = space;
    job.supernet.width_mult = arch.width_mult;
    job.subnet = arch;
    job.train.resolutions = {arch.resolution};
    return measure_images_per_s(job);
  }

  double baseline_images_per_s(const std::string& name) {
    const nas::ArchFile file =
        nas::load_arch_file(paths_.baseline(name) + "/arch.json", "", config_dir_);
    return arch_images_per_s(file.space, file.arch);
  }

  // The supernet's space as the later stages see it (cut to what fits when the run cuts it).
  nas::SearchSpace context_space() const {
    return make_run_context(settings_, config_dir_, true).space;
  }

  // The sub-net fine-tuning is planned for, before the search has picked the winner: of 200
  // seeded draws from the chosen sub-space that fit the limits, the one whose MACs are nearest
  // `macs` (the sub-space's 90th percentile: the search goes for the large ones). Its training
  // rate is measured, not extrapolated from the full network's: per MAC, small networks train
  // slower (run4 planned 1,143 img/s from a MACs ratio and trained at 840).
  nas::Arch planning_arch(double macs) const {
    const RunContext context = make_run_context(settings_, config_dir_, true);
    const nlohmann::json& space_result = record_.stage("space").result;
    const int r = space_result.at("resolution").get<int>();
    const double w = space_result.at("width_mult").get<double>();
    nas::Rng rng = nas::Rng::for_stream(settings_.seed, 31);
    nas::CostModel cost(context.space);
    std::optional<nas::Arch> best;
    double best_distance = 0;
    for (int draw = 0; draw < 200; ++draw) {
      nas::Arch arch = nas::sample_arch(context.space, r, w, rng);
      const nas::ArchCost c = cost.evaluate(arch);
      if (!context.constraints.fits(c)) continue;
      const double distance = std::abs(static_cast<double>(c.macs) - macs);
      if (!best || distance < best_distance) {
        best = arch;
        best_distance = distance;
      }
    }
    return best ? *best : nas::largest_arch(context.space, r, w);
  }

  // Every stage's allowance and work, once, from the measured training rate and the time left:
  // each stage its share of it. A resumed run reads this plan back, so it does exactly what an
  // uninterrupted run would have done. The winner's MACs are not known yet: fine-tuning is
  // planned for the chosen sub-space's 90th percentile of fitting sub-nets (the search goes for
  // the large ones).
  void plan_stages(size_t first) {
    const auto start = Clock::now();
    const pipeline::TrainingRate rate = measure_rate();
    record_.measured["training_rate"] = {{"images_per_s", rate.images_per_s},
                                         {"full_macs", rate.full_macs}};
    const double left = record_.budget_s - record_.spent_s() - seconds_since(start);
    std::vector<pipeline::StageShare> shares;
    for (const StageRecord& s : record_.stages) shares.push_back({s.name, s.share});
    double rest = 0;
    for (size_t i = first; i < shares.size(); ++i) rest += shares[i].share;
    for (size_t i = first; i < record_.stages.size(); ++i)
      record_.stages[i].allowance_s = left * shares[i].share / rest;
    const auto allowance = [&](const std::string& name) { return record_.stage(name).allowance_s; };

    settings_.train.phases =
        pipeline::plan_phases(settings_.train.phases, allowance("supernet"), rate, train_images());
    nlohmann::json epochs = nlohmann::json::array();
    double estimate = 0;
    for (const supernet::PhaseOptions& p : settings_.train.phases) {
      epochs.push_back({{"phase", p.name}, {"epochs", p.epochs}});
      estimate += p.epochs * pipeline::phase_cost(p) * static_cast<double>(train_images()) /
                  rate.images_per_s;
    }
    record_.stage("supernet").plan = {{"phases", epochs}, {"estimated_s", estimate}};

    settings_.predictor.samples = pipeline::plan_measurements(
        allowance("predictor"), rate, settings_.predictor.calibration_images,
        settings_.predictor.validation_images, 30, 2000);
    record_.stage("predictor").plan = {{"samples", settings_.predictor.samples}};

    // Every one of the top k, and of the random baseline's, is measured on the held-out images;
    // the evolution itself takes seconds with a predictor.
    const int64_t measurements = pipeline::plan_measurements(
        0.8 * allowance("search"), rate, settings_.eval.calibration_images,
        settings_.search.validation_images, 2, 20);
    settings_.search.top_k = static_cast<int>(std::max<int64_t>(1, measurements / 2));
    settings_.search.supernet = paths_.checkpoint();
    settings_.search.predictor = paths_.predictor();
    record_.stage("search").plan = {{"top_k", settings_.search.top_k}};

    const nas::Arch planned_for = planning_arch(record_.stage("space").result.at("p90_macs"));
    const double macs =
        static_cast<double>(nas::CostModel(context_space()).evaluate(planned_for).macs);
    const double alone_ips = arch_images_per_s(context_space(), planned_for);
    const double ips = settings_.finetune.distill
                           ? pipeline::with_teacher_images_per_s(alone_ips, rate)
                           : alone_ips;
    settings_.finetune.epochs = pipeline::plan_epochs(allowance("finetune"), ips, train_images());
    const nlohmann::json finetune_plan = {
        {"epochs", settings_.finetune.epochs},
        {"planned_for", planned_for.summary()},
        {"planned_for_macs", macs},
        {"measured_images_per_s", ips},
        {"estimated_s", settings_.finetune.epochs * static_cast<double>(train_images()) / ips}};
    record_.stage("finetune").plan = finetune_plan;
    // The comparison from scratch trains exactly as long as the fine-tuning, and so does each
    // baseline: its epochs from its own measured rate.
    for (StageRecord& s : record_.stages) {
      if (s.name == "scratch") s.plan = finetune_plan;
      if (s.name != "baselines") continue;
      for (nlohmann::json& b : s.plan.at("networks")) {
        const double baseline_ips = baseline_images_per_s(b.at("name").get<std::string>());
        b["epochs"] = pipeline::plan_epochs(allowance("finetune"), baseline_ips, train_images());
        b["measured_images_per_s"] = baseline_ips;
      }
    }
    spdlog::info(
        "run: the full network trains at {:.1f} img/s; planned: supernet {} (phases {}), "
        "predictor {} sub-nets, search top {}, fine-tuning {} epochs",
        rate.images_per_s, util::format_duration(estimate), epochs.dump(),
        settings_.predictor.samples, settings_.search.top_k, settings_.finetune.epochs);
    save();
  }

  void supernet(StageRecord& stage, bool resuming) {
    std::vector<std::string> args = {"train",   "--config",        exp(),
                                     "--out",   paths_.supernet(), "--threads",
                                     threads(), "--config-dir",    config_dir_};
    if (resuming && fs::exists(paths_.checkpoint())) args.push_back("--resume");
    if (quiet_) args.push_back("--quiet");
    if (!resuming || !fs::exists(paths_.checkpoint())) fs::remove_all(paths_.supernet());
    call(train_command, args);
    stage.result = {{"checkpoint", paths_.checkpoint()}};
  }

  void predictor(StageRecord& stage) {
    std::vector<std::string> args = {"predictor", "build",  "--supernet", paths_.checkpoint(),
                                     "--config",  exp(),    "--out",      paths_.predictor(),
                                     "--threads", threads()};
    if (quiet_) args.push_back("--quiet");
    call(predictor_command, args);
    stage.result = {{"predictor", paths_.predictor()}};
  }

  void search(StageRecord& stage) {
    call([](int c, char** v) { return search_command(c, v, SearchMode::kSearch); },
         {"search", "--config", exp(), "--out", paths_.search(), "--config-dir", config_dir_,
          "--quiet"});
    const nlohmann::json result = read_json_file(paths_.search() + "/result.json");
    stage.result = {{"arch", paths_.arch()}, {"macs", result.at("cost").at("macs")}};
  }

  // The winner trained further from the supernet's weights ("supernet"), or from a random
  // initialisation for the same epochs ("scratch"), with the same recipe (finetune.*).
  void finetune(StageRecord& stage, const std::string& init, const std::string& out) {
    const int epochs = stage.plan.at("epochs").get<int>();
    std::vector<std::string> args = {"finetune",
                                     "--supernet",
                                     paths_.checkpoint(),
                                     paths_.arch(),
                                     "--config",
                                     exp(),
                                     "--init",
                                     init,
                                     "--epochs",
                                     std::to_string(epochs),
                                     "--validation-images",
                                     std::to_string(held_out()),
                                     "--out",
                                     out,
                                     "--threads",
                                     threads()};
    if (fs::exists(out + "/finetune.pt"))
      args.push_back("--resume");
    else
      fs::remove_all(out);
    if (quiet_) args.push_back("--quiet");
    call(finetune_command, args);
    const nlohmann::json result = read_json_file(out + "/finetune.json");
    stage.result = {{"inherited", result.at("inherited")},
                    {"finetuned", result.at("finetuned")},
                    {"weights", out + "/subnet"}};
  }

  // Each baseline: trained from scratch (no supernet, no teacher) with the fine-tuning's recipe
  // for its planned epochs, exported, measured int8 against float, verified and profiled on QEMU.
  // A resumed run continues a baseline's training from its checkpoint and redoes the rest.
  void baselines(StageRecord& stage) {
    const memory::Board board = memory::load_board(settings_.board, config_dir_);
    nlohmann::json results = nlohmann::json::array();
    for (const nlohmann::json& b : stage.plan.at("networks")) {
      const std::string name = b.at("name").get<std::string>();
      const std::string dir = paths_.baseline(name), arch = dir + "/arch.json";
      std::vector<std::string> train = {"finetune",
                                        "--init",
                                        "scratch",
                                        arch,
                                        "--config",
                                        exp(),
                                        "--epochs",
                                        std::to_string(b.at("epochs").get<int>()),
                                        "--validation-images",
                                        std::to_string(held_out()),
                                        "--out",
                                        dir + "/train",
                                        "--threads",
                                        threads(),
                                        "--config-dir",
                                        config_dir_};
      if (fs::exists(dir + "/train/finetune.pt"))
        train.push_back("--resume");
      else
        fs::remove_all(dir + "/train");
      if (quiet_) train.push_back("--quiet");
      call(finetune_command, train);
      fs::remove_all(dir + "/model");
      call(export_command, {"export", arch, "--weights", dir + "/train/subnet", "--calib-data",
                            settings_.data.path, "--out", dir + "/model", "--seed",
                            std::to_string(settings_.seed), "--config-dir", config_dir_});
      std::vector<std::string> accuracy = {
          "accuracy",  dir + "/model",        "--data",  settings_.data.path,
          "--weights", dir + "/train/subnet", "--cache", paths_.dir + "/cache-accuracy",
          "--json",    dir + "/accuracy.json"};
      if (quiet_) accuracy.push_back("--quiet");
      call(accuracy_command, accuracy);
      call(verify_command,
           {"verify", dir + "/model", "--target", qemu_target(board), "--board", board.name,
            "--inputs", "3", "--profile", "--out", dir + "/profile", "--config-dir", config_dir_});
      results.push_back({{"name", name},
                         {"trained", read_json_file(dir + "/train/finetune.json").at("finetuned")},
                         {"int8", read_json_file(dir + "/accuracy.json")},
                         {"profile", dir + "/profile/profile.csv"}});
    }
    stage.result = {{"networks", results}};
  }

  static std::string qemu_target(const memory::Board& board) {
    return board.core == "cortex-m7" ? "qemu-m7" : "qemu-m4";
  }

  void export_model(StageRecord& stage) {
    fs::remove_all(paths_.model());
    call(export_command,
         {"export", paths_.arch(), "--weights", paths_.finetune() + "/subnet", "--calib-data",
          settings_.data.path, "--out", paths_.model(), "--seed", std::to_string(settings_.seed),
          "--space", settings_.space, "--config-dir", config_dir_});
    stage.result = {{"model", paths_.model()}};
  }

  void accuracy(StageRecord& stage) {
    const std::string json = paths_.dir + "/accuracy.json";
    std::vector<std::string> args = {"accuracy",  paths_.model(),
                                     "--data",    settings_.data.path,
                                     "--weights", paths_.finetune() + "/subnet",
                                     "--cache",   paths_.dir + "/cache-accuracy",
                                     "--json",    json};
    if (quiet_) args.push_back("--quiet");
    call(accuracy_command, args);
    stage.result = read_json_file(json);
  }

  void verify(StageRecord& stage) {
    const memory::Board board = memory::load_board(settings_.board, config_dir_);
    const std::string target = qemu_target(board);
    const std::string out = paths_.dir + "/profile";
    call(verify_command, {"verify", paths_.model(), "--target", target, "--board", board.name,
                          "--inputs", "3", "--profile", "--out", out, "--config-dir", config_dir_});
    stage.result = {{"target", target}, {"profile", out + "/profile.csv"}};
  }

  void report(StageRecord& stage) {
    const std::string path = paths_.dir + "/report.md";
    write_run_report(record_, paths_.dir, path);
    stage.result = {{"report", path}};
  }

  RunRecord record_;
  RunPaths paths_;
  std::string config_dir_;
  bool quiet_ = false;
  Settings settings_;
};

// A baseline of the run: the arch file `name` (a name under configs/archs/ or a path) for the
// data's classes, scaled to the limits (nas/scale_to_fit.h) and written to the run's folder;
// "skipped" says why when nothing of it fits.
nlohmann::json plan_baseline(const std::string& name, const RunContext& context, int num_classes,
                             int max_resolution, const RunPaths& paths) {
  const std::string path = util::resolve_named_config(name, context.config_dir, "archs", "arch");
  nas::ArchFile file = nas::load_arch_file(path, "", context.config_dir);
  file.arch.num_classes = num_classes;
  const std::string label = fs::path(path).stem().string();
  const std::optional<nas::Arch> scaled =
      nas::scale_to_fit(file.arch, file.space, context.constraints, max_resolution);
  if (!scaled)
    return {{"name", label},
            {"skipped", file.arch.summary() + " does not fit " + context.constraints.describe() +
                            " at any resolution or width of space '" + file.space.name + "'"}};
  const std::string dir = paths.baseline(label);
  fs::create_directories(dir);
  util::write_file_atomically(dir + "/arch.json", nas::arch_to_json(*scaled).dump(2) + "\n");
  nas::CostModel cost(file.space);
  const nas::ArchCost c = cost.evaluate(*scaled);
  return {{"name", label},
          {"file", path},
          {"arch", scaled->summary()},
          {"scaled", *scaled != file.arch},
          {"macs", c.macs},
          {"sram_bytes", c.sram_bytes},
          {"flash_bytes", c.flash_bytes}};
}

// A fresh run's settings: the training images less a held-out set for choosing among sub-nets
// (the test split is only reported), counted from the data; and its baselines, scaled to fit.
RunRecord plan_new_run(Settings settings, double budget_s, bool compare_scratch,
                       const std::vector<std::string>& baseline_names, const RunContext& context,
                       const RunPaths& paths) {
  if (settings.data.kind != "image_folder" || settings.data.path.empty())
    throw std::invalid_argument(
        "tinynas run needs --data DATA, an image folder or its .tar.gz (the int8 export "
        "calibrates on its images)");
  const data::ImageSet train = data::load_split(settings.data, "train", paths.cache());
  const int64_t n = train.size();
  const int64_t held_out = std::min<int64_t>(settings.search.validation_images, n / 10);
  if (n - held_out < 4 * settings.train.batch_size)
    throw std::invalid_argument("the training split has " + std::to_string(n) +
                                " images: too few for batches of " +
                                std::to_string(settings.train.batch_size));
  settings.train.train_subset = n - held_out;
  settings.search.validation_images = held_out;
  settings.predictor.validation_images = std::min(settings.predictor.validation_images, held_out);
  settings.predictor.out.clear();
  settings.search.out.clear();
  settings.out = paths.dir;
  nlohmann::json baselines = nlohmann::json::array(), fitting = nlohmann::json::array();
  for (const std::string& name : baseline_names) {
    baselines.push_back(plan_baseline(name, context, train.num_classes(),
                                      std::min(train.height, train.width), paths));
    if (!baselines.back().contains("skipped")) fitting.push_back(baselines.back());
  }
  RunRecord record =
      new_run_record(settings_to_json(settings), budget_s,
                     pipeline::run_stages(compare_scratch, static_cast<int>(fitting.size())));
  if (!fitting.empty()) record.stage("baselines").plan = {{"networks", fitting}};
  record.measured = {
      {"train_images", n - held_out},
      {"held_out_images", held_out},
      {"image_size", std::to_string(train.height) + "x" + std::to_string(train.width) + "x" +
                         std::to_string(train.channels)},
      {"baselines", baselines}};
  return record;
}

}  // namespace

int run_command(int argc, char** argv) {
  cxxopts::Options options(
      "tinynas run",
      "From a data set and a board's limits to a trained, quantised and verified int8 model in "
      "one budgeted, resumable run: space optimiser, supernet training, predictor, search, "
      "fine-tuning, int8 export, accuracy, QEMU verification and a report.");
  options.add_options()("data", "image folder or its .tar.gz (train/ and test/, class = folder)",
                        cxxopts::value<std::string>())(
      "budget", "wall-clock budget, e.g. 2h30m, 90m (docs/run.md: how it is split)",
      cxxopts::value<std::string>())("config", "experiment JSON; flags override its values",
                                     cxxopts::value<std::string>())(
      "space", "search space", cxxopts::value<std::string>())("board", "board name or JSON",
                                                              cxxopts::value<std::string>())(
      "sram", "SRAM size, overriding the board's (e.g. 64K)", cxxopts::value<std::string>())(
      "flash", "Flash size, overriding the board's (e.g. 256K)", cxxopts::value<std::string>())(
      "latency",
      "latency limit per inference (ms at the board's clock, or cycles), predicted by the board's "
      "latency model: the sub-space, the search and the baselines' scaling all keep to it",
      cxxopts::value<std::string>())("seed", "random seed", cxxopts::value<int64_t>())(
      "threads", "torch threads (0 = all cores)", cxxopts::value<int>())(
      "no-scratch", "skip training the winner from scratch for comparison")(
      "baselines",
      "hand-designed networks to train beside the winner, scaled to the limits: arch names "
      "under configs/archs/ or files, separated by commas (default: resnet8,mbv2-cifar)",
      cxxopts::value<std::string>())("no-baselines", "train no baselines")(
      "out", "run folder (default: the config's \"out\", else runs/<timestamp>)",
      cxxopts::value<std::string>())("resume", "continue the run in --out where it stopped")(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "quiet", "no progress lines from the stages")("h,help", "show this help");
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  const bool resume = parsed.count("resume") > 0;
  const std::string config_dir = config_dir_option(parsed);

  if (resume) {
    for (const char* flag : {"data", "budget", "space", "board", "sram", "flash", "latency", "seed",
                             "no-scratch", "baselines", "no-baselines"})
      if (parsed.count(flag))
        throw std::invalid_argument(std::string("--resume continues a run with its own settings "
                                                "(run.json); drop --") +
                                    flag);
    if (!parsed.count("out")) throw std::invalid_argument("--resume needs --out RUN_DIR");
    RunPaths paths{parsed["out"].as<std::string>()};
    if (!fs::exists(paths.record()))
      throw std::invalid_argument("--resume: " + paths.record() +
                                  " does not exist (no run was started there)");
    RunRecord record = load_run_record(paths.record());
    Run run(std::move(record), paths, config_dir, parsed.count("quiet") > 0);
    hold_saved_state(resume_hint(paths));
    run.run_all();
    std::printf("report: %s/report.md\n", paths.dir.c_str());
    return 0;
  }

  Settings settings;
  if (parsed.count("config")) apply_experiment_file(parsed["config"].as<std::string>(), settings);
  if (parsed.count("data")) {
    settings.data.kind = "image_folder";
    settings.data.path = parsed["data"].as<std::string>();
  }
  if (parsed.count("space")) settings.space = parsed["space"].as<std::string>();
  if (parsed.count("board")) settings.board = parsed["board"].as<std::string>();
  if (parsed.count("sram")) settings.sram_bytes = size_option(parsed, "sram");
  if (parsed.count("flash")) settings.flash_bytes = size_option(parsed, "flash");
  if (parsed.count("latency")) settings.latency = parsed["latency"].as<std::string>();
  if (parsed.count("seed")) {
    if (parsed["seed"].as<int64_t>() < 0) throw std::invalid_argument("--seed must be >= 0");
    settings.seed = static_cast<uint64_t>(parsed["seed"].as<int64_t>());
  }
  if (parsed.count("threads")) settings.threads = parsed["threads"].as<int>();
  if (parsed.count("out")) settings.out = parsed["out"].as<std::string>();
  if (!parsed.count("budget"))
    throw std::invalid_argument("tinynas run needs --budget, e.g. --budget 2h30m");
  const double budget_s = util::parse_duration(parsed["budget"].as<std::string>());
  if (parsed.count("baselines") && parsed.count("no-baselines"))
    throw std::invalid_argument("give at most one of --baselines and --no-baselines");
  const std::vector<std::string> baseline_names =
      parsed.count("no-baselines")
          ? std::vector<std::string>{}
          : comma_list("--baselines", parsed.count("baselines")
                                          ? parsed["baselines"].as<std::string>()
                                          : "resnet8,mbv2-cifar");
  validate_settings(settings);
  // The limits are checked before anything trains: a space with no sub-net that fits is an error.
  const RunContext context = make_run_context(settings, config_dir, true);
  require_feasible(context);

  RunPaths paths{prepare_output_dir(settings.out)};
  if (fs::exists(paths.record()))
    throw std::invalid_argument(paths.record() +
                                " exists: pass --resume to continue that run, or choose another "
                                "--out");
  RunRecord record =
      plan_new_run(settings, budget_s, !parsed.count("no-scratch"), baseline_names, context, paths);
  save_run_record(paths.record(), record);
  spdlog::info("run: {} training images ({} held out), budget {}, output {}",
               record.measured["train_images"].get<int64_t>(),
               record.measured["held_out_images"].get<int64_t>(), util::format_duration(budget_s),
               paths.dir);
  Run run(std::move(record), paths, config_dir, parsed.count("quiet") > 0);
  hold_saved_state(resume_hint(paths));
  run.run_all();
  std::printf("report: %s/report.md\n", paths.dir.c_str());
  return 0;
}

}  // namespace tinynas::cli
