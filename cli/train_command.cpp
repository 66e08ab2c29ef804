// tinynas train --config EXPERIMENT.json [--resume]: trains an OFA supernet (progressive
// shrinking) and checkpoints it in the output folder at the end of every epoch and every
// train.checkpoint_minutes inside one; --resume continues a killed run exactly where its last
// checkpoint stopped.
// Data-parallel: --nproc N runs N ranks on this machine (cli/local_ranks.h); --world-size W
// --rank R --master HOST:PORT is one rank of a run over several machines (docs/distributed.md).
#include <spdlog/spdlog.h>

#include <cstdio>
#include <optional>
#include <stdexcept>

#include "cli/commands.h"
#include "cli/config_dir.h"
#include "cli/interrupt_exit.h"
#include "cli/local_ranks.h"
#include "cli/options.h"
#include "cli/progress.h"
#include "cli/run_context.h"
#include "cli/supernet_args.h"
#include "cli/train_progress.h"
#include "nas/search_space.h"
#include "supernet/api.h"
#include "util/interrupt.h"
#include "util/json_reader.h"

namespace tinynas::cli {
namespace {

// --master HOST:PORT (the port after the last colon).
void parse_master(const std::string& text, supernet::DistributedOptions& d) {
  const size_t colon = text.rfind(':');
  const std::string port = colon == std::string::npos ? "" : text.substr(colon + 1);
  if (colon == 0 || port.empty() || port.find_first_not_of("0123456789") != std::string::npos ||
      port.size() > 5 || std::stoi(port) < 1 || std::stoi(port) > 65535)
    throw std::invalid_argument("--master must be HOST:PORT with a port from 1 to 65535, got '" +
                                text + "'");
  d.master_host = text.substr(0, colon);
  d.master_port = std::stoi(port);
}

// The arguments every rank of --nproc gets: ours, less --nproc and --out (the launcher resolves
// the output folder once, so a default runs/<timestamp> is the same for all).
std::vector<std::string> rank_arguments(int argc, char** argv, const std::string& out_dir) {
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--nproc" || a == "--out") {
      ++i;
      continue;
    }
    if (a.rfind("--nproc=", 0) == 0 || a.rfind("--out=", 0) == 0) continue;
    args.push_back(a);
  }
  args.insert(args.end(), {"--out", out_dir});
  return args;
}

// What an interrupted run leaves: the checkpoints are written atomically, so the last one is whole.
std::string resume_hint(const std::string& out_dir) {
  return "the last checkpoint in " + out_dir +
         " (saved at every epoch's end and every train.checkpoint_minutes) is kept; "
         "the same command with --resume continues from it";
}

std::string top1_text(double v) {
  if (v < 0) return "-";
  char b[32];
  std::snprintf(b, sizeof b, "%.2f%%", v);
  return b;
}

}  // namespace

int train_command(int argc, char** argv) {
  cxxopts::Options options("tinynas train",
                           "Train a once-for-all supernet (progressive shrinking) from an "
                           "experiment config; checkpoints every epoch and every "
                           "--checkpoint-minutes.");
  options.add_options()("config", "experiment JSON (data, supernet, train, eval sections)",
                        cxxopts::value<std::string>())(
      "resume", "continue the run in the output folder from its last checkpoint")(
      "checkpoint-minutes",
      "minutes between checkpoints inside an epoch, fractions allowed (0 = only at epoch ends; "
      "default: the config's train.checkpoint_minutes, else 5)",
      cxxopts::value<double>())(
      "out", "output folder (default: the config's \"out\", else runs/<timestamp>)",
      cxxopts::value<std::string>())("threads", "torch threads (0 = all cores)",
                                     cxxopts::value<int>())("seed", "random seed",
                                                            cxxopts::value<int64_t>())(
      "config-dir", "folder holding spaces/ and boards/", cxxopts::value<std::string>())(
      "quiet", "no progress line")(
      "micro-batches",
      "split each (rank's share of a) batch into M micro-batches, each with its own BN batch "
      "statistics; gradients accumulate (default 1)",
      cxxopts::value<int>())("h,help", "show this help");
  options.add_options("data-parallel (docs/distributed.md)")(
      "nproc", "train with N processes on this machine (each with --threads torch threads)",
      cxxopts::value<int>())("world-size", "processes in the whole run, over all machines",
                             cxxopts::value<int>())(
      "rank", "this process's rank: 0 to world-size - 1; rank 0 hosts the rendezvous",
      cxxopts::value<int>())("master", "HOST:PORT where rank 0 listens and the others connect",
                             cxxopts::value<std::string>())(
      "dist-timeout",
      "seconds to wait for the other ranks at the rendezvous and at every exchange (default 300)",
      cxxopts::value<double>())(
      "gloo-interface",
      "network interface for the gradient exchange, e.g. eth1 (default: the address this "
      "machine's hostname resolves to)",
      cxxopts::value<std::string>());
  const std::optional<cxxopts::ParseResult> parsed_or_help = parse_command(options, argc, argv);
  if (!parsed_or_help) return 0;  // --help was printed
  const cxxopts::ParseResult& parsed = *parsed_or_help;
  if (!parsed.count("config"))
    throw std::invalid_argument("tinynas train needs --config EXPERIMENT.json");
  Settings settings;
  apply_experiment_file(parsed["config"].as<std::string>(), settings);
  if (parsed.count("out")) settings.out = parsed["out"].as<std::string>();
  if (parsed.count("threads")) settings.threads = parsed["threads"].as<int>();
  if (parsed.count("checkpoint-minutes")) {
    settings.train.checkpoint_minutes = parsed["checkpoint-minutes"].as<double>();
    if (const std::string problem = setting_problem(settings, "train.checkpoint_minutes");
        !problem.empty())
      throw std::invalid_argument("--checkpoint-minutes (train.checkpoint_minutes) " + problem);
  }
  if (parsed.count("seed")) {
    if (parsed["seed"].as<int64_t>() < 0) throw std::invalid_argument("--seed must be >= 0");
    settings.seed = static_cast<uint64_t>(parsed["seed"].as<int64_t>());
  }
  const bool resume = parsed.count("resume") > 0;
  if (resume && settings.out.empty())
    throw std::invalid_argument(
        "--resume needs the run's folder: --out DIR or \"out\" in the config");
  const std::string config_dir = config_dir_option(parsed);

  supernet::DistributedOptions dist;
  if (parsed.count("world-size")) dist.world_size = parsed["world-size"].as<int>();
  if (parsed.count("rank")) dist.rank = parsed["rank"].as<int>();
  if (parsed.count("master")) parse_master(parsed["master"].as<std::string>(), dist);
  if (parsed.count("dist-timeout")) dist.timeout_s = parsed["dist-timeout"].as<double>();
  if (parsed.count("gloo-interface")) dist.interface = parsed["gloo-interface"].as<std::string>();
  if (!(dist.timeout_s > 0)) throw std::invalid_argument("--dist-timeout must be positive");
  const bool multi_machine =
      parsed.count("world-size") || parsed.count("rank") || parsed.count("master");
  if (parsed.count("nproc")) {
    const int nproc = parsed["nproc"].as<int>();
    if (nproc < 1) throw std::invalid_argument("--nproc must be at least 1");
    if (multi_machine)
      throw std::invalid_argument(
          "--nproc starts every rank on this machine: do not combine it with --world-size, "
          "--rank or --master");
    if (nproc > 1) {
      const std::string out = prepare_output_dir(settings.out);
      set_saved_state(resume_hint(out));
      return run_local_ranks(rank_arguments(argc, argv, out), nproc);
    }
  } else if (multi_machine) {
    if (!parsed.count("world-size") || !parsed.count("rank"))
      throw std::invalid_argument(
          "a data-parallel rank needs --world-size, --rank and --master HOST:PORT together");
    if (dist.world_size < 1)
      throw std::invalid_argument("--world-size must be at least 1, got " +
                                  std::to_string(dist.world_size));
    if (dist.rank < 0 || dist.rank >= dist.world_size)
      throw std::invalid_argument("--rank " + std::to_string(dist.rank) +
                                  " is out of range: with --world-size " +
                                  std::to_string(dist.world_size) + " ranks are 0 to " +
                                  std::to_string(dist.world_size - 1));
    if (dist.world_size > 1 && !parsed.count("master"))
      throw std::invalid_argument("--world-size " + std::to_string(dist.world_size) +
                                  " needs --master HOST:PORT (rank 0's address)");
  }
  const bool writer = dist.rank == 0;

  supernet::TrainJob job = train_job_for(settings, config_dir);
  // Ranks other than 0 never write: their folder (if any) only holds the checkpoint to resume.
  job.out_dir = writer ? prepare_output_dir(settings.out) : settings.out;
  job.resume = resume;
  job.distributed = dist;
  if (parsed.count("micro-batches")) job.micro_batches = parsed["micro-batches"].as<int>();
  if (job.micro_batches < 1) throw std::invalid_argument("--micro-batches must be at least 1");
  settings.out = job.out_dir;
  if (writer) set_saved_state(resume_hint(job.out_dir));
  job.settings = settings_to_json(settings);
  job.settings["out"] = job.out_dir;  // kept with the checkpoint (not in search results)
  if (!resume && writer)
    util::write_file_atomically(job.out_dir + "/config.json", job.settings.dump(2) + "\n");

  const bool quiet = parsed.count("quiet") > 0;
  if (!quiet || writer)
    spdlog::info("supernet: space {} at width {}, {} phases, batch {}, output {}", job.space.name,
                 job.supernet.width_mult, job.train.phases.size(), job.train.batch_size,
                 job.out_dir);
  if (dist.enabled() && !quiet)
    spdlog::info("data-parallel: rank {} of {}, master {}:{}", dist.rank, dist.world_size,
                 dist.master_host, dist.master_port);
  TrainProgressLine line(!quiet);
  supernet::TrainCallbacks callbacks;
  callbacks.on_note = [&](const std::string& text) { spdlog::info("{}", text); };
  callbacks.on_step = [&](const supernet::StepInfo& s) {
    util::throw_if_interrupted();  // between steps: the last checkpoint stays the one to resume
    line.step(s);
  };
  if (writer) {  // the other ranks neither evaluate nor write
    callbacks.on_checkpoint = [&](const supernet::StepInfo& s) {
      line.clear();
      spdlog::info("{} epoch {} step {}/{}: checkpoint saved", s.phase, s.epoch + 1, s.step,
                   s.steps_per_epoch);
    };
    callbacks.on_epoch = [&](const supernet::EpochInfo& e) {
      line.clear();
      spdlog::info(
          "{} epoch {}: loss {:.4f}, lr {:.4g}, top-1 largest {} smallest {}, {:.1f} img/s, "
          "{:.0f} s; checkpoint saved",
          e.phase, e.epoch + 1, e.loss, e.lr, top1_text(e.top1_largest), top1_text(e.top1_smallest),
          e.images_per_s, e.seconds);
    };
  }
  const supernet::TrainResult r = supernet::train_supernet(job, callbacks);
  line.clear();
  if (r.already_finished) {
    std::printf("%s: training had already finished; nothing to do\n", r.checkpoint.c_str());
    return 0;
  }
  if (!writer) return 0;  // rank 0 reports the run
  std::printf("trained %lld steps in %s (%.1f img/s)\ncheckpoint: %s\nlog: %s\n",
              static_cast<long long>(r.steps), format_eta(r.seconds).c_str(), r.images_per_s,
              r.checkpoint.c_str(), r.log_csv.c_str());
  if (dist.enabled())
    std::printf("data-parallel: %d ranks; averaging gradients took %.1f%% of the time\n",
                dist.world_size, 100.0 * r.all_reduce_seconds / std::max(1e-9, r.seconds));
  if (!r.history.empty())
    std::printf("last epoch: top-1 largest %s, smallest %s (BN re-calibrated, %lld test images)\n",
                top1_text(r.history.back().top1_largest).c_str(),
                top1_text(r.history.back().top1_smallest).c_str(),
                static_cast<long long>(job.eval.epoch_test_subset));
  return 0;
}

}  // namespace tinynas::cli
